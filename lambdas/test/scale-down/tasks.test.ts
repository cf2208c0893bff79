import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { FakeEcs } from "../../../test/fakes/index.ts";
import { scaleDown } from "../../src/scale-down/scale-down.ts";
import { describeSkiffTasks } from "../../src/shared/aws.ts";
import { CREDENTIALS } from "../support/dynamo.ts";
import { fargatePool, pool } from "../support/fixtures.ts";
import { type Plane, startPlane } from "./plane.ts";

const SMALL = ["self-hosted", "linux", "small"];
const DELETE = "DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}";

describe("describeSkiffTasks(ecs, prefix, sources) over the wire", () => {
  let ecs: FakeEcs | undefined;
  afterEach(async () => {
    await ecs?.close();
  });

  async function start() {
    const fake = await FakeEcs.start({
      clusters: ["ci-runners", "other"],
      now: () => Date.parse("2026-11-22T10:00:00Z"),
    });
    ecs = fake;
    const client = new ECSClient({
      region: "us-east-1",
      credentials: CREDENTIALS,
      endpoint: fake.url,
      maxAttempts: 1,
    });
    const run = (count: number, startedBy: string, cluster = "ci-runners") =>
      client.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: "ci-small:1",
          count,
          capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
          networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"] } },
          startedBy,
          tags: [{ key: "skiff:pool", value: "small" }],
        }),
      );
    return { fake, client, run };
  }

  it("lists a pool's running and recently stopped tasks page by page, and describes them 100 at a time", async () => {
    // Prepare: 120 of skiff's tasks, 3 of them stopped, 1 being stopped; and tasks of others.
    const { fake, client, run } = await start();
    for (let i = 0; i < 12; i++) await run(10, "skiff/ci/small");
    await run(2, "skiff/other/small");
    await run(2, "ecs-svc/123");
    const tasks = fake.tasks().filter((t) => t.startedBy === "skiff/ci/small");
    for (const t of tasks.slice(0, 3)) fake.setStatus(t.taskId, "STOPPED");
    fake.setStatus(tasks[3]?.taskId ?? "", "RUNNING");
    fake.setStatus(tasks[4]?.taskId ?? "", "DEPROVISIONING");

    // Act
    const found = await describeSkiffTasks(client, "ci", [
      { cluster: "arn:aws:ecs:us-east-1:000000000000:cluster/ci-runners", pool: "small" },
      { cluster: "ci-runners", pool: "small" }, // the same pool named by cluster name: listed once
      { cluster: "gone-cluster", pool: "old" }, // a cluster that no longer exists holds no task
    ]);

    // Assess
    expect(found).toHaveLength(120);
    expect(new Set(found.map((t) => t.instanceId))).toEqual(new Set(tasks.map((t) => t.taskId)));
    const byId = new Map(found.map((t) => [t.instanceId, t]));
    expect(byId.get(tasks[0]?.taskId ?? "")).toMatchObject({
      state: "terminated",
      taskArn: tasks[0]?.taskArn,
    });
    expect(byId.get(tasks[3]?.taskId ?? "")).toMatchObject({ state: "running", pool: "small" });
    expect(byId.get(tasks[4]?.taskId ?? "")).toMatchObject({ state: "shutting-down" });
    expect(byId.get(tasks[5]?.taskId ?? "")).toMatchObject({
      state: "pending",
      launchTime: "2026-11-22T10:00:00.000Z",
    });
    const lists = fake.calls.filter((c) => c.operation === "ListTasks" && c.params.cluster === "ci-runners");
    expect(lists.map((c) => [c.params.desiredStatus, c.params.nextToken !== undefined])).toEqual([
      ["RUNNING", false],
      ["RUNNING", true],
      ["STOPPED", false],
    ]);
    const describes = fake.calls.filter((c) => c.operation === "DescribeTasks");
    expect(describes.map((c) => (c.params.tasks as string[]).length)).toEqual([100, 20]);
    expect(describes.every((c) => JSON.stringify(c.params.include) === '["TAGS"]')).toBe(true);
  });

  it("fails when ECS fails, so no reconcile runs on a census it did not get", async () => {
    // Prepare
    const { fake, client } = await start();
    fake.failNext("ListTasks", "AccessDeniedException", "not allowed");
    // Act / Assess
    await expect(
      describeSkiffTasks(client, "ci", [{ cluster: "ci-runners", pool: "small" }]),
    ).rejects.toThrow(/not allowed/);
  });
});

