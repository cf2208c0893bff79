import { errorMessage } from "../shared/errors.ts";
import type { GitHubAdmin, RunnerRegistration, RunnerScope } from "../shared/github.ts";
import type { Pool } from "../shared/pools.ts";
import { type RequeueDeps, requeueJob, resendJob } from "../shared/requeue.ts";
import { instanceKey, type JobItem } from "../shared/state.ts";
import {
  type Action,
  DEFAULT_SETTINGS,
  type Ec2Instance,
  type ReconcileSettings,
  reconcile,
} from "./reconcile.ts";

export interface Ec2Fleet {
  /** skiff's instances (tag skiff:prefix), in every state but terminated. */
  describe(): Promise<Ec2Instance[]>;
  terminate(instanceIds: string[]): Promise<void>;
}

export interface JitCleaner {
  /** Deletes an instance's JIT parameter; a missing one is fine. */
  delete(instanceId: string): Promise<void>;
}

export interface ScaleDownDeps extends RequeueDeps {
  prefix: string;
  pools: ReadonlyMap<string, Pool>;
  ec2: Ec2Fleet;
  jit: JitCleaner;
  github: GitHubAdmin;
  /** List GitHub's runner registrations every N cycles (paginated), not every cycle. */
  listEvery: number;
  /** Look for failed webhook deliveries every N cycles. */
  redeliverEvery: number;
  /** Redeliver at most this many per cycle. */
  redeliverMax: number;
  /** GitHub redelivers deliveries up to three days old; skiff looks back this far. */
  redeliverWindowSeconds: number;
  /** Cap on registration scopes listed per cycle. */
  maxScopes?: number;
  settings?: ReconcileSettings;
}

export interface CycleSummary {
  cycle: number;
  actions: Record<string, number>;
  listedRegistrations: boolean;
  redelivered: number;
}

/**
 * One reconcile cycle: read state, EC2 and (every few cycles) GitHub, decide with
 * `reconcile`, act. Each action is independent: one that fails is logged and retried by the
 * next cycle, and does not stop the others.
 */
export async function scaleDown(deps: ScaleDownDeps): Promise<CycleSummary> {
  const cycle = await deps.state.nextCycle();
  const [table, ec2] = await Promise.all([deps.state.scanAll(), deps.ec2.describe()]);
  const registrations = await listRegistrationPage(table.jobs, cycle, deps);
  const listing = registrations !== undefined;

  const actions = reconcile({
    now: deps.now(),
    prefix: deps.prefix,
    pools: deps.pools,
    jobs: table.jobs,
    instances: table.instances,
    ec2,
    counters: table.counters,
    ...(registrations ? { registrations } : {}),
    settings: deps.settings ?? DEFAULT_SETTINGS,
  });
  const counts: Record<string, number> = {};
  for (const a of actions) counts[a.kind] = (counts[a.kind] ?? 0) + 1;
  await execute(actions, new Map(table.jobs.map((j) => [j.jobId, j])), deps);

  const redelivered = cycle % deps.redeliverEvery === 0 ? await redeliverFailed(deps) : 0;
  if (actions.length > 0 || redelivered > 0)
    deps.log.info("reconcile cycle", { cycle, actions: counts, redelivered });
  return { cycle, actions: counts, listedRegistrations: listing, redelivered };
}

async function attempt(
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

async function execute(actions: Action[], jobs: Map<number, JobItem>, deps: ScaleDownDeps): Promise<void> {
  const now = deps.now();
  // Counters first: they were computed with the slots the requeues below release.
  for (const a of actions) {
    if (a.kind !== "set-counter") continue;
    await attempt(deps, "counter correction", { pool: a.pool }, async () => {
      if (await deps.state.setActive(a.pool, a.active, a.was)) {
        deps.log.warn("pool counter corrected", { pool: a.pool, was: a.was, now: a.active });
      }
    });
  }

  // Instances meant to be terminated that were not (GitHub says the runner just took a
  // job, or a call failed): their job is not requeued and their JIT is left alone this cycle.
  const kept = new Set<string>();
  const plain: { instanceId: string; reason: string }[] = [];
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
      await deps.ec2.terminate([a.instanceId]);
      kept.delete(a.instanceId);
      deps.metrics.count("InstancesTerminated", { name: "Reason", value: a.reason });
      deps.log.info("instance terminated", { instanceId: a.instanceId, reason: a.reason });
    });
  }
  if (plain.length > 0) {
    for (const p of plain) kept.add(p.instanceId);
    await attempt(deps, "terminate", { instanceIds: plain.map((p) => p.instanceId) }, async () => {
      await deps.ec2.terminate(plain.map((p) => p.instanceId));
      for (const p of plain) {
        kept.delete(p.instanceId);
        deps.metrics.count("InstancesTerminated", { name: "Reason", value: p.reason });
        deps.log.info("instance terminated", p);
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
          const patch = {
            status: "completed" as const,
            conclusion: "unknown",
            completedAt: now.toISOString(),
          };
          if (!(await deps.state.releaseSlot(job.jobId, job.pool, patch, now))) {
            await deps.state.update(job.jobId, ["running"], patch, now);
          }
          deps.log.warn("job finished without its completion event", { jobId: job.jobId, reason: a.reason });
        });
        break;
      }
      case "forget-instance":
        await attempt(deps, "forget instance", { instanceId: a.instanceId }, () =>
          deps.state.deleteItem(instanceKey(a.instanceId)),
        );
        break;
      default:
        break;
    }
  }
}

