import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobItem, NewInstance } from "../../src/jobs/items.ts";
import type { JobMessage } from "../../src/jobs/messages.ts";
import { JOB_STATUSES } from "../../src/jobs/status.ts";
import { JOB_TRANSITIONS, type JobTransitionName } from "../../src/jobs/transitions.ts";
import { keys } from "../../src/store/keys.ts";
import type { State } from "../../src/store/ports.ts";
import { startDynamo } from "../support/dynamo.ts";
import { memoryState } from "../support/memory-state.ts";

/** A store under test, and a way to put a job in any state without going through transitions. */
interface Subject {
  state: State;
  seed(job: JobItem): Promise<void>;
  close(): Promise<void>;
}

const subjects: Record<string, () => Promise<Subject>> = {
  memory: async () => {
    const state = memoryState();
    return { state, seed: async (job) => state.seedJob(job), close: async () => {} };
  },
  dynamodb: async () => {
    const db = await startDynamo();
    return {
      state: db.state,
      async seed(job) {
        await db.doc.send(new PutCommand({ TableName: db.table, Item: { pk: keys.job(job.jobId), ...job } }));
      },
      close: () => db.close(),
    };
  },
};

const now = new Date("2026-11-22T10:00:10Z");
let nextJob = 1000;

function message(jobId: number, pool = "ci"): JobMessage {
  return {
    kind: "job",
    jobId,
    runId: 1,
    owner: "acme",
    repository: "widgets",
    installationId: 42,
    pool,
    labels: ["ci"],
    queuedAt: "2026-11-22T10:00:00Z",
    deliveryId: `d-${jobId}`,
  };
}

function jobIn(status: JobItem["status"], extra: Partial<JobItem> = {}): JobItem {
  return {
    ...message(nextJob++),
    kind: undefined,
    status,
    attempts: 0,
    updatedAt: now.toISOString(),
    ...extra,
  } as unknown as JobItem;
}

function instance(instanceId: string, jobId: number): NewInstance {
  return {
    instanceId,
    jobId,
    pool: "ci",
    launchedAt: now.toISOString(),
    owner: "acme",
    repository: "widgets",
    runnerLevel: "repo",
    installationId: 42,
  };
}