describe("scaleDown(deps) with a Fargate pool, over the wire", () => {
  let plane: Plane;
  afterEach(async () => {
    await plane?.close();
  });

  async function launch(labels?: string[]) {
    const job = await plane.queueJob(undefined, labels);
    await plane.scaleUp();
    const item = await plane.state.jobs.get(job.id);
    if (!item?.instanceId) throw new Error(`job ${job.id} was not launched`);
    return { jobId: job.id, instanceId: item.instanceId };
  }
  const stops = () => plane.ecs.calls.filter((c) => c.operation === "StopTask").map((c) => c.params);

  it("reaps a task that never started: deregistered, stopped with StopTask, JIT deleted, job requeued", async () => {
    // Prepare
    plane = await startPlane({ pools: [fargatePool] });
    const job = await launch(SMALL);
    const before = plane.github.calls.length;

    // Act
    plane.advance(301);
    await plane.reconcile();

    // Assess
    expect(plane.github.calls.slice(before).map((c) => c.operation)).toEqual([DELETE]);
    const taskArn = plane.ecs.task(job.instanceId)?.taskArn;
    expect(stops()).toEqual([
      { cluster: "ci-runners", task: taskArn, reason: "skiff reconcile: boot-timeout" },
    ]);
    expect(plane.ecs.task(job.instanceId)?.lastStatus).toBe("STOPPED");
    expect(plane.ec2.callCount("TerminateInstances")).toBe(0);
    expect(plane.jitParameters()).toEqual([]);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "pending", requeues: 1 });
    // The STOPPED event came back through the lifecycle: the task is gone, the slot free.
    expect(await plane.state.instances.get(job.instanceId)).toMatchObject({ status: "gone" });
    expect(await plane.state.pools.active("small")).toBe(0);
  });

  it("never stops a busy task before its max lifetime, and does after it", async () => {
    // Prepare
    plane = await startPlane({ pools: [fargatePool], listEvery: 1 });
    const job = await launch(SMALL);
    await plane.boot(job.instanceId);

    // Act: every hour for 6 h, listing registrations every cycle.
    const states: string[] = [];
    for (let hour = 1; hour <= 6; hour++) {
      plane.advance(hour === 6 ? 3600 + 1 : 3600);
      await plane.reconcile();
      states.push(plane.ecs.task(job.instanceId)?.lastStatus ?? "missing");
    }

    // Assess
    expect(states).toEqual(["RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "STOPPED"]);
    expect(stops().map((s) => s.reason)).toEqual(["skiff reconcile: max-lifetime"]);
  });

  it("ends orphans of both kinds: EC2 instances in one TerminateInstances call, tasks with StopTask", async () => {
    // Prepare: two instances and a task whose items were lost (the launcher crashed after the launch).
    plane = await startPlane({ pools: [pool, fargatePool] });
    const launched = [await launch(), await launch(), await launch(SMALL)];
    for (const { instanceId } of launched) await plane.state.instances.forget(instanceId);
    const [a, b, t] = launched.map((l) => l.instanceId);

    // Act
    plane.advance(181);
    await scaleDown(plane.scaleDownDeps);

    // Assess
    const terminates = plane.ec2.calls.filter((c) => c.operation === "TerminateInstances");
    expect(terminates).toHaveLength(1);
    const ids = Object.entries(terminates[0]?.params ?? {}).filter(([key]) => key.startsWith("InstanceId."));
    expect(ids.map(([, value]) => value).sort()).toEqual([a, b].sort());
    expect(stops()).toEqual([
      { cluster: "ci-runners", task: plane.ecs.task(t ?? "")?.taskArn, reason: "skiff reconcile: orphan" },
    ]);
    expect(plane.live()).toEqual([]);
    expect(plane.ecs.live()).toBe(0);
  });

  it("refuses to reconcile Fargate pools without an ECS client: no action on a census it cannot take", async () => {
    // Prepare
    plane = await startPlane({ pools: [fargatePool] });
    const job = await launch(SMALL);
    plane.advance(400);
    const { tasks: _tasks, ...deps } = plane.scaleDownDeps;

    // Act / Assess
    await expect(scaleDown(deps)).rejects.toThrow(/no ECS client/);
    expect(await plane.state.jobs.get(job.jobId)).toMatchObject({ status: "registered" });
    expect(plane.ecs.task(job.instanceId)?.lastStatus).toBe("PROVISIONING");
  });
});
