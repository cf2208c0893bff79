import type { RunnerRegistration, RunnerScope } from "../shared/github.ts";
import type { Pool } from "../shared/pools.ts";
import type { InstanceItem, JobItem } from "../shared/state.ts";

/** An instance as EC2 reports it (DescribeInstances, filtered by skiff's prefix tag). */
export interface Ec2Instance {
  instanceId: string;
  state: string;
  launchTime: string;
  pool: string | undefined;
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
  counters: ReadonlyMap<string, number>;
  /** Present only on the cycles that list GitHub's registrations. */
  registrations?: readonly { scope: RunnerScope; runners: readonly RunnerRegistration[] }[];
  settings?: ReconcileSettings;
}

export type TerminateReason = "boot-timeout" | "job-done" | "max-lifetime" | "orphan" | "idle" | "down";

export type Action =
  /** Terminate; with `deregister`, delete the registration first and skip if GitHub says busy. */
  | {
      kind: "terminate";
      instanceId: string;
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
  | { kind: "set-counter"; pool: string; active: number; was: number };

const ALIVE = new Set(["pending", "running", "stopping", "stopped", "shutting-down"]);
const WAITING = new Set(["launching", "launched", "registered"]);
const FINISHED = new Set(["completed", "cancelled", "failed", "running"]);

const seconds = (from: string | undefined, now: Date) =>
  from ? (now.getTime() - Date.parse(from)) / 1000 : Number.POSITIVE_INFINITY;

function scopeOf(item: InstanceItem): RunnerScope | undefined {
  if (!item.installationId || !item.owner || !item.repository || !item.runnerLevel) return undefined;
  return {
    installationId: item.installationId,
    owner: item.owner,
    repository: item.repository,
    level: item.runnerLevel,
  };
}

/**
 * Decides what the scheduled reconcile does, from skiff's state, EC2 and (every few
 * cycles) GitHub's registrations. A plain function: the same inputs give the same actions.
 *
 * It never terminates an instance whose job is in progress (per the webhook state) before
 * the pool's max lifetime, whatever GitHub's `busy` flag says; an idle runner is
 * deregistered first, and left alone if GitHub refuses because it just took a job.
 */
export function reconcile(input: ReconcileInput): Action[] {
  const settings = input.settings ?? DEFAULT_SETTINGS;
  const { now } = input;
  const actions: Action[] = [];
  const jobs = new Map(input.jobs.map((j) => [j.jobId, j]));
  const items = new Map(input.instances.map((i) => [i.instanceId, i]));
  const alive = new Map(input.ec2.filter((i) => ALIVE.has(i.state)).map((i) => [i.instanceId, i]));
  const requeued = new Set<number>();
  const requeue = (jobId: number, reason: string, instanceId?: string) => {
    if (requeued.has(jobId)) return;
    requeued.add(jobId);
    actions.push({ kind: "requeue", jobId, reason, ...(instanceId ? { instanceId } : {}) });
  };

  for (const ec2 of alive.values()) {
    const item = items.get(ec2.instanceId);
    const pool = input.pools.get(item?.pool ?? ec2.pool ?? "");
    const age = seconds(ec2.launchTime, now);
    const maxLifetime = pool?.maxLifetimeSeconds ?? settings.defaultMaxLifetimeSeconds;
    const bootTimeout = pool?.bootTimeoutSeconds ?? settings.defaultBootTimeoutSeconds;
    const id = ec2.instanceId;

    if (ec2.state === "shutting-down") continue; // already on its way out
    if (age > maxLifetime) {
      actions.push({ kind: "terminate", instanceId: id, reason: "max-lifetime" });
      continue;
    }
    if (!item) {
      // Launched, but the launcher crashed before recording it.
      if (age > settings.orphanGraceSeconds) {
        actions.push(
          { kind: "terminate", instanceId: id, reason: "orphan" },
          { kind: "delete-jit", instanceId: id },
        );
      }
      continue;
    }
    if (item.status === "busy") continue; // never before max lifetime
    if (item.status === "done" || item.status === "gone") {
      if (seconds(item.doneAt ?? item.updatedAt, now) > settings.doneGraceSeconds) {
        actions.push({
          kind: "terminate",
          instanceId: id,
          reason: item.status === "done" ? "job-done" : "down",
        });
      }
      continue;
    }
    // status "launched": booting, or registered and idle.
    const job = jobs.get(item.jobId);
    const scope = scopeOf(item);
    const deregister = scope && item.runnerId ? { scope, runnerId: item.runnerId } : undefined;
    const ownJobGone = job !== undefined && FINISHED.has(job.status);
    if (ownJobGone && age > 60) {
      // Its job was cancelled or ran elsewhere: nothing is coming for this runner.
      actions.push({
        kind: "terminate",
        instanceId: id,
        reason: "idle",
        ...(deregister ? { deregister } : {}),
      });
      actions.push({ kind: "delete-jit", instanceId: id });
    } else if (age > bootTimeout) {
      actions.push({
        kind: "terminate",
        instanceId: id,
        reason: "boot-timeout",
        ...(deregister ? { deregister } : {}),
      });
      actions.push({ kind: "delete-jit", instanceId: id });
      if (job && WAITING.has(job.status) && job.instanceId === id)
        requeue(job.jobId, "runner did not start within the boot timeout", id);
    }
  }

  for (const item of input.instances) {
    if (alive.has(item.instanceId)) continue;
    // Not alive in EC2. A brand-new instance may not be listed yet: give it time.
    if (seconds(item.launchedAt, now) < settings.orphanGraceSeconds) continue;
    const job = jobs.get(item.jobId);
    // Whatever the item's status says (a state-change event may have marked it gone and
    // crashed before requeueing), a job still waiting for this instance never started.
    if (job && WAITING.has(job.status) && job.instanceId === item.instanceId) {
      requeue(job.jobId, "instance went away before taking the job");
    }
    const scope = scopeOf(item);
    if (scope && item.runnerId && item.doneAt === undefined) {
      // No job completed on it (never started, or died mid-job): an ephemeral runner
      // deregisters itself only when its job completes, so this one would outlive it.
      actions.push({ kind: "deregister", scope, runnerId: item.runnerId, reason: "instance gone" });
    }
    if (item.busyJobId === undefined) actions.push({ kind: "delete-jit", instanceId: item.instanceId });
    actions.push({ kind: "forget-instance", instanceId: item.instanceId });
  }

  for (const job of input.jobs) {
    if (requeued.has(job.jobId)) continue;
    if (job.unsent && (job.status === "pending" || job.status === "failed")) {
      if (seconds(job.updatedAt, now) > settings.resendGraceSeconds)
        actions.push({ kind: "resend", jobId: job.jobId });
      continue;
    }
    if (job.status === "claimed" && (job.leaseUntil ?? 0) < now.getTime()) {
      // Its claimer died before launching; SQS acknowledged later deliveries of the
      // message as duplicates of the live claim, so nothing else will bring it back.
      requeue(job.jobId, "claim expired before a launch");
      continue;
    }
    if (job.status === "launching" && seconds(job.updatedAt, now) > settings.orphanGraceSeconds) {
      requeue(job.jobId, "launch interrupted before the instance was recorded");
      continue;
    }
    if (job.status === "running") {
      const ranOn = job.runnerName?.startsWith(`${input.prefix}-`)
        ? job.runnerName.slice(input.prefix.length + 1)
        : undefined;
      const item = ranOn ? items.get(ranOn) : undefined;
      const runnerGone =
        ranOn !== undefined &&
        !alive.has(ranOn) &&
        seconds(item?.launchedAt ?? job.startedAt, now) > settings.orphanGraceSeconds;
      if (runnerGone && seconds(job.updatedAt, now) > settings.doneGraceSeconds) {
        actions.push({
          kind: "finish-job",
          jobId: job.jobId,
          reason: "runner gone; completion never arrived",
        });
      }
      continue;
    }
    if ((job.status === "launched" || job.status === "registered") && job.instanceId) {
      const item = items.get(job.instanceId);
      const takenByOther =
        item?.status !== "launched" && item?.busyJobId !== undefined && item.busyJobId !== job.jobId;
      if (takenByOther && seconds(item?.startedAt ?? item?.updatedAt, now) > settings.swapGraceSeconds) {
        requeue(job.jobId, "its runner took another job");
      }
    }
  }

  for (const { scope, runners } of input.registrations ?? []) {
    for (const runner of runners) {
      const match = /^(.+)-(i-[0-9a-f]+)$/.exec(runner.name);
      if (!match || match[1] !== input.prefix) continue;
      const instanceId = match[2] as string;
      const item = items.get(instanceId);
      if (alive.has(instanceId) || (item && seconds(item.launchedAt, now) < settings.orphanGraceSeconds))
        continue;
      if (item?.status === "busy") continue;
      actions.push({
        kind: "deregister",
        scope,
        runnerId: runner.id,
        reason: "registration without an instance",
      });
    }
  }

  actions.push(...counters(input, now));
  return dedupe(actions);
}

/**
 * Pool counters recomputed from the truth: the jobs holding a slot. Claims in flight may
 * be reserving right now, so the counter is only lowered to truth + in-flight claims, and
 * the write is conditional on the value seen (a reservation meanwhile wins).
 */
function counters(input: ReconcileInput, now: Date): Action[] {
  const holding = new Map<string, number>();
  const inFlight = new Map<string, number>();
  for (const job of input.jobs) {
    if (job.holdsSlot) holding.set(job.pool, (holding.get(job.pool) ?? 0) + 1);
    if (job.status === "claimed" && (job.leaseUntil ?? 0) > now.getTime()) {
      inFlight.set(job.pool, (inFlight.get(job.pool) ?? 0) + 1);
    }
  }
  const actions: Action[] = [];
  const names = new Set([...input.counters.keys(), ...holding.keys()]);
  for (const pool of [...names].sort()) {
    const was = input.counters.get(pool) ?? 0;
    const truth = holding.get(pool) ?? 0;
    const ceiling = truth + (inFlight.get(pool) ?? 0);
    if (was < truth) actions.push({ kind: "set-counter", pool, active: truth, was });
    else if (was > ceiling) actions.push({ kind: "set-counter", pool, active: ceiling, was });
  }
  return actions;
}

function dedupe(actions: Action[]): Action[] {
  const seen = new Set<string>();
  return actions.filter((a) => {
    const key = JSON.stringify(a.kind === "deregister" ? [a.kind, a.scope.owner, a.runnerId] : a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
