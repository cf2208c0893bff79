import type { SQSRecord } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import type { JobLifecycleMessage } from "../../src/jobs/messages.ts";
import { handleLifecycle } from "../../src/lifecycle/lifecycle.ts";
import { DEFAULT_SETTINGS, reconcile } from "../../src/scale-down/reconcile.ts";
import { scaleDown } from "../../src/scale-down/scale-down.ts";
import { scaleUp } from "../../src/scale-up/scale-up.ts";
import type { State } from "../../src/store/ports.ts";
import { INSTALLATION_ID, type Plane, type PlaneOptions, startPlane } from "../scale-down/plane.ts";
import { pool } from "../support/fixtures.ts";

// One test per state defect a review found; each failed before the job lifecycle moved to
// one transitions table and a store that writes related items together.

let plane: Plane;
afterEach(async () => {
  const open = plane;
  plane = undefined as unknown as Plane; // the pure cases start none
  await open?.close();
});

let sequence = 0;
const records = (...bodies: unknown[]): SQSRecord[] =>
  bodies.map(
    (body) =>
      ({
        messageId: `m-${++sequence}`,
        receiptHandle: `r-${sequence}`,
        body: JSON.stringify(body),
        attributes: {},
        messageAttributes: {},
      }) as unknown as SQSRecord,
  );

function event(
  action: "in_progress" | "completed",
  jobId: number,
  runnerName: string,
  from: { owner?: string; repository?: string } = {},
): JobLifecycleMessage {
  return {
    kind: "job-lifecycle",
    action,
    jobId,
    runId: 9000 + jobId,
    owner: from.owner ?? "acme",
    repository: from.repository ?? "widgets",
    installationId: INSTALLATION_ID,
    runnerName,
    conclusion: action === "completed" ? "success" : null,
    at: plane.now().toISOString(),
    deliveryId: `d-${action}-${jobId}-${sequence}`,
  };
}

const handle = (...bodies: unknown[]) => handleLifecycle(records(...bodies), plane.lifecycleDeps);

/** Queues a job with `labels` and lets scale-up launch its runner. */
async function launch(labels = ["self-hosted", "linux", "ci"]) {
  const queued = await plane.github.queueJob({ labels });
  await plane.github.settled();
  await plane.scaleUp();
  const item = await plane.state.jobs.get(queued.id);
  if (!item?.instanceId) throw new Error(`job ${queued.id} was not launched`);
  return {
    jobId: queued.id,
    instanceId: item.instanceId,
    runnerName: `ci-${item.instanceId}`,
    pool: item.pool,
  };
}

describe("(a) an event proves only what it can: a forged runner name", () => {
  it("from another repository cannot mark a busy runner done, so the reconcile never terminates it mid-job", async () => {
    // Prepare: job A runs on its instance.
    plane = await startPlane();
    const a = await launch();
    await handle(event("in_progress", a.jobId, a.runnerName));

    // Act: a runner someone registered in another repository, named after A's instance, completes a job.
    await handle(event("completed", 777_001, a.runnerName, { repository: "attacker" }));
    plane.advance(DEFAULT_SETTINGS.doneGraceSeconds + 60);
    await plane.reconcile();

    // Assess
    expect(await plane.state.instances.get(a.instanceId)).toMatchObject({
      status: "busy",
      busyJobId: a.jobId,
    });
    expect(plane.live().map((i) => i.instanceId)).toContain(a.instanceId);
    expect(await plane.state.jobs.get(a.jobId)).toMatchObject({ status: "running", holdsSlot: true });
    expect(plane.metrics.get("ForeignRunnerEvents")).toBe(1);
  });

  it("cannot complete a busy runner's job for it, even from the same repository", async () => {
    plane = await startPlane();
    const a = await launch();
    await handle(event("in_progress", a.jobId, a.runnerName));

    await handle(event("completed", 777_002, a.runnerName));

    expect(await plane.state.instances.get(a.instanceId)).toMatchObject({
      status: "busy",
      busyJobId: a.jobId,
    });
  });

  it("from another owner cannot make an idle runner busy (which would keep it until its max lifetime)", async () => {
    plane = await startPlane();
    const a = await launch();

    await handle(event("in_progress", 777_003, a.runnerName, { owner: "mallory", repository: "widgets" }));

    expect(await plane.state.instances.get(a.instanceId)).toMatchObject({ status: "launched" });
    expect((await plane.state.instances.get(a.instanceId))?.busyJobId).toBeUndefined();
  });
});