/** The registration scopes worth listing, by a stable key: each org with org-level pools, each repo with repo-level ones. */
function registrationScopes(jobs: readonly JobItem[], deps: ScaleDownDeps): [string, RunnerScope][] {
  const scopes = new Map<string, RunnerScope>();
  for (const job of jobs) {
    const pool = deps.pools.get(job.pool);
    if (!pool) continue;
    const key = pool.runnerLevel === "org" ? `org/${job.owner}` : `repo/${job.owner}/${job.repository}`;
    scopes.set(key, {
      installationId: job.installationId,
      owner: job.owner,
      repository: job.repository,
      level: pool.runnerLevel,
    });
  }
  return [...scopes.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(0, deps.maxScopes ?? 20);
}

interface ListingCursor {
  scope: string;
  page: number;
}

/**
 * Lists GitHub's registrations one page per cycle: a pass starts every `listEvery` cycles
 * and walks the scopes and their pages from a cursor kept in the state table, so no cycle
 * makes more than one listing call however large the fleet.
 */
async function listRegistrationPage(jobs: readonly JobItem[], cycle: number, deps: ScaleDownDeps) {
  const scopes = registrationScopes(jobs, deps);
  let cursor = await deps.state.getMeta<ListingCursor>("listing");
  if (!cursor) {
    if (cycle % deps.listEvery !== 0 || scopes.length === 0) return undefined;
    cursor = { scope: scopes[0]?.[0] ?? "", page: 1 };
  }
  // The scope set may have changed since the cursor was written: go on from where it points.
  const index = scopes.findIndex(([key]) => key >= (cursor as ListingCursor).scope);
  const entry = index >= 0 ? scopes[index] : undefined;
  if (!entry) {
    await deps.state.putMeta("listing", undefined);
    return undefined;
  }
  const [key, scope] = entry;
  const page = entry[0] === cursor.scope ? cursor.page : 1;
  let listed: { scope: RunnerScope; runners: RunnerRegistration[] }[] | undefined;
  let next: ListingCursor | undefined = { scope: key, page };
  await attempt(deps, "list registrations", { owner: scope.owner, level: scope.level, page }, async () => {
    const result = await deps.github.listRunnersPage(scope, page);
    listed = [{ scope, runners: result.runners }];
    const following = scopes[index + 1];
    next = !result.last
      ? { scope: key, page: page + 1 }
      : following
        ? { scope: following[0], page: 1 }
        : undefined;
  });
  await deps.state.putMeta("listing", next);
  return listed;
}

/**
 * Asks GitHub to redeliver workflow_job deliveries that failed, newest first, each at most
 * once (remembered in the state table), at most `redeliverMax` per cycle.
 */
async function redeliverFailed(deps: ScaleDownDeps): Promise<number> {
  let count = 0;
  await attempt(deps, "redeliver webhooks", {}, async () => {
    const deliveries = await deps.github.recentDeliveries(100);
    const succeeded = new Set(
      deliveries.filter((d) => d.statusCode >= 200 && d.statusCode < 300).map((d) => d.guid),
    );
    const oldest = deps.now().getTime() - deps.redeliverWindowSeconds * 1000;
    for (const d of deliveries) {
      if (count >= deps.redeliverMax) break;
      if (d.event !== "workflow_job" || succeeded.has(d.guid) || d.redelivery) continue;
      if (Date.parse(d.deliveredAt) < oldest) continue;
      if (!(await deps.state.markRedelivered(d.guid, deps.now()))) continue;
      try {
        await deps.github.redeliver(d.id);
      } catch (error) {
        // Not asked after all: forget the mark so a later cycle asks again.
        await deps.state.deleteItem(`delivery#${d.guid}`);
        throw error;
      }
      succeeded.add(d.guid);
      count++;
    }
  });
  if (count > 0) {
    deps.metrics.count("WebhooksRedelivered", undefined, count);
    deps.log.info("failed webhook deliveries redelivered", { count });
  }
  return count;
}
