import { describe, expect, it } from "vitest";
import { instanceOfRunner, isSkiffRunnerName, isTaskId, runnerName } from "../../src/jobs/runner.ts";

const TASK = "0123456789abcdef0123456789abcdef";

describe("instanceOfRunner(prefix, name)", () => {
  it.each([
    ["an EC2 instance's runner", "ci-i-0abc123", "i-0abc123"],
    ["a 17-digit EC2 instance id", "ci-i-0123456789abcdef0", "i-0123456789abcdef0"],
    ["a Fargate task's runner (32 hex digits)", `ci-${TASK}`, TASK],
  ])("maps %s back to its id", (_what, name, id) => {
    expect(instanceOfRunner("ci", name)).toBe(id);
    expect(instanceOfRunner("ci", runnerName("ci", id))).toBe(id);
  });

  it.each([
    ["another prefix", `other-${TASK}`],
    ["a task id one digit short", `ci-${TASK.slice(1)}`],
    ["a task id one digit long", `ci-${TASK}0`],
    ["upper-case hex", `ci-${TASK.toUpperCase()}`],
    ["a task id with a dash in it", `ci-${TASK.slice(0, 8)}-${TASK.slice(8, 31)}`],
    ["a task ARN instead of an id", `ci-arn:aws:ecs:us-east-1:123456789012:task/c/${TASK}`],
    ["a suffix after the id", `ci-${TASK}-x`],
    ["a non-hex character", `ci-${TASK.slice(0, 31)}g`],
    ["an instance id without digits", "ci-i-"],
    ["the bare prefix", "ci-"],
    ["a laptop's name", "laptop"],
    ["no name", null],
  ])("refuses %s", (_what, name) => {
    expect(instanceOfRunner("ci", name)).toBeUndefined();
  });
});

describe("isSkiffRunnerName(name)", () => {
  it.each([
    ["ci-i-0abc123", true],
    [`ci-${TASK}`, true],
    [`team-a-${TASK}`, true],
    [`ci-${TASK.slice(2)}`, false],
    [`ci-${TASK}ff`, false],
    [`-${TASK}`, false],
    [TASK, false],
    ["ci-runner-1", false],
    [undefined, false],
  ])("isSkiffRunnerName(%j) is %s", (name, expected) => {
    expect(isSkiffRunnerName(name)).toBe(expected);
  });
});

describe("isTaskId(id)", () => {
  it("tells a task id from an instance id", () => {
    expect(isTaskId(TASK)).toBe(true);
    expect(isTaskId("i-0123456789abcdef0")).toBe(false);
    expect(isTaskId(`${TASK}0`)).toBe(false);
  });
});
