import { type ChildProcess, fork } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import {
  awsEnvironment,
  DEFAULT_RUNNER_GROUP,
  FakeEc2,
  type FakeEc2Options,
  FakeEcs,
  FakeGitHub,
  type FakeInstance,
  FakeSqs,
  FakeSsm,
  type FakeTask,
  type WebhookDelivery,
} from "../fakes/index.ts";
import POOL_FIXTURE from "../fixtures/pools.json" with { type: "json" };
import { SecretScanner } from "../support/secrets.ts";
import { FastClock } from "./clock.ts";
import { type InstanceEvent, SimulatedInstance } from "./instances.ts";
import { type InvokeResult, LambdaFunction, type LogLine } from "./lambda.ts";
import { distDir, e2eFile } from "./paths.ts";
import { SimulatedTask } from "./tasks.ts";
import { unzipBundles } from "./unzip.ts";

export const FUNCTIONS = ["webhook", "scale-up", "lifecycle", "scale-down"] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const PREFIX = "ci";
const APP_ID = "123";
const SECRET = "e2e-webhook-secret";
const KEY_PARAMETER = `/${PREFIX}/github-app/key`;
const SECRET_PARAMETER = `/${PREFIX}/github-app/webhook-secret`;
const TABLE = `${PREFIX}-state`;
/**
 * The organization's runner group for skiff's org-level pools: not the Default group, and open only to
 * the repository the scenarios queue jobs in, so a runner registered into the wrong group is noticed.
 */
/** The subnets skiff's pools launch into, one per availability zone, as EC2 knows them. */
const SUBNETS: Record<string, string> = {
  "subnet-0aaaaaaaaaaaaaaa1": `${REGION}a`,
  "subnet-0bbbbbbbbbbbbbbb2": `${REGION}b`,
};
const launchTemplateId = (poolIndex: number) => `lt-0${String(poolIndex + 1).padStart(16, "0")}`;
/**
 * What Fargate pools share, from the fixture's Fargate pool (what modules/runners emits for one): the
 * ECS cluster (modules/fargate-cluster), the task size, and the task role's unique id (a task's
 * `aws:userid` is `<id>:<task-id>`). Each pool has its own task definition.
 */
const FARGATE_TEMPLATE = POOL_FIXTURE.find((p) => p.target === "fargate") as Record<string, unknown> & {
  cluster: string;
  cpu: number;
  memory: number;
  taskRoleId: string;
};
const CLUSTER_ARN = FARGATE_TEMPLATE.cluster;
const CLUSTER = CLUSTER_ARN.split("/").at(-1) as string;
const TASK_ROLE_ID = FARGATE_TEMPLATE.taskRoleId;
const TASK_SIZE = { cpu: FARGATE_TEMPLATE.cpu, memory: FARGATE_TEMPLATE.memory };
const taskDefinition = (pool: string) => `${PREFIX}-${pool}-runner:1`;
export const ORG_RUNNER_GROUP = {
  id: 3,
  name: "skiff",
  visibility: "selected" as const,
  repositories: ["acme/widgets"],
};

export interface PoolSpec {
  name: string;
  labels: string[];
  /** EC2 instances (default) or ECS tasks on Fargate (FARGATE_SPOT for spot, FARGATE for on-demand). */
  target?: "ec2" | "fargate";
  architecture?: "x64" | "arm64";
  capacityType?: "spot" | "on-demand";
  /** EC2 pools only. */
  instanceTypes?: string[];
  maxRunners: number;
  runnerLevel?: "org" | "repo";
  /** Default: 1 (Default) for repository runners, ORG_RUNNER_GROUP for organization runners. */
  runnerGroupId?: number;
  bootTimeoutSeconds?: number;
  maxLifetimeSeconds?: number;
  /** Warm runners for an org-level pool (organisation "acme"), always wanted. */
  warm?: { idle: number; maxIdleSeconds?: number };
}

export interface HarnessOptions {
  pools: PoolSpec[];
  /** Virtual time runs this many times faster than real time (see README). Default 20. */
  speed?: number;
  /** Lambda concurrency per function. */
  concurrency?: Partial<Record<FunctionName, number>>;
  /** Function timeouts in virtual seconds (the queues' visibility timeouts are 6×, as modules/queue sets). */
  timeoutSeconds?: Partial<Record<FunctionName, number>>;
  /** SQS event source batch size (modules/scale-up default 10). */
  batchSize?: number;
  /** The schedule's period for scale-down, virtual seconds. Default 120. */
  reconcileEverySeconds?: number;
  /** Receives before a message moves to its DLQ (modules/queue default 5). */
  maxReceiveCount?: number;
  /** Virtual seconds from launch to bootstrap: [min, max], uniformly. Default [8, 15]. */
  bootSeconds?: [number, number];
  /**
   * Virtual seconds from RunTask until a Fargate task's container starts (RUNNING): [min, max],
   * uniformly. Default [20, 40] (ENI attachment and image pull).
   */
  taskStartSeconds?: [number, number];
  /**
   * Virtual seconds EventBridge takes to deliver an ECS task state change to the lifecycle queue.
   * Default 0 (at once, in order); EventBridge promises neither.
   */
  ecsEventDelaySeconds?: number;
  /** Virtual seconds a job runs: [min, max], uniformly, unless set per job. Default [20, 60]. */
  jobSeconds?: [number, number];
  /** Extra environment per function (e.g. a shorter grace). */
  env?: Partial<Record<FunctionName, Record<string, string>>>;
  /** POWERTOOLS_LOG_LEVEL for the functions. Default INFO (the timeline reads the logs). */
  logLevel?: string;
  seed?: number;
  /** Start every function's containers before the run (provisioned concurrency); default true. */
  prewarm?: boolean;
  /** Echo every function's output to stderr. */
  echo?: boolean;
  /** EC2's API rate limits in FakeEc2 (`true`: the documented defaults); off by default. */
  ec2RateLimits?: FakeEc2Options["rateLimits"];
}

/** What happened to one job, in virtual epoch ms, for the assertions and the demo's timeline. */
export interface JobTrace {
  jobId: number;
  labels: string[];
  repo: string;
  queuedAt: number;
  /** Real epoch ms of the webhook's first 202 for the queued event (for the latency benchmark). */
  acceptedReal?: number;
  routedAt?: number;
  pool?: string;
  launches: { instanceId: string; capacityType: string; instanceType?: string; at: number }[];
  registeredAt?: number;
  runningAt?: number;
  runnerName?: string;
  instanceId?: string;
  doneAt?: number;
  reapedAt?: number;
  conclusion?: string;
}

