import { afterEach, describe, expect, it } from "vitest";
import { SecretScanner } from "../../../test/support/secrets.ts";
import { scaleUp } from "../../src/scale-up/scale-up.ts";
import { fargatePool, pool } from "../support/fixtures.ts";
import { startWorld, type World } from "../support/world.ts";

const JIT_ROUTE = "POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig";
let world: World;

afterEach(async () => {
  await world?.close();
});

function failedIds(result: { batchItemFailures: { itemIdentifier: string }[] }) {
  return result.batchItemFailures.map((f) => f.itemIdentifier);
}

const queueSmall = () => world.queueJob({ pool: "small", labels: ["self-hosted", "linux", "small"] });
const runTasks = () => world.ecs.calls.filter((c) => c.operation === "RunTask");
const providers = () =>
  runTasks().map(
    (c) => (c.params.capacityProviderStrategy as { capacityProvider: string }[])[0]?.capacityProvider,
  );

describe("scaleUp(records, deps) for a Fargate pool, over the wire", () => {
  it("launches one task per job with one RunTask, and tags each JIT config for its task alone", async () => {
    // Prepare
    world = await startWorld({ pools: [fargatePool, pool] });
    const jobs = await Promise.all(Array.from({ length: 3 }, queueSmall));

    // Act
    const result = await scaleUp(world.receive(10), world.deps);

    // Assess: three Fargate Spot tasks from one call, no EC2 at all.
    expect(failedIds(result)).toEqual([]);
    expect(world.ec2.calls).toHaveLength(0);
    expect(runTasks()).toHaveLength(1);
    expect(runTasks()[0]?.params).toMatchObject({
      cluster: "ci-runners",
      taskDefinition: "ci-small:1",
      count: 3,
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-a", "subnet-b"],
          securityGroups: ["sg-0abc"],
          assignPublicIp: "DISABLED",
        },
      },
      startedBy: "skiff/ci/small",
    });
    const tasks = world.ecs.tasks({ provider: "FARGATE_SPOT" });
    expect(tasks).toHaveLength(3);
    expect(world.metrics.get("TasksLaunched|CapacityType=spot")).toBe(3);
    for (const task of tasks) {
      expect(task.tags).toMatchObject({ "skiff:prefix": "ci", "skiff:pool": "small" });
      // The JIT config waits at /ci/jit/<task-id>, readable only by that task's credentials.
      const parameter = world.ssm.get(`/ci/jit/${task.taskId}`);
      expect(parameter?.type).toBe("SecureString");
      expect(parameter?.tags).toEqual({
        "skiff:prefix": "ci",
        "skiff:task-userid": `AROAEXAMPLETASKROLE01:${task.taskId}`,
      });
      const instance = await world.db.state.instances.get(task.taskId);
      expect(instance).toMatchObject({ taskArn: task.taskArn, pool: "small", capacityType: "spot" });
    }
    // Each job is bound to its own task and registered as <prefix>-<task-id>.
    const items = await Promise.all(jobs.map((j) => world.db.state.jobs.get(j.jobId)));
    expect(new Set(items.map((i) => i?.instanceId))).toEqual(new Set(tasks.map((t) => t.taskId)));
    for (const item of items) {
      expect(item).toMatchObject({ status: "registered", capacityType: "spot", holdsSlot: true });
      expect(item?.runnerName).toBe(`ci-${item?.instanceId}`);
    }
    expect(await world.db.state.pools.active("small")).toBe(3);
  });

  it("never puts a JIT config into a RunTask request, a task, or a log line", async () => {
    // Prepare
    world = await startWorld({ pools: [fargatePool] });
    world.ecs.setCapacity({ FARGATE_SPOT: 1 });
    await Promise.all(Array.from({ length: 3 }, queueSmall));

    // Act
    await scaleUp(world.receive(10), world.deps);

    // Assess: every config GitHub issued is in SSM and nowhere else the code wrote.
    const { jitConfigs, tokens } = world.github.issuedSecrets();
    expect(jitConfigs).toHaveLength(3);
    const scanner = new SecretScanner();
    for (const [i, config] of jitConfigs.entries()) scanner.secret(`JIT config ${i}`, config);
    for (const [i, token] of tokens.entries()) scanner.secret(`installation token ${i}`, token);
    scanner
      .output("RunTask requests", JSON.stringify(runTasks().map((c) => c.params)))
      .output("ECS tasks", JSON.stringify(world.ecs.tasks()))
      .output("scale-up log", world.log.text());
    expect(scanner.leaks()).toEqual([]);
    for (const task of world.ecs.tasks()) expect(task.overrides).toEqual({});
    expect(world.ssm.names()).toHaveLength(3);
  });

  it("runs the shortfall on FARGATE when Fargate Spot runs out midway", async () => {
    // Prepare: room for two Spot tasks.
    world = await startWorld({ pools: [fargatePool] });
    world.ecs.setCapacity({ FARGATE_SPOT: 2 });
    await Promise.all(Array.from({ length: 5 }, queueSmall));

    // Act
    const result = await scaleUp(world.receive(10), world.deps);

    // Assess
    expect(failedIds(result)).toEqual([]);
    expect(providers()).toEqual(["FARGATE_SPOT", "FARGATE"]);
    expect(runTasks().map((c) => c.params.count)).toEqual([5, 3]);
    expect(world.ecs.tasks({ provider: "FARGATE_SPOT" })).toHaveLength(2);
    expect(world.ecs.tasks({ provider: "FARGATE" })).toHaveLength(3);
    expect(world.metrics.get("SpotFallbacks|Pool=small")).toBe(3);
    expect(world.metrics.get("TasksLaunched|CapacityType=on-demand")).toBe(3);
    const onDemand = world.ecs.tasks({ provider: "FARGATE" });
    for (const task of onDemand) {
      expect((await world.db.state.instances.get(task.taskId))?.capacityType).toBe("on-demand");
    }
    expect(world.ssm.names()).toHaveLength(5);
  });

  it("keeps jobs waiting, losing none, when neither provider has room", async () => {
    // Prepare
    world = await startWorld({ pools: [fargatePool] });
    world.ecs.setCapacity({ FARGATE_SPOT: 0, FARGATE: 0 });
    const jobs = await Promise.all(Array.from({ length: 2 }, queueSmall));

    // Act
    const result = await scaleUp(world.receive(10), world.deps);

    // Assess: each waits as a new, delayed message; no slot is held, nothing runs.
    expect(failedIds(result)).toEqual([]);
    expect(world.sqs.calls.filter((c) => c.operation === "SendMessage")).toHaveLength(2);
    expect(world.ecs.live()).toBe(0);
    expect(world.metrics.get("LaunchErrors|Kind=capacity")).toBe(2);
    expect(await world.db.state.pools.active("small")).toBe(0);
    for (const job of jobs) expect((await world.db.state.jobs.get(job.jobId))?.status).toBe("pending");
  });

  it("never runs more tasks than max_runners", async () => {
    // Prepare
    world = await startWorld({ pools: [{ ...fargatePool, maxRunners: 3 }] });
    await Promise.all(Array.from({ length: 5 }, queueSmall));

    // Act: five single-message invocations at once.
    const batches = Array.from({ length: 5 }, () => world.receive(1));
    const results = await Promise.all(batches.map((records) => scaleUp(records, world.deps)));

    // Assess
    expect(results.flatMap(failedIds)).toEqual([]);
    expect(world.ecs.live()).toBe(3);
    expect(await world.db.state.pools.active("small")).toBe(3);
    expect(world.metrics.get("CapReached|Pool=small")).toBe(2);
  });

  it("rides out RunTask throttling with the SDK's retries", async () => {
    // Prepare: the world's clients make two attempts.
    world = await startWorld({ pools: [fargatePool] });
    world.ecs.failNext("RunTask", "ThrottlingException");
    await queueSmall();

    // Act
    const result = await scaleUp(world.receive(10), world.deps);

    // Assess
    expect(failedIds(result)).toEqual([]);
    expect(world.ecs.callCount("RunTask")).toBe(2);
    expect(world.ecs.live()).toBe(1);
  });

  it("puts the job back to wait when throttling outlasts the retries, holding no slot and trying no fallback", async () => {
    // Prepare
    world = await startWorld({ pools: [fargatePool] });
    world.ecs.failNext("RunTask", "ThrottlingException", undefined, undefined, 4);
    const job = await queueSmall();

    // Act
    const result = await scaleUp(world.receive(10), world.deps);

    // Assess: a rate limit says nothing about Spot capacity, so FARGATE is not tried (its call
    // would spend the same rate); the job waits in the queue as a new message, spending no receive.
    expect(failedIds(result)).toEqual([]);
    expect(providers()).toEqual(["FARGATE_SPOT", "FARGATE_SPOT"]);
    expect(world.metrics.get("LaunchErrors|Kind=throttled")).toBe(1);
    expect(world.metrics.get("SpotFallbacks|Pool=small")).toBe(0);
    expect(world.sqs.calls.some((c) => c.operation === "ChangeMessageVisibility")).toBe(false);
    expect(world.sqs.calls.filter((c) => c.operation === "SendMessage")).toHaveLength(1);
    expect(await world.db.state.jobs.get(job.jobId)).toMatchObject({ status: "pending", holdsSlot: false });
    expect(await world.db.state.pools.active("small")).toBe(0);
  });

  it("logs a permanent RunTask refusal with the job ids and tries no fallback", async () => {
    // Prepare: a cluster ECS does not know.
    world = await startWorld({ pools: [{ ...fargatePool, cluster: "gone" }] });
    const job = await queueSmall();

    // Act
    const result = await scaleUp(world.receive(10), world.deps);

    // Assess
    expect(failedIds(result)).toHaveLength(1);
    expect(world.ecs.callCount("RunTask")).toBe(1);
    const error = world.log.entries.find((e) => e.level === "error");
    expect(error?.message).toMatch(/permanently/);
    expect(error?.extra?.jobIds).toEqual([job.jobId]);
    expect(String(error?.extra?.errors)).toMatch(/ClusterNotFoundException/);
    expect(world.metrics.get("LaunchErrors|Kind=permanent")).toBe(1);
    expect(await world.db.state.pools.active("small")).toBe(0);
    expect(world.ssm.names()).toHaveLength(0);
  });

  it("stops the task when JIT registration fails; the slot stays with it until ECS reports it stopped", async () => {
    // Prepare
    world = await startWorld({ pools: [fargatePool] });
    world.github.failNext(JIT_ROUTE, 422, { message: "Validation Failed" });
    await Promise.all(Array.from({ length: 2 }, queueSmall));

    // Act
    const result = await scaleUp(world.receive(10), world.deps);

    // Assess
    expect(failedIds(result)).toHaveLength(1);
    expect(world.ecs.callCount("StopTask")).toBe(1);
    expect(world.ecs.tasks({ stopped: true })).toHaveLength(1);
    expect(world.ecs.live()).toBe(1);
    // A task counts against max_runners until it is down: the lifecycle releases its slot on
    // the STOPPED event (lambdas/test/lifecycle/tasks.test.ts), the reconcile if that is lost.
    const stopped = world.ecs.tasks({ stopped: true })[0]?.taskArn ?? "";
    const item = await world.db.state.instances.get(stopped.slice(stopped.lastIndexOf("/") + 1));
    expect(item).toMatchObject({ holdsSlot: true });
    expect(await world.db.state.pools.active("small")).toBe(2);
    expect(world.ssm.names()).toHaveLength(1);
  });
});
