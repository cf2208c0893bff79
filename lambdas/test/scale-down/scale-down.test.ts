import { afterEach, describe, expect, it } from "vitest";
import { scaleDown } from "../../src/scale-down/scale-down.ts";
import { INSTALLATION_ID, type Plane, type PlaneOptions, startPlane } from "./plane.ts";

const LIST = "GET /repos/{owner}/{repo}/actions/runners";
const DELETE = "DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}";
const DELIVERIES = "GET /app/hook/deliveries";
const REDELIVER = "POST /app/hook/deliveries/{delivery_id}/attempts";

let plane: Plane;
async function start(options: PlaneOptions = {}) {
  plane = await startPlane(options);
}
afterEach(async () => {
  await plane?.close();
});

async function launch() {
  const job = await plane.queueJob();
  await plane.scaleUp();
  const item = await plane.state.jobs.get(job.id);
  if (!item?.instanceId || !item.runnerId) throw new Error(`job ${job.id} was not launched`);
  return { jobId: job.id, instanceId: item.instanceId, runnerId: item.runnerId };
}

/** GitHub calls made while `work` runs. */
async function githubCalls(work: () => Promise<unknown>) {
  const before = plane.github.calls.length;
  await work();
  return plane.github.calls.slice(before).map((c) => c.operation);
}

describe("scaleDown(deps) over the wire", () => {
  it("a cycle with nothing to do makes no GitHub call", async () => {
    // Prepare: one runner busy with its job.
    await start({ listEvery: 10, redeliverEvery: 5 });
    const job = await launch();
    await plane.boot(job.instanceId);
    plane.advance(600);

    // Act
    const calls = await githubCalls(() => plane.reconcile());

    // Assess
    expect(calls).toEqual([]);
    expect(plane.ec2.instance(job.instanceId)?.state).toBe("running");
  });

  it("runs one reconcile at a time without reserved concurrency: a second one started meanwhile skips its cycle", async () => {
    // Prepare
    await start();
    await launch();

    // Act: two invocations at once, as a schedule retry or a manual run can start them.
    const [a, b] = await Promise.all([scaleDown(plane.scaleDownDeps), scaleDown(plane.scaleDownDeps)]);

    // Assess: exactly one ran; the lock is free again for the next cycle.
    expect([a.cycle, b.cycle].filter((c) => c > 0)).toHaveLength(1);
    expect((await scaleDown(plane.scaleDownDeps)).cycle).toBeGreaterThan(0);
  });

  it("lists registrations only every listEvery cycles, one page per 100 runners", async () => {
    // Prepare
    await start({ listEvery: 3, redeliverEvery: 1000 });
    const job = await launch();
    await plane.boot(job.instanceId);

    // Act
    const listed: boolean[] = [];
    const lists: number[] = [];
    for (let cycle = 1; cycle <= 6; cycle++) {
      const calls = await githubCalls(async () => listed.push((await plane.reconcile()).listedRegistrations));
      lists.push(calls.filter((c) => c === LIST).length);
    }

    // Assess
    expect(listed).toEqual([false, false, true, false, false, true]);
    expect(lists).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it("deletes, on a listing cycle, a registration whose instance is gone and forgotten", async () => {
    // Prepare: a registration left behind by an instance skiff no longer knows.
    await start({ listEvery: 2, redeliverEvery: 1000 });
    await launch();
    const stale = await plane.gh.createJitConfig({
      installationId: INSTALLATION_ID,
      owner: "acme",
      repository: "widgets",
      level: "repo",
      name: "ci-i-00000000000000dead",
      labels: ["ci"],
      runnerGroupId: 1,
    });

    // Act
    await plane.reconcile();
    const afterFirst = plane.github.registrations().map((r) => r.id);
    await plane.reconcile();

    // Assess
    expect(afterFirst).toContain(stale.runnerId);
    expect(plane.github.registrations().map((r) => r.id)).not.toContain(stale.runnerId);
  });

  it("reaps a runner that never started: deregistered, terminated, JIT deleted, job requeued", async () => {
    // Prepare
    await start();
    const job = await launch();
    expect(plane.jitParameters()).toEqual([`/ci/jit/${job.instanceId}`]);

    // Act
    plane.advance(301);
    const calls = await githubCalls(() => plane.reconcile());

    // Assess
    expect(calls).toEqual([DELETE]);
    expect(plane.ec2.instance(job.instanceId)?.state).toBe("terminated");
    expect(plane.jitParameters()).toEqual([]);
    expect(plane.github.registrations()).toEqual([]);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "pending", requeues: 1 });
    expect(plane.sqs.peek(plane.jobsQueue).map((m) => JSON.parse(m.body).jobId)).toEqual([job.jobId]);
    expect(await plane.state.pools.active("ci")).toBe(0);
  });

  it("keeps a runner GitHub says just took its job (in_progress not arrived): no termination, no requeue", async () => {
    // Prepare: the runner took the job, but its in_progress webhook was lost.
    await start({ redeliverEvery: 1000 });
    const job = await launch();
    plane.github.dropWebhooks(1);
    await plane.boot(job.instanceId);
    plane.github.dropWebhooks(0);

    // Act
    plane.advance(301);
    await plane.reconcile();

    // Assess
    expect(plane.ec2.instance(job.instanceId)?.state).toBe("running");
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "registered", holdsSlot: true });
    expect(plane.sqs.count(plane.jobsQueue).total).toBe(0);
    expect(plane.log.entries.map((e) => e.message)).toContain("runner took a job just now; not terminating");
  });

  it("never terminates a busy runner before its max lifetime, and does after it", async () => {
    // Prepare
    await start({ listEvery: 1 });
    const job = await launch();
    await plane.boot(job.instanceId);

    // Act: every hour for 6 h, with registrations listed every cycle.
    const states: string[] = [];
    for (let hour = 1; hour <= 6; hour++) {
      plane.advance(hour === 6 ? 3600 + 1 : 3600);
      await plane.reconcile();
      states.push(plane.ec2.instance(job.instanceId)?.state ?? "missing");
    }

    // Assess
    expect(states).toEqual(["running", "running", "running", "running", "running", "terminated"]);
  });

  it("never terminates a busy runner while GitHub shows it idle: skiff trusts the webhook state, not GitHub's busy flag", async () => {
    // Prepare: the job runs; GitHub's view of its runner goes idle and offline (its flag
    // lags, or the runner lost its connection for a while), so GitHub would let it be deleted.
    await start({ listEvery: 1 });
    const job = await launch();
    await plane.boot(job.instanceId);
    const runnerId = (await plane.state.jobs.get(job.jobId))?.runnerId;
    plane.github.runnerDisconnect(runnerId as number);

    // Act: reconciles for five hours, listing registrations every cycle.
    for (let hour = 1; hour <= 5; hour++) {
      plane.advance(3600);
      await plane.reconcile();
    }

    // Assess
    expect(plane.ec2.instance(job.instanceId)?.state).toBe("running");
    expect(plane.github.registrations().map((r) => r.id)).toContain(runnerId);
  });
});

