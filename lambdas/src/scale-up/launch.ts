import { runnerName } from "../jobs/runner.ts";
import { errorMessage } from "../shared/errors.ts";
import { RunnerGroupMissing } from "../shared/github.ts";
import { type CapacityType, defaultLabels, type Pool } from "../shared/pools.ts";
import { putBack, type Returned, type ScaleUpDeps } from "./deps.ts";
import { bind, classifyShortfall, type FleetError, type LaunchedInstance } from "./fleet.ts";
import type { LaunchPlan, PlannedJob } from "./plan.ts";
import { type LaunchTarget, launchTarget } from "./targets.ts";

export async function launchPlan(plan: LaunchPlan, deps: ScaleUpDeps, returned: Returned[]): Promise<void> {
  const { pool } = plan;
  const reserved = await deps.state.pools.reserve(pool.name, plan.jobs.length, pool.maxRunners);
  const overCap = plan.jobs.slice(reserved);
  if (overCap.length > 0) {
    deps.metrics.count("CapReached", { name: "Pool", value: pool.name }, overCap.length);
    deps.log.info("pool at max_runners; jobs wait in the queue", {
      pool: pool.name,
      maxRunners: pool.maxRunners,
      jobIds: overCap.map((p) => p.job.jobId),
    });
    for (const planned of overCap) {
      await putBack(planned, deps);
      returned.push({ planned, kind: "capacity" });
    }
  }

  // Mark each job as holding a slot before any instance exists, so a crash from here on
  // leaves a trace the reconcile can follow.
  const launching: PlannedJob[] = [];
  for (const planned of plan.jobs.slice(0, reserved)) {
    const marked = await deps.state.jobs.transition(
      planned.job.jobId,
      "launching",
      {},
      { now: deps.now(), token: planned.messageId },
    );
    if (marked.ok) launching.push(planned);
    else await deps.state.pools.release(pool.name, 1); // the claim was lost meanwhile
  }
  if (launching.length === 0) return;

  const target = launchTarget(pool, deps);
  const { launched, errors } = await launch(plan, launching, target, deps);
  const { bound, unbound, surplus } = bind(launching, launched);
  if (surplus.length > 0) {
    // Neither an instant fleet nor RunTask starts more than asked; should one, nothing would run there.
    await target.stop(surplus, "skiff: launched beyond the jobs waiting");
  }

  if (unbound.length > 0) {
    const kind = classifyShortfall(errors, target.classify);
    const jobIds = unbound.map((p) => p.job.jobId);
    deps.metrics.count("LaunchErrors", { name: "Kind", value: kind }, unbound.length);
    const detail = { pool: pool.name, jobIds, errors: summarize(errors) };
    if (kind === "permanent")
      deps.log.error("launch failed permanently; jobs go to the DLQ after retries", detail);
    else if (kind === "throttled")
      deps.log.warn("launch throttled by the API's rate limit; jobs wait in the queue", detail);
    else deps.log.warn("no capacity for some jobs; they wait in the queue", detail);
    for (const planned of unbound) {
      await deps.state.jobs.transition(planned.job.jobId, "returned", {}, { now: deps.now() });
      // A rate limit clears by itself, as capacity comes back: the job waits in the queue
      // without spending receives, so a long burst does not send it to the DLQ.
      returned.push({ planned, kind: kind === "permanent" ? "permanent" : "capacity" });
    }
  }

  await Promise.all(bound.map(({ job, instance }) => register(job, instance, pool, target, deps, returned)));
}

/** Launches on the plan's capacity, then on-demand for the shortfall when the errors allow it. */
async function launch(plan: LaunchPlan, jobs: PlannedJob[], target: LaunchTarget, deps: ScaleUpDeps) {
  const launched: LaunchedInstance[] = [];
  const errors: FleetError[] = [];
  const tags = { jobIds: jobs.map((p) => p.job.jobId), owners: jobs.map((p) => p.job.owner) };
  const attempt = async (capacity: CapacityType, count: number) => {
    const outcome = await target.launch(count, capacity, tags);
    launched.push(...outcome.launched.slice(0, count));
    errors.push(...outcome.errors);
    deps.metrics.count(
      target.launchedMetric,
      { name: "CapacityType", value: capacity },
      outcome.launched.length,
    );
  };

  await attempt(plan.capacity, jobs.length);
  const shortfall = jobs.length - launched.length;
  const kind = classifyShortfall(errors, target.classify);
  if (
    shortfall > 0 &&
    plan.fallback &&
    (kind === "capacity" || (kind === "permanent" && errors.every((e) => target.refusesSpotOnly(e))))
  ) {
    // No spot capacity, or a refusal of spot itself (no spot service-linked role yet, a
    // spot quota): on-demand may still launch, and only its answer decides what follows.
    // Not on a rate limit: it says nothing of spot, and on-demand would spend the same rate.
    const spot = errors.splice(0);
    deps.metrics.count("SpotFallbacks", { name: "Pool", value: plan.pool.name }, shortfall);
    const detail = { pool: plan.pool.name, shortfall, errors: summarize(spot) };
    if (kind === "permanent") deps.log.warn("spot refused; falling back to on-demand", detail);
    else deps.log.info("spot short; falling back to on-demand", detail);
    await attempt("on-demand", shortfall);
  }
  const now = deps.now().getTime();
  for (const planned of jobs.slice(0, launched.length)) {
    deps.metrics.measure?.("QueuedToLaunchMs", now - Date.parse(planned.job.queuedAt), "Milliseconds");
  }
  return { launched, errors };
}