/** An EC2 instance or, for a Fargate pool, an ECS task (its `instanceId` is the task id). */
export interface InstanceTrace {
  instanceId: string;
  target: "ec2" | "fargate";
  pool: string;
  /** spot or on-demand (a task: FARGATE_SPOT or FARGATE). */
  lifecycle: string;
  /** A task: `fargate-<cpu>-<memory>`. */
  instanceType: string;
  launchedAt: number;
  /** The job scale-up launched it for (its "runner launched" log; the demo's timeline only). */
  launchedFor?: number;
  /** The jobs its `skiff:job-id` tag names (the jobs of the batch CreateFleet launched it for). */
  taggedJobs: number[];
  /** A warm runner: launched for no job, waiting for any job of its pool. */
  warm?: boolean;
  ranJob?: number;
  terminatedAt?: number;
  events: InstanceEvent[];
}

export interface WebhookRequestRecord {
  at: number;
  real: number;
  action?: string;
  jobId?: number;
  status: number;
  guid?: string;
}

export interface Verdict {
  violations: string[];
  jobs: number;
  instances: number;
  maxLive: Record<string, number>;
  dlq: string[];
}

const LIVE = new Set(["pending", "running"]);
/** A task counts against max_runners as a pending or running instance does, until it starts down. */
const TASK_LIVE = new Set(["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"]);
const NOT_GONE = new Set(["pending", "running", "shutting-down", "stopping", "stopped"]);

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * skiff's control plane from the built zips, wired as AWS wires it, on loopback: an HTTP endpoint
 * (API Gateway HTTP API) in front of the webhook function; event source mappings polling the jobs and
 * lifecycle queues and invoking scale-up and lifecycle with batches; an EventBridge schedule invoking
 * scale-down; EventBridge EC2 and ECS events on the lifecycle queue; simulated instances and Fargate
 * tasks; DynamoDB on dynalite and EC2/ECS/SSM/SQS/GitHub from test/fakes.
 */
