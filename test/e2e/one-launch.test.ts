import { describe, expect, it } from "vitest";
import { unmatchedClaims } from "./harness.ts";

// The e2e harness's "one launch per job" check, counted from EC2: live instances, each with the jobs its
// skiff:job-id tag names, must be assignable to distinct jobs.
describe("unmatchedClaims(claims)", () => {
  const claim = (instanceId: string, ...jobs: number[]) => ({ instanceId, jobs });

  it.each([
    [
      "one batch of three jobs, three instances",
      [claim("a", 1, 2, 3), claim("b", 1, 2, 3), claim("c", 1, 2, 3)],
      [],
    ],
    [
      "a partial fleet and its fallback for the shortfall",
      [claim("a", 1, 2, 3), claim("b", 1, 2, 3), claim("c", 3)],
      [],
    ],
    ["a runner that started job 1 and a batch-mate", [claim("a", 1), claim("b", 1, 2)], []],
    [
      "job 2 launched again while its batch is alive",
      [claim("a", 1, 2), claim("b", 1, 2), claim("c", 2)],
      ["c"],
    ],
    [
      "a whole batch launched twice",
      [claim("a", 1, 2), claim("b", 1, 2), claim("c", 1, 2), claim("d", 1, 2)],
      ["c", "d"],
    ],
    ["an instance tagged with no job", [claim("a")], ["a"]],
  ])("%s", (_, claims, unmatched) => {
    expect(unmatchedClaims(claims).map((c) => c.instanceId)).toEqual(unmatched);
  });
});
