import type { InstanceItem } from "../jobs/items.ts";
import { instanceOfRunner } from "../jobs/runner.ts";
import { EC2_ALIVE, isIn, NEEDS_NO_RUNNER, SENDABLE, WAITING } from "../jobs/status.ts";
import type { RunnerScope } from "../shared/github.ts";
import { warmWanted } from "../shared/pools.ts";
import {
  type Action,
  DEFAULT_SETTINGS,
  type Ec2Instance,
  type ReconcileInput,
  type TerminateReason,
  type WarmRetireReason,
} from "./actions.ts";

export * from "./actions.ts";

const seconds = (from: string | undefined, now: Date) =>
  from ? (now.getTime() - Date.parse(from)) / 1000 : Number.POSITIVE_INFINITY;

function scopeOf(item: InstanceItem): RunnerScope | undefined {
  if (!item.installationId || !item.owner || !item.runnerLevel) return undefined;
  if (item.runnerLevel === "repo" && !item.repository) return undefined;
  return {
    installationId: item.installationId,
    owner: item.owner,
    repository: item.repository,
    level: item.runnerLevel,
  };
}

/** Terminates a runner (stops a task) and deletes its JIT parameter. */
function terminate(
  runner: Ec2Instance,
  reason: TerminateReason,
  deregister?: { scope: RunnerScope; runnerId: number },
): Action[] {
  return [
    {
      kind: "terminate",
      instanceId: runner.instanceId,
      ...(runner.taskArn ? { taskArn: runner.taskArn } : {}),
      reason,
      ...(deregister ? { deregister } : {}),
    },
    { kind: "delete-jit", instanceId: runner.instanceId },
  ];
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
  const alive = new Map(input.ec2.filter((i) => isIn(EC2_ALIVE, i.state)).map((i) => [i.instanceId, i]));
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
      actions.push(...terminate(ec2, "max-lifetime"));
      continue;
    }
    if (!item) {
      // Launched, but the launcher crashed before recording it.
      if (age > settings.orphanGraceSeconds) actions.push(...terminate(ec2, "orphan"));
      continue;
    }
    if (item.status === "busy") continue; // never before max lifetime
    if (item.status === "done" || item.status === "gone") {
      if (seconds(item.doneAt ?? item.updatedAt, now) > settings.doneGraceSeconds)
        actions.push(...terminate(ec2, item.status === "done" ? "job-done" : "down"));
      continue;
    }
    // status "launched": booting, or registered and idle.
    if (item.jobId === undefined) continue; // a waiting warm runner: its pool's warm rules decide (below)
    const job = jobs.get(item.jobId);
    const scope = scopeOf(item);
    const deregister = scope && item.runnerId ? { scope, runnerId: item.runnerId } : undefined;
    const ownJobGone = job !== undefined && isIn(NEEDS_NO_RUNNER, job.status);
    if (ownJobGone && age > 60) {
      // Its job was cancelled or ran elsewhere: nothing is coming for this runner.
      actions.push(...terminate(ec2, "idle", deregister));
    } else if ((item.adoptedAt ? seconds(item.adoptedAt, now) : age) > bootTimeout) {
      // A warm runner set aside for a job is timed from then: it booted long before.
      actions.push(...terminate(ec2, "boot-timeout", deregister));
      if (job && isIn(WAITING, job.status) && job.instanceId === id)
        requeue(job.jobId, "runner did not start within the boot timeout", id);
    }
  }

  for (const item of input.instances) {
    if (alive.has(item.instanceId)) continue;
    // Not alive in EC2. A brand-new instance may not be listed yet: give it time.
    if (seconds(item.launchedAt, now) < settings.orphanGraceSeconds) continue;
    const job = item.jobId === undefined ? undefined : jobs.get(item.jobId);
    // Whatever the item's status says (a state-change event may have marked it gone and
    // crashed before requeueing), a job still waiting for this instance never started.
    if (job && isIn(WAITING, job.status) && job.instanceId === item.instanceId) {
      requeue(job.jobId, "instance went away before taking the job");
    }
    const scope = scopeOf(item);
    if (scope && item.runnerId && item.doneAt === undefined) {
      // No job completed on it (never started, or died mid-job): an ephemeral runner
      // deregisters itself only when its job completes, so this one would outlive it.
      actions.push({ kind: "deregister", scope, runnerId: item.runnerId, reason: "instance gone" });
    }
    // Whatever it ran, its JIT parameter goes with it (the bootstrap deletes it too, if it got that far).
    actions.push(
      { kind: "delete-jit", instanceId: item.instanceId },
      { kind: "forget-instance", instanceId: item.instanceId },
    );
  }

  for (const job of input.jobs) {
    if (requeued.has(job.jobId)) continue;
    if (job.unsent && isIn(SENDABLE, job.status)) {
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
      const ranOn = instanceOfRunner(input.prefix, job.runnerName);
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
      if (
        !item &&
        !alive.has(job.instanceId) &&
        seconds(job.launchedAt ?? job.updatedAt, now) > settings.orphanGraceSeconds
      ) {
        // Launched, but its instance was never recorded (or already forgotten) and is not
        // running: nothing will take the job.
        requeue(job.jobId, "its instance is gone and was never recorded");
        continue;
      }
      const takenByOther =
        item?.status !== "launched" && item?.busyJobId !== undefined && item.busyJobId !== job.jobId;
      if (takenByOther && seconds(item?.startedAt ?? item?.updatedAt, now) > settings.swapGraceSeconds) {
        requeue(job.jobId, "its runner took another job");
      }
    }
  }

  for (const { scope, runners } of input.registrations ?? []) {
    for (const runner of runners) {
      const instanceId = instanceOfRunner(input.prefix, runner.name);
      if (!instanceId) continue;
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

  actions.push(...warmRunners(input, alive));
  actions.push(...counters(input, now));
  return dedupe(actions);
}

/**
 * Pool counters recomputed from the truth: the jobs holding a slot. Claims in flight may
 * be reserving right now, so a counter is only lowered to truth + in-flight claims. The
 * scan is not a snapshot; the write is conditional on the counter's version read before
 * the scan, so a repair is written only when no slot of the pool moved while it ran.
 */
function counters(input: ReconcileInput, now: Date): Action[] {
  const holding = new Map<string, number>();
  const inFlight = new Map<string, number>();
  for (const item of [...input.jobs, ...input.instances]) {
    if (item.holdsSlot) holding.set(item.pool, (holding.get(item.pool) ?? 0) + 1);
  }
  for (const job of input.jobs) {
    if (job.status === "claimed" && (job.leaseUntil ?? 0) > now.getTime()) {
      inFlight.set(job.pool, (inFlight.get(job.pool) ?? 0) + 1);
    }
  }
  const actions: Action[] = [];
  for (const [pool, seen] of [...input.counters.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const truth = holding.get(pool) ?? 0;
    const ceiling = truth + (inFlight.get(pool) ?? 0);
    if (seen.active < truth) actions.push({ kind: "set-counter", pool, active: truth, seen });
    else if (seen.active > ceiling) actions.push({ kind: "set-counter", pool, active: ceiling, seen });
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

/**
 * Each pool's waiting warm runners against what its schedule wants now: too old ones, ones
 * launched from a launch template version that is no longer current, and a surplus are retired
 * (longest waiting first), a shortfall is topped up by scale-up. Only waiting runners: one set
 * aside for a job, or busy, is never retired here.
 */
function warmRunners(input: ReconcileInput, alive: ReadonlyMap<string, Ec2Instance>): Action[] {
  const actions: Action[] = [];
  for (const [name, pool] of input.pools) {
    if (!pool.warm || pool.target !== "ec2") continue;
    const current = input.launchTemplateVersions?.get(pool.launchTemplateId);
    // Only when both EC2's tag and the template's current version are known: never on missing data.
    const outdated = (i: InstanceItem) => {
      const from = alive.get(i.instanceId)?.launchTemplate;
      return (
        current !== undefined &&
        from !== undefined &&
        (from.id !== pool.launchTemplateId || from.version !== current)
      );
    };
    const wanted = warmWanted(pool, input.now);
    const waiting = input.instances
      .filter(
        (i) => i.pool === name && i.warm && i.jobId === undefined && i.holdsSlot && i.status === "launched",
      )
      .filter((i) => alive.has(i.instanceId) || seconds(i.launchedAt, input.now) < 60)
      .sort((a, b) => b.launchedAt.localeCompare(a.launchedAt));
    const maxIdle = pool.warm.maxIdleSeconds;
    const reasons = new Map<InstanceItem, WarmRetireReason>();
    for (const i of waiting) {
      if (seconds(i.launchedAt, input.now) > maxIdle) reasons.set(i, "max-idle");
      else if (outdated(i)) reasons.set(i, "launch-template-changed");
    }
    const fresh = waiting.filter((i) => !reasons.has(i));
    for (const i of fresh.slice(wanted)) reasons.set(i, "surplus");
    for (const [item, reason] of reasons) {
      const scope = scopeOf(item);
      actions.push({
        kind: "retire-warm",
        instanceId: item.instanceId,
        ...(item.taskArn ? { taskArn: item.taskArn } : {}),
        pool: name,
        reason,
        ...(scope && item.runnerId ? { deregister: { scope, runnerId: item.runnerId } } : {}),
      });
    }
    const kept = Math.min(fresh.length, wanted);
    if (kept < wanted) actions.push({ kind: "top-up-warm", pool: name, wanted });
    if (waiting.length > 0)
      actions.push({ kind: "warm-idle", pool: name, runners: waiting.length - reasons.size });
  }
  return actions;
}
