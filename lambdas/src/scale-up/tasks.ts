import type { RunTaskCommandInput, RunTaskCommandOutput } from "@aws-sdk/client-ecs";
import type { CapacityType, FargatePool } from "../shared/pools.ts";
import { taskId } from "../shared/tasks.ts";
import type { FailureKind, FleetError, LaunchedInstance } from "./fleet.ts";

/** RunTask starts at most this many tasks in one call. */
export const MAX_TASKS_PER_RUN = 10;

/** The capacity provider that serves a capacity type. */
export function capacityProvider(capacity: CapacityType): "FARGATE_SPOT" | "FARGATE" {
  return capacity === "spot" ? "FARGATE_SPOT" : "FARGATE";
}

/**
 * One RunTask request for `count` (at most 10) tasks of a pool on one capacity provider. It carries
 * no overrides: the task definition holds the image, size and command, and whatever a request
 * carries is recorded by CloudTrail, so nothing secret may ever be added here.
 */
export function runTaskRequest(
  pool: FargatePool,
  count: number,
  capacity: CapacityType,
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[],
  started: string,
  clientToken: string,
): RunTaskCommandInput {
  if (count < 1 || count > MAX_TASKS_PER_RUN)
    throw new RangeError(`RunTask starts 1 to ${MAX_TASKS_PER_RUN} tasks, not ${count}`);
  return {
    cluster: pool.cluster,
    taskDefinition: pool.taskDefinition,
    count,
    capacityProviderStrategy: [{ capacityProvider: capacityProvider(capacity), weight: 1 }],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: pool.subnetIds,
        securityGroups: pool.securityGroupIds,
        assignPublicIp: pool.assignPublicIp ? "ENABLED" : "DISABLED",
      },
    },
    startedBy: started,
    tags: tags.map((t) => ({ key: t.Key, value: t.Value })),
    clientToken,
  };
}

/** Reads RunTask's answer: the tasks it started and the failures it reported for the rest. */
export function readRunTask(
  output: RunTaskCommandOutput,
  capacity: CapacityType,
  pool: FargatePool,
): { launched: LaunchedInstance[]; errors: FleetError[] } {
  const launched: LaunchedInstance[] = [];
  for (const task of output.tasks ?? []) {
    if (!task.taskArn) continue;
    const provider = task.capacityProviderName;
    launched.push({
      instanceId: taskId(task.taskArn),
      taskArn: task.taskArn,
      instanceType: `fargate-${pool.cpu}-${pool.memory}`,
      capacityType: provider === "FARGATE_SPOT" ? "spot" : provider === "FARGATE" ? "on-demand" : capacity,
    });
  }
  const errors = (output.failures ?? []).map((f) => ({
    code: f.reason ?? "Unknown",
    message: f.detail ?? f.arn ?? "",
  }));
  return { launched, errors };
}

// RunTask reports a task it could not place in `failures[].reason` (AWS re:Post "Troubleshoot
// unavailable capacity for Fargate tasks"; ECS Developer Guide, "API failure reasons"), and a call it
// refuses as an exception named by its type.
const CAPACITY_REASONS = [
  /capacity is unavailable/i,
  /^RESOURCE:/,
  // Account quotas on concurrent Fargate tasks or vCPUs: like EC2's VcpuLimitExceeded, they clear as
  // other runners finish.
  /reached the limit on the number of/i,
];
const THROTTLE_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServerException",
  "ServiceUnavailable",
  "InternalFailure",
  "AGENT",
  "TimeoutError",
]);

/**
 * Sorts a RunTask failure or error: no capacity (the shortfall falls back to FARGATE and returns
 * later), throttled or a server fault (retry later), or permanent — an unknown cluster or task
 * definition, a bad parameter, no permission: retrying will not fix it.
 */
export function classifyTaskError(error: FleetError): FailureKind {
  const text = `${error.code} ${error.message}`;
  if (CAPACITY_REASONS.some((r) => r.test(error.code) || r.test(text))) return "capacity";
  if (THROTTLE_CODES.has(error.code) || /rate exceeded/i.test(error.message)) return "throttled";
  return "permanent";
}

/** A refusal of Fargate Spot itself (not offered in this Region), which FARGATE does not meet. */
export function refusesFargateSpot(error: FleetError): boolean {
  return error.code === "UnsupportedFeatureException";
}

/**
 * The tag on a task's JIT parameter that lets only that task read it: its task role's credentials
 * carry the user id `<role-unique-id>:<task-id>`, and the role's policy allows reading a parameter
 * whose tag equals the caller's own user id. The one place the tag's name and value are built.
 */
export function taskJitTag(taskRoleId: string, id: string): { Key: string; Value: string } {
  return { Key: "skiff:task-userid", Value: `${taskRoleId}:${id}` };
}