describe("scaleDown(deps) redelivers failed webhooks", () => {
  /** Queues jobs whose `queued` webhooks all fail to arrive. */
  async function lostJobs(n: number) {
    plane.github.dropWebhooks(1);
    for (let i = 0; i < n; i++) await plane.queueJob();
    plane.github.dropWebhooks(0);
    expect(plane.sqs.count(plane.jobsQueue).total).toBe(0);
  }
  const attempts = () =>
    plane.github.calls.filter((c) => c.operation === REDELIVER).map((c) => Number(c.params.delivery_id));

  it("asks once per failed delivery, at most redeliverMax per cycle, and never twice", async () => {
    // Prepare
    await start({ redeliverEvery: 1, redeliverMax: 2, listEvery: 1000 });
    await lostJobs(3);

    // Act
    const redelivered: number[] = [];
    for (let cycle = 0; cycle < 4; cycle++) redelivered.push((await plane.reconcile()).redelivered);
    await plane.github.settled();

    // Assess
    expect(redelivered).toEqual([2, 1, 0, 0]);
    expect(new Set(attempts()).size).toBe(3);
    expect(attempts()).toHaveLength(3);
    expect(plane.sqs.count(plane.jobsQueue).total).toBe(3);
    expect(plane.metrics.get("WebhooksRedelivered")).toBe(3);
  });

  it("does not ask again when the redelivery failed too (no loops), nor look on other cycles", async () => {
    // Prepare: the webhook endpoint answers 500 to everything.
    await start({ redeliverEvery: 2, listEvery: 1000 });
    plane.github.onWebhook(() => 500);
    await plane.queueJob();

    // Act
    const looked: number[] = [];
    for (let cycle = 0; cycle < 6; cycle++) {
      const calls = await githubCalls(() => scaleDown(plane.scaleDownDeps));
      looked.push(calls.filter((c) => c === DELIVERIES).length);
      await plane.github.settled();
    }

    // Assess
    expect(looked).toEqual([0, 1, 0, 1, 0, 1]);
    expect(attempts()).toHaveLength(1);
    expect(plane.github.deliveries().map((d) => [d.redelivery, d.statusCode])).toEqual([
      [false, 500],
      [true, 500],
    ]);
  });

  it("asks again on a later cycle when GitHub refused the redelivery request", async () => {
    // Prepare
    await start({ redeliverEvery: 1, listEvery: 1000 });
    await lostJobs(1);
    plane.github.failNext(REDELIVER, 500);

    // Act
    const first = await plane.reconcile();
    const second = await plane.reconcile();
    await plane.github.settled();

    // Assess
    expect([first.redelivered, second.redelivered]).toEqual([0, 1]);
    expect(plane.sqs.count(plane.jobsQueue).total).toBe(1);
    expect(plane.metrics.get("ReconcileErrors")).toBe(1);
  });
});
