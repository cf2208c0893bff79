import { randomUUID } from "node:crypto";
import type { InstanceItem, JobItem } from "../jobs/items.ts";
import type { WarmMessage } from "../jobs/messages.ts";
import type { TaskSource } from "../shared/aws.ts";
import { errorMessage } from "../shared/errors.ts";
import type { GitHubAdmin, RunnerRegistration, RunnerScope } from "../shared/github.ts";
import type { Pool } from "../shared/pools.ts";
import type { RequeueDeps } from "../shared/requeue.ts";
import { clusterOfTask } from "../shared/tasks.ts";
import { attempt, execute } from "./execute.ts";
import { DEFAULT_SETTINGS, type Ec2Instance, type ReconcileSettings, reconcile } from "./reconcile.ts";

export interface Ec2Fleet {
  /** skiff's instances (tag skiff:prefix), in every state but terminated. */
  describe(): Promise<Ec2Instance[]>;
  terminate(instanceIds: string[]): Promise<void>;
  /** The version each launch template launches now, by id (one call; fails if any id is unknown). */
  launchTemplateVersions(launchTemplateIds: string[]): Promise<ReadonlyMap<string, number>>;
}

export type { TaskSource };

export interface TaskFleet {
  /** skiff's tasks of these pools in these clusters, running or recently stopped. */
  describe(sources: readonly TaskSource[]): Promise<Ec2Instance[]>;
  /** Stops tasks, each with its reason; one already stopped or gone is no error. */
  stop(tasks: readonly { taskArn: string; reason: string }[]): Promise<void>;
}

export interface JitCleaner {
  /** Deletes an instance's JIT parameter; a missing one is fine. */
  delete(instanceId: string): Promise<void>;
}

export interface ScaleDownDeps extends RequeueDeps {
  prefix: string;
  pools: ReadonlyMap<string, Pool>;
  ec2: Ec2Fleet;
  /** For Fargate pools; a reconcile with one refuses to run without it. */
  tasks?: TaskFleet;
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
  /** Sends a warm top-up to the jobs queue, for scale-up. */
  sendWarm(message: WarmMessage): Promise<void>;
  /** How long the reconcile lock is held (ms): as long as this invocation may still run. */
  lockMs: () => number;
}

export interface CycleSummary {
  /** 0 when another reconcile held the lock and this one did nothing. */
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
  // One reconcile at a time, without reserved concurrency (a new account's quota of 10 has
  // none to spare): a lock item held for as long as this invocation may run.
  const owner = randomUUID();
  const now = deps.now();
  if (!(await deps.state.meta.lock("reconcile", owner, now, now.getTime() + deps.lockMs()))) {
    deps.log.info("another reconcile is running; this one skips its cycle");
    return { cycle: 0, actions: {}, listedRegistrations: false, redelivered: 0 };
  }
  try {
    return await runCycle(deps);
  } finally {
    await deps.state.meta.unlock("reconcile", owner);
  }
}

async function runCycle(deps: ScaleDownDeps): Promise<CycleSummary> {
  const cycle = await deps.state.meta.nextCycle();
  // Counters first: a repair is written only if they did not move while the scan ran.
  const counters = await deps.state.pools.counters([...deps.pools.keys()]);
  const [table, ec2, launchTemplateVersions] = await Promise.all([
    deps.state.scan(),
    deps.ec2.describe(),
    currentLaunchTemplateVersions(deps),
  ]);
  // After the scan: every task it recorded is listed (a task exists before its item does).
  const tasks = await taskCensus(table.instances, deps);
  const registrations = await listRegistrationPage(table.jobs, cycle, deps);
  const listing = registrations !== undefined;

  const actions = reconcile({
    now: deps.now(),
    prefix: deps.prefix,
    pools: deps.pools,
    jobs: table.jobs,
    instances: table.instances,
    ec2: [...ec2, ...tasks],
    counters,
    ...(launchTemplateVersions ? { launchTemplateVersions } : {}),
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

/**
 * skiff's tasks: those of each Fargate pool, and those of the recorded tasks whose pool is gone
 * from the configuration (in the cluster their ARN names), so none outlives its pool unseen.
 */
async function taskCensus(instances: readonly InstanceItem[], deps: ScaleDownDeps): Promise<Ec2Instance[]> {
  const sources: TaskSource[] = [];
  for (const pool of deps.pools.values())
    if (pool.target === "fargate") sources.push({ cluster: pool.cluster, pool: pool.name });
  for (const item of instances) {
    const cluster = item.taskArn && clusterOfTask(item.taskArn);
    if (cluster && !deps.pools.has(item.pool)) sources.push({ cluster, pool: item.pool });
  }
  if (sources.length === 0) return [];
  // Without a census of its tasks the reconcile would take every task for gone: no cycle at all.
  if (!deps.tasks) throw new Error("Fargate tasks to reconcile, but scale-down was given no ECS client");
  return deps.tasks.describe(sources);
}

/**
 * The version each warm pool's launch template launches now: one DescribeLaunchTemplates call per
 * cycle, none without warm pools. Undefined when EC2 does not answer: the reconcile then replaces
 * no warm runner for its version this cycle (never on missing data).
 */
async function currentLaunchTemplateVersions(
  deps: ScaleDownDeps,
): Promise<ReadonlyMap<string, number> | undefined> {
  const ids = new Set<string>();
  for (const pool of deps.pools.values())
    if (pool.warm && pool.target === "ec2") ids.add(pool.launchTemplateId);
  if (ids.size === 0) return undefined;
  try {
    return await deps.ec2.launchTemplateVersions([...ids].sort());
  } catch (error) {
    deps.log.warn("launch template versions unknown: warm runners are not replaced for theirs this cycle", {
      launchTemplateIds: [...ids].sort(),
      error: errorMessage(error),
    });
    return undefined;
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
  let cursor = await deps.state.meta.get<ListingCursor>("listing");
  if (!cursor) {
    if (cycle % deps.listEvery !== 0 || scopes.length === 0) return undefined;
    cursor = { scope: scopes[0]?.[0] ?? "", page: 1 };
  }
  // The scope set may have changed since the cursor was written: go on from where it points.
  const index = scopes.findIndex(([key]) => key >= (cursor as ListingCursor).scope);
  const entry = index >= 0 ? scopes[index] : undefined;
  if (!entry) {
    await deps.state.meta.put("listing", undefined);
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
  await deps.state.meta.put("listing", next);
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
      if (!(await deps.state.marks.markRedelivered(d.guid, deps.now()))) continue;
      try {
        await deps.github.redeliver(d.id);
      } catch (error) {
        // Not asked after all: forget the mark so a later cycle asks again.
        await deps.state.marks.unmarkRedelivered(d.guid);
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
