import type { JobItem } from "../jobs/items.ts";
import { errorMessage } from "../shared/errors.ts";
import { requeueJob, resendJob } from "../shared/requeue.ts";
import type { Action } from "./actions.ts";
import type { ScaleDownDeps } from "./scale-down.ts";

export async function attempt(
  deps: ScaleDownDeps,
  what: string,
  context: Record<string, unknown>,
  work: () => Promise<void>,
) {
  try {
    await work();
  } catch (error) {
    deps.metrics.count("ReconcileErrors");
    deps.log.error(`reconcile: ${what} failed; next cycle retries`, {
      ...context,
      error: errorMessage(error),
    });
  }
}

export async function execute(
  actions: Action[],
  jobs: Map<number, JobItem>,
  deps: ScaleDownDeps,
): Promise<void> {
  const now = deps.now();
  // Counters first: they were computed with the slots the requeues below release.
  for (const a of actions) {
    if (a.kind !== "set-counter") continue;
    await attempt(deps, "counter correction", { pool: a.pool }, async () => {
      if (await deps.state.pools.repair(a.pool, a.active, a.seen)) {
        deps.log.warn("pool counter corrected", { pool: a.pool, was: a.seen.active, now: a.active });
      }
    });
  }

  // Instances meant to be terminated that were not (GitHub says the runner just took a
  // job, or a call failed): their job is not requeued and their JIT is left alone this cycle.
  const kept = new Set<string>();
  const plain: Runner[] = [];
  for (const a of actions) {
    if (a.kind !== "terminate") continue;
    const { deregister } = a;
    if (!deregister) {
      plain.push(a);
      continue;
    }
    kept.add(a.instanceId);
    await attempt(deps, "deregister before terminate", { instanceId: a.instanceId }, async () => {
      const outcome = await deps.github.deleteRunner(deregister.scope, deregister.runnerId);
      if (outcome === "busy") {
        deps.log.warn("runner took a job just now; not terminating", { instanceId: a.instanceId });
        return;
      }
      if (outcome === "deleted") deps.metrics.count("RegistrationsDeleted");
      await stopRunners([a], deps);
      kept.delete(a.instanceId);
      deps.metrics.count("InstancesTerminated", { name: "Reason", value: a.reason });
      deps.log.info("instance terminated", { instanceId: a.instanceId, reason: a.reason });
    });
  }
  if (plain.length > 0) {
    for (const p of plain) kept.add(p.instanceId);
    await attempt(deps, "terminate", { instanceIds: plain.map((p) => p.instanceId) }, async () => {
      await stopRunners(plain, deps);
      for (const p of plain) {
        kept.delete(p.instanceId);
        deps.metrics.count("InstancesTerminated", { name: "Reason", value: p.reason });
        deps.log.info("instance terminated", { instanceId: p.instanceId, reason: p.reason });
      }
    });
  }

  for (const a of actions) {
    switch (a.kind) {
      case "delete-jit":
        if (kept.has(a.instanceId)) break;
        await attempt(deps, "delete JIT parameter", { instanceId: a.instanceId }, () =>
          deps.jit.delete(a.instanceId),
        );
        break;
      case "deregister":
        await attempt(deps, "deregister runner", { runnerId: a.runnerId }, async () => {
          if ((await deps.github.deleteRunner(a.scope, a.runnerId)) === "deleted") {
            deps.metrics.count("RegistrationsDeleted");
            deps.log.info("runner registration deleted", { runnerId: a.runnerId, reason: a.reason });
          }
        });
        break;
      case "requeue": {
        const job = jobs.get(a.jobId);
        if (a.instanceId && kept.has(a.instanceId)) break;
        if (job)
          await attempt(
            deps,
            "requeue",
            { jobId: a.jobId },
            async () => void (await requeueJob(job, a.reason, deps)),
          );
        break;
      }
      case "resend": {
        const job = jobs.get(a.jobId);
        if (job) await attempt(deps, "resend", { jobId: a.jobId }, () => resendJob(job, deps));
        break;
      }
      case "finish-job": {
        const job = jobs.get(a.jobId);
        if (!job) break;
        await attempt(deps, "finish job", { jobId: a.jobId }, async () => {
          const done = await deps.state.jobs.transition(
            job.jobId,
            "finished",
            { conclusion: "unknown", completedAt: now.toISOString() },
            { now, keepOn: job.instanceId ? [job.instanceId] : [] },
          );
          if (done.ok)
            deps.log.warn("job finished without its completion event", {
              jobId: job.jobId,
              reason: a.reason,
            });
        });
        break;
      }
      case "forget-instance":
        await attempt(deps, "forget instance", { instanceId: a.instanceId }, () =>
          deps.state.instances.forget(a.instanceId),
        );
        break;
      case "retire-warm":
        await attempt(deps, "retire warm runner", { instanceId: a.instanceId }, () => retireWarm(a, deps));
        break;
      case "top-up-warm":
        await attempt(deps, "top up warm runners", { pool: a.pool }, () =>
          deps.sendWarm({ kind: "warm", pool: a.pool, wanted: a.wanted }),
        );
        break;
      case "warm-idle":
        deps.metrics.count("WarmIdleRunners", { name: "Pool", value: a.pool }, a.runners);
        break;
      case "terminate":
      case "set-counter":
        break; // done above
      default: {
        const unhandled: never = a;
        throw new Error(`reconcile action nothing executes: ${JSON.stringify(unhandled)}`);
      }
    }
  }
}

/** A runner to end: an EC2 instance, or a Fargate task (with its ARN). */
interface Runner {
  instanceId: string;
  taskArn?: string;
  reason: string;
}

/**
 * Ends runners: the instances in one batched TerminateInstances, the tasks with StopTask each
 * (its reason is what ECS shows as the task's stopped reason). Either failing fails the whole.
 */
async function stopRunners(runners: readonly Runner[], deps: ScaleDownDeps): Promise<void> {
  const instances = runners.filter((r) => r.taskArn === undefined).map((r) => r.instanceId);
  const tasks = runners.flatMap((r) =>
    r.taskArn ? [{ taskArn: r.taskArn, reason: `skiff reconcile: ${r.reason}` }] : [],
  );
  if (tasks.length > 0 && !deps.tasks)
    throw new Error("tasks to stop, but scale-down was given no ECS client");
  await Promise.all([
    instances.length > 0 ? deps.ec2.terminate(instances) : undefined,
    tasks.length > 0 ? deps.tasks?.stop(tasks) : undefined,
  ]);
}

/**
 * Takes a waiting warm runner out of service: out of the idle runners first (a job may have
 * been set aside for it meanwhile: then it stays), then deregistered and terminated.
 */
async function retireWarm(a: Extract<Action, { kind: "retire-warm" }>, deps: ScaleDownDeps): Promise<void> {
  if (!(await deps.state.warm.retire(a.instanceId, a.pool, deps.now()))) return;
  if (
    a.deregister &&
    (await deps.github.deleteRunner(a.deregister.scope, a.deregister.runnerId)) === "busy"
  ) {
    deps.log.warn("warm runner took a job just now; not terminating", { instanceId: a.instanceId });
    return;
  }
  await stopRunners([{ ...a, reason: `warm-${a.reason}` }], deps);
  await deps.jit.delete(a.instanceId);
  deps.metrics.count("InstancesTerminated", { name: "Reason", value: `warm-${a.reason}` });
  deps.log.info("warm runner retired", { instanceId: a.instanceId, pool: a.pool, reason: a.reason });
}
