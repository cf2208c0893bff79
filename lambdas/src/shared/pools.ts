import { cronMatches, isTimeZone, parseCron } from "../jobs/cron.ts";
import { ConfigError } from "./errors.ts";

export type Architecture = "x64" | "arm64";
export type CapacityType = "spot" | "on-demand";

/** What the webhook needs of a pool to route a job to it. */
export interface PoolRoute {
  name: string;
  labels: string[];
  architecture: Architecture;
}

/** Where a pool's runners run: EC2 instances (the default) or ECS tasks on Fargate. */
export type Target = "ec2" | "fargate";

/** What every pool carries, whatever its target. */
interface PoolCommon extends PoolRoute {
  target: Target;
  /** spot: EC2 Spot, or the FARGATE_SPOT capacity provider; on-demand: EC2 On-Demand, or FARGATE. */
  capacityType: CapacityType;
  onDemandFallback: boolean;
  subnetIds: string[];
  maxRunners: number;
  /** Where the runner registers: an organisation, or the job's repository. */
  runnerLevel: "org" | "repo";
  /** The runner group, by id; null when it is given by name (resolved at launch). */
  runnerGroupId: number | null;
  /** The runner group of an org-level pool by name, when its id is not known at plan. */
  runnerGroupName: string | null;
  bootTimeoutSeconds: number;
  maxLifetimeSeconds: number;
  /** Re-run jobs lost to a spot interruption on on-demand capacity. */
  interruptedRetryOnDemand: boolean;
  /** Runners kept booted and registered, waiting for any job of the pool (EC2 pools only). */
  warm?: Warm;
}

/**
 * The version of its launch template an EC2 pool launches: the latest, so that a new version (a
 * Terraform change to the template) applies to the next launch, and warm runners on an older one
 * are replaced.
 */
export const LAUNCH_TEMPLATE_VERSION: "$Latest" | "$Default" = "$Latest";

/** A pool whose runners are EC2 instances launched with CreateFleet. */
export interface Ec2Pool extends PoolCommon {
  target: "ec2";
  instanceTypes: string[];
  launchTemplateId: string;
  spotAllocationStrategy: string;
}

/** A pool whose runners are ECS tasks on Fargate, started with RunTask. */
export interface FargatePool extends PoolCommon {
  target: "fargate";
  /** The ECS cluster (name or ARN) with the FARGATE and FARGATE_SPOT capacity providers. */
  cluster: string;
  /** The pool's task definition (family, family:revision or ARN); it sets cpu, memory and storage. */
  taskDefinition: string;
  securityGroupIds: string[];
  assignPublicIp: boolean;
  /** Task CPU units (1024 = 1 vCPU) and memory in MiB: one of Fargate's allowed pairs. */
  cpu: number;
  memory: number;
  ephemeralStorageGb: number;
  /**
   * The unique id (AROA…) of the task role: a task's credentials carry `<id>:<task-id>` as their
   * user id, which is what its JIT parameter is tagged with.
   */
  taskRoleId: string;
}

/** Everything scale-up and scale-down need of a pool. */
export type Pool = Ec2Pool | FargatePool;

/** A time window: open during every minute the cron expression matches, in its time zone. */
export interface WarmWindow {
  cron: string;
  timezone: string;
}

export interface Warm {
  /** How many idle runners to keep while a window is open (always, with no windows). */
  idle: number;
  /** The organisation warm runners register in (they serve any of its repositories). */
  organization: string;
  /** An idle warm runner older than this is replaced. */
  maxIdleSeconds: number;
  schedule: WarmWindow[];
}

/** Labels every skiff runner carries besides the pool's own. */
export function defaultLabels(architecture: Architecture): string[] {
  return ["self-hosted", "linux", architecture];
}

export const POOL_NAME = /^[a-z][a-z0-9-]{0,31}$/;
export const LABEL = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const SPOT_STRATEGIES = ["price-capacity-optimized", "capacity-optimized", "lowest-price", "diversified"];

type Json = Record<string, unknown>;

function object(value: unknown, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(field, "must be an object");
  }
  return value as Json;
}

function str(pool: Json, key: string, field: string, pattern?: RegExp): string {
  const value = pool[key];
  if (typeof value !== "string" || value.length === 0)
    throw new ConfigError(`${field}.${key}`, "must be a non-empty string");
  if (pattern && !pattern.test(value))
    throw new ConfigError(`${field}.${key}`, `must match ${pattern}, got "${value}"`);
  return value;
}

function strings(pool: Json, key: string, field: string, pattern?: RegExp, allowEmpty = false): string[] {
  const value = pool[key];
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw new ConfigError(
      `${field}.${key}`,
      allowEmpty ? "must be a list of strings" : "must be a non-empty list of strings",
    );
  }
  return value.map((item, i) => {
    if (typeof item !== "string" || item.length === 0 || (pattern && !pattern.test(item))) {
      throw new ConfigError(`${field}.${key}[${i}]`, `is not valid: ${JSON.stringify(item)}`);
    }
    return item;
  });
}

