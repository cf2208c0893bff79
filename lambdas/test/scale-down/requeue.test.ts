import { describe, expect, it } from "vitest";
import type { JobMessage } from "../../src/jobs/messages.ts";
import { type RequeueDeps, requeueJob } from "../../src/shared/requeue.ts";
import { memoryState } from "../support/memory-state.ts";
import { memoryCounter, memoryLog } from "../support/observe.ts";

const now = new Date("2026-11-22T10:00:00Z");
const message = (jobId: number): JobMessage => ({
  kind: "job",
  jobId,
  runId: 1,
  owner: "acme",
  repository: "widgets",
  installationId: 42,
  pool: "ci",
  labels: ["ci"],
  queuedAt: now.toISOString(),
  deliveryId: `d-${jobId}`,
});

const instance = (instanceId: string, jobId: number) => ({
  instanceId,
  jobId,
  pool: "ci",
  launchedAt: now.toISOString(),
  owner: "acme",
  repository: "widgets",
  runnerLevel: "repo" as const,
  installationId: 42,
});

describe("requeueJob(job, reason, deps)", () => {
  const db = { state: memoryState() };
  const sent: JobMessage[] = [];
  const deps = (): RequeueDeps => ({
    state: db.state,
    sendJob: async (m) => void sent.push(m),
    sendDeadLetter: async (m) => void sent.push(m),
    log: memoryLog(),
    metrics: memoryCounter(),
    now: () => now,
    maxRequeues: 3,
  });

  /** A job launched with a slot, as scale-up leaves it. */
  async function launchedJob(jobId: number) {
    await db.state.jobs.claim(message(jobId), "m1", now, now.getTime() + 60_000);
    await db.state.pools.reserve("ci", 1, 10);
    await db.state.jobs.transition(jobId, "launching", {}, { now, token: "m1" });
    const instanceId = `i-${jobId}`;
    await db.state.jobs.launched(jobId, { instanceId }, instance(instanceId, jobId), now);
    const job = await db.state.jobs.get(jobId);
    if (!job) throw new Error("no job");
    return job;
  }

  it("puts a waiting job back once, its slot staying with its instance until that is down, however often it is asked", async () => {
    // Prepare
    const job = await launchedJob(1);
    const before = await db.state.pools.active("ci");
    sent.length = 0;

    // Act
    const outcomes = await Promise.all([1, 2, 3].map(() => requeueJob(job, "test", deps())));

    // Assess
    expect(outcomes.filter((o) => o === "requeued")).toHaveLength(1);
    expect(sent.map((m) => m.jobId)).toEqual([1]);
    expect(await db.state.jobs.get(1)).toMatchObject({ status: "pending", holdsSlot: false, unsent: false });
    expect(await db.state.instances.get("i-1")).toMatchObject({ holdsSlot: true });
    expect(await db.state.pools.active("ci")).toBe(before);
    expect(await db.state.instances.release("i-1", now)).toBe(true);
    expect(await db.state.instances.release("i-1", now)).toBe(false);
    expect(await db.state.pools.active("ci")).toBe(before - 1);
  });

  it("leaves alone a job that started running after the decision was made (a stale snapshot)", async () => {
    // Prepare: the reconcile read job 2 as launched; then its in_progress arrived.
    const snapshot = await launchedJob(2);
    await db.state.jobs.transition(2, "started", {}, { now });
    const before = await db.state.pools.active("ci");
    sent.length = 0;

    // Act
    const outcome = await requeueJob(snapshot, "its runner took another job", deps());

    // Assess
    expect(outcome).toBe("skipped");
    expect(sent).toEqual([]);
    expect(await db.state.jobs.get(2)).toMatchObject({ status: "running", holdsSlot: true });
    expect(await db.state.pools.active("ci")).toBe(before);
  });
});
