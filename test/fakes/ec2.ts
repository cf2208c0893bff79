import {
  type Call,
  Counter,
  escapeXml,
  type FakeRequest,
  type FakeResponse,
  FaultQueue,
  type Listener,
  listen,
} from "./http.ts";

const NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

export type CapacityType = "spot" | "on-demand";
export type InstanceStateName =
  | "pending"
  | "running"
  | "shutting-down"
  | "terminated"
  | "stopping"
  | "stopped";

const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface FakeInstance {
  instanceId: string;
  instanceType: string;
  subnetId: string;
  availabilityZone: string;
  lifecycle: CapacityType;
  state: InstanceStateName;
  /** Epoch milliseconds, from the fake's clock. */
  launchTime: number;
  tags: Record<string, string>;
  launchTemplateId: string;
  /** The version it was launched from: `$Latest` and `$Default` resolved to a number, as EC2 records it. */
  launchTemplateVersion: string;
  fleetId: string;
  reservationId: string;
}

/**
 * us-east-1 Linux on-demand list prices, USD per hour (2025), for the types the tests and the demo
 * name. CreateFleet's on-demand `lowest-price` strategy (skiff's, and EC2's default) launches the
 * cheapest override first; types missing here count as the most expensive.
 */
export const ON_DEMAND_PRICES: Readonly<Record<string, number>> = {
  "m7i.large": 0.1008,
  "m6i.large": 0.096,
  "c7i.large": 0.08925,
  "r7i.large": 0.1323,
  "m7g.large": 0.0816,
  "c7g.large": 0.0725,
};

/** Remaining room per capacity type and instance type; types not listed are unlimited. */
export type Capacity = Partial<Record<CapacityType, Record<string, number>>>;

export interface FakeEc2Options {
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /**
   * When given, CreateFleet naming any other launch template fails as EC2 does: an unknown id with
   * `InvalidLaunchTemplateId.NotFound`, an unknown name with `InvalidLaunchTemplateName.NotFoundException`.
   * Entries are ids (`lt-…`) or names.
   */
  launchTemplateIds?: string[];
  /**
   * Availability zone per subnet id. When given, CreateFleet naming any other subnet fails with
   * `InvalidSubnetID.NotFound`; when not, every subnet exists, in `us-east-1a`.
   */
  subnets?: Record<string, string>;
  capacity?: Capacity;
  /**
   * EC2's per-account API throttling (see EC2_RATE_LIMITS), on the fake's clock: `true` for the
   * documented defaults, or a table. Off by default.
   */
  rateLimits?: boolean | Ec2RateLimits;
  port?: number;
}

type Params = Record<string, string>;

/** A token bucket: holds at most `capacity` tokens and gains `refillPerSecond` a second. */
export interface BucketSize {
  capacity: number;
  refillPerSecond: number;
}

/**
 * EC2's API throttling: one request bucket per action (sized by the action's category, or by its own
 * row), and resource buckets that count the instances a call launches or terminates. A call over
 * either answers `RequestLimitExceeded` (503). Buckets start full.
 */
export interface Ec2RateLimits {
  /** Request buckets by category: `Describe*` (and `List*`, `Search*`, `Get*`), and every other action. */
  nonMutating: BucketSize;
  /** DescribeInstances with neither a filter nor pagination (`MaxResults`/`NextToken`) draws from this smaller bucket instead. */
  unfilteredNonMutating: BucketSize;
  mutating: BucketSize;
  /** Actions with a row of their own ("uncategorized actions"). */
  actions: Record<string, BucketSize>;
  /** Instances launched (RunInstances, CreateFleet) and terminated (TerminateInstances). */
  instancesLaunched: BucketSize;
  instancesTerminated: BucketSize;
}

/**
 * The documented defaults, from the EC2 Developer Guide page "Request throttling for the Amazon EC2
 * API" (tables "Request token bucket sizes and refill rates" and "Resource token bucket sizes and
 * refill rates"). CreateFleet has no row of its own, so it is a mutating action (50, 5 a second).
 * The page gives a resource bucket for RunInstances (1000 instances, 2 a second) and names no other
 * launch action; the fake charges the instances a CreateFleet launches to that bucket too, since both
 * launch the account's instances.
 */
