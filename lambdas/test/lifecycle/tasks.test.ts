import type { SQSRecord } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseLifecycleEvent } from "../../src/lifecycle/events.ts";
import { handleLifecycle } from "../../src/lifecycle/lifecycle.ts";
import { type Plane, startPlane } from "../scale-down/plane.ts";
import { fargatePool, pool } from "../support/fixtures.ts";

const RERUN = "POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs";
const SMALL = ["self-hosted", "linux", "small"];

let plane: Plane;
beforeEach(async () => {
  plane = await startPlane({ pools: [pool, fargatePool] });
});
afterEach(async () => {
  await plane?.close();
});

/** Queues a job for the Fargate pool and lets scale-up start and register its task. */
async function launchTask(runId?: number) {
  const job = await plane.queueJob(runId, SMALL);
  await plane.scaleUp();
  const item = await plane.state.jobs.get(job.id);
  if (!item?.instanceId) throw new Error(`job ${job.id} was not launched`);
  return { jobId: job.id, runId: job.runId, taskId: item.instanceId };
}

let sequence = 0;
function handle(...bodies: unknown[]) {
  const records = bodies.map(
    (body) =>
      ({
        messageId: `t-${++sequence}`,
        receiptHandle: `r-${sequence}`,
        body: typeof body === "string" ? body : JSON.stringify(body),
        attributes: {},
        messageAttributes: {},
      }) as unknown as SQSRecord,
  );
  return handleLifecycle(records, plane.lifecycleDeps);
}

