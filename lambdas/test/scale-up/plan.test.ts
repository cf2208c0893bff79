import { describe, expect, it } from "vitest";
import type { JobMessage } from "../../src/jobs/messages.ts";
import { backoffSeconds, type PlannedJob, planLaunches } from "../../src/scale-up/plan.ts";
import type { Pool } from "../../src/shared/pools.ts";
import { pool } from "../support/fixtures.ts";

const pools = new Map<string, Pool>([
  ["ci", pool],
  ["deploy", { ...pool, name: "deploy", capacityType: "on-demand", onDemandFallback: true }],
  ["nofallback", { ...pool, name: "nofallback", onDemandFallback: false }],
]);

const planned = (jobId: number, poolName: string, extra: Partial<JobMessage> = {}): PlannedJob => ({
  messageId: `m${jobId}`,
  receiptHandle: `r${jobId}`,
  receiveCount: 1,
  job: {
    kind: "job",
    jobId,
    runId: 1,
    owner: "acme",
    repository: "w",
    installationId: 1,
    pool: poolName,
    labels: [],
    queuedAt: "2026-11-22T10:00:00Z",
    deliveryId: "d",
    ...extra,
  },
});

describe("planLaunches(jobs, pools)", () => {
  it("makes one plan per pool and capacity type, in order of first appearance", () => {
    const plans = planLaunches(
      [
        planned(1, "deploy"),
        planned(2, "ci"),
        planned(3, "ci"),
        planned(4, "ci", { capacity: "on-demand" }),
        planned(5, "nofallback"),
      ],
      pools,
    );
    expect(plans.map((p) => [p.pool.name, p.capacity, p.fallback, p.jobs.map((j) => j.job.jobId)])).toEqual([
      ["deploy", "on-demand", false, [1]],
      ["ci", "spot", true, [2, 3]],
      ["ci", "on-demand", false, [4]],
      ["nofallback", "spot", false, [5]],
    ]);
  });

  it("refuses a job for a pool that is not configured", () => {
    expect(() => planLaunches([planned(1, "gone")], pools)).toThrow("unknown pool gone");
  });
});

describe("backoffSeconds(receiveCount, random)", () => {
  it.each([
    [1, 0.5, 20],
    [2, 0.5, 40],
    [3, 0.5, 80],
    [6, 0.5, 640],
    [7, 0.5, 900],
    [30, 0.5, 900],
  ])("after %i receives waits about %#", (count, random, expected) => {
    expect(backoffSeconds(count, () => random)).toBe(expected);
  });

  it("stays within ±20 % and never past SQS's 900 s limit", () => {
    expect(backoffSeconds(1, () => 0)).toBe(16);
    expect(backoffSeconds(1, () => 0.999)).toBe(24);
    expect(backoffSeconds(20, () => 0.999)).toBe(900);
  });
});