export const EC2_RATE_LIMITS: Readonly<Ec2RateLimits> = {
  nonMutating: { capacity: 100, refillPerSecond: 20 },
  unfilteredNonMutating: { capacity: 50, refillPerSecond: 10 },
  mutating: { capacity: 50, refillPerSecond: 5 },
  actions: {
    CreateTags: { capacity: 100, refillPerSecond: 10 },
    RunInstances: { capacity: 5, refillPerSecond: 2 },
    TerminateInstances: { capacity: 100, refillPerSecond: 5 },
  },
  instancesLaunched: { capacity: 1000, refillPerSecond: 2 },
  instancesTerminated: { capacity: 1000, refillPerSecond: 20 },
};

/** A token bucket on a clock; tokens accrue continuously (a fraction at a time) up to the capacity. */
class TokenBucket {
  #tokens: number;
  #at: number;
  /** The fewest tokens it held after a call took some. */
  lowest: number;

  constructor(
    readonly size: BucketSize,
    readonly now: () => number,
  ) {
    this.#tokens = size.capacity;
    this.#at = now();
    this.lowest = size.capacity;
  }

  /** Tokens now, after refilling for the time since the last look. */
  available(): number {
    const now = this.now();
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#tokens = Math.min(this.size.capacity, this.#tokens + elapsed * this.size.refillPerSecond);
    this.#at = now;
    return this.#tokens;
  }