describe.each(Object.keys(subjects))("the %s store", (kind) => {
  let s: Subject;
  beforeAll(async () => {
    s = await (subjects[kind] as () => Promise<Subject>)();
  });
  afterAll(async () => {
    await s.close();
  });

  describe("jobs.claim(message, token, now, leaseUntil)", () => {
    it("lets exactly one of many concurrent messages claim a job, and the others see who holds it", async () => {
      const id = nextJob++;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          s.state.jobs.claim(message(id), `m-${i}`, now, now.getTime() + 60_000),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const winner = (await s.state.jobs.get(id))?.claimedBy;
      for (const r of results.filter((r) => !r.ok))
        expect(r).toMatchObject({ ok: false, current: { claimedBy: winner } });
    });

    it("claims again once the claim was released by its holder, and only its holder may release it", async () => {
      const id = nextJob++;
      expect((await s.state.jobs.claim(message(id), "m1", now, now.getTime() + 60_000)).ok).toBe(true);
      expect((await s.state.jobs.transition(id, "released", {}, { now, token: "m2" })).ok).toBe(false);
      expect((await s.state.jobs.transition(id, "released", {}, { now, token: "m1" })).ok).toBe(true);
      expect((await s.state.jobs.claim(message(id), "m2", now, now.getTime() + 60_000)).ok).toBe(true);
      expect((await s.state.jobs.get(id))?.claimedBy).toBe("m2");
    });

    it("takes over a claim whose lease ran out, but never a job that holds a slot", async () => {
      const id = nextJob++;
      await s.state.jobs.claim(message(id), "m1", now, now.getTime() + 60_000);
      const later = new Date(now.getTime() + 61_000);
      expect((await s.state.jobs.claim(message(id), "m2", later, later.getTime() + 60_000)).ok).toBe(true);
      expect((await s.state.jobs.transition(id, "launching", {}, { now: later, token: "m2" })).ok).toBe(true);
      const muchLater = new Date(now.getTime() + 3_600_000);
      const refused = await s.state.jobs.claim(message(id), "m3", muchLater, muchLater.getTime() + 60_000);
      expect(refused).toMatchObject({ ok: false, current: { status: "launching", holdsSlot: true } });
    });
  });

  describe("jobs.transition(jobId, name, patch, options)", () => {
    const names = Object.keys(JOB_TRANSITIONS).filter(
      (n) => !["claim", "launched", "handedOver", "tookOver"].includes(n),
    ) as Exclude<JobTransitionName, "claim" | "launched" | "handedOver" | "tookOver">[];
    const cases = names.flatMap((name) => JOB_STATUSES.map((status) => [name, status] as const));

    it.each(cases)(
      "%s from %s is allowed exactly when the transitions table lists it",
      async (name, status) => {
        const job = jobIn(status, { claimedBy: "m1" });
        await s.seed(job);
        const t = JOB_TRANSITIONS[name];
        const result = await s.state.jobs.transition(job.jobId, name, {}, { now, token: "m1" });
        const allowed = (t.from as readonly string[]).includes(status);
        expect(result.ok).toBe(allowed);
        const after = await s.state.jobs.get(job.jobId);
        expect(after?.status).toBe(allowed && t.to !== "same" ? t.to : status);
        if (!result.ok) expect(result.current?.status).toBe(status);
      },
    );

    it("refuses a writer whose claim was taken over, and carries the current item", async () => {
      const id = nextJob++;
      await s.state.jobs.claim(message(id), "m1", now, now.getTime() + 60_000);
      const refused = await s.state.jobs.transition(id, "launching", {}, { now, token: "someone-else" });
      expect(refused).toMatchObject({ ok: false, current: { status: "claimed", claimedBy: "m1" } });
      expect((await s.state.jobs.transition(id, "registered", {}, { now })).ok).toBe(false);
      expect((await s.state.jobs.transition(id, "launching", {}, { now, token: "m1" })).ok).toBe(true);
    });

    it("refuses a job that does not exist, with no current item", async () => {
      expect(await s.state.jobs.transition(nextJob++, "completed", {}, { now })).toEqual({
        ok: false,
        current: undefined,
      });
    });

    it("gives a held slot back exactly once however many completions race, in the same write as the status", async () => {
      const id = nextJob++;
      const pool = `release-${kind}`;
      await s.state.pools.reserve(pool, 1, 5);
      await s.state.jobs.claim(message(id, pool), "m1", now, now.getTime() + 60_000);
      await s.state.jobs.transition(id, "launching", {}, { now, token: "m1" });
      const results = await Promise.all(
        [1, 2, 3].map(() => s.state.jobs.transition(id, "completed", { conclusion: "success" }, { now })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(await s.state.pools.active(pool)).toBe(0);
      expect(await s.state.jobs.get(id)).toMatchObject({
        status: "completed",
        holdsSlot: false,
        conclusion: "success",
      });
    });

    it("moves a job that holds no slot without touching its pool's counter", async () => {
      const id = nextJob++;
      const pool = `noslot-${kind}`;
      await s.state.pools.reserve(pool, 2, 5);
      await s.state.jobs.claim(message(id, pool), "m1", now, now.getTime() + 60_000);
      expect((await s.state.jobs.transition(id, "requeued", { requeues: 1 }, { now })).ok).toBe(true);
      expect(await s.state.pools.active(pool)).toBe(2);
    });
  });

  describe("jobs.launched(jobId, patch, instance, now)", () => {
    it("records the job and its instance together", async () => {
      const id = nextJob++;
      await s.state.jobs.claim(message(id), "m1", now, now.getTime() + 60_000);
      await s.state.jobs.transition(id, "launching", {}, { now, token: "m1" });
      const out = await s.state.jobs.launched(
        id,
        { instanceId: `i-${id.toString(16)}` },
        instance(`i-${id.toString(16)}`, id),
        now,
      );
      expect(out.ok).toBe(true);
      expect(await s.state.jobs.get(id)).toMatchObject({
        status: "launched",
        instanceId: `i-${id.toString(16)}`,
      });
      expect(await s.state.instances.get(`i-${id.toString(16)}`)).toMatchObject({
        status: "launched",
        jobId: id,
      });
    });

    it("writes neither when the instance is already recorded", async () => {
      const id = nextJob++;
      const taken = `i-${id.toString(16)}`;
      await s.state.jobs.claim(message(id - 1000), "x", now, 0);
      await s.state.jobs.claim(message(id), "m1", now, now.getTime() + 60_000);
      await s.state.jobs.transition(id, "launching", {}, { now, token: "m1" });
      const other = nextJob++;
      await s.state.jobs.claim(message(other), "m2", now, now.getTime() + 60_000);
      await s.state.jobs.transition(other, "launching", {}, { now, token: "m2" });
      expect(
        (await s.state.jobs.launched(other, { instanceId: taken }, instance(taken, other), now)).ok,
      ).toBe(true);
      const out = await s.state.jobs.launched(id, { instanceId: taken }, instance(taken, id), now);
      expect(out.ok).toBe(false);
      expect(await s.state.jobs.get(id)).toMatchObject({ status: "launching" });
      expect((await s.state.instances.get(taken))?.jobId).toBe(other);
    });

    it("writes neither when the job moved on (no instance item for a job that is not launching)", async () => {
      const id = nextJob++;
      await s.state.jobs.claim(message(id), "m1", now, now.getTime() + 60_000);
      const iid = `i-${id.toString(16)}`;
      const out = await s.state.jobs.launched(id, { instanceId: iid }, instance(iid, id), now);
      expect(out).toMatchObject({ ok: false, current: { status: "claimed" } });
      expect(await s.state.instances.get(iid)).toBeUndefined();
    });
  });

  describe("jobs.handOver(from, to, toMax, now)", () => {
    async function waiting(pool: string, token: string): Promise<JobItem> {
      const id = nextJob++;
      await s.state.pools.reserve(pool, 1, 100);
      await s.state.jobs.claim(message(id, pool), token, now, now.getTime() + 60_000);
      await s.state.jobs.transition(id, "launching", {}, { now, token });
      return (await s.state.jobs.get(id)) as JobItem;
    }
    async function claimed(pool: string): Promise<JobItem> {
      const id = nextJob++;
      await s.state.jobs.claim(message(id, pool), "c", now, now.getTime() + 60_000);
      return (await s.state.jobs.get(id)) as JobItem;
    }

    it("passes the slot within a pool: the giver goes back to the queue, the counter stays, its version moves", async () => {
      const pool = `hand-${kind}`;
      const from = await waiting(pool, "a");
      const to = await claimed(pool);
      const before = (await s.state.pools.counters([pool])).get(pool);
      expect((await s.state.jobs.handOver(from, to, 1, now)).ok).toBe(true);
      const after = (await s.state.pools.counters([pool])).get(pool);
      expect(after?.active).toBe(before?.active);
      expect(after?.version).toBeGreaterThan(before?.version ?? 0);
      expect(await s.state.jobs.get(from.jobId)).toMatchObject({
        status: "pending",
        holdsSlot: false,
        unsent: true,
      });
      expect(await s.state.jobs.get(to.jobId)).toMatchObject({ status: "claimed", holdsSlot: true });
    });

    it("moves the slot across pools only while the gaining pool stays within its cap", async () => {
      const a = `cross-a-${kind}`;
      const b = `cross-b-${kind}`;
      const from = await waiting(a, "a");
      await s.state.pools.reserve(b, 2, 2); // b is full
      const to = await claimed(b);
      expect((await s.state.jobs.handOver(from, to, 2, now)).ok).toBe(false);
      expect(await s.state.pools.active(a)).toBe(1);
      expect(await s.state.pools.active(b)).toBe(2);
      expect(await s.state.jobs.get(from.jobId)).toMatchObject({ status: "launching", holdsSlot: true });
      expect((await s.state.jobs.get(to.jobId))?.holdsSlot).toBeFalsy();

      expect((await s.state.jobs.handOver(from, to, 3, now)).ok).toBe(true);
      expect(await s.state.pools.active(a)).toBe(0);
      expect(await s.state.pools.active(b)).toBe(3);
    });

    it("refuses a giver that no longer waits", async () => {
      const pool = `hand2-${kind}`;
      const from = await waiting(pool, "a");
      await s.state.jobs.transition(from.jobId, "requeued", {}, { now });
      const to = await claimed(pool);
      expect(await s.state.jobs.handOver(from, to, 5, now)).toMatchObject({
        ok: false,
        current: { status: "pending" },
      });
      expect((await s.state.jobs.get(to.jobId))?.holdsSlot).toBeFalsy();
    });
  });

  describe("pools", () => {
    it("reserve never lets 20 concurrent reservations exceed max_runners = 10", async () => {
      const pool = `capped-${kind}`;
      const granted = await Promise.all(Array.from({ length: 20 }, () => s.state.pools.reserve(pool, 1, 10)));
      expect(granted.reduce((a, b) => a + b, 0)).toBe(10);
      expect(await s.state.pools.active(pool)).toBe(10);
    });

    it("reserve grants part of a request when only part fits", async () => {
      const pool = `partial-${kind}`;
      expect(await s.state.pools.reserve(pool, 7, 10)).toBe(7);
      expect(await s.state.pools.reserve(pool, 7, 10)).toBe(3);
      expect(await s.state.pools.reserve(pool, 1, 10)).toBe(0);
    });

    it("repair writes only when the counter's version has not moved since it was seen", async () => {
      const pool = `repair-${kind}`;
      await s.state.pools.reserve(pool, 3, 10);
      const seen = (await s.state.pools.counters([pool])).get(pool);
      expect(seen?.active).toBe(3);
      await s.state.pools.reserve(pool, 1, 10);
      await s.state.pools.release(pool, 1); // back to 3: same value, newer version
      expect(await s.state.pools.repair(pool, 1, seen as { active: number; version: number })).toBe(false);
      expect(await s.state.pools.active(pool)).toBe(3);
      const fresh = (await s.state.pools.counters([pool])).get(pool);
      expect(await s.state.pools.repair(pool, 1, fresh as { active: number; version: number })).toBe(true);
      expect(await s.state.pools.active(pool)).toBe(1);
    });

    it("counters names every pool asked for, zero for pools never used", async () => {
      expect((await s.state.pools.counters([`unused-${kind}`])).get(`unused-${kind}`)).toEqual({
        active: 0,
        version: 0,
      });
    });
  });

  describe("instances.transition(instanceId, name, patch, now)", () => {
    it("marks an instance busy only from launched, done from launched or busy, and refuses with the current item", async () => {
      const id = nextJob++;
      const iid = `i-${id.toString(16)}`;
      await s.state.jobs.claim(message(id), "m1", now, now.getTime() + 60_000);
      await s.state.jobs.transition(id, "launching", {}, { now, token: "m1" });
      await s.state.jobs.launched(id, { instanceId: iid }, instance(iid, id), now);
      expect((await s.state.instances.transition(iid, "started", { busyJobId: id }, now)).ok).toBe(true);
      expect(await s.state.instances.transition(iid, "started", { busyJobId: 7 }, now)).toMatchObject({
        ok: false,
        current: { status: "busy", busyJobId: id },
      });
      expect((await s.state.instances.transition(iid, "done", {}, now)).ok).toBe(true);
      expect((await s.state.instances.transition(iid, "gone", {}, now)).ok).toBe(true);
      expect((await s.state.instances.transition(iid, "done", {}, now)).ok).toBe(false);
    });

    it("never creates an item for an instance skiff did not record", async () => {
      expect(await s.state.instances.transition("i-0ff", "started", {}, now)).toEqual({
        ok: false,
        current: undefined,
      });
      expect(await s.state.instances.get("i-0ff")).toBeUndefined();
    });
  });

  describe("warm runners", () => {
    let n = 0;
    /** A warm runner launched on a reserved slot, waiting. */
    async function warmRunner(pool: string): Promise<string> {
      const instanceId = `i-${(0xa000 + ++n).toString(16)}${kind === "memory" ? "1" : "2"}`;
      expect(await s.state.pools.reserve(pool, 1, 10)).toBe(1);
      await s.state.warm.record(
        {
          instanceId,
          pool,
          launchedAt: now.toISOString(),
          owner: "acme",
          repository: "",
          runnerLevel: "org",
          installationId: 42,
        },
        now,
      );
      return instanceId;
    }
    async function claimed(pool: string, token = "m1"): Promise<number> {
      const id = nextJob++;
      await s.state.jobs.claim(message(id, pool), token, now, now.getTime() + 60_000);
      return id;
    }

    it("record puts a runner in its pool's idle set, holding the slot reserved for it", async () => {
      const pool = `warm-rec-${kind}`;
      const w = await warmRunner(pool);
      expect(await s.state.warm.idle(pool)).toEqual([w]);
      expect(await s.state.instances.get(w)).toMatchObject({
        warm: true,
        holdsSlot: true,
        status: "launched",
      });
      expect(await s.state.pools.active(pool)).toBe(1);
    });

    it("adopt sets a waiting runner aside for one claimed job: the slot passes, the job is registered on it", async () => {
      const pool = `warm-adopt-${kind}`;
      const w = await warmRunner(pool);
      const [a, b] = [await claimed(pool, "ma"), await claimed(pool, "mb")];
      const results = await Promise.all([
        s.state.warm.adopt(a, "ma", w, `ci-${w}`, now),
        s.state.warm.adopt(b, "mb", w, `ci-${w}`, now),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const winner = results[0]?.ok ? a : b;
      expect(await s.state.jobs.get(winner)).toMatchObject({
        status: "registered",
        instanceId: w,
        holdsSlot: true,
      });
      expect(await s.state.instances.get(w)).toMatchObject({ jobId: winner, holdsSlot: false });
      expect(await s.state.warm.idle(pool)).toEqual([]);
      expect(await s.state.pools.active(pool)).toBe(1);
    });

    it("adopt refuses a job whose claim moved, and leaves the runner waiting", async () => {
      const pool = `warm-refuse-${kind}`;
      const w = await warmRunner(pool);
      const a = await claimed(pool, "ma");
      expect((await s.state.warm.adopt(a, "someone-else", w, `ci-${w}`, now)).ok).toBe(false);
      expect(await s.state.warm.idle(pool)).toEqual([w]);
      expect(await s.state.instances.get(w)).toMatchObject({ holdsSlot: true });
      expect((await s.state.instances.get(w))?.jobId).toBeUndefined();
    });

    it("unadopt gives the runner back with its slot when its job started elsewhere", async () => {
      const pool = `warm-back-${kind}`;
      const w = await warmRunner(pool);
      const a = await claimed(pool);
      await s.state.warm.adopt(a, "m1", w, `ci-${w}`, now);
      expect((await s.state.warm.unadopt(w, a, now)).ok).toBe(true);
      expect(await s.state.warm.idle(pool)).toEqual([w]);
      expect(await s.state.jobs.get(a)).toMatchObject({ holdsSlot: false });
      expect(await s.state.instances.get(w)).toMatchObject({ holdsSlot: true });
      expect(await s.state.pools.active(pool)).toBe(1);
      expect((await s.state.warm.unadopt(w, a, now)).ok).toBe(false);
    });

    /** A claimed job of `pool` with a cold instance launched for it (the job holds its slot). */
    async function launchedCold(pool: string): Promise<{ jobId: number; instanceId: string }> {
      const jobId = await claimed(pool);
      const instanceId = `i-c${jobId.toString(16)}${kind === "memory" ? "1" : "2"}`;
      expect(await s.state.pools.reserve(pool, 1, 10)).toBe(1);
      await s.state.jobs.transition(jobId, "launching", {}, { now, token: "m1" });
      await s.state.jobs.launched(jobId, { instanceId }, { ...instance(instanceId, jobId), pool }, now);
      return { jobId, instanceId };
    }

    it("take passes a waiting runner's slot to a job that holds none", async () => {
      const pool = `warm-take-${kind}`;
      const w1 = await warmRunner(pool);
      const a = await claimed(pool);
      expect((await s.state.warm.take(w1, (await s.state.jobs.get(a)) as JobItem, now)).ok).toBe(true);
      expect(await s.state.jobs.get(a)).toMatchObject({ holdsSlot: true });
      expect(await s.state.instances.get(w1)).toMatchObject({ jobId: a, holdsSlot: false });
      expect(await s.state.pools.active(pool)).toBe(1);
      expect(await s.state.warm.idle(pool)).toEqual([]);
      expect((await s.state.warm.take(w1, (await s.state.jobs.get(a)) as JobItem, now)).ok).toBe(false);
    });

    it("take by a job that holds a slot for its own live instance: that instance keeps the runner's slot", async () => {
      // Two live instances (the warm runner running the job, the instance launched for it and
      // now without a job) need two slots until one of them goes.
      const pool = `warm-take-cold-${kind}`;
      const w = await warmRunner(pool);
      const { jobId, instanceId } = await launchedCold(pool);
      expect(await s.state.pools.active(pool)).toBe(2);
      expect((await s.state.warm.take(w, (await s.state.jobs.get(jobId)) as JobItem, now)).ok).toBe(true);
      expect(await s.state.pools.active(pool)).toBe(2);
      expect(await s.state.warm.idle(pool)).toEqual([]);
      expect(await s.state.instances.get(w)).toMatchObject({ jobId, holdsSlot: false });
      expect(await s.state.instances.get(instanceId)).toMatchObject({ holdsSlot: true });
      // The job completes on the warm runner: its slot goes; the other instance still holds one.
      expect((await s.state.jobs.transition(jobId, "completed", {}, { now })).ok).toBe(true);
      expect(await s.state.pools.active(pool)).toBe(1);
      // It goes down: the slot it held goes back, once.
      expect(await s.state.instances.release(instanceId, now)).toBe(true);
      expect(await s.state.instances.release(instanceId, now)).toBe(false);
      expect(await s.state.pools.active(pool)).toBe(0);
    });

    it("completed with keepOn: the slot passes to the first instance not down that holds none, else goes back", async () => {
      // The job ran on another runner; the instance launched for it is still up (it may run
      // another job): it keeps the slot until it goes.
      const pool = `keep-for-${kind}`;
      const { jobId, instanceId } = await launchedCold(pool);
      const done = await s.state.jobs.transition(jobId, "completed", {}, { now, keepOn: [instanceId] });
      expect(done.ok).toBe(true);
      expect(await s.state.jobs.get(jobId)).toMatchObject({ status: "completed", holdsSlot: false });
      expect(await s.state.instances.get(instanceId)).toMatchObject({ holdsSlot: true });
      expect(await s.state.pools.active(pool)).toBe(1);
      expect(await s.state.instances.release(instanceId, now)).toBe(true);
      expect(await s.state.pools.active(pool)).toBe(0);

      // Its instance is gone already: the slot goes back to the pool.
      const other = await launchedCold(pool);
      await s.state.instances.transition(other.instanceId, "gone", {}, now);
      expect(
        (await s.state.jobs.transition(other.jobId, "completed", {}, { now, keepOn: [other.instanceId] })).ok,
      ).toBe(true);
      expect(await s.state.instances.get(other.instanceId)).toMatchObject({ status: "gone" });
      expect((await s.state.instances.get(other.instanceId))?.holdsSlot).not.toBe(true);
      expect(await s.state.pools.active(pool)).toBe(0);
    });

    it("completed with keepOn: a candidate that is down, holds a slot or is not tied to the job passes it on", async () => {
      const pool = `keep-on-order-${kind}`;
      const a = await launchedCold(pool);
      const b = await launchedCold(pool);
      const c = await launchedCold(pool);
      const d = await launchedCold(pool);
      await s.state.instances.transition(a.instanceId, "gone", {}, now);
      // b's instance already holds a slot (its job's, kept); d's is up but has nothing to do
      // with job a; c's ran job a and is powering off: c's instance takes a's slot.
      await s.state.jobs.transition(b.jobId, "completed", {}, { now, keepOn: [b.instanceId] });
      await s.state.instances.transition(c.instanceId, "started", { busyJobId: a.jobId }, now);
      await s.state.instances.transition(c.instanceId, "done", {}, now);
      const keepOn = [a.instanceId, b.instanceId, d.instanceId, c.instanceId];
      expect((await s.state.jobs.transition(a.jobId, "completed", {}, { now, keepOn })).ok).toBe(true);
      expect(await s.state.instances.get(c.instanceId)).toMatchObject({ holdsSlot: true });
      expect((await s.state.instances.get(d.instanceId))?.holdsSlot).not.toBe(true);
      expect((await s.state.instances.get(a.instanceId))?.holdsSlot).not.toBe(true);
      expect(await s.state.pools.active(pool)).toBe(4);
      // Once c's own job is done too, nothing is left to keep it: back to the pool.
      expect(
        (await s.state.jobs.transition(c.jobId, "completed", {}, { now, keepOn: [c.instanceId] })).ok,
      ).toBe(true);
      expect(await s.state.pools.active(pool)).toBe(3);
    });

    it("take by a job that holds a slot but has no live instance: the runner keeps its own slot until it goes", async () => {
      const pool = `warm-take-keep-${kind}`;
      const [w1, w2] = [await warmRunner(pool), await warmRunner(pool)];
      const a = await claimed(pool);
      await s.state.warm.take(w1, (await s.state.jobs.get(a)) as JobItem, now);
      // A second runner starting the same job (it cannot, but an event may say so) keeps its slot.
      expect((await s.state.warm.take(w2, (await s.state.jobs.get(a)) as JobItem, now)).ok).toBe(true);
      expect(await s.state.pools.active(pool)).toBe(2);
      expect(await s.state.warm.idle(pool)).toEqual([]);
      expect(await s.state.instances.get(w2)).toMatchObject({ jobId: a, holdsSlot: true });
      // Never retired as if it waited: it runs a job.
      expect(await s.state.warm.retire(w2, pool, now)).toBe(false);
      await s.state.instances.forget(w2);
      expect(await s.state.pools.active(pool)).toBe(1);
    });

    it("retire takes a waiting runner out of service once, returning its slot; never an adopted one", async () => {
      const pool = `warm-retire-${kind}`;
      const [w1, w2] = [await warmRunner(pool), await warmRunner(pool)];
      const results = await Promise.all([1, 2, 3].map(() => s.state.warm.retire(w1, pool, now)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await s.state.pools.active(pool)).toBe(1);
      const a = await claimed(pool);
      await s.state.warm.adopt(a, "m1", w2, `ci-${w2}`, now);
      expect(await s.state.warm.retire(w2, pool, now)).toBe(false);
      expect(await s.state.pools.active(pool)).toBe(1);
    });

    it("forget of a waiting runner gives its slot back", async () => {
      const pool = `warm-forget-${kind}`;
      const w = await warmRunner(pool);
      await s.state.instances.forget(w);
      expect(await s.state.pools.active(pool)).toBe(0);
      expect(await s.state.warm.idle(pool)).toEqual([]);
    });

    it("every warm change moves the pool counter's version", async () => {
      const pool = `warm-version-${kind}`;
      const w = await warmRunner(pool);
      const before = (await s.state.pools.counters([pool])).get(pool)?.version ?? 0;
      const a = await claimed(pool);
      await s.state.warm.adopt(a, "m1", w, `ci-${w}`, now);
      const after = (await s.state.pools.counters([pool])).get(pool)?.version ?? 0;
      expect(after).toBeGreaterThan(before);
    });
  });

  describe("marks and meta", () => {
    it("marks a run and a delivery once, until unmarked", async () => {
      expect(await s.state.marks.markRunOnDemand(77, now)).toBe(true);
      expect(await s.state.marks.markRunOnDemand(77, now)).toBe(false);
      expect([...(await s.state.marks.onDemandRuns([77, 78]))]).toEqual([77]);
      await s.state.marks.unmarkRun(77);
      expect((await s.state.marks.onDemandRuns([77])).size).toBe(0);
      expect(await s.state.marks.markRedelivered("g1", now)).toBe(true);
      expect(await s.state.marks.markRedelivered("g1", now)).toBe(false);
      await s.state.marks.unmarkRedelivered("g1");
      expect(await s.state.marks.markRedelivered("g1", now)).toBe(true);
    });

    it("keeps records, counts cycles and holds a lock for one owner until it expires", async () => {
      await s.state.meta.put("listing", { scope: "org/acme", page: 2 });
      expect(await s.state.meta.get("listing")).toEqual({ scope: "org/acme", page: 2 });
      await s.state.meta.put("listing", undefined);
      expect(await s.state.meta.get("listing")).toBeUndefined();
      const first = await s.state.meta.nextCycle();
      expect(await s.state.meta.nextCycle()).toBe(first + 1);
      const t = now.getTime();
      expect(await s.state.meta.lock("reconcile", "a", now, t + 1000)).toBe(true);
      expect(await s.state.meta.lock("reconcile", "b", now, t + 1000)).toBe(false);
      expect(await s.state.meta.lock("reconcile", "b", new Date(t + 1001), t + 2000)).toBe(true);
      await s.state.meta.unlock("reconcile", "a"); // not a's any more
      expect(await s.state.meta.lock("reconcile", "a", new Date(t + 1500), t + 3000)).toBe(false);
      await s.state.meta.unlock("reconcile", "b");
      expect(await s.state.meta.lock("reconcile", "a", new Date(t + 1500), t + 3000)).toBe(true);
    });
  });

  it("scan() returns the jobs and instances and nothing else", async () => {
    const { jobs, instances } = await s.state.scan();
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => typeof j.jobId === "number" && !("pk" in j))).toBe(true);
    expect(instances.every((i) => i.instanceId.startsWith("i-"))).toBe(true);
  });
});
