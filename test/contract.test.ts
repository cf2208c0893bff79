// The pools configuration contract across languages. modules/runners emits
// test/fixtures/pools.json for matching inputs (modules/runners/tests/pools.tftest.hcl);
// here the Lambdas' own parsers read the same file. A pool field added on one side only
// fails one of the two tests.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Ec2Pool, parsePoolRoutes, parsePools } from "../lambdas/src/shared/pools.ts";

const fixture: unknown = JSON.parse(readFileSync(new URL("./fixtures/pools.json", import.meta.url), "utf8"));

describe("test/fixtures/pools.json", () => {
  it("parsePools(fixture) reads every key the module emits and defaults none", () => {
    // Prepare: the fixture as modules/runners emits it (SKIFF_POOLS).
    // Act
    const pools = parsePools(fixture, "SKIFF_POOLS");
    // Assess: equal both ways, so no emitted key is ignored and no parsed key is missing. The one
    // exception is `target`: modules/runners emits none yet, and a pool without one is an EC2 pool.
    // When the module emits Fargate pools it emits `target` for every pool, the fixture carries it,
    // and this mapping goes.
    expect(pools).toEqual((fixture as object[]).map((pool) => ({ target: "ec2", ...pool })));
  });

  it("parsePoolRoutes(fixture) takes the same JSON and keeps the routing order", () => {
    // Act
    const routes = parsePoolRoutes(fixture, "SKIFF_POOLS");
    // Assess
    expect(routes).toEqual([
      { name: "deploy", labels: ["deploy"], architecture: "arm64" },
      { name: "linux", labels: ["docker"], architecture: "x64" },
    ]);
  });

  it("sets every optional field away from its default in at least one pool", () => {
    // Prepare: the defaults parsePools applies when a key is absent.
    const pools = parsePools(fixture, "SKIFF_POOLS") as Ec2Pool[];
    const defaults = (
      parsePools(
        [
          {
            name: "p",
            labels: [],
            instanceTypes: ["m7i.large"],
            subnetIds: ["subnet-0aaaaaaaaaaaaaaa1"],
            launchTemplateId: "lt-0aaaaaaaaaaaaaaa1",
            maxRunners: 1,
          },
        ],
        "defaults",
      ) as Ec2Pool[]
    )[0];
    const optional = [
      "architecture",
      "capacityType",
      "onDemandFallback",
      "spotAllocationStrategy",
      "runnerLevel",
      "runnerGroupId",
      "bootTimeoutSeconds",
      "maxLifetimeSeconds",
      "interruptedRetryOnDemand",
    ] as const;
    // Assess: a fixture that only repeats defaults would not show a key being dropped.
    for (const key of optional) {
      expect(
        pools.some((pool) => pool[key] !== defaults?.[key]),
        key,
      ).toBe(true);
    }
  });
});