  /** Takes `n` tokens if the bucket holds them; a refused call takes none. */
  take(n = 1): boolean {
    if (this.available() < n) return false;
    this.#tokens -= n;
    this.lowest = Math.min(this.lowest, this.#tokens);
    return true;
  }

  /** Takes `n` tokens that a check already allowed (what a call used, which may be less than it asked). */
  spend(n: number): void {
    this.available();
    this.#tokens = Math.max(0, this.#tokens - n);
    this.lowest = Math.min(this.lowest, this.#tokens);
  }
}

/** The request bucket a call draws from, by EC2's categories. */
function requestBucket(limits: Ec2RateLimits, action: string, params: Params): [string, BucketSize] {
  const own = limits.actions[action];
  if (own) return [action, own];
  if (/^(Describe|List|Search|Get)/.test(action)) {
    const unfiltered =
      UNFILTERED_BUCKET_ACTIONS.has(action) &&
      indexes(params, "Filter").length === 0 &&
      params.MaxResults === undefined &&
      params.NextToken === undefined;
    return unfiltered
      ? [`${action} (unfiltered)`, limits.unfilteredNonMutating]
      : [action, limits.nonMutating];
  }
  return [action, limits.mutating];
}

/** The describes that draw from the smaller bucket when neither filtered nor paginated. */
const UNFILTERED_BUCKET_ACTIONS = new Set([
  "DescribeInstances",
  "DescribeInstanceStatus",
  "DescribeNetworkInterfaces",
  "DescribeSecurityGroups",
  "DescribeSnapshots",
  "DescribeSpotInstanceRequests",
  "DescribeVolumes",
]);

type InstanceListener = (instance: FakeInstance) => void;

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** RequestLimitExceeded from a rate limit, worded as EC2 words it. */
class RateLimited extends Ec2Error {
  constructor(action: string, kind: "request" | "resource") {
    super(
      "RequestLimitExceeded",
      `Request limit exceeded. Account 000000000000 has been throttled on ec2:${action} because it exceeded its ${kind} rate limit.`,
      503,
    );
  }
}

/** A launch template's version numbers; its contents are not faked. */
export interface FakeLaunchTemplate {
  launchTemplateId: string;
  defaultVersion: number;
  latestVersion: number;
  /** Epoch milliseconds, from the fake's clock. */
  createTime: number;
}

interface Override {
  launchTemplateId: string;
  /** As the request gave it: a number, `$Latest` or `$Default`. */
  launchTemplateVersion: string;
  /** The version number EC2 launches. */
  resolvedVersion: number;
  instanceType: string;
  subnetId: string;
  priority: number;
}

/**
 * EC2 over the EC2 Query protocol: CreateFleet (instant), DescribeInstances, TerminateInstances, CreateTags,
 * DescribeLaunchTemplates.
 * Capacity is the number of live (not shutting-down/terminated) instances a (capacity type, instance type)
 * pool can hold, so terminating an instance frees its slot.
 */
export class FakeEc2 {
  readonly calls: Call<Params>[] = [];
  /** Calls refused with RequestLimitExceeded by the rate limits (not the ones `failNext` injected). */
  readonly throttled: Call<Params>[] = [];
  readonly #instances = new Map<string, FakeInstance>();
  readonly #faults = new FaultQueue<Ec2Error>();
  readonly #ids = new Counter();
  readonly #listeners = {
    launch: new Set<InstanceListener>(),
    terminate: new Set<InstanceListener>(),
    state: new Set<InstanceListener>(),
  };
  #capacity: Capacity;
  readonly #now: () => number;
  readonly #launchTemplateIds: Set<string> | undefined;
  /** Launch templates by id (or name, for fleets that name one), each at version 1 until a test adds versions. */
  readonly #templates = new Map<string, FakeLaunchTemplate>();
  readonly #subnets: Record<string, string>;
  readonly #strictSubnets: boolean;
  /** CreateFleet answers by ClientToken: the same token and request get the same answer, launching nothing. */
  readonly #fleetsByToken = new Map<string, { request: string; body: string }>();
  readonly #rateLimits: Ec2RateLimits | undefined;
  /** Request buckets by action (and `<action> (unfiltered)`), made on first use. */
  readonly #requestBuckets = new Map<string, TokenBucket>();
  #launchedBucket: TokenBucket | undefined;
  #terminatedBucket: TokenBucket | undefined;

  #server: Listener | undefined;

  private constructor(options: FakeEc2Options) {
    this.#now = options.now ?? Date.now;
    this.#capacity = options.capacity ?? {};
    this.#launchTemplateIds = options.launchTemplateIds ? new Set(options.launchTemplateIds) : undefined;
    this.#subnets = options.subnets ?? {};
    this.#strictSubnets = options.subnets !== undefined;
    this.#rateLimits = options.rateLimits === true ? EC2_RATE_LIMITS : options.rateLimits || undefined;
    if (this.#rateLimits) {
      this.#launchedBucket = new TokenBucket(this.#rateLimits.instancesLaunched, this.#now);
      this.#terminatedBucket = new TokenBucket(this.#rateLimits.instancesTerminated, this.#now);
    }
  }

  static async start(options: FakeEc2Options = {}): Promise<FakeEc2> {
    const fake = new FakeEc2(options);
    fake.#server = await listen((request) => fake.#handle(request), options.port);
    return fake;
  }

  /** Base URL, e.g. `http://127.0.0.1:12345`; give it to the client as `endpoint` or `AWS_ENDPOINT_URL_EC2`. */
  get url(): string {
    if (!this.#server) throw new Error("FakeEc2 is not started");
    return this.#server.url;
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  // ---- test API -------------------------------------------------------------------------------------------

  /** Replaces the capacity limits; types not listed are unlimited. */
  setCapacity(capacity: Capacity): void {
    this.#capacity = capacity;
  }

  /** Makes the next `times` calls of `operation` (or `"*"`) fail with `code`; 503 for throttling, else 400. */
  failNext(operation: string, code: string, message?: string, httpStatus?: number, times = 1): void {
    const status = httpStatus ?? (/RequestLimitExceeded|Unavailable|Throttl/.test(code) ? 503 : 400);
    this.#faults.add(operation, new Ec2Error(code, message ?? `Injected ${code}`, status), times);
  }

  /**
   * A new version of a launch template (what CreateLaunchTemplateVersion does), which becomes its
   * latest; with `makeDefault`, its default too (ModifyLaunchTemplate). Returns the new version number.
   */
  newLaunchTemplateVersion(launchTemplateId: string, options: { makeDefault?: boolean } = {}): number {
    const template = this.#template(launchTemplateId);
    template.latestVersion += 1;
    if (options.makeDefault) template.defaultVersion = template.latestVersion;
    return template.latestVersion;
  }

  /** A launch template's version numbers (it exists at version 1 unless `launchTemplateIds` says otherwise). */
  launchTemplate(launchTemplateId: string): FakeLaunchTemplate {
    return structuredClone(this.#template(launchTemplateId));
  }

  /** Copies of all instances ever launched, in launch order. */
  instances(filter: { state?: InstanceStateName; lifecycle?: CapacityType } = {}): FakeInstance[] {
    return [...this.#instances.values()]
      .filter((i) => (filter.state ? i.state === filter.state : true))
      .filter((i) => (filter.lifecycle ? i.lifecycle === filter.lifecycle : true))
      .map(copy);
  }

  instance(id: string): FakeInstance | undefined {
    const instance = this.#instances.get(id);
    return instance ? copy(instance) : undefined;
  }

  /** Instances that are pending or running. */
  running(): number {
    return [...this.#instances.values()].filter((i) => i.state === "pending" || i.state === "running").length;
  }

  setState(id: string, state: InstanceStateName): void {
    const instance = this.#instances.get(id);
    if (!instance) throw new Error(`FakeEc2.setState: no instance ${id}`);
    this.#transition(instance, state);
  }

  onLaunch(listener: InstanceListener): () => void {
    return this.#subscribe("launch", listener);
  }

  onTerminate(listener: InstanceListener): () => void {
    return this.#subscribe("terminate", listener);
  }

  /** Called after every state change, including launch (pending) and termination. */
  onStateChange(listener: InstanceListener): () => void {
    return this.#subscribe("state", listener);
  }

  /**
   * With rateLimits, each bucket a call has used: its capacity and the fewest tokens it held after a
   * call (0 or near it: the limit was reached). Request buckets by action (`DescribeInstances
   * (unfiltered)` for the smaller one), resource buckets as `instances launched` / `instances terminated`.
   */
  rateLimitHeadroom(): Record<string, { capacity: number; lowest: number }> {
    const buckets: [string, TokenBucket | undefined][] = [
      ...this.#requestBuckets,
      ["instances launched", this.#launchedBucket],
      ["instances terminated", this.#terminatedBucket],
    ];
    const used = buckets.filter(
      (entry): entry is [string, TokenBucket] =>
        entry[1] !== undefined && entry[1].lowest < entry[1].size.capacity,
    );
    return Object.fromEntries(
      used.map(([name, b]) => [name, { capacity: b.size.capacity, lowest: Math.floor(b.lowest) }]),
    );
  }

  callCount(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  // ---- wire -----------------------------------------------------------------------------------------------

  #subscribe(kind: "launch" | "terminate" | "state", listener: InstanceListener): () => void {
    const set = this.#listeners[kind];
    set.add(listener);
    return () => void set.delete(listener);
  }

  #emit(kind: "launch" | "terminate" | "state", instance: FakeInstance): void {
    for (const listener of this.#listeners[kind]) listener(copy(instance));
  }

  #transition(instance: FakeInstance, state: InstanceStateName): void {
    if (instance.state === state) return;
    instance.state = state;
    this.#emit("state", instance);
    if (state === "terminated") this.#emit("terminate", instance);
  }

  #handle(request: FakeRequest): FakeResponse {
    const params = Object.fromEntries(new URLSearchParams(request.body));
    const action = params.Action ?? "";
    const requestId = `req-${this.#ids.next()}`;
    const call = { operation: action, params, at: this.#now() };
    this.calls.push(call);
    try {
      const fault = this.#faults.take(action);
      if (fault) throw fault;
      this.#throttle(action, params);
      const body = this.#dispatch(action, params);
      return {
        status: 200,
        headers: { "content-type": "text/xml;charset=UTF-8" },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}"><requestId>${requestId}</requestId>${body}</${action}Response>`,
      };
    } catch (error) {
      const e = error instanceof Ec2Error ? error : new Ec2Error("InternalError", String(error), 500);
      if (e instanceof RateLimited) this.throttled.push(call);
      return {
        status: e.status,
        headers: { "content-type": "text/xml;charset=UTF-8" },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    }
  }

  /** The call's request bucket: a token, or RequestLimitExceeded. */
  #throttle(action: string, params: Params): void {
    if (!this.#rateLimits) return;
    const [key, size] = requestBucket(this.#rateLimits, action, params);
    let bucket = this.#requestBuckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(size, this.#now);
      this.#requestBuckets.set(key, bucket);
    }
    if (!bucket.take()) throw new RateLimited(action, "request");
  }

  /** Whether a resource bucket holds `n` tokens; RequestLimitExceeded if not. */
  #checkResources(bucket: TokenBucket | undefined, action: string, n: number): void {
    if (bucket && bucket.available() < n) throw new RateLimited(action, "resource");
  }

  #dispatch(action: string, params: Params): string {
    switch (action) {
      case "CreateFleet":
        return this.#createFleet(params);
      case "DescribeInstances":
        return this.#describeInstances(params);
      case "TerminateInstances":
        return this.#terminateInstances(params);
      case "CreateTags":
        return this.#createTags(params);
      case "DescribeLaunchTemplates":
        return this.#describeLaunchTemplates(params);
      default:
        throw new Ec2Error("InvalidAction", `The action ${action} is not valid for this web service.`);
    }
  }

  /**
   * CreateFleet with EC2's idempotency: a ClientToken seen before with the same request returns the
   * first answer again and launches nothing; with a different request it fails with
   * IdempotentParameterMismatch. (Requests without a token are each new: the SDK sends none unless asked.)
   */
  #createFleet(params: Params): string {
    const token = params.ClientToken;
    const { Action: _action, Version: _version, ClientToken: _token, ...rest } = params;
    const request = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
    if (token !== undefined) {
      if (token.length > 64 || !/^[\x20-\x7e]*$/.test(token)) {
        throw new Ec2Error("InvalidParameterValue", "ClientToken must be at most 64 ASCII characters");
      }
      const seen = this.#fleetsByToken.get(token);
      if (seen && seen.request !== request) {
        throw new Ec2Error(
          "IdempotentParameterMismatch",
          "The request uses the same client token as a previous, but non-identical request.",
        );
      }
      if (seen) return seen.body;
    }
    // The whole target must fit in the launch bucket; it is charged what was launched.
    this.#checkResources(
      this.#launchedBucket,
      "CreateFleet",
      Number(params["TargetCapacitySpecification.TotalTargetCapacity"] ?? 0),
    );
    const before = this.#instances.size;
    const body = this.#launchFleet(params);
    this.#launchedBucket?.spend(this.#instances.size - before);
    if (token !== undefined) this.#fleetsByToken.set(token, { request, body });
    return body;
  }

  #launchFleet(params: Params): string {
    if (params.Type !== "instant") {
      throw new Ec2Error("InvalidParameterValue", "FakeEc2 supports only CreateFleet Type=instant");
    }
    const totalParam = params["TargetCapacitySpecification.TotalTargetCapacity"];
    if (totalParam === undefined) {
      throw new Ec2Error(
        "MissingParameter",
        "The request must contain the parameter TargetCapacitySpecification.TotalTargetCapacity",
      );
    }
    if (!/^\d+$/.test(totalParam) || Number(totalParam) < 1) {
      throw new Ec2Error(
        "InvalidParameterValue",
        `TotalTargetCapacity must be at least 1 (got ${totalParam}).`,
      );
    }
    const overrides: Override[] = [];
    for (const c of indexes(params, "LaunchTemplateConfigs")) {
      const spec = `LaunchTemplateConfigs.${c}.LaunchTemplateSpecification`;
      const byId = params[`${spec}.LaunchTemplateId`];
      const launchTemplateId = byId ?? params[`${spec}.LaunchTemplateName`] ?? "";
      if (this.#launchTemplateIds && !this.#launchTemplateIds.has(launchTemplateId)) {
        throw byId !== undefined
          ? new Ec2Error(
              "InvalidLaunchTemplateId.NotFound",
              `The specified launch template, with template ID ${launchTemplateId}, does not exist.`,
            )
          : new Ec2Error(
              "InvalidLaunchTemplateName.NotFoundException",
              `The specified launch template, with template name ${launchTemplateId}, does not exist.`,
            );
      }
      for (const o of indexes(params, `LaunchTemplateConfigs.${c}.Overrides`)) {
        const prefix = `LaunchTemplateConfigs.${c}.Overrides.${o}`;
        const instanceType = params[`${prefix}.InstanceType`];
        if (!instanceType)
          throw new Ec2Error("MissingParameter", `${prefix}.InstanceType is required by FakeEc2`);
        overrides.push({
          launchTemplateId,
          launchTemplateVersion: params[`${spec}.Version`] ?? "$Default",
          resolvedVersion: this.#resolveVersion(launchTemplateId, params[`${spec}.Version`]),
          instanceType,
          subnetId: params[`${prefix}.SubnetId`] ?? "subnet-default",
          priority: Number(params[`${prefix}.Priority`] ?? overrides.length),
        });
      }
    }
    if (overrides.length === 0)
      throw new Ec2Error("MissingParameter", "LaunchTemplateConfigs.N.Overrides is required");
    for (const o of overrides) {
      if (this.#strictSubnets && this.#subnets[o.subnetId] === undefined) {
        throw new Ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${o.subnetId}' does not exist`);
      }
    }
    // An instance pool is (instance type, availability zone): "An EC2 Fleet request can't span
    // different subnets from the same Availability Zone" (EC2 User Guide, EC2 Fleet limitations).
    // Without `subnets` the zones are unknown, so only the same subnet twice is a duplicate.
    const pools = new Map<string, Override>();
    for (const o of overrides) {
      const zone = this.#strictSubnets ? (this.#subnets[o.subnetId] ?? "") : o.subnetId;
      const key = `${o.launchTemplateId} ${o.instanceType} ${zone}`;
      const other = pools.get(key);
      if (other && other.subnetId !== o.subnetId) {
        throw new Ec2Error(
          "InvalidFleetConfig",
          `The fleet configuration contains duplicate instance pools: ${o.instanceType} in ${zone} through subnets ${other.subnetId} and ${o.subnetId}.`,
        );
      }
      if (other) {
        throw new Ec2Error(
          "InvalidFleetConfig",
          `The fleet configuration contains duplicate instance pools: ${o.instanceType} in ${o.subnetId} twice.`,
        );
      }
      pools.set(key, o);
    }

    const total = Number(totalParam);
    const defaultType = (params["TargetCapacitySpecification.DefaultTargetCapacityType"] ??
      "on-demand") as CapacityType;
    const onDemandTarget = params["TargetCapacitySpecification.OnDemandTargetCapacity"];
    const onDemand =
      onDemandTarget !== undefined ? Number(onDemandTarget) : defaultType === "on-demand" ? total : 0;
    const tags: Record<string, string> = {};
    for (const t of indexes(params, "TagSpecification")) {
      if (params[`TagSpecification.${t}.ResourceType`] !== "instance") continue;
      for (const m of indexes(params, `TagSpecification.${t}.Tag`)) {
        tags[params[`TagSpecification.${t}.Tag.${m}.Key`] ?? ""] =
          params[`TagSpecification.${t}.Tag.${m}.Value`] ?? "";
      }
    }

    const fleetId = `fleet-${fakeHex(this.#ids.next(), 8)}-0000-4000-8000-000000000000`;
    const launched: string[] = [];
    const errors: string[] = [];
    const ordered = [...overrides].sort((a, b) => a.priority - b.priority);
    // On-demand: lowest-price (the default) takes the cheapest type first; prioritized keeps the order.
    const price = (o: Override) => ON_DEMAND_PRICES[o.instanceType] ?? Number.POSITIVE_INFINITY;
    const onDemandOrder =
      (params["OnDemandOptions.AllocationStrategy"] ?? "lowest-price") === "lowest-price"
        ? [...ordered].sort((a, b) => price(a) - price(b))
        : ordered;
    for (const [lifecycle, count] of [
      ["spot", total - onDemand],
      ["on-demand", onDemand],
    ] as [CapacityType, number][]) {
      let remaining = count;
      const exhausted: Override[] = [];
      for (const override of lifecycle === "on-demand" ? onDemandOrder : ordered) {
        if (remaining <= 0) break;
        const n = Math.min(remaining, this.#room(lifecycle, override.instanceType));
        if (n < remaining) exhausted.push(override);
        if (n === 0) continue;
        remaining -= n;
        const ids = this.#launch(n, lifecycle, override, tags, fleetId);
        launched.push(
          item(
            `${templateAndOverrides(override)}<lifecycle>${lifecycle}</lifecycle><instanceIds>${ids.map((id) => `<item>${id}</item>`).join("")}</instanceIds><instanceType>${escapeXml(override.instanceType)}</instanceType><subnetId>${escapeXml(override.subnetId)}</subnetId>`,
          ),
        );
      }
      if (remaining > 0) {
        for (const override of exhausted) {
          errors.push(
            item(
              `${templateAndOverrides(override)}<lifecycle>${lifecycle}</lifecycle><errorCode>InsufficientInstanceCapacity</errorCode><errorMessage>There is no ${lifecycle === "spot" ? "Spot " : ""}capacity available that matches your request.</errorMessage>`,
            ),
          );
        }
      }
    }
    return `<fleetId>${fleetId}</fleetId><errorSet>${errors.join("")}</errorSet><fleetInstanceSet>${launched.join("")}</fleetInstanceSet>`;
  }

  #room(lifecycle: CapacityType, instanceType: string): number {
    const limit = this.#capacity[lifecycle]?.[instanceType];
    if (limit === undefined) return Number.POSITIVE_INFINITY;
    const live = [...this.#instances.values()].filter(
      (i) => i.lifecycle === lifecycle && i.instanceType === instanceType && isLive(i.state),
    ).length;
    return Math.max(0, limit - live);
  }

  #launch(
    n: number,
    lifecycle: CapacityType,
    o: Override,
    tags: Record<string, string>,
    fleetId: string,
  ): string[] {
    const reservationId = `r-${fakeHex(this.#ids.next(), 17)}`;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const instance: FakeInstance = {
        instanceId: `i-${fakeHex(this.#ids.next(), 17)}`,
        instanceType: o.instanceType,
        subnetId: o.subnetId,
        availabilityZone: this.#subnets[o.subnetId] ?? "us-east-1a",
        lifecycle,
        state: "pending",
        launchTime: this.#now(),
        // EC2 tags every instance launched from a template with the template and the version used.
        tags: {
          ...tags,
          "aws:ec2launchtemplate:id": o.launchTemplateId,
          "aws:ec2launchtemplate:version": String(o.resolvedVersion),
        },
        launchTemplateId: o.launchTemplateId,
        launchTemplateVersion: String(o.resolvedVersion),
        fleetId,
        reservationId,
      };
      this.#instances.set(instance.instanceId, instance);
      ids.push(instance.instanceId);
    }
    for (const id of ids) {
      const instance = this.#instances.get(id);
      if (!instance) continue;
      this.#emit("launch", instance);
      this.#emit("state", instance);
    }
    return ids;
  }

