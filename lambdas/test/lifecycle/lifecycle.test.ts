import type { SQSRecord } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobLifecycleMessage } from "../../src/jobs/messages.ts";
import { handleLifecycle } from "../../src/lifecycle/lifecycle.ts";
import { INSTALLATION_ID, type Plane, type PlaneOptions, startPlane } from "../scale-down/plane.ts";

const RERUN = "POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs";

let plane: Plane;
async function start(options: PlaneOptions = {}) {
  plane = await startPlane(options);
}
afterEach(async () => {
  await plane?.close();
});

/** Queues a job on GitHub and lets scale-up launch and register its runner. */
async function launch() {
  const job = await plane.queueJob();
  await plane.scaleUp();
  const item = await plane.state.jobs.get(job.id);
  if (!item?.instanceId) throw new Error(`job ${job.id} was not launched`);
  return {
    jobId: job.id,
    runId: job.runId,
    instanceId: item.instanceId,
    runnerName: `ci-${item.instanceId}`,
  };
}

let sequence = 0;
function records(...bodies: unknown[]): SQSRecord[] {
  return bodies.map(
    (body) =>
      ({
        messageId: `m-${++sequence}`,
        receiptHandle: `r-${sequence}`,
        body: typeof body === "string" ? body : JSON.stringify(body),
        attributes: {},
        messageAttributes: {},
      }) as unknown as SQSRecord,
  );
}

function event(
  action: "in_progress" | "completed",
  job: { jobId: number; runId: number },
  runnerName: string | null,
  conclusion: string | null = action === "completed" ? "success" : null,
): JobLifecycleMessage {
  return {
    kind: "job-lifecycle",
    action,
    jobId: job.jobId,
    runId: job.runId,
    owner: "acme",
    repository: "widgets",
    installationId: INSTALLATION_ID,
    runnerName,
    conclusion,
    at: plane.now().toISOString(),
    deliveryId: `d-${action}-${job.jobId}`,
  };
}

const handle = (...bodies: unknown[]) => handleLifecycle(records(...bodies), plane.lifecycleDeps);

