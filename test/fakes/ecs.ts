import {
  type Call,
  Counter,
  type FakeRequest,
  type FakeResponse,
  FaultQueue,
  fakeUuid,
  json,
  type Listener,
  listen,
  parseJsonBody,
} from "./http.ts";

/** The two capacity providers every Fargate cluster can use. */
export type FargateProvider = "FARGATE" | "FARGATE_SPOT";
export const FARGATE_PROVIDERS: readonly FargateProvider[] = ["FARGATE", "FARGATE_SPOT"];

export type TaskStatus =
  | "PROVISIONING"
  | "PENDING"
  | "ACTIVATING"
  | "RUNNING"
  | "DEACTIVATING"
  | "STOPPING"
  | "DEPROVISIONING"
  | "STOPPED";

/**
 * The reason RunTask gives in `failures` when Fargate has no room (AWS re:Post, "Troubleshoot
 * unavailable capacity for Fargate tasks").
 */
export const CAPACITY_UNAVAILABLE =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";

export interface FakeTask {
  taskId: string;
  taskArn: string;
  cluster: string;
  clusterArn: string;
  taskDefinitionArn: string;
  /** The provider whose capacity it uses; FARGATE for a task run with launchType FARGATE. */
  capacityProvider: FargateProvider;
  /** Run with `launchType` rather than a capacity provider strategy (ECS then names no provider). */
  viaLaunchType: boolean;
  launchType: "FARGATE";
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  subnetId: string;
  securityGroups: string[];
  assignPublicIp: "ENABLED" | "DISABLED";
  startedBy: string | undefined;
  group: string;
  tags: Record<string, string>;
  /** RunTask's `overrides`, as sent. */
  overrides: unknown;
  /** Epoch milliseconds, from the fake's clock. */
  createdAt: number;
  /** When the task was asked to stop (StopTask, an interruption, its container's exit). */
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /** Goes up by one at every change of `lastStatus` or `desiredStatus`, as ECS's task `version` does. */
  version: number;
}

export type TaskListener = (task: FakeTask) => void;

/** Why ECS stops a task, as its `stopCode` and `stoppedReason` say it. */
export const STOP_REASONS = {
  EssentialContainerExited: "Essential container in task exited",
  UserInitiated: "Task stopped by user",
  SpotInterruption: "Your Spot Task was interrupted.",
} as const;

/** The statuses a task passes on its way down, before STOPPED. */
const STOPPING_STATUSES: readonly TaskStatus[] = ["DEACTIVATING", "STOPPING", "DEPROVISIONING"];

/** Room left per capacity provider: at most `n` tasks not yet stopped; providers not listed are unlimited. */
export type FargateCapacity = Partial<Record<FargateProvider, number>>;

export interface FakeEcsOptions {
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /** Cluster names that exist; default `["default"]`. Any other name or ARN answers ClusterNotFoundException. */
  clusters?: string[];
  /**
   * Task definitions that exist (`family:revision`, or a family, which means its revision 1); when given,
   * any other answers ClientException "Unable to describe task definition." When not, every one exists.
   */
  taskDefinitions?: string[];
  capacity?: FargateCapacity;
  /**
   * How a task stops. "at-once" (default): StopTask moves it straight to STOPPED. "by-test": StopTask
   * and `interrupt()` only ask it to stop (`desiredStatus` STOPPED, stop code and reason set,
   * `lastStatus` unchanged), as ECS does while the container gets SIGTERM; the test moves it on with
   * `setStatus`, as the container's exit does on ECS. A task holds its capacity until STOPPED.
   */
  stopping?: "at-once" | "by-test";
  region?: string;
  account?: string;
  port?: number;
}

type Body = Record<string, unknown>;
type Share = { provider: FargateProvider; weight: number; base: number };

class EcsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new EcsError("InvalidParameterException", message);

/**
 * Amazon ECS over AWS JSON 1.1 (`X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`), for Fargate
 * tasks: RunTask, DescribeTasks, StopTask, ListTasks. Capacity is the number of tasks not yet stopped that
 * a capacity provider can hold, so stopping a task frees its place.
 */