  #describeInstances(params: Params): string {
    let selected = [...this.#instances.values()];
    const ids = indexes(params, "InstanceId").map((i) => params[`InstanceId.${i}`] ?? "");
    if (ids.length > 0) {
      for (const id of ids) this.#require(id);
      selected = selected.filter((i) => ids.includes(i.instanceId));
    }
    for (const f of indexes(params, "Filter")) {
      const name = params[`Filter.${f}.Name`] ?? "";
      const values = indexes(params, `Filter.${f}.Value`).map((v) =>
        globRegExp(params[`Filter.${f}.Value.${v}`] ?? ""),
      );
      selected = selected.filter((i) =>
        filterValues(i, name).some((actual) => values.some((re) => re.test(actual))),
      );
    }
    const start = params.NextToken ? Number(Buffer.from(params.NextToken, "base64url").toString("utf8")) : 0;
    const max = params.MaxResults ? Number(params.MaxResults) : selected.length;
    const page = selected.slice(start, start + max);
    const next =
      start + max < selected.length ? Buffer.from(String(start + max)).toString("base64url") : undefined;

    const reservations = new Map<string, FakeInstance[]>();
    for (const instance of page) {
      reservations.set(instance.reservationId, [
        ...(reservations.get(instance.reservationId) ?? []),
        instance,
      ]);
    }
    const set = [...reservations]
      .map(
        ([id, instances]) =>
          `<item><reservationId>${id}</reservationId><ownerId>000000000000</ownerId><groupSet/><instancesSet>${instances.map(describeInstance).join("")}</instancesSet></item>`,
      )
      .join("");
    return `<reservationSet>${set}</reservationSet>${next ? `<nextToken>${next}</nextToken>` : ""}`;
  }