function summarize(errors: FleetError[]): string[] {
  return [...new Set(errors.map((e) => `${e.code}: ${e.message}`))].slice(0, 10);
}

/** Binds the instance (or task) to its job, creates the JIT config and stores it for that runner alone. */
async function register(
  planned: PlannedJob,
  instance: LaunchedInstance,
  pool: Pool,
  target: LaunchTarget,
  deps: ScaleUpDeps,
  returned: Returned[],
): Promise<void> {
  const { job } = planned;
  const context = { jobId: job.jobId, pool: pool.name, instanceId: instance.instanceId };
  const now = deps.now();
  // The job and its instance are recorded together: never a launched job without its instance.
  const recorded = await deps.state.jobs.launched(
    job.jobId,
    {
      instanceId: instance.instanceId,
      capacityType: instance.capacityType,
      instanceType: instance.instanceType,
      launchedAt: now.toISOString(),
    },
    {
      instanceId: instance.instanceId,
      jobId: job.jobId,
      pool: pool.name,
      launchedAt: now.toISOString(),
      capacityType: instance.capacityType,
      ...(instance.taskArn ? { taskArn: instance.taskArn } : {}),
      owner: job.owner,
      repository: job.repository,
      runnerLevel: pool.runnerLevel,
      installationId: job.installationId,
    },
    now,
  );
  if (!recorded.ok) {
    // The job moved on meanwhile (a requeue took it): nothing will run on this instance.
    deps.log.warn("job moved on before its instance was recorded; terminating the instance", {
      ...context,
      status: recorded.current?.status,
    });
    await target.stop([instance], "skiff: its job moved on before it was recorded");
    return;
  }
  const name = runnerName(deps.prefix, instance.instanceId);
  try {
    const jit = await deps.github.createJitConfig({
      installationId: job.installationId,
      owner: job.owner,
      repository: job.repository,
      level: pool.runnerLevel,
      name,
      labels: [...defaultLabels(pool.architecture), ...pool.labels],
      runnerGroupId:
        pool.runnerGroupId ??
        (await deps.github.runnerGroupId(job.installationId, job.owner, pool.runnerGroupName ?? "")),
    });
    await deps.state.instances.transition(
      instance.instanceId,
      "registered",
      { runnerId: jit.runnerId },
      deps.now(),
    );
    await deps.jit.put(instance.instanceId, jit.encodedJitConfig, target.jitReader(instance));
    // The runner may already have started and reported in: then the state moved on.
    await deps.state.jobs.transition(
      job.jobId,
      "registered",
      { runnerName: name, runnerId: jit.runnerId, registeredAt: deps.now().toISOString() },
      { now: deps.now() },
    );
    deps.log.info("runner launched", { ...context, capacityType: instance.capacityType, runnerName: name });
  } catch (error) {
    deps.metrics.count("JitErrors");
    deps.log.error("runner registration failed; terminating its instance", {
      ...context,
      error: errorMessage(error),
    });
    await target.stop([instance], "skiff: runner registration failed").catch((terminateError) => {
      deps.log.error("could not terminate instance; the reconcile will", {
        ...context,
        error: errorMessage(terminateError),
      });
    });
    // It is stopping: it keeps the slot until EC2 or ECS says it is down (the lifecycle
    // releases it then, or the reconcile when it finds the runner gone).
    await deps.state.jobs.transition(
      job.jobId,
      "returned",
      {},
      { now: deps.now(), keepOn: [instance.instanceId] },
    );
    // A runner group that does not exist will not exist on the next delivery either.
    returned.push({ planned, kind: error instanceof RunnerGroupMissing ? "permanent" : "throttled" });
  }
}