describe("handleLifecycle(records, deps) — job events", () => {
  beforeEach(() => start());

  it("in_progress then completed: the job runs on its instance, then completes and gives its slot back", async () => {
    // Prepare
    const job = await launch();
    expect(await plane.state.pools.active("ci")).toBe(1);

    // Act: the runner boots and takes the job (in_progress), then the job ends (completed).
    await plane.boot(job.instanceId);
    const running = await plane.state.jobs.get(job.jobId);
    const busy = await plane.state.instances.get(job.instanceId);
    await plane.finish(job.jobId, job.instanceId);

    // Assess
    expect(running).toMatchObject({ status: "running", runnerName: job.runnerName });
    expect(busy).toMatchObject({ status: "busy", busyJobId: job.jobId });
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({
      status: "completed",
      conclusion: "success",
      holdsSlot: false,
    });
    expect(await plane.state.instances.get(job.instanceId)).toMatchObject({ status: "gone" });
    expect(await plane.state.pools.active("ci")).toBe(0);
  });

  it("completed before in_progress: the job completes and the late in_progress changes nothing", async () => {
    // Prepare
    const job = await launch();

    // Act
    const first = await handle(event("completed", job, job.runnerName));
    const late = await handle(event("in_progress", job, job.runnerName));

    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(late.batchItemFailures).toEqual([]);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "completed", holdsSlot: false });
    // The instance powers off: it keeps the slot until EC2 says it is down.
    expect(await plane.state.instances.get(job.instanceId)).toMatchObject({
      status: "done",
      holdsSlot: true,
    });
    expect(await plane.state.pools.active("ci")).toBe(1);
    plane.ec2.setState(job.instanceId, "terminated");
    await plane.lifecycle();
    expect(await plane.state.instances.get(job.instanceId)).toMatchObject({
      status: "gone",
      holdsSlot: false,
    });
    expect(await plane.state.pools.active("ci")).toBe(0);
  });

  it("every event twice, in one batch and again later: the slot is released exactly once", async () => {
    // Prepare: two jobs hold a slot each, so a second release would show.
    const job = await launch();
    await launch();
    expect(await plane.state.pools.active("ci")).toBe(2);

    // Act
    await handle(event("in_progress", job, job.runnerName), event("in_progress", job, job.runnerName));
    await handle(event("completed", job, job.runnerName), event("completed", job, job.runnerName));
    await handle(event("completed", job, job.runnerName), event("in_progress", job, job.runnerName));

    // Assess: the slot moved to the instance once (it powers off), and goes back once it is down.
    expect(await plane.state.pools.active("ci")).toBe(2);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "completed" });
    expect(await plane.state.instances.get(job.instanceId)).toMatchObject({
      status: "done",
      holdsSlot: true,
    });
    plane.ec2.setState(job.instanceId, "shutting-down");
    plane.ec2.setState(job.instanceId, "terminated");
    await plane.lifecycle();
    await plane.lifecycle();
    expect(await plane.state.pools.active("ci")).toBe(1);
  });

  it("in_progress on a runner skiff has no item for: the job runs, and its own idle instance is left to the reconcile", async () => {
    // Prepare
    const job = await launch();
    const stranger = "ci-i-00000000000000abc";

    // Act
    const out = await handle(event("in_progress", job, stranger));

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "running", runnerName: stranger });
    expect(await plane.state.instances.get(job.instanceId)).toMatchObject({ status: "launched" });
  });

  it("events for jobs skiff never saw, on runners that are not skiff's, write nothing", async () => {
    // Prepare
    const foreign = { jobId: 999_999, runId: 1 };

    // Act
    const out = await handle(
      event("in_progress", foreign, "laptop"),
      event("completed", foreign, "other-i-0abc", "success"),
      event("completed", foreign, null, "cancelled"),
    );

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    const table = await plane.state.scan();
    expect(table.jobs).toEqual([]);
    expect(table.instances).toEqual([]);
  });

  it("a late in_progress after its job completed on another job's runner hands that runner's slot to nobody", async () => {
    // Prepare: job A ran on job B's runner and completed before A's in_progress arrived.
    const a = await launch();
    const b = await launch();
    await handle(event("completed", a, b.runnerName));
    // A's own instance is still up (it may take B): A's slot stays with it until it goes.
    expect(await plane.state.instances.get(a.instanceId)).toMatchObject({ holdsSlot: true });
    expect(await plane.state.pools.active("ci")).toBe(2);

    // Act
    await handle(event("in_progress", a, b.runnerName));

    // Assess: B still holds its slot (the reconcile requeues it after the swap grace).
    expect(await plane.state.jobs.get(b.jobId)).toMatchObject({ status: "registered", holdsSlot: true });
    expect(await plane.state.jobs.get(a.jobId)).toMatchObject({ status: "completed", holdsSlot: false });
    expect(await plane.state.pools.active("ci")).toBe(2);
    expect(plane.sqs.count(plane.jobsQueue).total).toBe(0);
  });

  it("rejects invalid messages as batch item failures with an error log, and handles the valid ones", async () => {
    // Prepare
    const job = await launch();
    const bodies = [
      "not json",
      { kind: "job-lifecycle", action: "queued", jobId: 1 },
      {
        source: "aws.ec2",
        "detail-type": "EC2 Instance Rebalance Recommendation",
        detail: { "instance-id": "i-1" },
      },
      event("in_progress", job, job.runnerName),
    ];
    const batch = records(...bodies);

    // Act
    const out = await handleLifecycle(batch, plane.lifecycleDeps);

    // Assess
    expect(out.batchItemFailures).toEqual(batch.slice(0, 3).map((r) => ({ itemIdentifier: r.messageId })));
    const errors = plane.log.entries.filter((e) => e.level === "error");
    expect(errors.map((e) => e.message)).toEqual(Array(3).fill("invalid lifecycle message"));
    expect(errors.map((e) => e.extra?.messageId)).toEqual(batch.slice(0, 3).map((r) => r.messageId));
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "running" });
  });
});