export class FakeEcs {
  readonly calls: Call<Body>[] = [];
  readonly #tasks = new Map<string, FakeTask>();
  readonly #faults = new FaultQueue<EcsError>();
  readonly #ids = new Counter();
  readonly #requests = new Counter();
  readonly #now: () => number;
  readonly #region: string;
  readonly #account: string;
  readonly #clusters: Set<string>;
  readonly #taskDefinitions: Set<string> | undefined;
  readonly #runsByToken = new Map<string, { request: string; answer: unknown }>();
  readonly #stopping: "at-once" | "by-test";
  readonly #listeners = { launch: new Set<TaskListener>(), change: new Set<TaskListener>() };
  #capacity: FargateCapacity;
  #server: Listener | undefined;

  private constructor(options: FakeEcsOptions) {
    this.#now = options.now ?? Date.now;
    this.#region = options.region ?? "us-east-1";
    this.#account = options.account ?? "000000000000";
    this.#clusters = new Set(options.clusters ?? ["default"]);
    this.#taskDefinitions = options.taskDefinitions
      ? new Set(options.taskDefinitions.map((d) => (d.includes(":") ? d : `${d}:1`)))
      : undefined;
    this.#capacity = options.capacity ?? {};
    this.#stopping = options.stopping ?? "at-once";
  }

  static async start(options: FakeEcsOptions = {}): Promise<FakeEcs> {
    const fake = new FakeEcs(options);
    fake.#server = await listen((request) => fake.#handle(request), options.port);
    return fake;
  }

