import { describe, expect, it } from "vitest";
import { ON_DEMAND_PRICES } from "../fakes/index.ts";
import type { InstanceTrace, JobTrace } from "./harness.ts";
import { clockTime, describeWait, duration, fleetJobs, percentile, warmFigures } from "./report.ts";

describe("duration(ms)", () => {
  it.each([
    [undefined, "-"],
    [Number.NaN, "-"],
    [0, "0ms"],
    [41.4, "41ms"],
    [999.4, "999ms"],
    [999.6, "1.0s"],
    [12_345, "12.3s"],
    [59_940, "59.9s"],
    [59_970, "1m00s"],
    [60_000, "1m00s"],
    [119_600, "2m00s"],
    [125_000, "2m05s"],
    [3_599_400, "59m59s"],
    [3_599_600, "1h00m"],
    [3_720_000, "1h02m"],
    [-1500, "-1.5s"],
  ])("duration(%s) is %s", (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it("never shows 60 in the seconds of a minute form", () => {
    for (let ms = 60_000; ms < 3_600_000; ms += 97) expect(duration(ms)).not.toMatch(/m60s$/);
  });
});

describe("clockTime(ms)", () => {
  it.each([
    [0, "0:00"],
    [59_600, "1:00"],
    [754_000, "12:34"],
    [3_723_000, "1:02:03"],
  ])("clockTime(%s) is %s", (ms, text) => {
    expect(clockTime(ms)).toBe(text);
  });
});

describe("fleetJobs(params)", () => {
  it("reads the job ids from a CreateFleet's skiff:job-id tag", () => {
    const params = {
      "TagSpecification.1.ResourceType": "instance",
      "TagSpecification.1.Tag.1.Key": "skiff:pool",
      "TagSpecification.1.Tag.1.Value": "ci",
      "TagSpecification.1.Tag.2.Key": "skiff:job-id",
      "TagSpecification.1.Tag.2.Value": "1001 1002",
    };
    expect(fleetJobs(params)).toEqual([1001, 1002]);
    expect(fleetJobs({})).toEqual([]);
  });
});

describe("describeWait(wait)", () => {
  it("names the cause of a wait for a slot: the pool and its max_runners", () => {
    expect(describeWait({ ms: 120_000, cause: { kind: "slot", pool: "ci", maxRunners: 8 } })).toBe(
      "waited 2m00s for a slot: pool ci at max_runners 8",
    );
  });
});

describe("percentile(values, p)", () => {
  it("takes the nearest rank, and NaN for no values", () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 99)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("warmFigures(instances, jobs, end)", () => {
  const instance = (id: string, warm: boolean, registered: number, started?: number): InstanceTrace => ({
    instanceId: id,
    target: "ec2",
    pool: "lint",
    lifecycle: "on-demand",
    instanceType: "m7g.large",
    launchedAt: 0,
    taggedJobs: [],
    ...(warm ? { warm: true } : {}),
    events: [
      {
        kind: "registered",
        instanceId: id,
        at: registered,
        runnerId: 1,
        runnerName: `ci-${id}`,
        runnerGroupId: 1,
      },
      ...(started === undefined
        ? []
        : [{ kind: "job-started" as const, instanceId: id, at: started, jobId: 1, runnerName: `ci-${id}` }]),
    ],
  });
  const job = (jobId: number, instanceId: string, queuedAt: number, runningAt: number): JobTrace => ({
    jobId,
    labels: ["lint"],
    repo: "acme/widgets",
    queuedAt,
    pool: "lint",
    launches: [],
    runningAt,
    instanceId,
  });

  it("splits a warm pool's jobs by the runner they started on, and prices the warm runners' idle time", () => {
    const instances = [
      instance("i-w1", true, 30_000, 630_000), // idle 10 min, then a job
      instance("i-w2", true, 30_000), // idle until the end: 20 min
      instance("i-c1", false, 700_000, 710_000),
    ];
    const jobs = [job(1, "i-w1", 628_000, 630_000), job(2, "i-c1", 660_000, 710_000)];

    const [lint, ...others] = warmFigures(instances, jobs, 1_230_000);

    expect(others).toEqual([]);
    expect(lint).toMatchObject({ pool: "lint", warmJobs: 1, coldJobs: 1, warmRunners: 2, idleMinutes: 30 });
    expect(lint?.warmQueuedToRunning.p50).toBe(2000);
    expect(lint?.coldQueuedToRunning.p50).toBe(50_000);
    // 30 minutes of m7g.large on-demand.
    expect(lint?.idleCost).toBeCloseTo(0.5 * (ON_DEMAND_PRICES["m7g.large"] as number), 6);
  });

  it("reports nothing for pools without warm runners", () => {
    expect(warmFigures([instance("i-c1", false, 1000, 2000)], [], 10_000)).toEqual([]);
  });
});