describe("handleLifecycle(records, deps) — Fargate tasks", () => {
  it("a task's runner takes its job by its name, and the stopped task gives the slot back", async () => {
    // Prepare
    const job = await launchTask();
    expect(plane.ecs.task(job.taskId)?.startedBy).toBe("skiff/ci/small");

    // Act
    await plane.boot(job.taskId);
    const busy = await plane.state.instances.get(job.taskId);
    await plane.finish(job.jobId, job.taskId);

    // Assess
    expect(busy).toMatchObject({ status: "busy", busyJobId: job.jobId });
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "completed", holdsSlot: false });
    expect(await plane.state.instances.get(job.taskId)).toMatchObject({ status: "gone", holdsSlot: false });
    expect(await plane.state.pools.active("small")).toBe(0);
  });

  it("a task that stopped before taking its job has the job requeued at once", async () => {
    // Prepare
    const job = await launchTask();

    // Act: the task fails to start (its image could not be pulled, say).
    plane.ecs.setStatus(job.taskId, "STOPPED", { stopCode: "TaskFailedToStart" });
    await plane.lifecycle();

    // Assess
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({
      status: "pending",
      requeues: 1,
      holdsSlot: false,
    });
    expect(await plane.state.instances.get(job.taskId)).toMatchObject({ status: "gone" });
    expect(plane.sqs.peek(plane.jobsQueue).map((m) => JSON.parse(m.body).jobId)).toEqual([job.jobId]);
    expect(await plane.state.pools.active("small")).toBe(0);
  });

  it("a task still stopping is not down yet: its job is left waiting until it stopped", async () => {
    // Prepare
    const job = await launchTask();

    // Act
    const out = await handle(
      plane.taskEvent(job.taskId, { lastStatus: "DEPROVISIONING", desiredStatus: "STOPPED" }),
    );

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "registered", holdsSlot: true });
    expect(await plane.state.instances.get(job.taskId)).toMatchObject({ status: "launched" });
  });

  it.each([
    ["a warning, then the stop", true],
    ["only the stop", false],
  ])(
    "a Fargate Spot interruption (%s) re-runs the failed job once, and the re-run starts on FARGATE",
    async (_how, warn) => {
      // Prepare
      const job = await launchTask();
      expect(plane.ecs.task(job.taskId)?.capacityProvider).toBe("FARGATE_SPOT");
      await plane.boot(job.taskId);

      // Act: Fargate takes the task back; GitHub fails the job, whose runner vanished.
      plane.interruptTask(job.taskId, { warn });
      await plane.lifecycle();
      await plane.github.completeJob(job.jobId, "failure");
      await plane.lifecycle();

      // Assess
      expect(await plane.state.instances.get(job.taskId)).toMatchObject({
        status: "gone",
        interrupted: true,
      });
      expect(plane.metrics.get("SpotInterruptions")).toBe(1);
      expect(plane.github.callCount(RERUN)).toBe(1);

      // Act: the re-run's job is queued; scale-up reads the run's on-demand mark.
      await plane.github.settled();
      await plane.scaleUp();

      // Assess
      const rerun = plane.github.jobs().find((j) => j.runId === job.runId && j.runAttempt === 2);
      const rerunJob = await plane.state.jobs.get(rerun?.id ?? 0);
      expect(rerunJob).toMatchObject({ status: "registered", capacityType: "on-demand" });
      expect(plane.ecs.task(rerunJob?.instanceId ?? "")?.capacityProvider).toBe("FARGATE");
    },
  );

  it.each([
    ["failure", 1],
    ["success", 0],
  ])(
    "an interruption reported after the job completed (%s) re-runs a lost job once, a passed one never",
    async (conclusion, reruns) => {
      // Prepare
      const job = await launchTask();
      await plane.boot(job.taskId);

      // Act: the runner fails its job on SIGTERM, and GitHub's webhook is handled before ECS's event.
      await plane.github.completeJob(job.jobId, conclusion as "failure" | "success");
      await plane.lifecycle();
      plane.interruptTask(job.taskId, { warn: true });
      await plane.lifecycle();
      await plane.lifecycle();

      // Assess
      expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "completed", conclusion });
      expect(plane.metrics.get("SpotInterruptions")).toBe(1);
      expect(plane.github.callCount(RERUN)).toBe(reruns);
    },
  );

  it("events of tasks skiff did not start for this prefix, or has no item for, change nothing", async () => {
    // Prepare
    const job = await launchTask();
    const before = await plane.state.scan();
    const unknown = plane.taskEvent(job.taskId, { lastStatus: "STOPPED", desiredStatus: "STOPPED" });
    unknown.detail.taskArn = unknown.detail.taskArn.replace(job.taskId, "f".repeat(32));

    // Act
    const out = await handle(
      plane.taskEvent(job.taskId, { lastStatus: "STOPPED", startedBy: "skiff/other/small" }),
      plane.taskEvent(job.taskId, { lastStatus: "STOPPED", startedBy: "ecs-svc/1234" }),
      plane.taskEvent(job.taskId, {
        lastStatus: "STOPPED",
        stopCode: "SpotInterruption",
        startedBy: undefined,
      }),
      unknown,
    );

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(await plane.state.scan()).toEqual(before);
    expect(plane.metrics.get("SpotInterruptions")).toBe(0);
  });

  it("rejects malformed ECS events as batch item failures naming the field, and changes nothing", async () => {
    // Prepare
    const job = await launchTask();
    const before = await plane.state.scan();
    const good = plane.taskEvent(job.taskId, { lastStatus: "STOPPED", desiredStatus: "STOPPED" });
    const bad = [
      { ...good, "detail-type": "ECS Container Instance State Change" },
      { ...good, detail: undefined },
      { ...good, detail: { ...good.detail, taskArn: undefined } },
      {
        ...good,
        detail: { ...good.detail, taskArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${job.taskId}` },
      },
      { ...good, detail: { ...good.detail, lastStatus: "GONE" } },
      { ...good, detail: { ...good.detail, desiredStatus: "" } },
      { ...good, detail: { ...good.detail, stopCode: 7 } },
    ];

    // Act
    const out = await handle(...bad);

    // Assess
    expect(out.batchItemFailures).toHaveLength(bad.length);
    expect(await plane.state.scan()).toEqual(before);
  });
});

describe("parseLifecycleEvent(body) for ECS events", () => {
  const arn = `arn:aws:ecs:us-east-1:123456789012:task/ci-runners/${"a".repeat(32)}`;
  const event = (detail: Record<string, unknown>, detailType = "ECS Task State Change") =>
    JSON.stringify({ source: "aws.ecs", "detail-type": detailType, time: "2026-11-22T10:00:00Z", detail });

  it("reads a Fargate Spot interruption: the task id, its statuses, stop code and startedBy", () => {
    expect(
      parseLifecycleEvent(
        event({
          taskArn: arn,
          lastStatus: "RUNNING",
          desiredStatus: "STOPPED",
          stopCode: "SpotInterruption",
          startedBy: "skiff/ci/small",
          capacityProviderName: "FARGATE_SPOT",
        }),
      ),
    ).toEqual({
      kind: "task-change",
      taskArn: arn,
      taskId: "a".repeat(32),
      lastStatus: "RUNNING",
      desiredStatus: "STOPPED",
      stopCode: "SpotInterruption",
      startedBy: "skiff/ci/small",
      time: "2026-11-22T10:00:00Z",
    });
  });

  it.each([
    [
      { taskArn: arn, lastStatus: "RUNNING", desiredStatus: "RUNNING" },
      "Task Change",
      /detail-type is not an ECS event skiff handles: Task Change/,
    ],
    [
      { lastStatus: "RUNNING", desiredStatus: "RUNNING" },
      undefined,
      /detail.taskArn must be a non-empty string/,
    ],
    [
      {
        taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/xyz",
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
      },
      undefined,
      /detail.taskArn is not an ECS task ARN/,
    ],
    [
      { taskArn: arn, lastStatus: "running", desiredStatus: "RUNNING" },
      undefined,
      /detail.lastStatus must be one of PROVISIONING, .*STOPPED/,
    ],
    [{ taskArn: arn, lastStatus: "RUNNING" }, undefined, /detail.desiredStatus must be a non-empty string/],
    [
      { taskArn: arn, lastStatus: "STOPPED", desiredStatus: "STOPPED", startedBy: 3 },
      undefined,
      /detail.startedBy must be a non-empty string/,
    ],
  ])("refuses %j with a message naming the field", (detail, detailType, message) => {
    expect(() => parseLifecycleEvent(event(detail, detailType))).toThrow(message);
  });

  it("refuses an event of another AWS service", () => {
    expect(() => parseLifecycleEvent(JSON.stringify({ source: "aws.batch", detail: {} }))).toThrow(
      /neither a job lifecycle message nor an "aws.ec2" or "aws.ecs" event/,
    );
  });
});
