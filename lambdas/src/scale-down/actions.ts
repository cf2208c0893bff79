import type { InstanceItem, JobItem } from "../jobs/items.ts";
import type { RunnerRegistration, RunnerScope } from "../shared/github.ts";
import type { Pool } from "../shared/pools.ts";
import type { PoolCounter } from "../store/ports.ts";

/**
 * A runner as EC2 reports it (DescribeInstances, filtered by skiff's prefix tag), or a Fargate task
 * as ECS does (ListTasks by skiff's `startedBy`), in EC2's state vocabulary.
 */
export interface Ec2Instance {
  /** The instance id, or the task id. */
  instanceId: string;
  state: string;
  launchTime: string;
  pool: string | undefined;
  /** The launch template and version it was launched from, when EC2's tags say. */
  launchTemplate?: { id: string; version: number };
  /** A task's ARN: it is stopped with ECS StopTask, not terminated with EC2. */
  taskArn?: string;
}

export interface ReconcileSettings {
  /** A completed job's instance may run this long before it is terminated. */
  doneGraceSeconds: number;
  /** A tagged instance with no state item is terminated after this long. */
  orphanGraceSeconds: number;
  /** A runner taken by another job leaves its own job waiting this long before a requeue. */
  swapGraceSeconds: number;
  /** A requeue whose message send failed (`unsent`) is sent again after this long. */
  resendGraceSeconds: number;
  /** Defaults for instances whose pool is no longer configured. */
  defaultBootTimeoutSeconds: number;
  defaultMaxLifetimeSeconds: number;
}

export const DEFAULT_SETTINGS: ReconcileSettings = {
  doneGraceSeconds: 120,
  orphanGraceSeconds: 180,
  swapGraceSeconds: 120,
  resendGraceSeconds: 60,
  defaultBootTimeoutSeconds: 300,
  defaultMaxLifetimeSeconds: 6 * 3600,
};

export interface ReconcileInput {
  now: Date;
  prefix: string;
  pools: ReadonlyMap<string, Pool>;
  jobs: readonly JobItem[];
  instances: readonly InstanceItem[];
  ec2: readonly Ec2Instance[];
  /** The pools' counters, read before the jobs were scanned. */
  counters: ReadonlyMap<string, PoolCounter>;
  /**
   * The version each warm pool's launch template launches now, by template id; absent (or
   * missing a template) when EC2 did not say this cycle: then no runner is retired for its version.
   */
  launchTemplateVersions?: ReadonlyMap<string, number>;
  /** Present only on the cycles that list GitHub's registrations. */
  registrations?: readonly { scope: RunnerScope; runners: readonly RunnerRegistration[] }[];
  settings?: ReconcileSettings;
}

export type TerminateReason = "boot-timeout" | "job-done" | "max-lifetime" | "orphan" | "idle" | "down";

/** Why a waiting warm runner leaves service: too many wait, it waited too long, or it runs an old launch template version. */
export type WarmRetireReason = "surplus" | "max-idle" | "launch-template-changed";

export type Action =
  /**
   * Terminate (an instance) or stop (a task, which carries its ARN); with `deregister`, delete the
   * registration first and skip if GitHub says busy.
   */
  | {
      kind: "terminate";
      instanceId: string;
      taskArn?: string;
      reason: TerminateReason;
      deregister?: { scope: RunnerScope; runnerId: number };
    }
  | { kind: "delete-jit"; instanceId: string }
  | { kind: "deregister"; scope: RunnerScope; runnerId: number; reason: string }
  | { kind: "forget-instance"; instanceId: string }
  /** With `instanceId`: only once that instance was terminated (not if GitHub says its runner is busy). */
  | { kind: "requeue"; jobId: number; reason: string; instanceId?: string }
  /** A requeue or give-up whose message send failed: send it again. */
  | { kind: "resend"; jobId: number }
  /** A running job whose runner is gone and whose completion never arrived: free its slot. */
  | { kind: "finish-job"; jobId: number; reason: string }
  /** A waiting warm runner leaves service: out of the idle runners, deregistered, terminated. */
  | {
      kind: "retire-warm";
      instanceId: string;
      taskArn?: string;
      pool: string;
      reason: WarmRetireReason;
      deregister?: { scope: RunnerScope; runnerId: number };
    }
  /** Scale-up launches warm runners until the pool has `wanted` waiting. */
  | { kind: "top-up-warm"; pool: string; wanted: number }
  /** How many warm runners wait in a pool now (a metric: idle runner time). */
  | { kind: "warm-idle"; pool: string; runners: number }
  /** Only if the counter did not change since `seen` (read before the scan). */
  | { kind: "set-counter"; pool: string; active: number; seen: PoolCounter };
