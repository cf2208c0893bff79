import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  paginateListTasks,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CAPACITY_UNAVAILABLE, FakeEcs, type FakeTask } from "./ecs.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

function run(overrides: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: "ci",
    taskDefinition: "ci-runner:3",
    count: 1,
    capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ["subnet-a", "subnet-b"],
        securityGroups: ["sg-1"],
        assignPublicIp: "DISABLED",
      },
    },
    startedBy: "skiff-ci",
    tags: [
      { key: "skiff:prefix", value: "ci" },
      { key: "skiff:pool", value: "small" },
    ],
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error("expected the call to fail");
}

describe("FakeEcs", () => {
  let fake: FakeEcs;
  let ecs: ECSClient;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse("2026-01-01T00:00:00Z");
    fake = await FakeEcs.start({ now: () => clock, clusters: ["ci"], taskDefinitions: ["ci-runner:3"] });
    ecs = new ECSClient({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
  });

  afterEach(async () => {
    ecs.destroy();
    await fake.close();
  });

  describe("RunTask", () => {
    it("starts count tasks on the strategy's provider, with their tags, startedBy and network", async () => {
      const out = await ecs.send(new RunTaskCommand(run({ count: 3 })));

      expect(out.failures).toEqual([]);
      expect(out.tasks).toHaveLength(3);
      const ids = new Set(out.tasks?.map((t) => t.taskArn));
      expect(ids.size).toBe(3);
      for (const task of out.tasks ?? []) {
        expect(task.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/ci\/[0-9a-f]{32}$/);
        expect(task).toMatchObject({
          capacityProviderName: "FARGATE_SPOT",
          launchType: "FARGATE",
          lastStatus: "PROVISIONING",
          desiredStatus: "RUNNING",
          startedBy: "skiff-ci",
          group: "family:ci-runner",
          taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/ci-runner:3",
        });
        expect(task.createdAt).toEqual(new Date(clock));
        expect(task.tags).toEqual([
          { key: "skiff:prefix", value: "ci" },
          { key: "skiff:pool", value: "small" },
        ]);
      }
      expect(fake.tasks({ provider: "FARGATE_SPOT" }).map((t) => t.subnetId)).toEqual([
        "subnet-a",
        "subnet-b",
        "subnet-a",
      ]);
    });

    it("reports each task a provider has no room for as a capacity failure, and launches the rest", async () => {
      fake.setCapacity({ FARGATE_SPOT: 2 });

      const out = await ecs.send(new RunTaskCommand(run({ count: 5 })));

      expect(out.tasks).toHaveLength(2);
      expect(out.failures).toEqual(Array(3).fill({ reason: CAPACITY_UNAVAILABLE }));
      // The other provider is not limited, and a stopped task frees its place.
      const onDemand = await ecs.send(
        new RunTaskCommand(
          run({ count: 3, capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] }),
        ),
      );
      expect(onDemand.tasks?.map((t) => t.capacityProviderName)).toEqual(["FARGATE", "FARGATE", "FARGATE"]);
      await ecs.send(new StopTaskCommand({ cluster: "ci", task: out.tasks?.[0]?.taskArn }));
      const again = await ecs.send(new RunTaskCommand(run({ count: 1 })));
      expect(again.tasks).toHaveLength(1);
    });

    it("splits a two-provider strategy by base, then weight", async () => {
      const out = await ecs.send(
        new RunTaskCommand(
          run({
            count: 6,
            capacityProviderStrategy: [
              { capacityProvider: "FARGATE", base: 2, weight: 1 },
              { capacityProvider: "FARGATE_SPOT", weight: 3 },
            ],
          }),
        ),
      );

      expect(out.tasks?.map((t) => t.capacityProviderName)).toEqual([
        "FARGATE",
        "FARGATE",
        "FARGATE",
        "FARGATE_SPOT",
        "FARGATE_SPOT",
        "FARGATE_SPOT",
      ]);
    });

    it("answers the first run again for a repeated client token, and refuses it for another request", async () => {
      const first = await ecs.send(new RunTaskCommand(run({ count: 2, clientToken: "token-1" })));
      const second = await ecs.send(new RunTaskCommand(run({ count: 2, clientToken: "token-1" })));

      expect(second.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
      expect(fake.tasks()).toHaveLength(2);
      const error = await failure(ecs.send(new RunTaskCommand(run({ count: 3, clientToken: "token-1" }))));
      expect(error.name).toBe("ClientException");
    });

    it.each([
      ["count 11", run({ count: 11 }), "InvalidParameterException", /count/],
      ["count 0", run({ count: 0 }), "InvalidParameterException", /count/],
      [
        "a launch type and a strategy",
        run({ launchType: "FARGATE" }),
        "InvalidParameterException",
        /both a launch type and capacity provider strategy/,
      ],
      [
        "no awsvpc configuration",
        run({ networkConfiguration: undefined }),
        "InvalidParameterException",
        /Network Configuration must be provided/,
      ],
      [
        "no subnets",
        run({ networkConfiguration: { awsvpcConfiguration: { subnets: [] } } }),
        "InvalidParameterException",
        /subnets/,
      ],
      ["an unknown cluster", run({ cluster: "nope" }), "ClusterNotFoundException", /Cluster not found/],
      [
        "an unknown task definition",
        run({ taskDefinition: "other:1" }),
        "ClientException",
        /task definition/,
      ],
      [
        "a provider the cluster does not have",
        run({ capacityProviderStrategy: [{ capacityProvider: "my-asg", weight: 1 }] }),
        "InvalidParameterException",
        /not associated with the cluster/,
      ],
      [
        "a strategy with every weight zero",
        run({ capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 0 }] }),
        "InvalidParameterException",
        /weight greater than zero/,
      ],
      [
        "a tag key in the aws: namespace",
        run({ tags: [{ key: "aws:owner", value: "x" }] }),
        "InvalidParameterException",
        /aws:/,
      ],
      [
        "51 tags",
        run({ tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" })) }),
        "InvalidParameterException",
        /50 tags/,
      ],
      ["a startedBy with spaces", run({ startedBy: "skiff ci" }), "InvalidParameterException", /startedBy/],
    ])("refuses %s, launching nothing", async (_, input, type, message) => {
      const error = await failure(ecs.send(new RunTaskCommand(input)));

      expect(error.name).toBe(type);
      expect(error.message).toMatch(message);
      expect(fake.tasks()).toHaveLength(0);
    });

    it("lets the SDK retry an injected ThrottlingException and surfaces it when retries run out", async () => {
      const retrying = new ECSClient({
        region: "us-east-1",
        credentials,
        endpoint: fake.url,
        maxAttempts: 3,
      });
      fake.failNext("RunTask", "ThrottlingException", undefined, undefined, 2);

      const out = await retrying.send(new RunTaskCommand(run()));

      expect(out.tasks).toHaveLength(1);
      expect(fake.callCount("RunTask")).toBe(3);
      fake.failNext("RunTask", "ThrottlingException");
      const error = await failure(ecs.send(new RunTaskCommand(run())));
      expect(error).toMatchObject({ name: "ThrottlingException", message: "Rate exceeded" });
      retrying.destroy();
    });
  });

  describe("DescribeTasks, StopTask, ListTasks", () => {
    it("describes known tasks and reports the others as MISSING; tags only when asked", async () => {
      const out = await ecs.send(new RunTaskCommand(run()));
      const arn = out.tasks?.[0]?.taskArn as string;

      const described = await ecs.send(
        new DescribeTasksCommand({ cluster: "ci", tasks: [arn, "f".repeat(32)] }),
      );
      const tagged = await ecs.send(
        new DescribeTasksCommand({ cluster: "ci", tasks: [arn], include: ["TAGS"] }),
      );

      expect(described.tasks?.map((t) => t.taskArn)).toEqual([arn]);
      expect(described.tasks?.[0]?.tags).toBeUndefined();
      expect(described.failures).toEqual([
        { arn: `arn:aws:ecs:us-east-1:000000000000:task/ci/${"f".repeat(32)}`, reason: "MISSING" },
      ]);
      expect(tagged.tasks?.[0]?.tags).toHaveLength(2);
    });

    it("stops a task with its reason and answers InvalidParameterException for an unknown one", async () => {
      const out = await ecs.send(new RunTaskCommand(run()));
      const arn = out.tasks?.[0]?.taskArn as string;
      clock += 5_000;

      const stopped = await ecs.send(new StopTaskCommand({ cluster: "ci", task: arn, reason: "job done" }));

      expect(stopped.task).toMatchObject({
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "UserInitiated",
        stoppedReason: "job done",
      });
      expect(stopped.task?.stoppedAt).toEqual(new Date(clock));
      const error = await failure(ecs.send(new StopTaskCommand({ cluster: "ci", task: "0".repeat(32) })));
      expect(error).toMatchObject({
        name: "InvalidParameterException",
        message: "The referenced task was not found.",
      });
    });

    it("shows a spot interruption set from the test as the stop code DescribeTasks reports", async () => {
      const out = await ecs.send(new RunTaskCommand(run()));
      const arn = out.tasks?.[0]?.taskArn as string;

      fake.setStatus(arn, "STOPPED", {
        stopCode: "SpotInterruption",
        stoppedReason: "Your Spot Task was interrupted.",
      });

      const described = await ecs.send(new DescribeTasksCommand({ cluster: "ci", tasks: [arn] }));
      expect(described.tasks?.[0]).toMatchObject({ lastStatus: "STOPPED", stopCode: "SpotInterruption" });
      expect(fake.live()).toBe(0);
    });

    it("lists running or stopped tasks by startedBy, in pages", async () => {
      await ecs.send(new RunTaskCommand(run({ count: 10 })));
      await ecs.send(new RunTaskCommand(run({ count: 2, startedBy: "someone-else" })));
      const first = fake.tasks()[0]?.taskArn as string;
      await ecs.send(new StopTaskCommand({ cluster: "ci", task: first }));

      const pages = [];
      for await (const page of paginateListTasks(
        { client: ecs, pageSize: 4 },
        { cluster: "ci", startedBy: "skiff-ci" },
      ))
        pages.push(page.taskArns ?? []);
      const stopped = await ecs.send(new ListTasksCommand({ cluster: "ci", desiredStatus: "STOPPED" }));

      expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
      expect(pages.flat()).not.toContain(first);
      expect(stopped.taskArns).toEqual([first]);
      const error = await failure(ecs.send(new ListTasksCommand({ cluster: "other" })));
      expect(error.name).toBe("ClusterNotFoundException");
    });
  });

  describe("task lifecycle with stopping: by-test", () => {
    let driven: FakeEcs;
    let client: ECSClient;
    let changes: FakeTask[];

    beforeEach(async () => {
      driven = await FakeEcs.start({
        now: () => clock,
        clusters: ["ci"],
        taskDefinitions: ["ci-runner:3"],
        stopping: "by-test",
      });
      client = new ECSClient({ region: "us-east-1", credentials, endpoint: driven.url, maxAttempts: 1 });
      changes = [];
      driven.onStateChange((task) => changes.push(task));
    });

    afterEach(async () => {
      client.destroy();
      await driven.close();
    });

    it("StopTask asks a task to stop and it holds its capacity until the test stops it", async () => {
      driven.setCapacity({ FARGATE_SPOT: 1 });
      const launched: string[] = [];
      driven.onLaunch((task) => launched.push(task.taskId));
      const out = await client.send(new RunTaskCommand(run()));
      const arn = out.tasks?.[0]?.taskArn as string;
      driven.setStatus(arn, "RUNNING");
      clock += 1_000;

      const stopped = await client.send(new StopTaskCommand({ cluster: "ci", task: arn, reason: "orphan" }));
      const full = await client.send(new RunTaskCommand(run()));
      driven.setStatus(arn, "DEPROVISIONING");
      clock += 1_000;
      driven.setStatus(arn, "STOPPED");
      const room = await client.send(new RunTaskCommand(run()));

      expect(launched).toHaveLength(2);
      expect(stopped.task).toMatchObject({
        lastStatus: "RUNNING",
        desiredStatus: "STOPPED",
        stopCode: "UserInitiated",
        stoppedReason: "orphan",
      });
      expect(stopped.task?.stoppedAt).toBeUndefined();
      expect(full.failures).toEqual([{ reason: CAPACITY_UNAVAILABLE }]);
      expect(room.tasks).toHaveLength(1);
      const mine = changes.filter((c) => c.taskArn === arn);
      expect(mine.map((c) => [c.lastStatus, c.desiredStatus, c.stopCode ?? "-"])).toEqual([
        ["PROVISIONING", "RUNNING", "-"],
        ["RUNNING", "RUNNING", "-"],
        ["RUNNING", "STOPPED", "UserInitiated"],
        ["DEPROVISIONING", "STOPPED", "UserInitiated"],
        ["STOPPED", "STOPPED", "UserInitiated"],
      ]);
      expect(mine.map((c) => c.version)).toEqual([1, 2, 3, 4, 5]);
      expect(driven.task(arn)?.stoppedAt).toBe(clock);
    });

    it("a container that exits on its own stops its task with EssentialContainerExited", async () => {
      const arn = (await client.send(new RunTaskCommand(run()))).tasks?.[0]?.taskArn as string;
      driven.setStatus(arn, "RUNNING");

      driven.setStatus(arn, "DEACTIVATING");
      driven.setStatus(arn, "STOPPED");

      expect(driven.task(arn)).toMatchObject({
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        stoppedReason: "Essential container in task exited",
      });
      expect(() => driven.setStatus(arn, "RUNNING")).toThrow(/STOPPED/);
    });

    it("interrupts a FARGATE_SPOT task with SpotInterruption, never a FARGATE one", async () => {
      const spot = (await client.send(new RunTaskCommand(run()))).tasks?.[0]?.taskArn as string;
      const onDemand = (
        await client.send(
          new RunTaskCommand(run({ capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] })),
        )
      ).tasks?.[0]?.taskArn as string;
      driven.setStatus(spot, "RUNNING");

      driven.interrupt(spot);
      driven.setStatus(spot, "STOPPED");

      expect(() => driven.interrupt(onDemand)).toThrow(/FARGATE, not FARGATE_SPOT/);
      expect(changes.filter((c) => c.taskArn === spot).slice(-2)).toMatchObject([
        { lastStatus: "RUNNING", desiredStatus: "STOPPED", stopCode: "SpotInterruption" },
        { lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "SpotInterruption" },
      ]);
      const described = await client.send(new DescribeTasksCommand({ cluster: "ci", tasks: [spot] }));
      expect(described.tasks?.[0]).toMatchObject({
        stopCode: "SpotInterruption",
        stoppedReason: "Your Spot Task was interrupted.",
      });
    });

    it("describes a task's state as EventBridge's ECS Task State Change event", async () => {
      const arn = (await client.send(new RunTaskCommand(run()))).tasks?.[0]?.taskArn as string;
      driven.setStatus(arn, "RUNNING");
      clock += 30_000;
      driven.interrupt(arn);

      const event = driven.stateChangeEvent(arn, "event-1");

      expect(event).toMatchObject({
        id: "event-1",
        "detail-type": "ECS Task State Change",
        source: "aws.ecs",
        account: "000000000000",
        region: "us-east-1",
        resources: [arn],
        time: new Date(clock).toISOString(),
        detail: {
          taskArn: arn,
          clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/ci",
          lastStatus: "RUNNING",
          desiredStatus: "STOPPED",
          stopCode: "SpotInterruption",
          stoppingAt: new Date(clock).toISOString(),
          startedBy: "skiff-ci",
          group: "family:ci-runner",
          capacityProviderName: "FARGATE_SPOT",
          launchType: "FARGATE",
          createdAt: new Date(clock - 30_000).toISOString(),
          containers: [{ name: "runner", lastStatus: "RUNNING" }],
          version: 3,
        },
      });
      expect((event.detail as Record<string, unknown>).stoppedAt).toBeUndefined();
    });
  });
});