  /** Base URL; give it to the client as `endpoint` or `AWS_ENDPOINT_URL_ECS`. */
  get url(): string {
    if (!this.#server) throw new Error("FakeEcs is not started");
    return this.#server.url;
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  // ---- test API -------------------------------------------------------------------------------------------

  /** Replaces the capacity limits; providers not listed are unlimited. */
  setCapacity(capacity: FargateCapacity): void {
    this.#capacity = capacity;
  }

  /**
   * Makes the next `times` calls of `operation` (or `"*"`) fail with `__type` = `type`: HTTP 500 for
   * ServerException, else 400 (ECS answers ThrottlingException with 400; the SDK retries it by name).
   */
  failNext(operation: string, type: string, message?: string, httpStatus?: number, times = 1): void {
    const status = httpStatus ?? (type === "ServerException" ? 500 : 400);
    const text = message ?? (type === "ThrottlingException" ? "Rate exceeded" : `Injected ${type}`);
    this.#faults.add(operation, new EcsError(type, text, status), times);
  }

  /** Copies of every task ever started, in start order. */
  tasks(filter: { provider?: FargateProvider; stopped?: boolean } = {}): FakeTask[] {
    return [...this.#tasks.values()]
      .filter((t) => (filter.provider ? t.capacityProvider === filter.provider : true))
      .filter((t) => (filter.stopped === undefined ? true : (t.lastStatus === "STOPPED") === filter.stopped))
      .map((t) => structuredClone(t));
  }

  /** A task by id or ARN. */
  task(idOrArn: string): FakeTask | undefined {
    const task = this.#tasks.get(idOrArn.split("/").at(-1) ?? idOrArn);
    return task ? structuredClone(task) : undefined;
  }

  /** Tasks not yet stopped. */
  live(): number {
    return [...this.#tasks.values()].filter((t) => t.lastStatus !== "STOPPED").length;
  }

  /**
   * Moves a task on (e.g. to RUNNING). A status on the way down (DEACTIVATING … STOPPED) of a task not
   * yet asked to stop is its container exiting: `desiredStatus` becomes STOPPED with `stop`'s code and
   * reason, by default EssentialContainerExited; a task already asked to stop keeps its code and reason
   * unless `stop` gives others (`SpotInterruption`).
   */
  setStatus(
    idOrArn: string,
    status: TaskStatus,
    stop: { stopCode?: string; stoppedReason?: string } = {},
  ): void {
    const task = this.#tasks.get(idOrArn.split("/").at(-1) ?? idOrArn);
    if (!task) throw new Error(`FakeEcs.setStatus: no task ${idOrArn}`);
    if (task.lastStatus === "STOPPED") throw new Error(`FakeEcs.setStatus: task ${idOrArn} is STOPPED`);
    const down = status === "STOPPED" || STOPPING_STATUSES.includes(status);
    if (down && (task.desiredStatus === "RUNNING" || stop.stopCode !== undefined)) {
      const code = stop.stopCode ?? "EssentialContainerExited";
      this.#requestStop(task, code, stop.stoppedReason ?? reasonFor(code));
    }
    if (status === "STOPPED") task.stoppedAt = this.#now();
    if (task.lastStatus !== status) {
      task.lastStatus = status;
      task.version += 1;
    }
    this.#emit("change", task);
  }

  /**
   * Fargate Spot takes a FARGATE_SPOT task back: ECS asks it to stop with stopCode SpotInterruption (its
   * container gets SIGTERM, two minutes before the capacity goes); with `stopping: "by-test"` the test
   * stops it later with `setStatus`.
   */
  interrupt(idOrArn: string): void {
    const task = this.#tasks.get(idOrArn.split("/").at(-1) ?? idOrArn);
    if (!task) throw new Error(`FakeEcs.interrupt: no task ${idOrArn}`);
    if (task.capacityProvider !== "FARGATE_SPOT")
      throw new Error(
        `FakeEcs.interrupt: task ${idOrArn} runs on ${task.capacityProvider}, not FARGATE_SPOT`,
      );
    if (task.desiredStatus === "STOPPED") throw new Error(`FakeEcs.interrupt: task ${idOrArn} is stopping`);
    this.#stop(task, "SpotInterruption", STOP_REASONS.SpotInterruption);
  }

  /** Called with each task RunTask starts (PROVISIONING). */
  onLaunch(listener: TaskListener): () => void {
    return this.#subscribe("launch", listener);
  }

  /** Called after every change of a task's `lastStatus` or `desiredStatus`, launch included. */
  onStateChange(listener: TaskListener): () => void {
    return this.#subscribe("change", listener);
  }

  /**
   * The "ECS Task State Change" event EventBridge delivers for a task as it is now (the fields skiff's
   * rule matches and its lifecycle reads, with ECS's shapes: ISO times, `version`, `containers`).
   */
  stateChangeEvent(idOrArn: string, eventId: string): Record<string, unknown> {
    const task = this.#tasks.get(idOrArn.split("/").at(-1) ?? idOrArn);
    if (!task) throw new Error(`FakeEcs.stateChangeEvent: no task ${idOrArn}`);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      version: "0",
      id: eventId,
      "detail-type": "ECS Task State Change",
      source: "aws.ecs",
      account: this.#account,
      time: new Date(this.#now()).toISOString(),
      region: this.#region,
      resources: [task.taskArn],
      detail: {
        attachments: (this.#wire(task, false) as { attachments: unknown }).attachments,
        ...(task.viaLaunchType ? {} : { capacityProviderName: task.capacityProvider }),
        clusterArn: task.clusterArn,
        containers: [
          {
            name: "runner",
            taskArn: task.taskArn,
            lastStatus: containerStatus(task.lastStatus),
            ...(task.lastStatus === "STOPPED"
              ? { exitCode: task.stopCode === "EssentialContainerExited" ? 0 : 143 }
              : {}),
          },
        ],
        createdAt: iso(task.createdAt),
        desiredStatus: task.desiredStatus,
        group: task.group,
        lastStatus: task.lastStatus,
        launchType: task.launchType,
        overrides: task.overrides,
        platformVersion: "1.4.0",
        ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
        ...(task.stopCode !== undefined
          ? { stopCode: task.stopCode, stoppedReason: task.stoppedReason }
          : {}),
        ...(task.stoppingAt !== undefined ? { stoppingAt: iso(task.stoppingAt) } : {}),
        ...(task.stoppedAt !== undefined ? { stoppedAt: iso(task.stoppedAt) } : {}),
        taskArn: task.taskArn,
        taskDefinitionArn: task.taskDefinitionArn,
        updatedAt: new Date(this.#now()).toISOString(),
        version: task.version,
      },
    };
  }

  callCount(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  // ---- wire -----------------------------------------------------------------------------------------------

  #handle(request: FakeRequest): FakeResponse {
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.replace(/^AmazonEC2ContainerServiceV20141113\./, "");
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": fakeUuid(this.#requests.next()),
    };
    try {
      const body = parseJsonBody(request.body);
      this.calls.push({ operation, params: body, at: this.#now() });
      const fault = this.#faults.take(operation);
      if (fault) throw fault;
      return json(200, this.#dispatch(operation, body), headers);
    } catch (error) {
      const e = error instanceof EcsError ? error : new EcsError("ServerException", String(error), 500);
      return json(e.status, { __type: e.type, message: e.message }, headers);
    }
  }

  #dispatch(operation: string, body: Body): unknown {
    switch (operation) {
      case "RunTask":
        return this.#runTask(body);
      case "DescribeTasks":
        return this.#describeTasks(body);
      case "StopTask":
        return this.#stopTask(body);
      case "ListTasks":
        return this.#listTasks(body);
      default:
        throw new EcsError("UnknownOperationException", `FakeEcs does not implement ${operation}`);
    }
  }

  /** RunTask with its client token honoured: the same token and request answer the first run again. */
  #runTask(body: Body): unknown {
    const token = body.clientToken;
    if (token !== undefined) {
      if (typeof token !== "string" || token.length < 1 || token.length > 64)
        throw invalid("clientToken must be 1 to 64 characters.");
      const { clientToken: _token, ...rest } = body;
      const request = JSON.stringify(rest);
      const seen = this.#runsByToken.get(token);
      if (seen && seen.request !== request)
        throw new EcsError("ClientException", "The client token was already used with a different request.");
      if (seen) return seen.answer;
      const answer = this.#run(body);
      this.#runsByToken.set(token, { request, answer });
      return answer;
    }
    return this.#run(body);
  }

  #run(body: Body): unknown {
    const cluster = this.#cluster(body.cluster);
    const count = body.count ?? 1;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 10)
      throw invalid("count must be between 1 and 10.");
    const strategy = this.#strategy(body);
    const taskDefinition = this.#taskDefinition(body.taskDefinition);
    const network = awsvpc(body.networkConfiguration);
    const tags = tagMap(body.tags);
    const startedBy = optionalString(body.startedBy, "startedBy");
    if (startedBy !== undefined && !/^[A-Za-z0-9_/-]{1,128}$/.test(startedBy))
      throw invalid(
        "startedBy may hold up to 128 letters, numbers, hyphens, forward slashes and underscores.",
      );

    const placed = place(strategy, count);
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const provider of placed) {
      if (!this.#hasRoom(provider)) {
        failures.push({ reason: CAPACITY_UNAVAILABLE });
        continue;
      }
      const n = this.#ids.next();
      const taskId = n.toString(16).padStart(32, "0");
      const task: FakeTask = {
        taskId,
        taskArn: `arn:aws:ecs:${this.#region}:${this.#account}:task/${cluster}/${taskId}`,
        cluster,
        clusterArn: this.#clusterArn(cluster),
        taskDefinitionArn: `arn:aws:ecs:${this.#region}:${this.#account}:task-definition/${taskDefinition}`,
        capacityProvider: provider,
        viaLaunchType: body.launchType !== undefined,
        launchType: "FARGATE",
        lastStatus: "PROVISIONING",
        desiredStatus: "RUNNING",
        subnetId: network.subnets[(n - 1) % network.subnets.length] as string,
        securityGroups: network.securityGroups,
        assignPublicIp: network.assignPublicIp,
        startedBy,
        group: `family:${taskDefinition.split(":")[0]}`,
        tags,
        overrides: body.overrides ?? {},
        createdAt: this.#now(),
        version: 1,
      };
      this.#tasks.set(taskId, task);
      tasks.push(this.#wire(task, true));
      this.#emit("launch", task);
      this.#emit("change", task);
    }
    return { tasks, failures };
  }

  #describeTasks(body: Body): unknown {
    const cluster = this.#cluster(body.cluster);
    const ids = stringList(body.tasks, "tasks");
    if (ids.length === 0 || ids.length > 100) throw invalid("tasks must name 1 to 100 tasks.");
    const withTags = Array.isArray(body.include) && body.include.includes("TAGS");
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of ids) {
      const task = this.#tasks.get(id.split("/").at(-1) ?? id);
      if (task && task.cluster === cluster) tasks.push(this.#wire(task, withTags));
      else
        failures.push({
          arn: id.startsWith("arn:")
            ? id
            : `arn:aws:ecs:${this.#region}:${this.#account}:task/${cluster}/${id}`,
          reason: "MISSING",
        });
    }
    return { tasks, failures };
  }

  #stopTask(body: Body): unknown {
    const cluster = this.#cluster(body.cluster);
    const id = optionalString(body.task, "task");
    if (id === undefined) throw invalid("task is required.");
    const reason = optionalString(body.reason, "reason");
    if (reason !== undefined && reason.length > 255) throw invalid("reason may be at most 255 characters.");
    const task = this.#tasks.get(id.split("/").at(-1) ?? id);
    if (!task || task.cluster !== cluster) throw invalid("The referenced task was not found.");
    if (task.desiredStatus !== "STOPPED")
      this.#stop(task, "UserInitiated", reason ?? STOP_REASONS.UserInitiated);
    return { task: this.#wire(task, false) };
  }

  #listTasks(body: Body): unknown {
    const cluster = this.#cluster(body.cluster);
    const desired = body.desiredStatus ?? "RUNNING";
    if (!["RUNNING", "PENDING", "STOPPED"].includes(String(desired)))
      throw invalid("desiredStatus must be RUNNING, PENDING or STOPPED.");
    const max = body.maxResults ?? 100;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 100)
      throw invalid("maxResults must be between 1 and 100.");
    const startedBy = optionalString(body.startedBy, "startedBy");
    const family = optionalString(body.family, "family");
    const matching = [...this.#tasks.values()]
      .filter((t) => t.cluster === cluster)
      .filter((t) => (desired === "STOPPED" ? t.desiredStatus === "STOPPED" : t.desiredStatus === "RUNNING"))
      .filter((t) => (startedBy === undefined ? true : t.startedBy === startedBy))
      .filter((t) => (family === undefined ? true : t.group === `family:${family}`))
      .map((t) => t.taskArn);
    const start = typeof body.nextToken === "string" ? Number(Buffer.from(body.nextToken, "base64url")) : 0;
    const page = matching.slice(start, start + max);
    const next =
      start + max < matching.length ? Buffer.from(String(start + max)).toString("base64url") : undefined;
    return next ? { taskArns: page, nextToken: next } : { taskArns: page };
  }

  /** Asks a task to stop; with `stopping: "at-once"` it is STOPPED there and then. */
  #stop(task: FakeTask, stopCode: string, stoppedReason: string): void {
    this.#requestStop(task, stopCode, stoppedReason);
    if (this.#stopping === "at-once") {
      task.lastStatus = "STOPPED";
      task.stoppedAt = this.#now();
    }
    task.version += 1;
    this.#emit("change", task);
  }

  #requestStop(task: FakeTask, stopCode: string, stoppedReason: string): void {
    if (task.desiredStatus === "RUNNING") {
      task.desiredStatus = "STOPPED";
      task.stoppingAt = this.#now();
    }
    task.stopCode = stopCode;
    task.stoppedReason = stoppedReason;
  }

