import type { CreateFleetCommandInput, CreateFleetCommandOutput } from "@aws-sdk/client-ec2";
import type { RunTaskCommandInput, RunTaskCommandOutput } from "@aws-sdk/client-ecs";
import type { JobMessage } from "../jobs/messages.ts";
import type { GitHubApp } from "../shared/github.ts";
import type { Counter, Log } from "../shared/observability.ts";
import type { Pool } from "../shared/pools.ts";
import type { State } from "../store/ports.ts";
import type { FailureKind } from "./fleet.ts";
import type { PlannedJob } from "./plan.ts";

export interface Ec2Port {
  createFleet(input: CreateFleetCommandInput): Promise<CreateFleetCommandOutput>;
  terminate(instanceIds: string[]): Promise<void>;
}

export interface EcsPort {
  runTask(input: RunTaskCommandInput): Promise<RunTaskCommandOutput>;
  /** Stops tasks (by ARN); one already stopped or gone is no error. */
  stop(taskArns: string[], reason: string): Promise<void>;
}

/** The tag that names a JIT parameter's only reader. */
export interface JitReader {
  Key: string;
  Value: string;
}

export interface JitStore {
  /**
   * Stores a runner's JIT config where only its runner can read it: the parameter is tagged with
   * `reader`, by default the instance's ARN (`id` is then an instance id).
   */
  put(id: string, encodedJitConfig: string, reader?: JitReader): Promise<void>;
}

export interface QueuePort {
  setVisibility(receiptHandle: string, seconds: number): Promise<void>;
  /** Sends a job message again, invisible for `delaySeconds` (at most 900). */
  send(message: JobMessage, delaySeconds: number): Promise<void>;
}

export interface ScaleUpDeps {
  prefix: string;
  pools: ReadonlyMap<string, Pool>;
  state: State;
  ec2: Ec2Port;
  /** For Fargate pools; scale-up refuses to launch one without it. */
  ecs?: EcsPort;
  jit: JitStore;
  github: Pick<GitHubApp, "createJitConfig" | "jobState" | "organizationInstallation" | "runnerGroupId">;
  queue: QueuePort;
  log: Log;
  metrics: Counter;
  now: () => Date;
  /** Messages younger than this skip the "still queued?" call to GitHub. */
  freshSeconds: number;
  /**
   * How long a claim holds (ms): as long as this invocation may still run, and a margin.
   * A claimer that crashed then gives way to the next delivery of the message, and a live
   * one is never overtaken.
   */
  leaseMs: () => number;
  random?: () => number;
}

/** A job that could not be served now: it returns to the queue. */
export interface Returned {
  planned: PlannedJob;
  kind: FailureKind;
}

/** Frees a claimed job (holding no slot) for the next delivery of its message. */
export async function putBack(planned: PlannedJob, deps: ScaleUpDeps): Promise<void> {
  await deps.state.jobs.transition(
    planned.job.jobId,
    "released",
    {},
    { now: deps.now(), token: planned.messageId },
  );
}