function int(pool: Json, key: string, field: string, min: number, max: number, fallback?: number): number {
  const value = pool[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${field}.${key}`,
      `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function bool(pool: Json, key: string, field: string, fallback: boolean): boolean {
  const value = pool[key] ?? fallback;
  if (typeof value !== "boolean") throw new ConfigError(`${field}.${key}`, "must be true or false");
  return value;
}

function oneOf<T extends string>(
  pool: Json,
  key: string,
  field: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const value = pool[key] ?? fallback;
  if (!allowed.includes(value as T)) {
    throw new ConfigError(
      `${field}.${key}`,
      `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function list(value: unknown, field: string): Json[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new ConfigError(field, "must be a non-empty JSON list of pools");
  return value.map((pool, i) => object(pool, `${field}[${i}]`));
}

function uniqueNames<T extends { name: string }>(pools: T[], field: string): T[] {
  const seen = new Set<string>();
  for (const pool of pools) {
    if (seen.has(pool.name)) throw new ConfigError(field, `names pool "${pool.name}" twice`);
    seen.add(pool.name);
  }
  return pools;
}

function route(pool: Json, field: string): PoolRoute {
  return {
    name: str(pool, "name", field, POOL_NAME),
    labels: strings(pool, "labels", field, LABEL, true),
    architecture: oneOf(pool, "architecture", field, ["x64", "arm64"] as const, "x64"),
  };
}

/** Parses the routing table the webhook receives (in declaration order). */
export function parsePoolRoutes(value: unknown, field: string): PoolRoute[] {
  return uniqueNames(
    list(value, field).map((pool, i) => route(pool, `${field}[${i}]`)),
    field,
  );
}

/** Parses the full pool configuration scale-up and scale-down receive. */
export function parsePools(value: unknown, field: string): Pool[] {
  const pools = list(value, field).map((pool, i): Pool => {
    const at = `${field}[${i}]`;
    const common = {
      ...route(pool, at),
      capacityType: oneOf(pool, "capacityType", at, ["spot", "on-demand"] as const, "spot"),
      onDemandFallback: bool(pool, "onDemandFallback", at, true),
      subnetIds: strings(pool, "subnetIds", at, /^subnet-[0-9a-zA-Z]+$/),
      maxRunners: int(pool, "maxRunners", at, 1, 10_000),
      runnerLevel: oneOf(pool, "runnerLevel", at, ["org", "repo"] as const, "repo"),
      ...runnerGroup(pool, at),
      bootTimeoutSeconds: int(pool, "bootTimeoutSeconds", at, 30, 3600, 300),
      maxLifetimeSeconds: int(pool, "maxLifetimeSeconds", at, 300, 7 * 24 * 3600, 6 * 3600),
      interruptedRetryOnDemand: bool(pool, "interruptedRetryOnDemand", at, true),
    };
    const target = oneOf(pool, "target", at, ["ec2", "fargate"] as const, "ec2");
    const parsed: Pool =
      target === "fargate"
        ? fargate(pool, common, at)
        : {
            ...common,
            target,
            instanceTypes: strings(pool, "instanceTypes", at, /^[a-z0-9-]+\.[a-z0-9-]+$/),
            launchTemplateId: str(pool, "launchTemplateId", at, /^lt-[0-9a-zA-Z]+$/),
            spotAllocationStrategy: oneOf(
              pool,
              "spotAllocationStrategy",
              at,
              SPOT_STRATEGIES,
              "price-capacity-optimized",
            ),
          };
    if (pool.warm !== undefined && pool.warm !== null) parsed.warm = warm(pool.warm, parsed, `${at}.warm`);
    return parsed;
  });
  return uniqueNames(pools, field);
}

/**
 * Fargate's task sizes (Amazon ECS Developer Guide, "Task CPU and memory"): for each CPU value, the
 * memory values it allows, in MiB.
 */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16_384, 1024)],
  [4096, steps(8192, 30_720, 1024)],
  [8192, steps(16_384, 61_440, 4096)],
  [16_384, steps(32_768, 122_880, 8192)],
]);

function steps(from: number, to: number, by: number): number[] {
  return Array.from({ length: (to - from) / by + 1 }, (_, i) => from + i * by);
}

const EC2_ONLY = ["instanceTypes", "launchTemplateId", "spotAllocationStrategy"] as const;
const CLUSTER = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/;
const TASK_DEFINITION =
  /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}(:\d+)?$/;

function fargate(pool: Json, common: Omit<PoolCommon, "target">, field: string): FargatePool {
  for (const key of EC2_ONLY) {
    if (pool[key] !== undefined && pool[key] !== null)
      throw new ConfigError(`${field}.${key}`, 'is for target "ec2" pools only; a Fargate pool has none');
  }
  if (pool.warm !== undefined && pool.warm !== null)
    throw new ConfigError(
      `${field}.warm`,
      'is for target "ec2" pools only: Fargate pools keep no warm runners',
    );
  if (common.architecture === "arm64" && common.capacityType === "spot")
    throw new ConfigError(
      `${field}.capacityType`,
      'must be "on-demand" for an arm64 Fargate pool: Fargate Spot runs x64 (X86_64) tasks only',
    );
  if (common.subnetIds.length > 16)
    throw new ConfigError(`${field}.subnetIds`, "may name at most 16 subnets for a Fargate task");
  const securityGroupIds = strings(pool, "securityGroupIds", field, /^sg-[0-9a-zA-Z]+$/);
  if (securityGroupIds.length > 5)
    throw new ConfigError(
      `${field}.securityGroupIds`,
      "may name at most 5 security groups for a Fargate task",
    );
  const cpu = int(pool, "cpu", field, 256, 16_384);
  const allowed = FARGATE_SIZES.get(cpu);
  if (!allowed)
    throw new ConfigError(
      `${field}.cpu`,
      `must be one of ${[...FARGATE_SIZES.keys()].join(", ")}, got ${cpu}`,
    );
  const memory = int(pool, "memory", field, 512, 122_880);
  if (!allowed.includes(memory))
    throw new ConfigError(
      `${field}.memory`,
      `must be one Fargate allows with cpu ${cpu}: ${describeSizes(allowed)} (MiB), got ${memory}`,
    );
  return {
    ...common,
    target: "fargate",
    cluster: str(pool, "cluster", field, CLUSTER),
    taskDefinition: str(pool, "taskDefinition", field, TASK_DEFINITION),
    securityGroupIds,
    assignPublicIp: bool(pool, "assignPublicIp", field, false),
    cpu,
    memory,
    ephemeralStorageGb: int(pool, "ephemeralStorageGb", field, 20, 200, 20),
    taskRoleId: str(pool, "taskRoleId", field, /^AROA[A-Z0-9]{5,}$/),
  };
}

function describeSizes(sizes: readonly number[]): string {
  if (sizes.length <= 4) return sizes.join(", ");
  return `${sizes[0]} to ${sizes.at(-1)} in steps of ${(sizes[1] as number) - (sizes[0] as number)}`;
}

function warm(value: unknown, pool: Pool, field: string): Warm {
  const w = object(value, field);
  if (pool.runnerLevel !== "org")
    throw new ConfigError(
      field,
      "needs an org-level pool: a warm runner must serve any repository of its organisation",
    );
  const idle = int(w, "idle", field, 0, pool.maxRunners);
  const schedule = (Array.isArray(w.schedule) ? w.schedule : w.schedule === undefined ? [] : null)?.map(
    (entry, i): WarmWindow => {
      const at = `${field}.schedule[${i}]`;
      const window = object(entry, at);
      const cron = str(window, "cron", at);
      try {
        parseCron(cron);
      } catch (error) {
        throw new ConfigError(`${at}.cron`, (error as Error).message);
      }
      const timezone = typeof window.timezone === "string" ? window.timezone : "UTC";
      if (!isTimeZone(timezone)) throw new ConfigError(`${at}.timezone`, `is not a time zone: "${timezone}"`);
      return { cron, timezone };
    },
  );
  if (!schedule) throw new ConfigError(`${field}.schedule`, "must be a list of { cron, timezone }");
  return {
    idle,
    organization: str(w, "organization", field, /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/),
    maxIdleSeconds: int(w, "maxIdleSeconds", field, 300, 7 * 24 * 3600, 4 * 3600),
    schedule,
  };
}

/** How many idle warm runners a pool wants at `now`: its `idle` while a window is open. */
export function warmWanted(pool: Pool, now: Date): number {
  if (!pool.warm || pool.warm.idle === 0) return 0;
  const { schedule, idle } = pool.warm;
  if (schedule.length === 0) return idle;
  return schedule.some((w) => cronMatches(parseCron(w.cron), now, w.timezone)) ? idle : 0;
}
/**
 * A pool's runner group: an id, or (org-level pools) a name resolved at launch. An org-level
 * pool must name its group: the Default group (1) serves every repository of the organisation.
 */
function runnerGroup(
  pool: Json,
  field: string,
): { runnerGroupId: number | null; runnerGroupName: string | null } {
  const level = pool.runnerLevel ?? "repo";
  const name = pool.runnerGroupName;
  if (name !== undefined && name !== null) {
    if (typeof name !== "string" || name.trim() === "")
      throw new ConfigError(`${field}.runnerGroupName`, "must be a non-empty string or null");
    if (level !== "org") throw new ConfigError(`${field}.runnerGroupName`, "is for org-level pools only");
    if (pool.runnerGroupId !== undefined && pool.runnerGroupId !== null)
      throw new ConfigError(`${field}.runnerGroupId`, "must be null when runnerGroupName is set");
    return { runnerGroupId: null, runnerGroupName: name };
  }
  if (pool.runnerGroupId === undefined || pool.runnerGroupId === null) {
    if (level === "org")
      throw new ConfigError(
        `${field}.runnerGroupId`,
        "an org-level pool needs runnerGroupId or runnerGroupName",
      );
    return { runnerGroupId: 1, runnerGroupName: null };
  }
  return {
    runnerGroupId: int(pool, "runnerGroupId", field, 1, Number.MAX_SAFE_INTEGER),
    runnerGroupName: null,
  };
}