export class Harness {
  readonly clock: FastClock;
  readonly prefix = PREFIX;
  readonly random: () => number;
  ec2!: FakeEc2;
  ecs!: FakeEcs;
  ssm!: FakeSsm;
  sqs!: FakeSqs;
  github!: FakeGitHub;
  readonly functions = {} as Record<FunctionName, LambdaFunction>;
  readonly queues = { jobs: "", jobsDlq: "", lifecycle: "", lifecycleDlq: "" };
  readonly jobs = new Map<number, JobTrace>();
  readonly instances = new Map<string, InstanceTrace>();
  readonly sims = new Map<string, SimulatedInstance>();
  /** The simulated Fargate tasks, by task id. */
  readonly taskSims = new Map<string, SimulatedTask>();
  readonly logs: LogLine[] = [];
  /** Everything each function wrote (stdout and stderr, JSON or not), by "function#container stream". */
  readonly output = new Map<string, string[]>();
  readonly metrics = new Map<string, number>();
  readonly webhookRequests: WebhookRequestRecord[] = [];
  readonly violations: string[] = [];
  readonly maxLive: Record<string, number> = {};
  readonly jobDurations = new Map<number, number>();
  /** Webhook deliveries: how many copies reach the endpoint (0 drops it; GitHub records it failed). */
  copies: (delivery: WebhookDelivery) => number = () => 1;
  /** Instances and tasks the test interrupts on purpose (their lost job is expected). */
  readonly interrupted = new Set<string>();
  readonly webhookUrl: string;
  readonly pools: Map<string, Required<PoolSpec>>;
  #dynamo!: { child: ChildProcess; endpoint: string; doc: DynamoDBDocumentClient };
  #server!: Server;
  /** Each simulated instance's or task's SSM client, signing with its own role's credentials. */
  readonly #instanceSsm = new Map<string, SSMClient>();
  #appKey = "";
  #stopped = false;
  #stop: () => void = () => {};
  readonly #stopping = new Promise<void>((resolve) => {
    this.#stop = resolve;
  });
  #loops: Promise<void>[] = [];
  #pendingWork = new Set<Promise<unknown>>();
  #reconciles = 0;
  /** Instances already reported by the one-launch-per-job check (each is reported once). */
  readonly #overLaunched = new Set<string>();

  private constructor(readonly options: HarnessOptions) {
    this.clock = new FastClock(options.speed ?? 20);
    this.random = seeded(options.seed ?? 7);
    this.webhookUrl = "";
    this.pools = new Map(
      options.pools.map((p) => [
        p.name,
        {
          target: "ec2",
          instanceTypes: [],
          architecture: "x64",
          capacityType: "spot",
          runnerLevel: "repo",
          bootTimeoutSeconds: 300,
          maxLifetimeSeconds: 3600,
          runnerGroupId: p.runnerLevel === "org" ? ORG_RUNNER_GROUP.id : 1,
          ...p,
        } as Required<PoolSpec>,
      ]),
    );
  }

  static async start(options: HarnessOptions): Promise<Harness> {
    const h = new Harness(options);
    try {
      await h.#start();
    } catch (error) {
      await h.stop();
      throw error;
    }
    return h;
  }

  get reconciles(): number {
    return this.#reconciles;
  }

  async #start(): Promise<void> {
    const now = this.clock.now;
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const fargate = [...this.pools.values()].filter((p) => p.target === "fargate");
    [this.ec2, this.ecs, this.ssm, this.sqs] = await Promise.all([
      FakeEc2.start({
        now,
        subnets: SUBNETS,
        launchTemplateIds: [...this.pools.keys()].map((_, i) => launchTemplateId(i)),
        rateLimits: this.options.ec2RateLimits,
      }),
      // Tasks stop as on ECS: SIGTERM first, STOPPED once the container exits (SimulatedTask).
      FakeEcs.start({
        now,
        region: REGION,
        account: ACCOUNT,
        clusters: [CLUSTER],
        taskDefinitions: fargate.map((p) => taskDefinition(p.name)),
        stopping: "by-test",
      }),
      FakeSsm.start({ now, runnerRole: { parameterPath: `/${PREFIX}/jit/`, roleName: `${PREFIX}-runner` } }),
      FakeSqs.start({ now }),
    ]);
    this.#server = createServer((req, res) => {
      // A delivery that arrives while the harness stops (the functions are closing) gets
      // API Gateway's 503 instead of an unhandled rejection.
      this.#apiGateway(req, res).catch((error: unknown) => {
        if (!this.#stopped) this.violations.push(`API Gateway failed: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Service Unavailable" }));
      });
    });
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/webhook`;
    (this as { webhookUrl: string }).webhookUrl = url;
    this.github = await FakeGitHub.start({
      now,
      appId: APP_ID,
      publicKey,
      webhookSecret: SECRET,
      runnerGroups: { acme: [DEFAULT_RUNNER_GROUP, ORG_RUNNER_GROUP] },
    });
    this.github.onWebhook((delivery) => this.#forward(delivery));
    this.#appKey = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    this.ssm.put(KEY_PARAMETER, this.#appKey);
    this.ssm.put(SECRET_PARAMETER, SECRET);
    const receives = this.options.maxReceiveCount ?? 5;
    const timeout = (f: FunctionName) => this.#timeout(f);
    this.queues.jobsDlq = this.sqs.createQueue(`${PREFIX}-jobs-dlq`);
    this.queues.jobs = this.sqs.createQueue(`${PREFIX}-jobs`, {
      visibilityTimeoutSeconds: 6 * timeout("scale-up"),
      maxReceiveCount: receives,
      deadLetterQueue: `${PREFIX}-jobs-dlq`,
    });
    this.queues.lifecycleDlq = this.sqs.createQueue(`${PREFIX}-lifecycle-dlq`);
    this.queues.lifecycle = this.sqs.createQueue(`${PREFIX}-lifecycle`, {
      visibilityTimeoutSeconds: 6 * timeout("lifecycle"),
      maxReceiveCount: receives,
      deadLetterQueue: `${PREFIX}-lifecycle-dlq`,
    });

    this.#dynamo = await startDynamo();
    this.ec2.onLaunch((instance) => this.#launched(instance));
    this.ec2.onStateChange((instance) => this.#stateChanged(instance));
    this.ecs.onLaunch((task) => this.#taskLaunched(task));
    this.ecs.onStateChange((task) => this.#taskChanged(task));

    const dirs = unzipBundles(distDir, FUNCTIONS);
    const env = this.#environment();
    const concurrency = {
      webhook: 4,
      "scale-up": 4,
      lifecycle: 2,
      "scale-down": 1,
      ...this.options.concurrency,
    };
    for (const name of FUNCTIONS) {
      this.functions[name] = new LambdaFunction({
        name,
        dir: dirs[name] as string,
        env: { ...env[name], ...this.options.env?.[name] },
        clock: this.clock,
        concurrency: concurrency[name],
        timeoutSeconds: timeout(name),
        functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-${name}`,
        onLine: (line) => this.#line(line),
        onText: (source, text) => {
          const lines = this.output.get(source) ?? [];
          if (lines.length === 0) this.output.set(source, lines);
          lines.push(text);
        },
        echo: this.options.echo ?? false,
      });
    }
    if (this.options.prewarm ?? true) await Promise.all(FUNCTIONS.map((f) => this.functions[f].warm()));
    const batch = this.options.batchSize ?? 10;
    for (let i = 0; i < concurrency["scale-up"]; i++) {
      this.#loops.push(this.#eventSource(this.queues.jobs, this.functions["scale-up"], batch));
    }
    for (let i = 0; i < concurrency.lifecycle; i++) {
      this.#loops.push(this.#eventSource(this.queues.lifecycle, this.functions.lifecycle, batch));
    }
    this.#loops.push(this.#schedule());
  }

  #timeout(name: FunctionName): number {
    const defaults: Record<FunctionName, number> = {
      webhook: 10,
      "scale-up": 60,
      lifecycle: 30,
      "scale-down": 300,
    };
    return this.options.timeoutSeconds?.[name] ?? defaults[name];
  }

  /** Each function's environment, as the Terraform modules set it. */
  #environment(): Record<FunctionName, Record<string, string>> {
    const aws = {
      ...awsEnvironment({ ec2: this.ec2, ecs: this.ecs, ssm: this.ssm, sqs: this.sqs }),
      AWS_ENDPOINT_URL_DYNAMODB: this.#dynamo.endpoint,
      AWS_REGION: REGION,
      POWERTOOLS_LOG_LEVEL: this.options.logLevel ?? "INFO",
      POWERTOOLS_METRICS_NAMESPACE: "skiff-e2e",
    };
    // Every field of a pool comes from the fixture the module tests compare with what
    // modules/runners emits; a scenario overrides only what it is about.
    const template = POOL_FIXTURE.find((p) => p.name === "linux") as Record<string, unknown>;
    const pools = [...this.pools.values()].map((p, i) => ({
      ...(p.target === "fargate"
        ? { ...FARGATE_TEMPLATE, taskDefinition: taskDefinition(p.name) }
        : { ...template, instanceTypes: p.instanceTypes, launchTemplateId: launchTemplateId(i) }),
      name: p.name,
      labels: p.labels,
      architecture: p.architecture,
      capacityType: p.capacityType,
      onDemandFallback: true,
      subnetIds: Object.keys(SUBNETS),
      maxRunners: p.maxRunners,
      runnerLevel: p.runnerLevel,
      runnerGroupId: p.runnerGroupId,
      bootTimeoutSeconds: p.bootTimeoutSeconds,
      maxLifetimeSeconds: p.maxLifetimeSeconds,
      interruptedRetryOnDemand: true,
      ...(p.warm ? { warm: { organization: "acme", schedule: [], ...p.warm } } : {}),
    }));
    const control = {
      ...aws,
      SKIFF_PREFIX: PREFIX,
      SKIFF_POOLS: JSON.stringify(pools),
      SKIFF_STATE_TABLE: TABLE,
      SKIFF_JOBS_QUEUE_URL: this.queues.jobs,
      SKIFF_GITHUB_APP_ID: APP_ID,
      SKIFF_GITHUB_APP_KEY_PARAMETER: KEY_PARAMETER,
      SKIFF_GITHUB_API_URL: this.github.url,
    };
    const lifecycle = { ...control, SKIFF_JOBS_DLQ_URL: this.queues.jobsDlq, SKIFF_MAX_REQUEUES: "3" };
    return {
      webhook: {
        ...aws,
        // modules/runners hands every function the same pools JSON.
        SKIFF_POOLS: JSON.stringify(pools),
        SKIFF_JOBS_QUEUE_URL: this.queues.jobs,
        SKIFF_LIFECYCLE_QUEUE_URL: this.queues.lifecycle,
        SKIFF_WEBHOOK_SECRET_PARAMETERS: SECRET_PARAMETER,
      },
      "scale-up": { ...control, SKIFF_FRESH_MESSAGE_SECONDS: "60" },
      lifecycle,
      "scale-down": lifecycle,
    };
  }

  // ---- API Gateway HTTP API (payload format 2.0) in front of the webhook function ----------------------

  async #apiGateway(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const textual = /json|text|xml|x-www-form-urlencoded/.test(headers["content-type"] ?? "");
    const event = {
      version: "2.0",
      routeKey: `${req.method} ${url.pathname}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      requestContext: {
        accountId: ACCOUNT,
        apiId: "e2eapi",
        domainName: "e2eapi.execute-api.us-east-1.amazonaws.com",
        domainPrefix: "e2eapi",
        http: {
          method: req.method ?? "POST",
          path: url.pathname,
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: headers["user-agent"] ?? "",
        },
        requestId: randomUUID(),
        routeKey: `${req.method} ${url.pathname}`,
        stage: "$default",
        time: this.clock.date().toISOString(),
        timeEpoch: this.clock.now(),
      },
      body: textual ? raw.toString("utf8") : raw.toString("base64"),
      isBase64Encoded: !textual,
    };
    const result = await this.functions.webhook.invoke<{
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    }>(event);
    const status = result.ok ? (result.value?.statusCode ?? 200) : 500;
    const body = result.ok
      ? (result.value?.body ?? "")
      : JSON.stringify({ message: "Internal Server Error" });
    const record: WebhookRequestRecord = { at: this.clock.now(), real: Date.now(), status };
    try {
      const payload = JSON.parse(raw.toString("utf8")) as { action?: string; workflow_job?: { id?: number } };
      record.action = payload.action;
      record.jobId = payload.workflow_job?.id;
      record.guid = headers["x-github-delivery"];
    } catch {
      // not JSON
    }
    this.webhookRequests.push(record);
    if (record.action === "queued" && record.jobId !== undefined && status === 202) {
      const trace = this.#traceFor(record.jobId);
      trace.acceptedReal ??= record.real;
      if (!trace.routedAt) {
        try {
          const pool = (JSON.parse(body) as { pool?: string }).pool;
          if (pool) {
            trace.pool = pool;
            trace.routedAt = record.at;
          }
        } catch {
          // not JSON
        }
      }
    }
    res.writeHead(status, {
      "content-type": "application/json",
      ...(result.ok ? result.value?.headers : {}),
    });
    res.end(body);
  }

  /** GitHub → the endpoint: POSTs a delivery `copies(delivery)` times at once; 0 loses it. */
  async #forward(delivery: WebhookDelivery): Promise<number> {
    const copies = this.copies(delivery);
    if (copies <= 0) return 0;
    const post = async () => {
      const response = await fetch(this.webhookUrl, {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body,
      });
      await response.arrayBuffer();
      return response.status;
    };
    const statuses = await Promise.all(Array.from({ length: copies }, post));
    return statuses[0] ?? 0;
  }

  // ---- event sources, schedule, EventBridge --------------------------------------------------------------

  /** One poller of a Lambda SQS event source mapping (batch window 0, ReportBatchItemFailures). */
  async #eventSource(queue: string, fn: LambdaFunction, batchSize: number): Promise<void> {
    while (!this.#stopped) {
      let event: SQSEvent;
      try {
        event = this.sqs.receiveEvent(queue, batchSize);
      } catch {
        break;
      }
      if (event.Records.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      let result: InvokeResult<{ batchItemFailures?: { itemIdentifier: string }[] }>;
      try {
        result = await fn.invoke(event);
      } catch {
        break; // closed
      }
      if (!result.ok) continue; // the whole batch comes back after its visibility timeout
      const failures = result.value?.batchItemFailures ?? [];
      const ids = new Set(event.Records.map((r) => r.messageId));
      if (failures.some((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier))) continue;
      const failed = new Set(failures.map((f) => f.itemIdentifier));
      for (const record of event.Records) {
        if (failed.has(record.messageId)) continue;
        try {
          this.sqs.delete(queue, record.receiptHandle);
        } catch {
          // already gone
        }
      }
    }
  }

  /** The EventBridge schedule: scale-down every `reconcileEverySeconds`, never two at once. */
  async #schedule(): Promise<void> {
    const period = (this.options.reconcileEverySeconds ?? 120) * 1000;
    while (!this.#stopped) {
      // A timer left running after stop() would keep the process alive for the rest of the period
      // (days, when a benchmark sets a long period and invokes scale-down itself).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.clock.real(period));
        }),
        this.#stopping,
      ]);
      clearTimeout(timer);
      if (this.#stopped) break;
      await this.reconcile();
    }
  }

  /** Invokes scale-down once, as the schedule does. */
  async reconcile(): Promise<InvokeResult> {
    this.#reconciles += 1;
    return this.functions["scale-down"]
      .invoke({
        version: "0",
        id: randomUUID(),
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: ACCOUNT,
        time: this.clock.date().toISOString(),
        region: REGION,
        resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${PREFIX}-scale-down`],
        detail: {},
      })
      .catch((error: Error) => ({
        ok: false,
        error: { name: "Closed", message: error.message },
        container: 0,
        ms: 0,
      }));
  }

  /** EventBridge → lifecycle queue: an EC2 event as the rule's target receives it. */
  sendEc2Event(detailType: string, instanceId: string, detail: Record<string, unknown>): void {
    this.sqs.send(
      this.queues.lifecycle,
      JSON.stringify({
        version: "0",
        id: randomUUID(),
        "detail-type": detailType,
        source: "aws.ec2",
        account: ACCOUNT,
        time: this.clock.date().toISOString(),
        region: REGION,
        resources: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instanceId}`],
        detail: { "instance-id": instanceId, ...detail },
      }),
    );
  }

  #launched(instance: FakeInstance): void {
    this.#runnerLaunched({
      instanceId: instance.instanceId,
      target: "ec2",
      pool: instance.tags["skiff:pool"] ?? "",
      lifecycle: instance.lifecycle,
      instanceType: instance.instanceType,
      launchedAt: instance.launchTime,
      taggedJobs: taggedJobs(instance.tags),
      ...(instance.tags["skiff:warm"] === "true" ? { warm: true } : {}),
      events: [],
    });
    if (this.#stopped) return;
    const sim = new SimulatedInstance(
      {
        ...this.#runnerWorld(),
        ec2: this.ec2,
        ssmFor: (id) => this.#ssmFor(id),
        bootSeconds: () => this.#uniform(this.options.bootSeconds ?? [8, 15]),
      },
      instance,
    );
    this.sims.set(instance.instanceId, sim);
    this.#track(sim.done);
  }

  /** RunTask started a task: a runner like an instance, played by SimulatedTask. */
  #taskLaunched(task: FakeTask): void {
    this.#runnerLaunched({
      instanceId: task.taskId,
      target: "fargate",
      pool: task.tags["skiff:pool"] ?? "",
      lifecycle: task.capacityProvider === "FARGATE_SPOT" ? "spot" : "on-demand",
      instanceType: `fargate-${TASK_SIZE.cpu}-${TASK_SIZE.memory}`,
      launchedAt: task.createdAt,
      taggedJobs: taggedJobs(task.tags),
      events: [],
    });
    if (this.#stopped) return;
    const sim = new SimulatedTask(
      {
        ...this.#runnerWorld(),
        ecs: this.ecs,
        ssmFor: (id) => this.#taskSsmFor(id),
        startSeconds: () => this.#uniform(this.options.taskStartSeconds ?? [20, 40]),
      },
      task,
    );
    this.taskSims.set(task.taskId, sim);
    this.#track(sim.done);
  }

  /** What a simulated instance and a simulated task both get of the harness. */
  #runnerWorld() {
    return {
      clock: this.clock,
      github: this.github,
      prefix: PREFIX,
      jobSeconds: (jobId: number) =>
        this.jobDurations.get(jobId) ?? this.#uniform(this.options.jobSeconds ?? [20, 60]),
      bootTimeoutSeconds: (pool: string) => this.pools.get(pool)?.bootTimeoutSeconds ?? 300,
      note: (event: InstanceEvent) => this.#instanceEvent(event),
    };
  }

  /** What every launch is checked for, an instance's or a task's: its job tag, one launch per job, the cap. */
  #runnerLaunched(trace: InstanceTrace): void {
    const { pool, instanceId } = trace;
    this.instances.set(instanceId, trace);
    // A warm runner is launched for no job: one launch per job concerns the others.
    if (!trace.warm) {
      if (trace.taggedJobs.length === 0) {
        this.violations.push(`${trace.target} runner ${instanceId} launched without a skiff:job-id tag`);
      }
      this.#checkOneLaunchPerJob(instanceId);
    }
    // The cap, sampled on every launch: the pool's pending or running instances and tasks.
    const live = this.#liveRunners().filter((r) => r.pool === pool);
    this.maxLive[pool] = Math.max(this.maxLive[pool] ?? 0, live.length);
    const max = this.pools.get(pool)?.maxRunners;
    if (max !== undefined && live.length > max) {
      // Which runners, to tell a warm runner from a job's and how far each got.
      const which = live.map((r) => {
        const owner = r.tags["skiff:warm"] === "true" ? "warm" : `job ${r.tags["skiff:job-id"] ?? "?"}`;
        const events = this.instances.get(r.id)?.events.map((e) => e.kind) ?? [];
        const running = (this.sims.get(r.id) ?? this.taskSims.get(r.id))?.jobId;
        const job = running === undefined ? "" : `, runs ${running} (${this.github.job(running)?.status})`;
        return `${r.id} (${owner}, ${r.state}${events.length ? `: ${events.join(" ")}` : ""}${job})`;
      });
      this.violations.push(
        `pool ${pool}: ${live.length} live runners at a launch, max_runners ${max}: ${which.join("; ")}`,
      );
    }
  }

  /**
   * The runners that count against max_runners now: EC2 instances pending or running, ECS tasks
   * not yet on their way down (PROVISIONING … RUNNING, even once asked to stop: the container runs).
   */
  #liveRunners(): { id: string; pool: string; tags: Record<string, string>; state: string }[] {
    const instances = this.ec2
      .instances()
      .filter((i) => LIVE.has(i.state))
      .map((i) => ({ id: i.instanceId, pool: i.tags["skiff:pool"] ?? "", tags: i.tags, state: i.state }));
    const tasks = this.ecs
      .tasks({ stopped: false })
      .filter((t) => TASK_LIVE.has(t.lastStatus))
      .map((t) => ({ id: t.taskId, pool: t.tags["skiff:pool"] ?? "", tags: t.tags, state: t.lastStatus }));
    return [...instances, ...tasks];
  }

  /**
   * Invariant 1, counted from EC2 and ECS at every launch: the live instances and tasks can be given
   * to distinct jobs, each to a job its `skiff:job-id` tag names. One CreateFleet (or RunTask) launches a
   * batch's runners with the batch's job ids, so a runner is not bound to one job by its tag; a
   * job with two live runners shows as more live runners than jobs they could be for. A runner
   * that started a job is that job's alone, or no tagged job's if GitHub gave it another one: as
   * GitHub has it (the registration's job), which the simulated runner learns up to a second later.
   */
  #checkOneLaunchPerJob(launched: string): void {
    const claims: { instanceId: string; jobs: number[] }[] = [];
    const assigned = new Map(this.github.registrations().map((r) => [r.name, r.jobId]));
    for (const r of this.#liveRunners()) {
      if (r.tags["skiff:warm"] === "true") continue; // warm runners are for no job
      const trace = this.instances.get(r.id);
      const tagged = trace?.taggedJobs ?? taggedJobs(r.tags);
      const event = trace?.events.find((e) => e.kind === "job-started");
      const started =
        event?.kind === "job-started" ? event.jobId : (assigned.get(`${PREFIX}-${r.id}`) ?? undefined);
      const jobs = started === undefined ? tagged : tagged.filter((j) => j === started);
      if (started !== undefined && jobs.length === 0) continue; // its runner took a job it was not launched for
      claims.push({ instanceId: r.id, jobs });
    }
    const unmatched = unmatchedClaims(claims).filter((c) => !this.#overLaunched.has(c.instanceId));
    if (unmatched.length === 0) return;
    for (const c of unmatched) this.#overLaunched.add(c.instanceId);
    const jobs = [...new Set(unmatched.flatMap((c) => c.jobs))].sort((a, b) => a - b);
    // The live runners that could hold those jobs, and how far each got, to tell which one is extra.
    const rivals = this.#liveRunners()
      .filter((r) => taggedJobs(r.tags).some((j) => jobs.includes(j)))
      .map((r) => {
        const events = this.instances.get(r.id)?.events.map((e) => e.kind) ?? [];
        return `${r.id} (${r.state}${events.length ? `: ${events.join(" ")}` : ""}; tagged ${r.tags["skiff:job-id"]})`;
      });
    this.violations.push(
      `one launch per job broken at the launch of ${launched}: live runners ${unmatched
        .map((c) => c.instanceId)
        .join(
          ", ",
        )} have no job of their own (tagged for jobs ${jobs.join(", ")}); live for them: ${rivals.join("; ")}`,
    );
  }

  /** An instance's SSM client: the runner role's tag condition decides what it may read (FakeSsm). */
  #ssmFor(instanceId: string): SSMClient {
    return this.#runnerSsm(instanceId, () =>
      this.ssm.instanceCredentials(`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instanceId}`),
    );
  }

  /** A task's SSM client: the task role's credentials as ECS delivers them to that task (FakeSsm). */
  #taskSsmFor(taskId: string): SSMClient {
    return this.#runnerSsm(taskId, () => this.ssm.taskCredentials(TASK_ROLE_ID, taskId));
  }

  #runnerSsm(id: string, credentials: () => ReturnType<FakeSsm["taskCredentials"]>): SSMClient {
    let client = this.#instanceSsm.get(id);
    if (!client) {
      client = new SSMClient({
        endpoint: this.ssm.url,
        region: REGION,
        credentials: credentials(),
        maxAttempts: 1,
      });
      this.#instanceSsm.set(id, client);
    }
    return client;
  }

  /**
   * ECS changed a task. skiff's EventBridge rule (modules/lifecycle) forwards every "ECS Task State
   * Change" in the pools' cluster of a task skiff started (`startedBy` prefix `skiff/<prefix>/`) whose
   * desiredStatus is STOPPED to the lifecycle queue: the stop request (StopTask, SpotInterruption, the
   * container's exit) and each status on the way down to STOPPED.
   */
  #taskChanged(task: FakeTask): void {
    const trace = this.instances.get(task.taskId);
    if (task.lastStatus === "STOPPED" && trace && trace.terminatedAt === undefined) {
      trace.terminatedAt = this.clock.now();
      const job = trace.ranJob === undefined ? undefined : this.jobs.get(trace.ranJob);
      if (job && job.instanceId === task.taskId) job.reapedAt = trace.terminatedAt;
    }
    this.taskSims.get(task.taskId)?.stateChanged(task);
    if (
      task.desiredStatus === "STOPPED" &&
      task.clusterArn === CLUSTER_ARN &&
      task.startedBy?.startsWith(`skiff/${PREFIX}/`) &&
      !this.#stopped
    ) {
      const event = JSON.stringify(this.ecs.stateChangeEvent(task.taskId, randomUUID()));
      const delay = (this.options.ecsEventDelaySeconds ?? 0) * 1000;
      if (delay === 0) this.sqs.send(this.queues.lifecycle, event);
      else
        this.#track(
          this.clock.sleep(delay).then(() => {
            if (!this.#stopped) this.sqs.send(this.queues.lifecycle, event);
          }),
        );
    }
  }

  #stateChanged(instance: FakeInstance): void {
    const trace = this.instances.get(instance.instanceId);
    if (instance.state === "terminated" && trace) {
      trace.terminatedAt = this.clock.now();
      const job = trace.ranJob === undefined ? undefined : this.jobs.get(trace.ranJob);
      if (job && job.instanceId === instance.instanceId) job.reapedAt = trace.terminatedAt;
    }
    this.sims.get(instance.instanceId)?.stateChanged(instance.state);
    // The EventBridge rule forwards the states in which an instance is going or gone.
    if (["shutting-down", "terminated", "stopping", "stopped"].includes(instance.state) && !this.#stopped) {
      this.sendEc2Event("EC2 Instance State-change Notification", instance.instanceId, {
        state: instance.state,
      });
    }
  }

  #instanceEvent(event: InstanceEvent): void {
    const trace = this.instances.get(event.instanceId);
    trace?.events.push(event);
    if (event.kind === "job-started") {
      if (trace) trace.ranJob = event.jobId;
      const job = this.#traceFor(event.jobId);
      {
        if (job.runningAt !== undefined) {
          this.violations.push(`job ${event.jobId} started twice (${job.instanceId}, ${event.instanceId})`);
        }
        job.runningAt = event.at;
        job.instanceId = event.instanceId;
        job.runnerName = event.runnerName;
        const registered = trace?.events.find((e) => e.kind === "registered");
        job.registeredAt = registered?.at;
      }
    } else if (event.kind === "job-done") {
      const job = this.jobs.get(event.jobId);
      if (job) {
        job.doneAt = event.at;
        job.conclusion = event.conclusion;
      }
    } else if (event.kind === "job-lost") {
      if (!this.interrupted.has(event.instanceId)) {
        this.violations.push(`job ${event.jobId} lost: instance ${event.instanceId} terminated under it`);
      }
      const job = this.jobs.get(event.jobId);
      if (job) {
        job.doneAt = event.at;
        job.conclusion = "failure (interrupted)";
      }
    } else if (event.kind === "error") {
      this.violations.push(`instance ${event.instanceId}: ${event.message}`);
    }
  }

  #line(line: LogLine): void {
    this.logs.push(line);
    const { entry } = line;
    const aws = entry._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
    if (aws?.CloudWatchMetrics) {
      for (const set of aws.CloudWatchMetrics) {
        for (const { Name } of set.Metrics) {
          const value = entry[Name];
          const sum = Array.isArray(value)
            ? value.reduce((a: number, b: unknown) => a + Number(b), 0)
            : Number(value ?? 0);
          this.metrics.set(Name, (this.metrics.get(Name) ?? 0) + sum);
        }
      }
      return;
    }
    if (entry.message === "runner launched" && typeof entry.instanceId === "string") {
      const jobId = Number(entry.jobId);
      const job = this.#traceFor(jobId);
      const instance = this.instances.get(entry.instanceId);
      if (instance) instance.launchedFor = jobId;
      job.launches.push({
        instanceId: entry.instanceId,
        capacityType: String(entry.capacityType),
        instanceType: instance?.instanceType,
        at: line.at,
      });
    }
  }

  #uniform([min, max]: [number, number]): number {
    return min + (max - min) * this.random();
  }

  #track(promise: Promise<unknown>): void {
    this.#pendingWork.add(promise);
    void promise.finally(() => this.#pendingWork.delete(promise));
  }

  // ---- the test's side ------------------------------------------------------------------------------------

  /** Queues jobs on GitHub (each sends its signed `queued` webhook); all at once unless `everyMs` (virtual). */
  async queueJobs(
    count: number,
    job: { labels: string[]; repo?: string; seconds?: number },
    everyMs = 0,
  ): Promise<number[]> {
    const queue = async () => {
      const queuedAt = this.clock.now();
      const created = await this.github.queueJob({
        owner: "acme",
        repo: job.repo ?? "widgets",
        labels: job.labels,
      });
      Object.assign(this.#traceFor(created.id), { labels: job.labels, repo: created.repo, queuedAt });
      if (job.seconds !== undefined) this.jobDurations.set(created.id, job.seconds);
      return created.id;
    };
    if (everyMs <= 0) return Promise.all(Array.from({ length: count }, queue));
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(await queue());
      await this.clock.sleep(everyMs);
    }
    return ids;
  }

  /** A job's trace, created on first sight (a re-run's jobs are queued by GitHub, not by the test). */
  #traceFor(jobId: number): JobTrace {
    let trace = this.jobs.get(jobId);
    if (!trace) {
      const job = this.github.job(jobId);
      trace = {
        jobId,
        labels: job?.labels ?? [],
        repo: job?.repo ?? "",
        queuedAt: this.clock.now(),
        launches: [],
      };
      this.jobs.set(jobId, trace);
    }
    return trace;
  }

  /** Polls `predicate` every 50 ms (real) until it holds or `virtualSeconds` pass. */
  async waitFor(
    what: string,
    predicate: () => boolean | Promise<boolean>,
    virtualSeconds: number,
  ): Promise<void> {
    const deadline = this.clock.now() + virtualSeconds * 1000;
    while (!(await predicate())) {
      if (this.clock.now() > deadline)
        throw new Error(`timed out after ${virtualSeconds} virtual s waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Jobs GitHub still has queued or in progress. */
  openJobs(): number {
    return this.github.jobs().filter((j) => j.status !== "completed").length;
  }

  /** Instances not yet terminated. */
  aliveInstances(): FakeInstance[] {
    return this.ec2.instances().filter((i) => NOT_GONE.has(i.state));
  }

  /** Fargate tasks not yet STOPPED. */
  aliveTasks(): FakeTask[] {
    return this.ecs.tasks({ stopped: false });
  }

  async waitForJobs(virtualSeconds: number): Promise<void> {
    await this.waitFor(
      `every job to complete (${this.openJobs()} open)`,
      () => this.openJobs() === 0,
      virtualSeconds,
    );
  }

  /**
   * Waits until nothing runs, nothing is registered, no JIT config is left and the queues are
   * drained; with `warm`, until only that many warm runners per pool wait, online and holding slots.
   */
  async waitForQuiet(virtualSeconds: number, warm: Record<string, number> = {}): Promise<void> {
    await this.waitFor(
      "instances, tasks, registrations, JIT configs and queues to drain",
      async () => {
        const waiting = await this.waitingWarm();
        const expected = Object.values(warm).reduce((a, b) => a + b, 0);
        return (
          waiting.size === expected &&
          this.aliveInstances().every((i) => waiting.has(i.instanceId)) &&
          this.aliveTasks().length === 0 &&
          this.github.registrations().every((r) => waiting.has(r.name.slice(PREFIX.length + 1))) &&
          this.ssm.names().every((n) => !n.startsWith(`/${PREFIX}/jit/`)) &&
          this.sqs.count(this.queues.jobs).total === 0 &&
          this.sqs.count(this.queues.lifecycle).total === 0 &&
          (await this.counters()).every(([pool, active]) => active === (warm[pool] ?? 0))
        );
      },
      virtualSeconds,
    );
  }

  /** The warm runners waiting in every pool (the pools' idle sets in the state table). */
  async waitingWarm(): Promise<Set<string>> {
    const waiting = new Set<string>();
    for (const item of await this.table()) {
      if (String(item.pk).startsWith("pool#"))
        for (const id of (item.warmIdle as Set<string> | undefined) ?? []) waiting.add(id);
    }
    return waiting;
  }

  /** The pool counters (active slots) in the state table. */
  async counters(): Promise<[string, number][]> {
    return (await this.table())
      .filter((item) => String(item.pk).startsWith("pool#"))
      .map((item) => [String(item.pk).slice(5), Number(item.active ?? 0)]);
  }

  /** Messages in the jobs DLQ (bodies), and the lifecycle DLQ's, prefixed. */
  deadLetters(): string[] {
    return [
      ...this.sqs.peek(this.queues.jobsDlq).map((m) => m.body),
      ...this.sqs.peek(this.queues.lifecycleDlq).map((m) => `lifecycle: ${m.body}`),
    ];
  }

  /** The state table's items (pool counters, jobs, instances). */
  async table(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#dynamo.doc.send(
        new ScanCommand({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Checks the pass conditions: every job completed exactly once on its own skiff runner of the pool it
   * was routed to, no runner ran two jobs, no job had two instances at once, the cap held, nothing is left
   * running or registered, pool counters are back to zero, and the DLQs hold only `expectedDeadLetters`.
   */
  async verify(
    expected: {
      deadLetters?: (body: string) => boolean;
      lostJobs?: number;
      /** Warm runners still waiting per pool at the end (each alive, registered, holding a slot). */
      warm?: Record<string, number>;
    } = {},
  ): Promise<Verdict> {
    const violations = [...this.violations];
    const runners = new Map<string, number>();
    const byName = new Map([...this.instances.values()].map((i) => [`${PREFIX}-${i.instanceId}`, i]));
    let lost = 0;
    for (const job of this.github.jobs()) {
      if (job.status !== "completed") violations.push(`job ${job.id} is ${job.status}`);
      if (job.conclusion !== "success") lost += 1;
      if (!job.runnerName) {
        violations.push(`job ${job.id} never ran`);
        continue;
      }
      const other = runners.get(job.runnerName);
      if (other !== undefined) violations.push(`runner ${job.runnerName} ran jobs ${other} and ${job.id}`);
      runners.set(job.runnerName, job.id);
      const instance = byName.get(job.runnerName);
      if (!instance) violations.push(`job ${job.id} ran on ${job.runnerName}, not a skiff instance or task`);
      const trace = this.jobs.get(job.id);
      const routed = trace?.pool ?? this.#routedPool(job.id);
      if (instance && routed && instance.pool !== routed) {
        violations.push(`job ${job.id} routed to ${routed} ran on an instance of ${instance.pool}`);
      }
    }
    if (lost !== (expected.lostJobs ?? 0)) {
      violations.push(`${lost} jobs did not succeed (expected ${expected.lostJobs ?? 0})`);
    }
    // One launch per job is checked from EC2 at every launch (#checkOneLaunchPerJob): its findings are
    // among this.violations.
    // Each runner registered into its pool's runner group.
    for (const trace of this.instances.values()) {
      const wanted = this.pools.get(trace.pool)?.runnerGroupId;
      for (const e of trace.events) {
        if (e.kind === "registered" && e.runnerGroupId !== wanted) {
          violations.push(
            `runner ${e.runnerName} of pool ${trace.pool} registered in runner group ${e.runnerGroupId}, not ${wanted}`,
          );
        }
      }
    }
    const waiting = await this.waitingWarm();
    for (const [pool, n] of Object.entries(expected.warm ?? {})) {
      const left = [...waiting].filter((id) => this.instances.get(id)?.pool === pool).length;
      if (left !== n) violations.push(`pool ${pool}: ${left} warm runners waiting, not ${n}`);
    }
    for (const i of this.aliveInstances()) {
      if (!waiting.has(i.instanceId)) violations.push(`instance ${i.instanceId} is still ${i.state}`);
    }
    for (const t of this.aliveTasks()) violations.push(`task ${t.taskId} is still ${t.lastStatus}`);
    for (const r of this.github.registrations()) {
      if (!waiting.has(r.name.slice(PREFIX.length + 1)))
        violations.push(`runner ${r.name} is still registered`);
    }
    // Only the instance or task itself ever read its JIT config (FakeSsm enforces the runner role's and
    // the task role's tag conditions).
    for (const read of this.ssm.reads.filter((r) => r.name.startsWith(`/${PREFIX}/jit/`))) {
      const reader = read.instanceArn?.split("/").at(-1) ?? read.taskUserId?.split(":").at(-1);
      if (reader !== read.name.split("/").at(-1)) {
        violations.push(
          `JIT config ${read.name} was read by ${read.instanceArn ?? read.taskUserId ?? "a caller that is not its runner"}`,
        );
      }
    }
    for (const n of this.ssm.names().filter((n) => n.startsWith(`/${PREFIX}/jit/`))) {
      violations.push(`JIT config ${n} is left in SSM`);
    }
    for (const item of await this.table()) {
      const warm = expected.warm?.[String(item.pk).slice("pool#".length)] ?? 0;
      if (String(item.pk).startsWith("pool#") && Number(item.active ?? 0) !== warm) {
        violations.push(`${item.pk} counter is ${item.active}, not ${warm}`);
      }
    }
    violations.push(...(await this.secretLeaks()));
    const dlq = this.deadLetters();
    for (const body of dlq) {
      if (!expected.deadLetters?.(body)) violations.push(`unexpected dead letter: ${body.slice(0, 300)}`);
    }
    return {
      violations,
      jobs: this.github.jobs().length,
      instances: this.instances.size,
      maxLive: this.maxLive,
      dlq,
    };
  }

  /**
   * Invariant 6 over the whole run: no secret the run used — the App private key, the webhook secret,
   * every JIT config and installation token GitHub issued — appears in anything the functions wrote
   * (stdout, stderr), in an instance's or task's tags, in a RunTask request (CloudTrail records it:
   * tags, overrides), in a message sent to a queue or in the state table.
   */
  async secretLeaks(): Promise<string[]> {
    const scanner = new SecretScanner()
      .secret("the GitHub App private key", this.#appKey)
      .secret("the webhook secret", SECRET);
    const issued = this.github.issuedSecrets();
    for (const [i, config] of issued.jitConfigs.entries()) scanner.secret(`JIT config #${i + 1}`, config);
    for (const [i, token] of issued.tokens.entries()) scanner.secret(`installation token #${i + 1}`, token);
    for (const [source, lines] of this.output) scanner.output(source, lines.join("\n"));
    scanner.output("EC2 instance tags", JSON.stringify(this.ec2.instances().map((i) => i.tags)));
    scanner.output(
      "RunTask requests",
      JSON.stringify(this.ecs.calls.filter((c) => c.operation === "RunTask").map((c) => c.params)),
    );
    scanner.output(
      "messages sent to SQS",
      JSON.stringify(
        this.sqs.calls.filter((c) => c.operation.startsWith("SendMessage")).map((c) => c.params),
      ),
    );
    scanner.output("the state table", JSON.stringify(await this.table()));
    return scanner.violations();
  }

  #routedPool(jobId: number): string | undefined {
    for (const line of this.logs) {
      if (line.entry.message === "job routed" && Number(line.entry.jobId) === jobId)
        return String(line.entry.pool);
    }
    return undefined;
  }

  /** What is still going on, for diagnosing a scenario that does not finish. */
  async status(): Promise<Record<string, unknown>> {
    return {
      virtualSeconds: Math.round((this.clock.now() - this.clock.origin) / 1000),
      openJobs: this.github
        .jobs()
        .filter((j) => j.status !== "completed")
        .map((j) => `${j.id}:${j.status}:${j.runnerName ?? "-"}`),
      alive: this.aliveInstances().map((i) => {
        const sim = this.sims.get(i.instanceId);
        const last = this.instances.get(i.instanceId)?.events.at(-1);
        return `${i.instanceId}:${i.state}:${i.tags["skiff:pool"]}:job=${sim?.jobId ?? "-"}:last=${last?.kind ?? "-"}`;
      }),
      tasks: this.aliveTasks().map((t) => {
        const sim = this.taskSims.get(t.taskId);
        const last = this.instances.get(t.taskId)?.events.at(-1);
        return `${t.taskId}:${t.lastStatus}/${t.desiredStatus}:${t.tags["skiff:pool"]}:job=${sim?.jobId ?? "-"}:last=${last?.kind ?? "-"}`;
      }),
      registrations: this.github.registrations().map((r) => `${r.name}:${r.status}:job=${r.jobId}`),
      jit: this.ssm.names().filter((n) => n.startsWith(`/${PREFIX}/jit/`)),
      jobsQueue: this.sqs.count(this.queues.jobs),
      lifecycleQueue: this.sqs.count(this.queues.lifecycle),
      counters: await this.counters(),
      stateJobs: (await this.table())
        .filter((i) => String(i.pk).startsWith("job#") && i.status !== "completed")
        .map((i) => `${i.jobId}:${i.status}:slot=${i.holdsSlot}:inst=${i.instanceId ?? "-"}`),
      reconciles: this.#reconciles,
    };
  }

  /** Log entries at ERROR level, for diagnosis. */
  errors(): LogLine[] {
    return this.logs.filter((l) => l.entry.level === "ERROR");
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop();
    this.github?.onWebhook(() => 0);
    await Promise.all(Object.values(this.functions).map((f) => f.close()));
    await Promise.allSettled(this.#loops);
    for (const sim of this.sims.values()) sim.stateChanged("terminated");
    for (const sim of this.taskSims.values()) sim.kill();
    await Promise.race([Promise.allSettled([...this.#pendingWork]), new Promise((r) => setTimeout(r, 2000))]);
    for (const client of this.#instanceSsm.values()) client.destroy();
    this.#dynamo?.child.kill();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server?.closeAllConnections();
    await Promise.allSettled([
      this.github?.close(),
      this.ec2?.close(),
      this.ecs?.close(),
      this.ssm?.close(),
      this.sqs?.close(),
    ]);
  }
}

async function startDynamo(): Promise<{
  child: ChildProcess;
  endpoint: string;
  doc: DynamoDBDocumentClient;
}> {
  const child = fork(e2eFile("dynamo-server.mjs"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve(m.port));
    child.once("exit", (code) => reject(new Error(`dynalite exited (${code})`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    }),
  );
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { child, endpoint, doc };
}

/** The job ids a runner's `skiff:job-id` tag names (space-separated; a truncated tail is skipped). */
function taggedJobs(tags: Record<string, string>): number[] {
  return (tags["skiff:job-id"] ?? "")
    .split(" ")
    .filter((v) => /^\d+$/.test(v))
    .map(Number);
}

/**
 * Gives each claim a distinct job from its list (maximum bipartite matching, augmenting paths) and
 * returns the claims left without one: empty when every live instance can be some job's only instance.
 */
export function unmatchedClaims<T extends { jobs: number[] }>(claims: T[]): T[] {
  const owner = new Map<number, number>();
  const assign = (c: number, seen: Set<number>): boolean => {
    for (const job of claims[c]?.jobs ?? []) {
      if (seen.has(job)) continue;
      seen.add(job);
      const current = owner.get(job);
      if (current === undefined || assign(current, seen)) {
        owner.set(job, c);
        return true;
      }
    }
    return false;
  };
  return claims.filter((_, c) => !assign(c, new Set()));
}
