import { randomUUID } from "node:crypto";
import { errorMessage } from "../shared/errors.ts";
import type { CapacityType, Ec2Pool, FargatePool, Pool } from "../shared/pools.ts";
import { startedBy } from "../shared/tasks.ts";
import type { JitReader, ScaleUpDeps } from "./deps.ts";
import {
  classifyError,
  type FailureKind,
  type FleetError,
  fleetRequest,
  fleetTags,
  type LaunchedInstance,
  readFleet,
} from "./fleet.ts";
import {
  classifyTaskError,
  MAX_TASKS_PER_RUN,
  readRunTask,
  refusesFargateSpot,
  runTaskRequest,
  taskJitTag,
} from "./tasks.ts";

/** Whom a launch is for: the tags every runner of it carries. */
export interface LaunchFor {
  jobIds: readonly number[];
  owners: readonly string[];
}

/**
 * Where a pool's runners start: EC2 instances or Fargate tasks. Scale-up asks a target for runners
 * on one capacity type, falls back on the shortfall as the target's errors allow, and stops what it
 * cannot use; the target alone knows its API and how to read its errors.
 */
export interface LaunchTarget {
  /** The metric counting launched runners, by capacity type. */
  readonly launchedMetric: string;
  /** Starts up to `count` runners; every error the API reports or raises comes back in `errors`. */
  launch(
    count: number,
    capacity: CapacityType,
    tags: LaunchFor,
  ): Promise<{ launched: LaunchedInstance[]; errors: FleetError[] }>;
  /** Stops runners this target launched. */
  stop(runners: readonly LaunchedInstance[], reason: string): Promise<void>;
  classify(error: FleetError): FailureKind;
  /** An error about spot itself, which an on-demand request does not meet. */
  refusesSpotOnly(error: FleetError): boolean;
  /** The tag that lets only this runner read its JIT parameter (undefined: the store's default). */
  jitReader(runner: LaunchedInstance): JitReader | undefined;
}

/** The launch target of a pool. */
export function launchTarget(pool: Pool, deps: ScaleUpDeps): LaunchTarget {
  switch (pool.target) {
    case "ec2":
      return ec2Target(pool, deps);
    case "fargate":
      return fargateTarget(pool, deps);
    default: {
      const unknown: never = pool;
      throw new Error(`no launch target for ${JSON.stringify(unknown)}`);
    }
  }
}

function ec2Target(pool: Ec2Pool, deps: ScaleUpDeps): LaunchTarget {
  return {
    launchedMetric: "InstancesLaunched",
    async launch(count, capacity, tags) {
      try {
        const output = await deps.ec2.createFleet(
          fleetRequest(
            pool,
            count,
            capacity,
            fleetTags({ prefix: deps.prefix, pool: pool.name, ...tags }),
            randomUUID(),
          ),
        );
        return readFleet(output, capacity);
      } catch (error) {
        return { launched: [], errors: [{ code: errorCode(error), message: errorMessage(error) }] };
      }
    },
    stop: (runners) => deps.ec2.terminate(runners.map((r) => r.instanceId)),
    classify: (error) => classifyError(error.code),
    refusesSpotOnly: (error) => /Spot|ServiceLinkedRole/.test(error.code),
    jitReader: () => undefined,
  };
}

function fargateTarget(pool: FargatePool, deps: ScaleUpDeps): LaunchTarget {
  const ecs = deps.ecs;
  if (!ecs) throw new Error(`pool "${pool.name}" runs on Fargate, but scale-up was given no ECS client`);
  return {
    launchedMetric: "TasksLaunched",
    async launch(count, capacity, tags) {
      const launched: LaunchedInstance[] = [];
      const errors: FleetError[] = [];
      const tagList = fleetTags({ prefix: deps.prefix, pool: pool.name, ...tags });
      // RunTask starts at most ten tasks a call; a larger batch takes several.
      for (let left = count; left > 0; left -= MAX_TASKS_PER_RUN) {
        const n = Math.min(left, MAX_TASKS_PER_RUN);
        try {
          const output = await ecs.runTask(
            runTaskRequest(pool, n, capacity, tagList, startedBy(deps.prefix, pool.name), randomUUID()),
          );
          const outcome = readRunTask(output, capacity, pool);
          launched.push(...outcome.launched.slice(0, n));
          errors.push(...outcome.errors);
        } catch (error) {
          errors.push({ code: errorCode(error), message: errorMessage(error) });
          break; // the next call would meet the same refusal
        }
      }
      return { launched, errors };
    },
    stop: (runners, reason) =>
      ecs.stop(
        runners.map((r) => r.taskArn ?? r.instanceId),
        reason,
      ),
    classify: classifyTaskError,
    refusesSpotOnly: refusesFargateSpot,
    jitReader: (runner) => taskJitTag(pool.taskRoleId, runner.instanceId),
  };
}

function errorCode(error: unknown): string {
  return (error as { name?: string }).name ?? "Unknown";
}