  #terminateInstances(params: Params): string {
    const ids = indexes(params, "InstanceId").map((i) => params[`InstanceId.${i}`] ?? "");
    const instances = ids.map((id) => this.#require(id));
    this.#checkResources(this.#terminatedBucket, "TerminateInstances", instances.length);
    this.#terminatedBucket?.spend(instances.length);
    const changes = instances.map((instance) => {
      const previous = instance.state;
      this.#transition(instance, "terminated");
      return item(
        `<instanceId>${instance.instanceId}</instanceId><currentState>${stateXml(instance.state)}</currentState><previousState>${stateXml(previous)}</previousState>`,
      );
    });
    return `<instancesSet>${changes.join("")}</instancesSet>`;
  }

  #createTags(params: Params): string {
    const ids = indexes(params, "ResourceId").map((i) => params[`ResourceId.${i}`] ?? "");
    const instances = ids.map((id) => this.#require(id));
    for (const instance of instances) {
      for (const t of indexes(params, "Tag")) {
        instance.tags[params[`Tag.${t}.Key`] ?? ""] = params[`Tag.${t}.Value`] ?? "";
      }
    }
    return "<return>true</return>";
  }

  /** The launch template a test or a request names; without `launchTemplateIds` every one exists. */
  #template(id: string): FakeLaunchTemplate {
    let template = this.#templates.get(id);
    if (!template) {
      if (this.#launchTemplateIds && !this.#launchTemplateIds.has(id)) {
        throw new Ec2Error(
          "InvalidLaunchTemplateId.NotFound",
          `The specified launch template, with template ID ${id}, does not exist.`,
        );
      }
      template = { launchTemplateId: id, defaultVersion: 1, latestVersion: 1, createTime: this.#now() };
      this.#templates.set(id, template);
    }
    return template;
  }

