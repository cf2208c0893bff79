// The pools configuration contract across languages. modules/runners emits
// test/fixtures/pools.json for matching inputs (modules/runners/tests/pools.tftest.hcl);
// here the Lambdas' own parsers read the same file. A pool field added on one side only
// fails one of the two tests.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Ec2Pool, type FargatePool, parsePoolRoutes, parsePools } from "../lambdas/src/shared/pools.ts";

const fixture: unknown = JSON.parse(readFileSync(new URL("./fixtures/pools.json", import.meta.url), "utf8"));

describe("test/fixtures/pools.json", () => {
  it("parsePools(fixture) reads every key the module emits and defaults none", () => {
    // Prepare: the fixture as modules/runners emits it (SKIFF_POOLS).
    // Act
    const pools = parsePools(fixture, "SKIFF_POOLS");
    // Assess: equal both ways, so no emitted key is ignored and no parsed key is missing.
    expect(pools).toEqual(fixture);
  });

  it("parsePools(fixture) reads an EC2 and a Fargate pool, each with its own target's fields", () => {
    // Act
    const pools = parsePools(fixture, "SKIFF_POOLS");
    // Assess
    expect(pools.map((pool) => [pool.name, pool.target])).toEqual([
      ["deploy", "ec2"],
      ["lint", "fargate"],
      ["linux", "ec2"],
    ]);
  });

  it("parsePoolRoutes(fixture) takes the same JSON and keeps the routing order", () => {
    // Act
    const routes = parsePoolRoutes(fixture, "SKIFF_POOLS");
    // Assess
    expect(routes).toEqual([
      { name: "deploy", labels: ["deploy"], architecture: "arm64" },
      { name: "lint", labels: ["lint"], architecture: "x64" },
      { name: "linux", labels: ["docker"], architecture: "x64" },
    ]);
  });

  it("sets every optional EC2 field away from its default in at least one pool", () => {
    // Prepare: the defaults parsePools applies when a key is absent.
    const pools = parsePools(fixture, "SKIFF_POOLS").filter((pool): pool is Ec2Pool => pool.target === "ec2");
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

  it("sets every optional Fargate field away from its default in at least one pool", () => {
    // Prepare: the defaults parsePools applies when a key of a Fargate pool is absent.
    const pools = parsePools(fixture, "SKIFF_POOLS").filter(
      (pool): pool is FargatePool => pool.target === "fargate",
    );
    const defaults = (
      parsePools(
        [
          {
            name: "p",
            target: "fargate",
            labels: [],
            subnetIds: ["subnet-0aaaaaaaaaaaaaaa1"],
            maxRunners: 1,
            cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners",
            taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/ci-p-runner:1",
            securityGroupIds: ["sg-0aaaaaaaaaaaaaaa1"],
            cpu: 1024,
            memory: 2048,
            taskRoleId: "AROAEXAMPLEDEFAULTS01",
          },
        ],
        "defaults",
      ) as FargatePool[]
    )[0];
    // Assess
    for (const key of ["assignPublicIp", "ephemeralStorageGb"] as const) {
      expect(
        pools.some((pool) => pool[key] !== defaults?.[key]),
        key,
      ).toBe(true);
    }
  });
});