  #subscribe(kind: "launch" | "change", listener: TaskListener): () => void {
    const set = this.#listeners[kind];
    set.add(listener);
    return () => void set.delete(listener);
  }

  #emit(kind: "launch" | "change", task: FakeTask): void {
    for (const listener of this.#listeners[kind]) listener(structuredClone(task));
  }

  #hasRoom(provider: FargateProvider): boolean {
    const limit = this.#capacity[provider];
    if (limit === undefined) return true;
    const used = [...this.#tasks.values()].filter(
      (t) => t.capacityProvider === provider && t.lastStatus !== "STOPPED",
    ).length;
    return used < limit;
  }

  /** A cluster by name or ARN (default "default"); unknown ones answer as ECS does. */
  #cluster(value: unknown): string {
    const ref = value === undefined ? "default" : optionalString(value, "cluster");
    const name = ref?.startsWith("arn:") ? ref.split("/").at(-1) : ref;
    if (name === undefined || !this.#clusters.has(name))
      throw new EcsError("ClusterNotFoundException", "Cluster not found.");
    return name;
  }

  #clusterArn(name: string): string {
    return `arn:aws:ecs:${this.#region}:${this.#account}:cluster/${name}`;
  }

  #taskDefinition(value: unknown): string {
    const ref = optionalString(value, "taskDefinition");
    if (ref === undefined) throw invalid("taskDefinition is required.");
    const short = ref.startsWith("arn:") ? (ref.split("/").at(-1) ?? ref) : ref;
    const withRevision = short.includes(":") ? short : `${short}:1`;
    if (this.#taskDefinitions && !this.#taskDefinitions.has(withRevision))
      throw new EcsError("ClientException", "Unable to describe task definition.");
    return withRevision;
  }

  /**
   * The providers a RunTask may use: Fargate only (launchType FARGATE, or a strategy of FARGATE and
   * FARGATE_SPOT). Both a launch type and a strategy is refused, as ECS refuses it.
   */
  #strategy(body: Body): Share[] {
    const strategy = body.capacityProviderStrategy;
    if (body.launchType !== undefined && strategy !== undefined)
      throw invalid(
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
      );
    if (strategy === undefined) {
      if (body.launchType !== "FARGATE")
        throw invalid(
          "FakeEcs runs Fargate tasks only: set launchType FARGATE or a Fargate capacity provider strategy.",
        );
      return [{ provider: "FARGATE", weight: 1, base: 0 }];
    }
    if (!Array.isArray(strategy) || strategy.length === 0 || strategy.length > 20)
      throw invalid("capacityProviderStrategy must hold 1 to 20 capacity providers.");
    const items = strategy.map((item: unknown) => {
      const entry = (item ?? {}) as Body;
      const provider = entry.capacityProvider;
      if (!FARGATE_PROVIDERS.includes(provider as FargateProvider))
        throw invalid(
          `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster: ${String(provider)}.`,
        );
      const weight = entry.weight ?? 0;
      const base = entry.base ?? 0;
      if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > 1000)
        throw invalid("weight must be between 0 and 1000.");
      if (typeof base !== "number" || !Number.isInteger(base) || base < 0 || base > 100_000)
        throw invalid("base must be between 0 and 100000.");
      return { provider: provider as FargateProvider, weight, base };
    });
    if (new Set(items.map((i) => i.provider)).size !== items.length)
      throw invalid("A capacity provider strategy may name each capacity provider once.");
    if (items.filter((i) => i.base > 0).length > 1)
      throw invalid("Only one capacity provider in a strategy can have a base defined.");
    if (!items.some((i) => i.weight > 0))
      throw invalid("At least one capacity provider in a strategy must have a weight greater than zero.");
    return items;
  }

  #wire(task: FakeTask, withTags: boolean): unknown {
    return {
      taskArn: task.taskArn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      ...(task.viaLaunchType ? {} : { capacityProviderName: task.capacityProvider }),
      launchType: task.launchType,
      platformVersion: "1.4.0",
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      group: task.group,
      ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
      createdAt: task.createdAt / 1000,
      ...(task.stopCode !== undefined ? { stopCode: task.stopCode, stoppedReason: task.stoppedReason } : {}),
      ...(task.stoppingAt !== undefined ? { stoppingAt: task.stoppingAt / 1000 } : {}),
      ...(task.stoppedAt !== undefined ? { stoppedAt: task.stoppedAt / 1000 } : {}),
      attachments: [
        {
          type: "ElasticNetworkInterface",
          status: task.lastStatus === "STOPPED" ? "DELETED" : "PRECREATED",
          details: [{ name: "subnetId", value: task.subnetId }],
        },
      ],
      overrides: task.overrides,
      ...(withTags ? { tags: Object.entries(task.tags).map(([key, value]) => ({ key, value })) } : {}),
      version: task.version,
    };
  }
}

