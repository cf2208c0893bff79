import { randomUUID } from "node:crypto";
import { runnerName } from "../jobs/runner.ts";
import { errorMessage } from "../shared/errors.ts";
import { defaultLabels, type Pool, warmWanted } from "../shared/pools.ts";
import type { ScaleUpDeps } from "./deps.ts";
import { fleetRequest, fleetTags, type LaunchedInstance, readFleet } from "./fleet.ts";
import type { PlannedJob } from "./plan.ts";

/**
 * Sets a waiting warm runner aside for each claimed job of a warm pool: the job is
 * registered on it at once, and GitHub gives it the job within seconds (or to another idle
 * runner, which the lifecycle handler sorts out). Returns the jobs that found none, and
 * tops the pools up again for the runners taken.
 */
export async function adoptWarmRunners(jobs: PlannedJob[], deps: ScaleUpDeps): Promise<PlannedJob[]> {
  const cold: PlannedJob[] = [];
  const byPool = new Map<string, PlannedJob[]>();
  for (const planned of jobs) {
    const pool = deps.pools.get(planned.job.pool);
    // A re-run after a spot interruption wants on-demand; warm runners may be spot.
    if (!pool?.warm || planned.job.capacity === "on-demand") cold.push(planned);
    else byPool.set(pool.name, [...(byPool.get(pool.name) ?? []), planned]);
  }
  await Promise.all(
    [...byPool].map(async ([name, planned]) => {
      const pool = deps.pools.get(name) as Pool;
      const idle = await deps.state.warm.idle(name);
      let adopted = 0;
      for (const p of planned) {
        let found = false;
        while (!found && idle.length > 0) {
          const instanceId = idle.shift() as string;
          const result = await deps.state.warm.adopt(
            p.job.jobId,
            p.messageId,
            instanceId,
            runnerName(deps.prefix, instanceId),
            deps.now(),
          );
          found = result.ok;
          if (!found) {
            // Another job took that runner, or this job's claim moved on: then stop trying.
            const job = await deps.state.jobs.get(p.job.jobId);
            if (job?.status !== "claimed" || job.claimedBy !== p.messageId) break;
          }
          if (found) {
            adopted++;
            deps.log.info("job set on a warm runner", { jobId: p.job.jobId, pool: name, instanceId });
          }
        }
        if (!found) cold.push(p);
      }
      if (adopted > 0) await topUpWarm(pool, warmWanted(pool, deps.now()), deps);
    }),
  );
  return cold;
}

/**
 * Launches warm runners until `wanted` wait in the pool, within its `max_runners`: each
 * on a reserved slot, recorded in the pool's idle runners, registered at the organisation.
 */
export async function topUpWarm(pool: Pool, wanted: number, deps: ScaleUpDeps): Promise<void> {
  // Warm runners are EC2 instances: a Fargate pool has none (its config refuses `warm`).
  if (!pool.warm || pool.target !== "ec2") return;
  const missing = wanted - (await deps.state.warm.idle(pool.name)).length;
  if (missing <= 0) return;
  const reserved = await deps.state.pools.reserve(pool.name, missing, pool.maxRunners);
  if (reserved === 0) return;
  const tags = [
    ...fleetTags({ prefix: deps.prefix, pool: pool.name, jobIds: [], owners: [pool.warm.organization] }),
    { Key: "skiff:warm", Value: "true" },
  ];
  const launched: LaunchedInstance[] = [];
  for (const capacity of pool.onDemandFallback && pool.capacityType === "spot"
    ? (["spot", "on-demand"] as const)
    : [pool.capacityType]) {
    const count = reserved - launched.length;
    if (count <= 0) break;
    try {
      const out = await deps.ec2.createFleet(fleetRequest(pool, count, capacity, tags, randomUUID()));
      launched.push(...readFleet(out, capacity).launched.slice(0, count));
    } catch (error) {
      deps.log.warn("warm runner launch failed", { pool: pool.name, capacity, error: errorMessage(error) });
    }
  }
  if (launched.length < reserved) await deps.state.pools.release(pool.name, reserved - launched.length);
  const installationId =
    launched.length > 0 ? await deps.github.organizationInstallation(pool.warm.organization) : 0;
  await Promise.all(launched.map((instance) => registerWarm(pool, instance, installationId, deps)));
}

async function registerWarm(
  pool: Pool,
  instance: LaunchedInstance,
  installationId: number,
  deps: ScaleUpDeps,
) {
  const organization = pool.warm?.organization as string;
  const now = deps.now();
  await deps.state.warm.record(
    {
      instanceId: instance.instanceId,
      pool: pool.name,
      launchedAt: now.toISOString(),
      capacityType: instance.capacityType,
      owner: organization,
      repository: "",
      runnerLevel: "org",
      installationId,
    },
    now,
  );
  try {
    const jit = await deps.github.createJitConfig({
      installationId,
      owner: organization,
      repository: "",
      level: "org",
      name: runnerName(deps.prefix, instance.instanceId),
      labels: [...defaultLabels(pool.architecture), ...pool.labels],
      runnerGroupId:
        pool.runnerGroupId ??
        (await deps.github.runnerGroupId(installationId, organization, pool.runnerGroupName ?? "")),
    });
    await deps.state.instances.transition(
      instance.instanceId,
      "registered",
      { runnerId: jit.runnerId },
      deps.now(),
    );
    await deps.jit.put(instance.instanceId, jit.encodedJitConfig);
    deps.metrics.count("WarmRunnersLaunched", { name: "Pool", value: pool.name });
    deps.log.info("warm runner launched", { pool: pool.name, instanceId: instance.instanceId });
  } catch (error) {
    deps.log.error("warm runner registration failed; terminating it", {
      pool: pool.name,
      instanceId: instance.instanceId,
      error: errorMessage(error),
    });
    await deps.state.warm.retire(instance.instanceId, pool.name, deps.now());
    await deps.ec2.terminate([instance.instanceId]).catch(() => undefined);
  }
}