  #resolveVersion(launchTemplateId: string, version: string | undefined): number {
    const template = this.#template(launchTemplateId);
    if (version === "$Latest") return template.latestVersion;
    if (version === undefined || version === "$Default") return template.defaultVersion;
    const n = Number(version);
    if (!Number.isInteger(n) || n < 1 || n > template.latestVersion) {
      throw new Ec2Error(
        "InvalidLaunchTemplateId.VersionNotFound",
        `Could not find launch template version ${version} for launch template ${launchTemplateId}.`,
      );
    }
    return n;
  }

  /** DescribeLaunchTemplates by `LaunchTemplateId.N` (one unknown id fails the call), or all known. */
  #describeLaunchTemplates(params: Params): string {
    const ids = indexes(params, "LaunchTemplateId").map((i) => params[`LaunchTemplateId.${i}`] ?? "");
    if (this.#launchTemplateIds && ids.some((id) => !this.#launchTemplateIds?.has(id))) {
      throw new Ec2Error(
        "InvalidLaunchTemplateId.NotFound",
        "At least one of the launch templates specified in the request does not exist.",
      );
    }
    const templates = ids.length > 0 ? ids.map((id) => this.#template(id)) : [...this.#templates.values()];
    const set = templates
      .map((t) =>
        item(
          `<launchTemplateId>${escapeXml(t.launchTemplateId)}</launchTemplateId>` +
            `<launchTemplateName>${escapeXml(t.launchTemplateId)}</launchTemplateName>` +
            `<createTime>${new Date(t.createTime).toISOString()}</createTime>` +
            "<createdBy>arn:aws:iam::000000000000:root</createdBy>" +
            `<defaultVersionNumber>${t.defaultVersion}</defaultVersionNumber>` +
            `<latestVersionNumber>${t.latestVersion}</latestVersionNumber>`,
        ),
      )
      .join("");
    return `<launchTemplates>${set}</launchTemplates>`;
  }

  #require(id: string): FakeInstance {
    const instance = this.#instances.get(id);
    if (!instance) throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
    return instance;
  }
}

