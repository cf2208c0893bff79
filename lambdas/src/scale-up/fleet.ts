import type {
  _InstanceType,
  CreateFleetCommandInput,
  CreateFleetCommandOutput,
  Tag,
} from "@aws-sdk/client-ec2";
import { type CapacityType, type Ec2Pool, LAUNCH_TEMPLATE_VERSION } from "../shared/pools.ts";

/** EC2 allows at most this many launch template overrides in one CreateFleet request. */
export const MAX_OVERRIDES = 300;

/** A runner a launch target started: an EC2 instance, or a Fargate task (its id is the task id). */
export interface LaunchedInstance {
  instanceId: string;
  instanceType: string;
  capacityType: CapacityType;
  /** A Fargate task's ARN (its id alone does not name its cluster). */
  taskArn?: string;
}

export interface FleetError {
  code: string;
  message: string;
}

export interface FleetOutcome {
  launched: LaunchedInstance[];
  errors: FleetError[];
}

/** What a launch shortfall means for the jobs that did not get an instance. */
export type FailureKind = "capacity" | "throttled" | "permanent";

const CAPACITY_CODES = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientCapacity",
  "InsufficientHostCapacity",
  "InsufficientFreeAddressesInSubnet",
  "UnfulfillableCapacity",
  "SpotMaxPriceTooLow",
  "MaxSpotInstanceCountExceeded",
  "InstanceLimitExceeded",
  "VcpuLimitExceeded",
  "Unsupported",
]);

const THROTTLE_CODES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ServiceUnavailable",
  "Unavailable",
  "InternalError",
  "InternalFailure",
]);

/**
 * Sorts an EC2 error code: capacity problems fall back to on-demand and retry later;
 * throttling and server errors retry later; everything else (invalid launch template,
 * unauthorised, invalid parameters) is permanent — retrying will not fix it.
 */
export function classifyError(code: string): FailureKind {
  if (CAPACITY_CODES.has(code)) return "capacity";
  if (THROTTLE_CODES.has(code)) return "throttled";
  return "permanent";
}

/**
 * The kind of a shortfall: permanent only when every error seen is permanent. `classify` sorts one
 * error (a launch target's own rules; EC2's codes by default).
 */
export function classifyShortfall(
  errors: readonly FleetError[],
  classify: (error: FleetError) => FailureKind = (e) => classifyError(e.code),
): FailureKind {
  if (errors.length === 0) return "capacity";
  const kinds = errors.map(classify);
  if (kinds.every((k) => k === "permanent")) return "permanent";
  return kinds.includes("capacity") ? "capacity" : "throttled";
}

export interface FleetTags {
  prefix: string;
  pool: string;
  jobIds: readonly number[];
  owners: readonly string[];
}

/** Tag values are at most 256 characters. */
function tagValue(values: readonly (string | number)[]): string {
  const joined = [...new Set(values.map(String))].join(" ");
  return joined.length <= 256 ? joined : `${joined.slice(0, 253)}...`;
}

export function fleetTags(tags: FleetTags): Tag[] {
  const list: Tag[] = [
    { Key: "skiff:prefix", Value: tags.prefix },
    { Key: "skiff:pool", Value: tags.pool },
    // One fleet launches the instances for all of a pool's jobs in a batch; the exact
    // instance-to-job binding lives in the state table.
    { Key: "skiff:job-id", Value: tagValue(tags.jobIds) },
    { Key: "skiff:owner", Value: tagValue(tags.owners) },
    { Key: "Name", Value: `${tags.prefix}-${tags.pool}` },
  ];
  return list;
}

/** One CreateFleet (instant) request for `count` instances of a pool on one capacity type. */
export function fleetRequest(
  pool: Ec2Pool,
  count: number,
  capacity: CapacityType,
  tags: Tag[],
  clientToken: string,
): CreateFleetCommandInput {
  const overrides = pool.instanceTypes
    .flatMap((type) => pool.subnetIds.map((SubnetId) => ({ InstanceType: type as _InstanceType, SubnetId })))
    .slice(0, MAX_OVERRIDES);
  return {
    Type: "instant",
    ClientToken: clientToken,
    TargetCapacitySpecification: { TotalTargetCapacity: count, DefaultTargetCapacityType: capacity },
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: {
          LaunchTemplateId: pool.launchTemplateId,
          Version: LAUNCH_TEMPLATE_VERSION,
        },
        Overrides: overrides,
      },
    ],
    ...(capacity === "spot"
      ? { SpotOptions: { AllocationStrategy: pool.spotAllocationStrategy as "price-capacity-optimized" } }
      : { OnDemandOptions: { AllocationStrategy: "lowest-price" as const } }),
    TagSpecifications: [
      { ResourceType: "instance", Tags: tags },
      { ResourceType: "volume", Tags: tags },
    ],
  };
}

/** Reads an instant fleet's answer: the instances it launched and the errors it reported. */
export function readFleet(output: CreateFleetCommandOutput, capacity: CapacityType): FleetOutcome {
  const launched: LaunchedInstance[] = [];
  for (const group of output.Instances ?? []) {
    const lifecycle: CapacityType =
      group.Lifecycle === "spot" ? "spot" : group.Lifecycle ? "on-demand" : capacity;
    const instanceType =
      group.InstanceType ?? group.LaunchTemplateAndOverrides?.Overrides?.InstanceType ?? "unknown";
    for (const instanceId of group.InstanceIds ?? [])
      launched.push({ instanceId, instanceType, capacityType: lifecycle });
  }
  const errors = (output.Errors ?? []).map((e) => ({
    code: e.ErrorCode ?? "Unknown",
    message: e.ErrorMessage ?? "",
  }));
  return { launched, errors };
}

/** Pairs jobs with launched instances in order; the rest of either list is left over. */
export function bind<J>(
  jobs: readonly J[],
  instances: readonly LaunchedInstance[],
): { bound: { job: J; instance: LaunchedInstance }[]; unbound: J[]; surplus: LaunchedInstance[] } {
  const n = Math.min(jobs.length, instances.length);
  return {
    bound: jobs.slice(0, n).map((job, i) => ({ job, instance: instances[i] as LaunchedInstance })),
    unbound: jobs.slice(n),
    surplus: instances.slice(n),
  };
}