describe("(b) the reconcile's counter repair on a scan that is not a snapshot", () => {
  it("never lowers a counter below the slots held when slots moved while the scan ran", async () => {
    // Prepare: seven jobs hold slots. While the reconcile scans, one completes and a new
    // one launches; the scan saw the table in between (pages are read at different times).
    plane = await startPlane({ store: "dynamodb" });
    const launched = [];
    for (let i = 0; i < 7; i++) launched.push(await launch());
    const done = launched[0] as Awaited<ReturnType<typeof launch>>;
    const real = plane.scaleDownDeps.state;
    const torn: State = {
      ...real,
      async scan() {
        await handle(event("completed", done.jobId, done.runnerName));
        const between = await real.scan();
        await launch();
        return between;
      },
    };

    // Act
    await scaleDown({ ...plane.scaleDownDeps, state: torn });

    // Assess: the counter still covers every slot held (the completed job's instance keeps
    // its slot until it is down).
    const { jobs, instances } = await real.scan();
    expect(jobs.filter((j) => j.holdsSlot)).toHaveLength(7);
    expect(instances.filter((i) => i.holdsSlot).map((i) => i.instanceId)).toEqual([done.instanceId]);
    expect(await real.pools.active("ci")).toBe(8);
  });
});

describe("(c) a job launched whose instance item is missing", () => {
  it("is requeued by the reconcile once the instance is gone, instead of waiting out its TTL", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
    const actions = reconcile({
      now,
      prefix: "ci",
      pools: new Map([["ci", pool]]),
      jobs: [
        {
          jobId: 1,
          runId: 1,
          owner: "acme",
          repository: "widgets",
          installationId: 42,
          pool: "ci",
          labels: ["ci"],
          queuedAt: ago(900),
          status: "launched",
          holdsSlot: true,
          attempts: 0,
          instanceId: "i-0abc",
          launchedAt: ago(800),
          updatedAt: ago(800),
        },
      ],
      instances: [],
      ec2: [],
      counters: new Map([["ci", { active: 1, version: 3 }]]),
    });
    expect(actions).toContainEqual(expect.objectContaining({ kind: "requeue", jobId: 1 }));
  });
});

describe("(d) a cross-pool hand-over", () => {
  const pools: PlaneOptions["pools"] = [
    { ...pool, name: "small", labels: ["small"], maxRunners: 1 },
    { ...pool, name: "ci", labels: ["ci"], maxRunners: 5 },
  ];

  it("respects the cap of the pool that gains the slot", async () => {
    // Prepare: "small" is full; a second "small" job waits; a "ci" runner is idle.
    plane = await startPlane({ pools });
    await launch(["self-hosted", "linux", "small"]);
    const waiting = await plane.github.queueJob({ labels: ["self-hosted", "linux", "small"] });
    await plane.github.settled();
    await plane.scaleUp();
    expect(await plane.state.pools.active("small")).toBe(1);
    const ci = await launch(["self-hosted", "linux", "ci"]);

    // Act: the waiting "small" job starts on the idle "ci" runner.
    await handle(event("in_progress", waiting.id, ci.runnerName));

    // Assess
    expect(await plane.state.pools.active("small")).toBe(1);
    expect(await plane.state.jobs.get(ci.jobId)).toMatchObject({ holdsSlot: true });
    expect(await plane.state.jobs.get(waiting.id)).toMatchObject({ status: "running" });
  });
});

describe("(e) a crashed claim", () => {
  it("gives way to the message's next delivery, not 15 minutes later", async () => {
    // Prepare: scale-up claims the job and dies before launching.
    plane = await startPlane();
    const queued = await plane.github.queueJob({ labels: ["self-hosted", "linux", "ci"] });
    await plane.github.settled();
    const batch = plane.sqs.receiveEvent(plane.jobsQueue, 10).Records;
    const jobs = Object.create(plane.scaleUpDeps.state.jobs);
    jobs.claim = async (...args: Parameters<State["jobs"]["claim"]>) => {
      await plane.scaleUpDeps.state.jobs.claim(...args);
      return new Promise(() => {});
    };
    void scaleUp(batch, { ...plane.scaleUpDeps, state: { ...plane.scaleUpDeps.state, jobs } });
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Act: SQS makes the message visible again after its visibility timeout (360 s).
    plane.advance(361);
    await plane.scaleUp();

    // Assess
    expect(await plane.state.jobs.get(queued.id)).toMatchObject({ status: "registered", holdsSlot: true });
  });
});

describe("(f) JIT parameters", () => {
  it("of an instance that ran a job and is gone are deleted by the reconcile", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
    const actions = reconcile({
      now,
      prefix: "ci",
      pools: new Map([["ci", pool]]),
      jobs: [],
      instances: [
        {
          instanceId: "i-0abc",
          jobId: 1,
          pool: "ci",
          status: "busy",
          busyJobId: 1,
          launchedAt: ago(900),
          owner: "acme",
          repository: "widgets",
          runnerLevel: "repo",
          installationId: 42,
          updatedAt: ago(800),
        },
      ],
      ec2: [],
      counters: new Map(),
    });
    expect(actions).toContainEqual({ kind: "delete-jit", instanceId: "i-0abc" });
  });
});
