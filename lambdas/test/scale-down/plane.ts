import { generateKeyPairSync } from "node:crypto";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DeleteParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { FakeEc2, FakeEcs, FakeGitHub, FakeSqs, FakeSsm, type FakeTask } from "../../../test/fakes/index.ts";
import { isTaskId } from "../../src/jobs/runner.ts";
import { handleLifecycle, type LifecycleDeps } from "../../src/lifecycle/lifecycle.ts";
import { DEFAULT_SETTINGS, type ReconcileSettings } from "../../src/scale-down/reconcile.ts";
import { type ScaleDownDeps, scaleDown } from "../../src/scale-down/scale-down.ts";
import { ec2Port, ecsPort, instanceArnFrom, jitStore, queuePort } from "../../src/scale-up/ports.ts";
import { type ScaleUpDeps, scaleUp } from "../../src/scale-up/scale-up.ts";
import {
  deleteJitParameter,
  describeSkiffTasks,
  describeTagged,
  jitParameterName,
  jsonSender,
  launchTemplateVersions,
  stopTasks,
  terminateInstances,
} from "../../src/shared/aws.ts";
import { createGitHubApp } from "../../src/shared/github.ts";
import type { Pool } from "../../src/shared/pools.ts";
import type { State } from "../../src/store/ports.ts";
import { createRouter } from "../../src/webhook/route.ts";
import { handleWebhook } from "../../src/webhook/webhook.ts";
import { CREDENTIALS, startDynamo } from "../support/dynamo.ts";
import { pool as defaultPool } from "../support/fixtures.ts";
import { memoryState } from "../support/memory-state.ts";
import { memoryCounter, memoryLog } from "../support/observe.ts";

export const APP_ID = 321;
export const INSTALLATION_ID = 42;
export const WEBHOOK_SECRET = "webhook-secret";
/** The labels a job for the fixture pool carries. */
export const JOB_LABELS = ["self-hosted", "linux", "ci"];
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-up";

let keys: { privateKey: string; publicKey: string } | undefined;
function appKeys() {
  keys ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return keys;
}

export interface PlaneOptions {
  pools?: Pool[];
  listEvery?: number;
  redeliverEvery?: number;
  redeliverMax?: number;
  maxRequeues?: number;
  settings?: Partial<ReconcileSettings>;
  /** Send GitHub's webhooks to skiff's webhook handler (default true). */
  webhooks?: boolean;
  /**
   * Where the state lives: in memory (default: the functions' logic does not depend on the
   * store, and the contract suite holds both stores to the same behaviour) or in DynamoDB
   * (dynalite), for tests about the table itself.
   */
  store?: "memory" | "dynamodb";
}

/**
 * skiff's control plane on loopback, on one injectable clock: dynalite, the EC2/SSM/SQS/GitHub
 * fakes, and the real SDK clients and Octokit built with the helpers the handlers use. GitHub's
 * webhooks go through the real webhook handler onto the real queues; EC2 state changes go to
 * the lifecycle queue as EventBridge would put them there.
 */
