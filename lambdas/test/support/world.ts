import { generateKeyPairSync } from "node:crypto";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { RunnerGroup } from "../../../test/fakes/github.ts";
import { FakeEc2, FakeEcs, FakeGitHub, FakeSqs, FakeSsm } from "../../../test/fakes/index.ts";
import type { JobMessage } from "../../src/jobs/messages.ts";
import { ec2Port, ecsPort, instanceArnFrom, jitStore, queuePort } from "../../src/scale-up/ports.ts";
import type { ScaleUpDeps } from "../../src/scale-up/scale-up.ts";
import { createGitHubApp } from "../../src/shared/github.ts";
import type { Pool } from "../../src/shared/pools.ts";
import { CREDENTIALS, startDynamo } from "./dynamo.ts";
import { pool } from "./fixtures.ts";
import { memoryCounter, memoryLog } from "./observe.ts";

export const APP_ID = 123;
export const INSTALLATION_ID = 42;
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-up";

let keys: { privateKey: string; publicKey: string } | undefined;
/** One RSA key pair per test process: generating one takes a while. */
export function appKeys() {
  keys ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return keys;
}

/**
 * Scale-up's whole world on loopback: DynamoDB (dynalite), EC2, ECS, SSM, SQS and GitHub fakes,
 * with the real SDK clients and Octokit wired exactly as handler.ts wires them.
 */
export async function startWorld(
  options: { pools?: Pool[]; now?: () => Date; runnerGroups?: Record<string, RunnerGroup[]> } = {},
) {
  const now = options.now ?? (() => new Date());
  const db = await startDynamo();
  const ec2 = await FakeEc2.start();
  const ecs = await FakeEcs.start({ clusters: ["ci-runners"], taskDefinitions: ["ci-small:1"] });
  const ssm = await FakeSsm.start();
  const sqs = await FakeSqs.start();
  const { privateKey, publicKey } = appKeys();
  const github = await FakeGitHub.start({
    appId: APP_ID,
    publicKey,
    installationId: INSTALLATION_ID,
    ...(options.runnerGroups ? { runnerGroups: options.runnerGroups } : {}),
  });
  const dlq = sqs.createQueue("ci-jobs-dlq");
  const jobsQueue = sqs.createQueue("ci-jobs", {
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 5,
    deadLetterQueue: dlq,
  });
  const client = { region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 2 };
  const log = memoryLog();
  const metrics = memoryCounter();
  const pools = options.pools ?? [pool];
  const deps: ScaleUpDeps = {
    prefix: "ci",
    pools: new Map(pools.map((p) => [p.name, p])),
    state: db.state,
    ec2: ec2Port(new EC2Client({ ...client, endpoint: ec2.url })),
    ecs: ecsPort(new ECSClient({ ...client, endpoint: ecs.url })),
    jit: jitStore(new SSMClient({ ...client, endpoint: ssm.url }), {
      prefix: "ci",
      instanceArn: instanceArnFrom(FUNCTION_ARN),
    }),
    github: createGitHubApp({
      appId: String(APP_ID),
      privateKey: async () => privateKey,
      baseUrl: github.url,
      log,
    }),
    queue: queuePort(new SQSClient({ ...client, endpoint: sqs.url }), jobsQueue),
    log,
    metrics,
    now,
    freshSeconds: 60,
    leaseMs: () => 90_000,
    random: () => 0.5,
  };

  /** Queues a job on the fake GitHub and the matching message on the jobs queue. */
  async function queueJob(overrides: Partial<JobMessage> = {}): Promise<JobMessage> {
    const job = await github.queueJob({
      owner: "acme",
      repo: "widgets",
      labels: ["self-hosted", "linux", "ci"],
    });
    const message: JobMessage = {
      kind: "job",
      jobId: job.id,
      runId: job.runId,
      owner: "acme",
      repository: "widgets",
      installationId: INSTALLATION_ID,
      pool: "ci",
      labels: ["self-hosted", "linux", "ci"],
      queuedAt: now().toISOString(),
      deliveryId: `delivery-${job.id}`,
      ...overrides,
    };
    sqs.send(jobsQueue, JSON.stringify(message));
    return message;
  }

  return {
    db,
    ec2,
    ecs,
    ssm,
    sqs,
    github,
    jobsQueue,
    dlq,
    deps,
    log,
    metrics,
    queueJob,
    /** Receives up to `max` messages as the Lambda event source would. */
    receive: (max = 10) => sqs.receiveEvent(jobsQueue, max).Records,
    async close() {
      await Promise.all([db.close(), ec2.close(), ecs.close(), ssm.close(), sqs.close(), github.close()]);
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