describe("handleLifecycle(records, deps) — spot interruptions", () => {
  beforeEach(() => start());

  it("an interrupted job that ends failed has its run re-run exactly once, and the re-run launches on-demand", async () => {
    // Prepare
    const job = await launch();
    expect(plane.ec2.instance(job.instanceId)?.lifecycle).toBe("spot");
    await plane.boot(job.instanceId);

    // Act: the warning, then GitHub fails the job; its completed event is delivered twice.
    plane.interrupt(job.instanceId);
    await plane.lifecycle();
    await plane.finish(job.jobId, job.instanceId, "failure");
    await handle(event("completed", job, job.runnerName, "failure"));

    // Assess
    expect(plane.metrics.get("SpotInterruptions")).toBe(1);
    expect(plane.github.callCount(RERUN)).toBe(1);
    expect(plane.metrics.get("JobsRetried")).toBe(1);
    expect([...(await plane.state.marks.onDemandRuns([job.runId]))]).toEqual([job.runId]);

    // Act: GitHub queued the re-run's job; scale-up launches it.
    await plane.github.settled();
    await plane.scaleUp();

    // Assess
    const rerun = plane.github.jobs().find((j) => j.runId === job.runId && j.runAttempt === 2);
    expect(rerun).toBeDefined();
    const rerunJob = await plane.state.jobs.get(rerun?.id ?? 0);
    expect(rerunJob).toMatchObject({ status: "registered", capacityType: "on-demand" });
    expect(plane.ec2.instance(rerunJob?.instanceId ?? "")?.lifecycle).toBe("on-demand");
  });

  it("a job that succeeded despite the warning is not re-run", async () => {
    // Prepare
    const job = await launch();
    await plane.boot(job.instanceId);

    // Act
    plane.interrupt(job.instanceId);
    await plane.lifecycle();
    await plane.finish(job.jobId, job.instanceId, "success");

    // Assess
    expect(plane.github.callCount(RERUN)).toBe(0);
    expect((await plane.state.marks.onDemandRuns([job.runId])).size).toBe(0);
  });

  it("a re-run GitHub refused is asked again when the message comes back", async () => {
    // Prepare
    const job = await launch();
    await plane.boot(job.instanceId);
    plane.interrupt(job.instanceId);
    await plane.lifecycle();
    plane.github.failNext(RERUN, 500);

    // Act
    const refused = await handle(event("completed", job, job.runnerName, "failure"));
    const retried = await handle(event("completed", job, job.runnerName, "failure"));

    // Assess
    expect(refused.batchItemFailures).toHaveLength(1);
    expect(retried.batchItemFailures).toEqual([]);
    expect(plane.github.calls.filter((c) => c.operation === RERUN).map((c) => c.status)).toEqual([500, 201]);
    expect(plane.metrics.get("JobsRetried")).toBe(1);
  });
});

describe("handleLifecycle(records, deps) — instance state changes", () => {
  it("an instance terminated before taking its job has the job requeued to the jobs queue at once", async () => {
    // Prepare
    await start();
    const job = await launch();

    // Act
    plane.ec2.setState(job.instanceId, "terminated");
    await plane.lifecycle();

    // Assess
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({
      status: "pending",
      requeues: 1,
      holdsSlot: false,
    });
    expect(await plane.state.instances.get(job.instanceId)).toMatchObject({ status: "gone" });
    expect(plane.sqs.peek(plane.jobsQueue).map((m) => JSON.parse(m.body).jobId)).toEqual([job.jobId]);
    expect(await plane.state.pools.active("ci")).toBe(0);
    expect(plane.metrics.get("JobsRequeued|Pool=ci")).toBe(1);
  });

  it("after maxRequeues the job goes to the DLQ with an error log naming it and a JobsFailed metric", async () => {
    // Prepare
    await start({ maxRequeues: 2 });
    const job = await plane.queueJob();

    // Act: three instances in a row die before taking the job.
    const instances: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await plane.scaleUp();
      const item = await plane.state.jobs.get(job.id);
      instances.push(item?.instanceId ?? "");
      plane.ec2.setState(item?.instanceId ?? "", "terminated");
      await plane.lifecycle();
    }

    // Assess
    expect(new Set(instances).size).toBe(3);
    expect(await plane.state.jobs.get(job.id)).toMatchObject({ status: "failed", unsent: false });
    expect(plane.sqs.count(plane.jobsQueue).total).toBe(0);
    expect(plane.dlqMessages()).toEqual([expect.objectContaining({ jobId: job.id, kind: "job" })]);
    const failure = plane.log.entries.find((e) => e.level === "error" && e.extra?.jobId === job.id);
    expect(failure?.message).toMatch(/job failed/);
    expect(plane.metrics.get("JobsFailed|Pool=ci")).toBe(1);
    expect(await plane.state.pools.active("ci")).toBe(0);
  });

  it("a requeue whose SQS send failed is retried: the message comes back and the reconcile sends it", async () => {
    // Prepare
    await start();
    const job = await launch();
    plane.sqs.failNext("SendMessage", "InternalError", "injected", 500);

    // Act
    plane.ec2.setState(job.instanceId, "terminated");
    await plane.lifecycle();
    const stranded = await plane.state.jobs.get(job.jobId);
    plane.advance(61);
    await plane.lifecycle(); // the failed event comes back
    await plane.reconcile();

    // Assess
    expect(stranded).toMatchObject({ status: "pending", unsent: true });
    expect(plane.sqs.peek(plane.jobsQueue).map((m) => JSON.parse(m.body).jobId)).toEqual([job.jobId]);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "pending", unsent: false });
  });
});
