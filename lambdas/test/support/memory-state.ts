import {
  claimedJob,
  type InstanceItem,
  type JobItem,
  type JobPatch,
  type NewInstance,
} from "../../src/jobs/items.ts";
import type { JobMessage } from "../../src/jobs/messages.ts";
import { INSTANCE_UP, isIn } from "../../src/jobs/status.ts";
import {
  INSTANCE_TRANSITIONS,
  type InstanceTransition,
  JOB_TRANSITIONS,
  type JobTransition,
} from "../../src/jobs/transitions.ts";
import type { PoolCounter, Snapshot, State, Written } from "../../src/store/ports.ts";

const copy = <T>(value: T): T => (value === undefined ? value : structuredClone(value));
const defined = (patch: object) =>
  Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
const refused = <T>(current: T | undefined): Written<T> => ({ ok: false, current: copy(current) });

/**
 * skiff's state in memory, for logic tests: every write is checked and applied in one
 * synchronous step, so it is as atomic as DynamoDB's conditional writes and transactions.
 * The contract suite (test/store/contract.test.ts) holds it to the DynamoDB store's behaviour.
 */
export function memoryState(): State & { counter(pool: string): PoolCounter; seedJob(job: JobItem): void } {
  const jobs = new Map<number, JobItem>();
  const instances = new Map<string, InstanceItem>();
  const pools = new Map<string, PoolCounter>();
  const runs = new Set<number>();
  const deliveries = new Set<string>();
  const meta = new Map<string, unknown>();
  const locks = new Map<string, { owner: string; until: number }>();
  const idle = new Map<string, Set<string>>();
  const idleOf = (pool: string) => {
    let set = idle.get(pool);
    if (!set) {
      set = new Set();
      idle.set(pool, set);
    }
    return set;
  };
  /** A slot an instance's own item holds goes back to its pool, once. */
  const releaseHeld = (instanceId: string, now: Date): boolean => {
    const item = instances.get(instanceId);
    if (!item?.holdsSlot) return false;
    idleOf(item.pool).delete(instanceId);
    add(item.pool, -1);
    Object.assign(item, { holdsSlot: false, updatedAt: now.toISOString() });
    return true;
  };

  const counter = (pool: string) => {
    let c = pools.get(pool);
    if (!c) {
      c = { active: 0, version: 0 };
      pools.set(pool, c);
    }
    return c;
  };
  const add = (pool: string, n: number) => {
    const c = counter(pool);
    c.active += n;
    c.version += 1;
  };
  const allowed = (t: JobTransition, job: JobItem | undefined): job is JobItem =>
    job !== undefined && (t.from as readonly string[]).includes(job.status);
  const move = (job: JobItem, t: JobTransition, patch: object, now: Date) => {
    Object.assign(job, defined(patch), t.to === "same" ? {} : { status: t.to }, {
      updatedAt: now.toISOString(),
    });
  };

  return {
    counter: (pool) => copy(counter(pool)),
    /** Puts a job in any state, for tests that start from it. */
    seedJob: (job) => {
      jobs.set(job.jobId, copy(job));
    },
    jobs: {
      async get(jobId) {
        return copy(jobs.get(jobId));
      },
      async claim(message: JobMessage, token, now, leaseUntil) {
        const previous = jobs.get(message.jobId);
        const t = JOB_TRANSITIONS.claim;
        const expired = previous?.status === t.to && (previous.leaseUntil ?? 0) < now.getTime();
        if (previous && !allowed(t, previous) && !expired) return refused(previous);
        jobs.set(message.jobId, {
          ...claimedJob(message, previous),
          claimedBy: token,
          leaseUntil,
          updatedAt: now.toISOString(),
        });
        return { ok: true };
      },
      async transition(jobId, name, patch, { now, token, keepOn }) {
        const t: JobTransition = JOB_TRANSITIONS[name];
        const job = jobs.get(jobId);
        if (t.claimed && token === undefined) throw new Error(`transition "${name}" needs the claim token`);
        if (!allowed(t, job)) return refused(job);
        if (t.claimed && job.claimedBy !== token) return refused(job);
        if (t.slot === "hold") {
          if (job.holdsSlot) return refused(job);
          move(job, t, { ...patch, holdsSlot: true }, now);
        } else if (t.slot === "release") {
          const keeper = (keepOn ?? [])
            .map((id) => instances.get(id))
            .find(
              (i) =>
                i &&
                isIn(INSTANCE_UP, i.status) &&
                !i.holdsSlot &&
                (i.jobId === jobId || i.busyJobId === jobId),
            );
          if (job.holdsSlot && keeper) {
            Object.assign(keeper, { holdsSlot: true, updatedAt: now.toISOString() });
            add(job.pool, 0);
          } else if (job.holdsSlot) add(job.pool, -1);
          move(job, t, { ...patch, holdsSlot: false }, now);
        } else {
          move(job, t, patch, now);
        }
        return { ok: true };
      },
      async launched(jobId, patch: JobPatch, instance: NewInstance, now) {
        const t: JobTransition = JOB_TRANSITIONS.launched;
        const job = jobs.get(jobId);
        if (!allowed(t, job)) return refused(job);
        if (instances.has(instance.instanceId)) return refused(job);
        move(job, t, patch, now);
        instances.set(instance.instanceId, {
          ...copy(instance),
          status: "launched",
          updatedAt: now.toISOString(),
        });
        return { ok: true };
      },
      async handOver(from, to, toMax, now) {
        const give: JobTransition = JOB_TRANSITIONS.handedOver;
        const take: JobTransition = JOB_TRANSITIONS.tookOver;
        const giver = jobs.get(from.jobId);
        const taker = jobs.get(to.jobId);
        if (!allowed(give, giver) || !giver.holdsSlot) return refused(giver);
        if (!allowed(take, taker) || taker.holdsSlot) return refused(giver);
        if (giver.pool !== taker.pool) {
          if (counter(taker.pool).active > toMax - 1) return refused(giver);
          add(giver.pool, -1);
          add(taker.pool, 1);
        } else {
          add(giver.pool, 0);
        }
        move(giver, give, { unsent: true, holdsSlot: false }, now);
        move(taker, take, { holdsSlot: true }, now);
        return { ok: true };
      },
    },
    instances: {
      async get(instanceId) {
        return copy(instances.get(instanceId));
      },
      async transition(instanceId, name, patch, now) {
        const t: InstanceTransition = INSTANCE_TRANSITIONS[name];
        const item = instances.get(instanceId);
        if (!item || !(t.from as readonly string[]).includes(item.status)) return refused(item);
        Object.assign(item, defined(patch), t.to === "same" ? {} : { status: t.to }, {
          updatedAt: now.toISOString(),
        });
        return { ok: true };
      },
      async release(instanceId, now) {
        return releaseHeld(instanceId, now);
      },
      async forget(instanceId) {
        releaseHeld(instanceId, new Date());
        instances.delete(instanceId);
      },
    },
    warm: {
      async idle(pool) {
        return [...idleOf(pool)].sort();
      },
      async record(instance, now) {
        if (instances.has(instance.instanceId))
          throw new Error(`instance ${instance.instanceId} already recorded`);
        instances.set(instance.instanceId, {
          ...copy(instance),
          warm: true,
          holdsSlot: true,
          status: "launched",
          updatedAt: now.toISOString(),
        });
        idleOf(instance.pool).add(instance.instanceId);
        add(instance.pool, 0);
      },
      async adopt(jobId, token, instanceId, runnerName, now) {
        const t: JobTransition = JOB_TRANSITIONS.adopted;
        const job = jobs.get(jobId);
        const item = instances.get(instanceId);
        if (!item || !idleOf(item.pool).has(instanceId) || !item.holdsSlot || item.jobId !== undefined)
          return refused(job);
        if (item.status !== "launched") return refused(job);
        if (!allowed(t, job) || job.claimedBy !== token || job.holdsSlot) return refused(job);
        const at = now.toISOString();
        idleOf(item.pool).delete(instanceId);
        add(item.pool, 0);
        Object.assign(item, { jobId, adoptedAt: at, holdsSlot: false, updatedAt: at });
        move(job, t, { instanceId, runnerName, registeredAt: at, launchedAt: at, holdsSlot: true }, now);
        return { ok: true };
      },
      async unadopt(instanceId, jobId, now) {
        const item = instances.get(instanceId);
        const job = jobs.get(jobId);
        if (!item?.warm || item.jobId !== jobId || item.status !== "launched") return refused(item);
        if (!allowed(JOB_TRANSITIONS.gaveBack, job) || !job.holdsSlot || job.instanceId !== instanceId)
          return refused(item);
        const at = now.toISOString();
        delete item.jobId;
        delete item.adoptedAt;
        Object.assign(item, { holdsSlot: true, updatedAt: at });
        Object.assign(job, { holdsSlot: false, updatedAt: at });
        idleOf(item.pool).add(instanceId);
        add(item.pool, 0);
        return { ok: true };
      },
      async take(instanceId, job, now) {
        const item = instances.get(instanceId);
        if (!item?.warm || item.jobId !== undefined || !item.holdsSlot || !idleOf(item.pool).has(instanceId))
          return refused(item);
        const current = jobs.get(job.jobId);
        const at = now.toISOString();
        let keep = false;
        if (!job.holdsSlot) {
          if (!allowed(JOB_TRANSITIONS.tookOver, current) || current.holdsSlot) return refused(item);
          Object.assign(current, { holdsSlot: true, updatedAt: at });
        } else {
          const own = job.instanceId === instanceId ? undefined : instances.get(job.instanceId ?? "");
          if (own && isIn(INSTANCE_UP, own.status) && !own.holdsSlot && own.jobId === job.jobId)
            Object.assign(own, { holdsSlot: true, updatedAt: at });
          else keep = true;
        }
        add(item.pool, 0);
        idleOf(item.pool).delete(instanceId);
        Object.assign(item, { jobId: job.jobId, holdsSlot: keep, updatedAt: at });
        return { ok: true };
      },
      async retire(instanceId, pool, now) {
        const item = instances.get(instanceId);
        if (!idleOf(pool).has(instanceId) || !item?.holdsSlot || item.jobId !== undefined) return false;
        idleOf(pool).delete(instanceId);
        add(pool, -1);
        Object.assign(item, { holdsSlot: false, updatedAt: now.toISOString() });
        return true;
      },
    },
    pools: {
      async active(pool) {
        return pools.get(pool)?.active ?? 0;
      },
      async reserve(pool, wanted, max) {
        const n = Math.min(wanted, max - Math.max(0, counter(pool).active));
        if (n <= 0) return 0;
        add(pool, n);
        return n;
      },
      async release(pool, n) {
        if (n > 0 && counter(pool).active >= n) add(pool, -n);
      },
      async counters(names) {
        return new Map(names.map((name) => [name, copy(pools.get(name) ?? { active: 0, version: 0 })]));
      },
      async repair(pool, active, seen) {
        const c = pools.get(pool) ?? { active: 0, version: 0 };
        if (c.version !== seen.version || (seen.version === 0 && c.active !== seen.active)) return false;
        pools.set(pool, { active, version: c.version + 1 });
        return true;
      },
    },
    marks: {
      async markRunOnDemand(runId) {
        if (runs.has(runId)) return false;
        runs.add(runId);
        return true;
      },
      async unmarkRun(runId) {
        runs.delete(runId);
      },
      async onDemandRuns(runIds) {
        return new Set(runIds.filter((id) => runs.has(id)));
      },
      async markRedelivered(guid) {
        if (deliveries.has(guid)) return false;
        deliveries.add(guid);
        return true;
      },
      async unmarkRedelivered(guid) {
        deliveries.delete(guid);
      },
    },
    meta: {
      async get<T>(name: string) {
        return copy(meta.get(name)) as T | undefined;
      },
      async put(name, value) {
        if (value === undefined) meta.delete(name);
        else meta.set(name, copy(value));
      },
      async nextCycle() {
        const cycle = Number(meta.get("cycle") ?? 0) + 1;
        meta.set("cycle", cycle);
        return cycle;
      },
      async lock(name, owner, now, until) {
        const held = locks.get(name);
        if (held && held.until >= now.getTime() && held.owner !== owner) return false;
        locks.set(name, { owner, until });
        return true;
      },
      async unlock(name, owner) {
        if (locks.get(name)?.owner === owner) locks.delete(name);
      },
    },
    async scan(): Promise<Snapshot> {
      return { jobs: [...jobs.values()].map(copy), instances: [...instances.values()].map(copy) };
    },
  };
}