function reasonFor(stopCode: string): string {
  return (STOP_REASONS as Record<string, string>)[stopCode] ?? stopCode;
}

/** The runner container's status while its task is in `status`. */
function containerStatus(status: TaskStatus): "PENDING" | "RUNNING" | "STOPPED" {
  if (status === "RUNNING" || status === "DEACTIVATING") return "RUNNING";
  return ["STOPPING", "DEPROVISIONING", "STOPPED"].includes(status) ? "STOPPED" : "PENDING";
}

/**
 * Which provider each of `count` tasks goes to: the provider with a base takes the first `base` tasks,
 * the rest are shared in proportion to the weights (largest remainder first, then strategy order).
 */
function place(strategy: Share[], count: number): FargateProvider[] {
  const placed: FargateProvider[] = [];
  const based = strategy.find((s) => s.base > 0);
  if (based) placed.push(...Array(Math.min(based.base, count)).fill(based.provider));
  const rest = count - placed.length;
  const total = strategy.reduce((sum, s) => sum + s.weight, 0);
  const shares = strategy.map((s) => ({ s, n: Math.floor((rest * s.weight) / total) }));
  let left = rest - shares.reduce((sum, x) => sum + x.n, 0);
  for (const share of shares) {
    if (left === 0) break;
    if (share.s.weight > 0) {
      share.n += 1;
      left -= 1;
    }
  }
  for (const { s, n } of shares) placed.push(...Array(n).fill(s.provider));
  return placed;
}

