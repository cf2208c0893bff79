import { describe, expect, it } from "vitest";
import { CAPACITY_UNAVAILABLE } from "../../../test/fakes/index.ts";
import { classifyTaskError, readRunTask, runTaskRequest, taskJitTag } from "../../src/scale-up/tasks.ts";
import { startedBy, taskId } from "../../src/shared/tasks.ts";
import { fargatePool } from "../support/fixtures.ts";

describe("classifyTaskError(error)", () => {
  it.each([
    [{ code: CAPACITY_UNAVAILABLE, message: "" }, "capacity"],
    [{ code: "RESOURCE:MEMORY", message: "" }, "capacity"],
    [
      {
        code: "ClientException",
        message: "You've reached the limit on the number of tasks you can run concurrently",
      },
      "capacity",
    ],
    [{ code: "ThrottlingException", message: "Rate exceeded" }, "throttled"],
    [{ code: "ServerException", message: "" }, "throttled"],
    [{ code: "ClusterNotFoundException", message: "Cluster not found." }, "permanent"],
    [{ code: "InvalidParameterException", message: "subnets can not be empty." }, "permanent"],
    [{ code: "AccessDeniedException", message: "" }, "permanent"],
    [{ code: "MISSING", message: "" }, "permanent"],
  ] as const)("classifyTaskError(%o) is %s", (error, kind) => {
    expect(classifyTaskError(error)).toBe(kind);
  });
});

describe("taskJitTag(taskRoleId, taskId)", () => {
  it("names the task by its role's unique id and its own id, as its credentials' user id reads", () => {
    expect(taskJitTag("AROAEXAMPLE", "0123abcd")).toEqual({
      Key: "skiff:task-userid",
      Value: "AROAEXAMPLE:0123abcd",
    });
  });
});

describe("runTaskRequest(pool, count, capacity, tags, startedBy, clientToken)", () => {
  it("asks one provider for the tasks, in the pool's network, with no overrides", () => {
    // Act
    const request = runTaskRequest(
      { ...fargatePool, assignPublicIp: true },
      4,
      "on-demand",
      [{ Key: "skiff:pool", Value: "small" }],
      startedBy("ci", "small"),
      "token",
    );
    // Assess
    expect(request).toEqual({
      cluster: "ci-runners",
      taskDefinition: "ci-small:1",
      count: 4,
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-a", "subnet-b"],
          securityGroups: ["sg-0abc"],
          assignPublicIp: "ENABLED",
        },
      },
      startedBy: "skiff/ci/small",
      tags: [{ key: "skiff:pool", value: "small" }],
      clientToken: "token",
    });
  });

  it.each([0, 11])("refuses a count of %i, which RunTask would refuse", (count) => {
    expect(() => runTaskRequest(fargatePool, count, "spot", [], "s", "t")).toThrow(RangeError);
  });
});

describe("readRunTask(output, capacity, pool)", () => {
  it("reads each task's id, ARN and provider, and each failure as an error", () => {
    // Prepare
    const arn = "arn:aws:ecs:us-east-1:1:task/ci-runners/abc123";
    // Act
    const outcome = readRunTask(
      {
        $metadata: {},
        tasks: [{ taskArn: arn, capacityProviderName: "FARGATE_SPOT" }, {}],
        failures: [{ reason: CAPACITY_UNAVAILABLE }],
      },
      "spot",
      fargatePool,
    );
    // Assess
    expect(outcome).toEqual({
      launched: [
        { instanceId: "abc123", taskArn: arn, instanceType: "fargate-1024-4096", capacityType: "spot" },
      ],
      errors: [{ code: CAPACITY_UNAVAILABLE, message: "" }],
    });
    expect(taskId(arn)).toBe("abc123");
  });
});
