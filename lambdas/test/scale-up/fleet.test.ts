import type { CreateFleetCommandOutput } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import {
  bind,
  classifyError,
  classifyShortfall,
  fleetRequest,
  fleetTags,
  MAX_OVERRIDES,
  readFleet,
} from "../../src/scale-up/fleet.ts";
import { pool } from "../support/fixtures.ts";

const output = (o: Partial<CreateFleetCommandOutput>): CreateFleetCommandOutput => ({ $metadata: {}, ...o });

describe("fleetRequest(pool, count, capacity, tags, token)", () => {
  it("asks for an instant fleet over every instance type × subnet", () => {
    const input = fleetRequest(
      pool,
      3,
      "spot",
      fleetTags({ prefix: "ci", pool: "ci", jobIds: [1, 2, 3], owners: ["acme"] }),
      "t",
    );
    expect(input.Type).toBe("instant");
    expect(input.TargetCapacitySpecification).toEqual({
      TotalTargetCapacity: 3,
      DefaultTargetCapacityType: "spot",
    });
    expect(input.SpotOptions?.AllocationStrategy).toBe("price-capacity-optimized");
    expect(input.LaunchTemplateConfigs?.[0]?.Overrides).toHaveLength(6);
    expect(input.LaunchTemplateConfigs?.[0]?.LaunchTemplateSpecification?.LaunchTemplateId).toBe("lt-0123");
    expect(input.TagSpecifications?.map((t) => t.ResourceType)).toEqual(["instance", "volume"]);
    expect(input.ClientToken).toBe("t");
  });

  it("uses on-demand options, not spot options, for on-demand capacity", () => {
    const input = fleetRequest(pool, 1, "on-demand", [], "t");
    expect(input.SpotOptions).toBeUndefined();
    expect(input.OnDemandOptions?.AllocationStrategy).toBe("lowest-price");
    expect(input.TargetCapacitySpecification?.DefaultTargetCapacityType).toBe("on-demand");
  });

  it("never sends more overrides than EC2 accepts", () => {
    const wide = {
      ...pool,
      instanceTypes: Array.from({ length: 40 }, (_, i) => `m${i}.large`),
      subnetIds: ["a", "b", "c", "d", "e", "f", "g", "h"],
    };
    expect(fleetRequest(wide, 1, "spot", [], "t").LaunchTemplateConfigs?.[0]?.Overrides).toHaveLength(
      MAX_OVERRIDES,
    );
  });
});

describe("fleetTags(...)", () => {
  it("tags prefix, pool, job ids and owners, deduplicated and within 256 characters", () => {
    const tags = fleetTags({
      prefix: "ci",
      pool: "gpu",
      jobIds: Array.from({ length: 40 }, (_, i) => 10_000_000_000 + i),
      owners: ["a", "a", "b"],
    });
    const byKey = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
    expect(byKey["skiff:prefix"]).toBe("ci");
    expect(byKey["skiff:pool"]).toBe("gpu");
    expect(byKey["skiff:owner"]).toBe("a b");
    expect(byKey["skiff:job-id"]?.length).toBeLessThanOrEqual(256);
    expect(byKey["skiff:job-id"]).toMatch(/^10000000000 10000000001 /);
  });
});

describe("readFleet(output, capacity)", () => {
  it("reads a partial fulfilment: the instances launched and the errors reported", () => {
    const outcome = readFleet(
      output({
        Instances: [
          { InstanceIds: ["i-1", "i-2"], InstanceType: "m7i.large", Lifecycle: "spot" },
          { InstanceIds: ["i-3"], InstanceType: "m6i.large", Lifecycle: "spot" },
        ],
        Errors: [{ ErrorCode: "InsufficientInstanceCapacity", ErrorMessage: "no m7i.large in us-east-1a" }],
      }),
      "spot",
    );
    expect(outcome.launched.map((i) => i.instanceId)).toEqual(["i-1", "i-2", "i-3"]);
    expect(outcome.launched[2]).toEqual({
      instanceId: "i-3",
      instanceType: "m6i.large",
      capacityType: "spot",
    });
    expect(outcome.errors).toEqual([
      { code: "InsufficientInstanceCapacity", message: "no m7i.large in us-east-1a" },
    ]);
  });

  it("reads on-demand lifecycles and answers with neither instances nor errors", () => {
    expect(
      readFleet(output({ Instances: [{ InstanceIds: ["i-9"], Lifecycle: "on-demand" }] }), "spot").launched[0]
        ?.capacityType,
    ).toBe("on-demand");
    expect(readFleet(output({}), "spot")).toEqual({ launched: [], errors: [] });
  });
});

describe("classifyError(code) and classifyShortfall(errors)", () => {
  it.each([
    ["InsufficientInstanceCapacity", "capacity"],
    ["SpotMaxPriceTooLow", "capacity"],
    ["MaxSpotInstanceCountExceeded", "capacity"],
    ["VcpuLimitExceeded", "capacity"],
    ["Unsupported", "capacity"],
    ["RequestLimitExceeded", "throttled"],
    ["InternalError", "throttled"],
    ["InvalidLaunchTemplateId.NotFound", "permanent"],
    ["UnauthorizedOperation", "permanent"],
    ["InvalidParameterValue", "permanent"],
  ])("classifies %s as %s", (code, kind) => {
    expect(classifyError(code)).toBe(kind);
  });

  it("calls a shortfall permanent only when every error is permanent", () => {
    expect(classifyShortfall([{ code: "UnauthorizedOperation", message: "" }])).toBe("permanent");
    expect(
      classifyShortfall([
        { code: "UnauthorizedOperation", message: "" },
        { code: "InsufficientInstanceCapacity", message: "" },
      ]),
    ).toBe("capacity");
    expect(classifyShortfall([{ code: "RequestLimitExceeded", message: "" }])).toBe("throttled");
    expect(classifyShortfall([])).toBe("capacity");
  });
});

describe("bind(jobs, instances)", () => {
  const inst = (id: string) => ({ instanceId: id, instanceType: "m7i.large", capacityType: "spot" as const });
  it("pairs jobs with instances in order and returns what is left of each", () => {
    expect(bind(["a", "b", "c"], [inst("i-1"), inst("i-2")])).toEqual({
      bound: [
        { job: "a", instance: inst("i-1") },
        { job: "b", instance: inst("i-2") },
      ],
      unbound: ["c"],
      surplus: [],
    });
    expect(bind(["a"], [inst("i-1"), inst("i-2")]).surplus).toEqual([inst("i-2")]);
  });
});