/** `networkConfiguration.awsvpcConfiguration`, required for Fargate: 1–16 subnets, at most 5 security groups. */
function awsvpc(value: unknown): {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: "ENABLED" | "DISABLED";
} {
  const config = ((value ?? {}) as Body).awsvpcConfiguration as Body | undefined;
  if (!config)
    throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const subnets = stringList(config.subnets, "subnets");
  if (subnets.length === 0) throw invalid("subnets can not be empty.");
  if (subnets.length > 16) throw invalid("subnets can have at most 16 items.");
  const securityGroups =
    config.securityGroups === undefined ? [] : stringList(config.securityGroups, "securityGroups");
  if (securityGroups.length > 5) throw invalid("securityGroups can have at most 5 items.");
  const assign = config.assignPublicIp ?? "DISABLED";
  if (assign !== "ENABLED" && assign !== "DISABLED")
    throw invalid("assignPublicIp must be ENABLED or DISABLED.");
  return { subnets, securityGroups, assignPublicIp: assign };
}

/** RunTask's tags: at most 50, keys 1–128 and values 0–256 characters, no `aws:` prefix. */
function tagMap(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw invalid("tags must be a list.");
  if (value.length > 50) throw invalid("A resource can have at most 50 tags.");
  const tags: Record<string, string> = {};
  for (const item of value) {
    const { key, value: tagValue } = (item ?? {}) as Body;
    if (typeof key !== "string" || key.length < 1 || key.length > 128)
      throw invalid("Tag keys must be 1 to 128 characters.");
    if (key.toLowerCase().startsWith("aws:")) throw invalid("Tag keys may not begin with aws:.");
    const text = tagValue ?? "";
    if (typeof text !== "string" || text.length > 256)
      throw invalid("Tag values may be at most 256 characters.");
    tags[key] = text;
  }
  return tags;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw invalid(`${field} must be a non-empty string.`);
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw invalid(`${field} must be a list of strings.`);
  return value as string[];
}