/**
 * A copy a caller may keep or change: every field is a primitive but the tags. (structuredClone did
 * the same at several times the cost, and the harness copies every instance at every launch.)
 */
function copy(instance: FakeInstance): FakeInstance {
  return { ...instance, tags: { ...instance.tags } };
}

function isLive(state: InstanceStateName): boolean {
  return state !== "terminated" && state !== "shutting-down";
}

/** The sorted N of every `prefix.N.…` or `prefix.N` key. */
function indexes(params: Params, prefix: string): number[] {
  const found = new Set<number>();
  const head = `${prefix}.`;
  for (const key of Object.keys(params)) {
    if (!key.startsWith(head)) continue;
    const n = Number(key.slice(head.length).split(".")[0]);
    if (Number.isInteger(n)) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

function fakeHex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function globRegExp(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`);
}

function filterValues(instance: FakeInstance, name: string): string[] {
  if (name.startsWith("tag:")) {
    const value = instance.tags[name.slice(4)];
    return value === undefined ? [] : [value];
  }
  switch (name) {
    case "tag-key":
      return Object.keys(instance.tags);
    case "instance-state-name":
      return [instance.state];
    case "instance-id":
      return [instance.instanceId];
    case "instance-type":
      return [instance.instanceType];
    case "instance-lifecycle":
      return instance.lifecycle === "spot" ? ["spot"] : [];
    case "subnet-id":
      return [instance.subnetId];
    default:
      throw new Ec2Error(
        "InvalidParameterValue",
        `The filter '${name}' is invalid (not supported by FakeEc2)`,
      );
  }
}

function item(content: string): string {
  return `<item>${content}</item>`;
}

function stateXml(state: InstanceStateName): string {
  return `<code>${STATE_CODES[state]}</code><name>${state}</name>`;
}

function templateAndOverrides(o: Override): string {
  return `<launchTemplateAndOverrides><launchTemplateSpecification><launchTemplateId>${escapeXml(o.launchTemplateId)}</launchTemplateId><version>${escapeXml(o.launchTemplateVersion)}</version></launchTemplateSpecification><overrides><instanceType>${escapeXml(o.instanceType)}</instanceType><subnetId>${escapeXml(o.subnetId)}</subnetId></overrides></launchTemplateAndOverrides>`;
}

function describeInstance(i: FakeInstance): string {
  const tags = Object.entries(i.tags)
    .map(([key, value]) => item(`<key>${escapeXml(key)}</key><value>${escapeXml(value)}</value>`))
    .join("");
  return item(
    `<instanceId>${i.instanceId}</instanceId><instanceType>${escapeXml(i.instanceType)}</instanceType>` +
      `<launchTime>${new Date(i.launchTime).toISOString()}</launchTime><instanceState>${stateXml(i.state)}</instanceState>` +
      `<placement><availabilityZone>${escapeXml(i.availabilityZone)}</availabilityZone></placement>` +
      `<subnetId>${escapeXml(i.subnetId)}</subnetId>` +
      (i.lifecycle === "spot" ? "<instanceLifecycle>spot</instanceLifecycle>" : "") +
      `<tagSet>${tags}</tagSet>`,
  );
}