export async function startPlane(options: PlaneOptions = {}) {
  let clock = Date.parse("2026-11-22T10:00:00Z");
  const now = () => new Date(clock);
  const epoch = () => clock;

  const db =
    options.store === "dynamodb"
      ? await startDynamo()
      : { state: memoryState() as State, doc: undefined, table: undefined, close: async () => {} };
  const { privateKey, publicKey } = appKeys();
  const [ec2, ecs, ssm, sqs, github] = await Promise.all([
    FakeEc2.start({ now: epoch }),
    FakeEcs.start({ now: epoch, clusters: ["ci-runners"], taskDefinitions: ["ci-small:1"] }),
    FakeSsm.start({ now: epoch }),
    FakeSqs.start({ now: epoch }),
    FakeGitHub.start({
      appId: APP_ID,
      publicKey,
      installationId: INSTALLATION_ID,
      now: epoch,
      webhookSecret: WEBHOOK_SECRET,
    }),
  ]);
  const jobsDlq = sqs.createQueue("ci-jobs-dlq");
  // Visibility as modules/queue sets it: six times scale-up's 60 s timeout.
  const jobsQueue = sqs.createQueue("ci-jobs", {
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    deadLetterQueue: jobsDlq,
  });
  const lifecycleQueue = sqs.createQueue("ci-lifecycle", { visibilityTimeoutSeconds: 60 });

  const client = { region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 };
  const ec2Client = new EC2Client({ ...client, endpoint: ec2.url });
  const ecsClient = new ECSClient({ ...client, endpoint: ecs.url });
  const ssmClient = new SSMClient({ ...client, endpoint: ssm.url });
  const sqsClient = new SQSClient({ ...client, endpoint: sqs.url });
  const log = memoryLog();
  const metrics = memoryCounter();
  const pools = new Map((options.pools ?? [defaultPool]).map((p) => [p.name, p]));
  const gh = createGitHubApp({
    appId: String(APP_ID),
    privateKey: async () => privateKey,
    baseUrl: github.url,
    log,
    retries: 0,
    retryAfterBaseValue: 1,
  });
  const sendJob = jsonSender(sqsClient, jobsQueue);
  const sendDeadLetter = jsonSender(sqsClient, jobsDlq);
  const maxRequeues = options.maxRequeues ?? 3;

  const lifecycleDeps: LifecycleDeps = {
    prefix: "ci",
    pools,
    state: db.state,
    github: gh,
    sendJob,
    sendDeadLetter,
    maxRequeues,
    log,
    metrics,
    now,
  };
  const scaleDownDeps: ScaleDownDeps = {
    ...lifecycleDeps,
    github: gh,
    lockMs: () => 60_000,
    sendWarm: sendJob,
    ec2: {
      describe: () => describeTagged(ec2Client, "ci"),
      terminate: (ids) => terminateInstances(ec2Client, ids),
      launchTemplateVersions: (ids) => launchTemplateVersions(ec2Client, ids),
    },
    tasks: {
      describe: (sources) => describeSkiffTasks(ecsClient, "ci", sources),
      stop: (tasks) => stopTasks(ecsClient, tasks),
    },
    jit: { delete: (instanceId) => deleteJitParameter(ssmClient, "ci", instanceId) },
    listEvery: options.listEvery ?? 10,
    redeliverEvery: options.redeliverEvery ?? 5,
    redeliverMax: options.redeliverMax ?? 20,
    redeliverWindowSeconds: 6 * 3600,
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  };
  const scaleUpDeps: ScaleUpDeps = {
    prefix: "ci",
    pools,
    state: db.state,
    ec2: ec2Port(ec2Client),
    ecs: ecsPort(ecsClient),
    jit: jitStore(ssmClient, { prefix: "ci", instanceArn: instanceArnFrom(FUNCTION_ARN) }),
    github: gh,
    queue: queuePort(sqsClient, jobsQueue),
    log,
    metrics,
    now,
    freshSeconds: 60,
    leaseMs: () => 90_000,
    random: () => 0.5,
  };

  if (options.webhooks !== false) {
    const webhookDeps = {
      secrets: [WEBHOOK_SECRET],
      router: createRouter([...pools.values()]),
      allowedOwners: new Set<string>(),
      allowedRepositories: new Set<string>(),
      sendJob,
      sendLifecycle: jsonSender(sqsClient, lifecycleQueue),
      log: memoryLog(),
      metrics: memoryCounter(),
    };
    github.onWebhook(
      async (delivery) =>
        (await handleWebhook({ headers: delivery.headers, body: delivery.body }, webhookDeps)).statusCode,
    );
  }
  // EventBridge: EC2 state changes of every instance reach the lifecycle queue.
  ec2.onStateChange((instance) => {
    sqs.send(
      lifecycleQueue,
      JSON.stringify({
        source: "aws.ec2",
        "detail-type": "EC2 Instance State-change Notification",
        time: now().toISOString(),
        detail: { "instance-id": instance.instanceId, state: instance.state },
      }),
    );
  });

  // EventBridge: ECS task state changes reach the lifecycle queue, in the shape ECS sends them.
  // The ECS fake has no hook, so each lifecycle run first reports every task whose status moved.
  const reported = new Map<string, string>();
  function taskEvent(
    task: FakeTask,
    patch: Partial<Pick<FakeTask, "lastStatus" | "desiredStatus" | "stopCode" | "startedBy">>,
  ) {
    const t = { ...task, ...patch };
    return {
      version: "0",
      id: `event-${t.taskId}-${t.lastStatus}`,
      "detail-type": "ECS Task State Change",
      source: "aws.ecs",
      account: "000000000000",
      time: now().toISOString(),
      region: "us-east-1",
      resources: [t.taskArn],
      detail: {
        taskArn: t.taskArn,
        clusterArn: t.clusterArn,
        taskDefinitionArn: t.taskDefinitionArn,
        lastStatus: t.lastStatus,
        desiredStatus: t.desiredStatus,
        launchType: "FARGATE",
        capacityProviderName: t.capacityProvider,
        group: t.group,
        createdAt: new Date(t.createdAt).toISOString(),
        ...(t.startedBy ? { startedBy: t.startedBy } : {}),
        ...(t.stopCode ? { stopCode: t.stopCode, stoppedReason: t.stoppedReason ?? "" } : {}),
        containers: [],
      },
    };
  }
  function reportTaskChanges() {
    for (const task of ecs.tasks()) {
      const status = `${task.lastStatus}/${task.desiredStatus}`;
      if (reported.get(task.taskId) === status) continue;
      reported.set(task.taskId, status);
      sqs.send(lifecycleQueue, JSON.stringify(taskEvent(task, {})));
    }
  }

  /** Delivers a queue's visible messages to a consumer as the event source mapping does. */
  async function consume(
    queue: string,
    handler: (records: SQSRecord[]) => Promise<SQSBatchResponse>,
  ): Promise<SQSBatchResponse> {
    const failures: { itemIdentifier: string }[] = [];
    for (;;) {
      const records = sqs.receiveEvent(queue, 10).Records;
      if (records.length === 0) return { batchItemFailures: failures };
      const out = await handler(records);
      const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      for (const r of records) if (!failed.has(r.messageId)) sqs.delete(queue, r.receiptHandle);
      failures.push(...out.batchItemFailures);
      // Failed messages stay invisible until their visibility timeout: no busy loop here.
    }
  }

  const plane = {
    db,
    state: db.state,
    ec2,
    ecs,
    ssm,
    sqs,
    github,
    gh,
    log,
    metrics,
    jobsQueue,
    jobsDlq,
    lifecycleQueue,
    lifecycleDeps,
    scaleDownDeps,
    scaleUpDeps,
    now,
    advance(seconds: number) {
      clock += seconds * 1000;
    },
    /** Queues a job on GitHub; its `queued` webhook puts the job message on the jobs queue. */
    async queueJob(runId?: number, labels = JOB_LABELS) {
      const job = await github.queueJob({ labels, ...(runId ? { runId } : {}) });
      await github.settled();
      return job;
    },
    /** Runs scale-up on everything visible on the jobs queue. */
    scaleUp: () => consume(jobsQueue, (records) => scaleUp(records, scaleUpDeps)),
    /** Runs the lifecycle handler on everything visible on the lifecycle queue. */
    async lifecycle() {
      await github.settled();
      reportTaskChanges();
      return consume(lifecycleQueue, (records) => handleLifecycle(records, lifecycleDeps));
    },
    /** One scheduled reconcile, then the lifecycle events it caused. */
    async reconcile() {
      const summary = await scaleDown(scaleDownDeps);
      await plane.lifecycle();
      return summary;
    },
    /** The instance (or task) boots as the bootstrap does: reads and deletes its JIT config, starts the runner. */
    async boot(instanceId: string) {
      const name = jitParameterName("ci", instanceId);
      const jit = ssm.get(name);
      if (!jit) throw new Error(`no JIT config for ${instanceId}`);
      await ssmClient.send(new DeleteParameterCommand({ Name: name }));
      if (isTaskId(instanceId)) ecs.setStatus(instanceId, "RUNNING");
      else ec2.setState(instanceId, "running");
      const connected = await github.runnerConnect(jit.value);
      await plane.lifecycle();
      return connected;
    },
    /** The job ends; the ephemeral runner powers its instance off (terminate on shutdown), or its task exits. */
    async finish(jobId: number, instanceId: string, conclusion = "success") {
      await github.completeJob(jobId, conclusion);
      // A task stops when its runner, the essential container, exits.
      if (isTaskId(instanceId))
        ecs.setStatus(instanceId, "STOPPED", { stopCode: "EssentialContainerExited" });
      else ec2.setState(instanceId, "terminated");
      await plane.lifecycle();
    },
    /** EventBridge's spot interruption warning for an instance. */
    interrupt(instanceId: string) {
      sqs.send(
        lifecycleQueue,
        JSON.stringify({
          source: "aws.ec2",
          "detail-type": "EC2 Spot Instance Interruption Warning",
          time: now().toISOString(),
          detail: { "instance-id": instanceId, "instance-action": "terminate" },
        }),
      );
    },
    /**
     * Fargate Spot takes a task back: ECS first reports it RUNNING with desired status STOPPED and
     * stop code SpotInterruption (the task has two minutes), then, once its container exited, STOPPED.
     */
    interruptTask(taskId: string, { warn = true } = {}) {
      const task = ecs.task(taskId);
      if (!task) throw new Error(`no task ${taskId}`);
      const stopCode = "SpotInterruption";
      if (warn)
        sqs.send(lifecycleQueue, JSON.stringify(taskEvent(task, { desiredStatus: "STOPPED", stopCode })));
      ecs.setStatus(taskId, "STOPPED", { stopCode, stoppedReason: "Your Spot Task was interrupted." });
    },
    /** An ECS task state change event as EventBridge delivers it, with `patch` applied. */
    taskEvent: (taskId: string, patch: Parameters<typeof taskEvent>[1] = {}) => {
      const task = ecs.task(taskId);
      if (!task) throw new Error(`no task ${taskId}`);
      return taskEvent(task, patch);
    },
    /** Instances that are not terminated (pending, running, stopping …). */
    live: () => ec2.instances().filter((i) => i.state !== "terminated"),
    jitParameters: () => ssm.names().filter((n) => n.startsWith("/ci/jit/")),
    dlqMessages: () => sqs.peek(jobsDlq).map((m) => JSON.parse(m.body) as Record<string, unknown>),
    async close() {
      github.onWebhook(undefined);
      await Promise.all([db.close(), ec2.close(), ecs.close(), ssm.close(), sqs.close(), github.close()]);
    },
  };
  return plane;
}

export type Plane = Awaited<ReturnType<typeof startPlane>>;
