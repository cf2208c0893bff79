import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// modules/runners' validation messages, as a user sees them at plan. terraform test can say that a
// validation failed (expect_failures) but not what it said, so this plans modules/runners/variables.tf
// on its own (no resources, no provider) with a terraform.tfvars.json and reads the errors.
const variables = new URL("../modules/runners/variables.tf", import.meta.url).pathname;
let dir = "";

const VALID = {
  prefix: "ci",
  github_app: { id: "123456" },
  network: { vpc_id: "vpc-0123456789abcdef0", subnet_ids: ["subnet-0aaaaaaaaaaaaaaa1"] },
  pools: {
    ci: { labels: ["ci"], instance_types: ["m7i.large"], max_runners: 5 },
    deploy: { labels: ["deploy"], instance_types: ["m7i.large"], max_runners: 2 },
  },
};

function plan(inputs: Record<string, unknown>): { status: number | null; errors: string } {
  writeFileSync(join(dir, "terraform.tfvars.json"), JSON.stringify({ ...VALID, ...inputs }));
  const out = spawnSync("terraform", ["plan", "-input=false", "-no-color", "-refresh=false"], {
    cwd: dir,
    encoding: "utf8",
  });
  // Terraform wraps messages to the terminal's width; compare them as one line.
  return { status: out.status, errors: out.stderr.replace(/\s+/g, " ") };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-messages-"));
  copyFileSync(variables, join(dir, "variables.tf"));
  const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], {
    cwd: dir,
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`terraform init: ${init.stderr}`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("modules/runners variables at plan", () => {
  it("accept the valid configuration the cases below break", () => {
    expect(plan({}).status).toBe(0);
  });

  it.each([
    [
      "max_runners 0 in one pool",
      { pools: { ...VALID.pools, ci: { ...VALID.pools.ci, max_runners: 0 } } },
      'pools["ci"].max_runners must be a whole number from 1 to 10000',
    ],
    [
      "a capacity type that does not exist",
      { pools: { ...VALID.pools, deploy: { ...VALID.pools.deploy, capacity_type: "ondemand" } } },
      'pools["deploy"].capacity_type must be "spot" or "on-demand"',
    ],
    [
      "a Graviton type in an x64 pool",
      { pools: { ...VALID.pools, ci: { ...VALID.pools.ci, instance_types: ["m7i.large", "m7g.large"] } } },
      'pools["ci"].instance_types "m7g.large" (architecture = "x64")',
    ],
    [
      "two pools that match the same jobs",
      { pools: { ...VALID.pools, deploy: { ...VALID.pools.deploy, labels: ["CI"] } } },
      "Pools and their label sets: ci: ci,linux,self-hosted,x64; deploy: ci,linux,self-hosted,x64",
    ],
    [
      "a boot timeout longer than the lifetime",
      {
        pools: {
          ...VALID.pools,
          deploy: { ...VALID.pools.deploy, boot_timeout_seconds: 900, max_lifetime_seconds: 600 },
        },
      },
      'pools["deploy"].boot_timeout_seconds (900) and max_lifetime_seconds (600)',
    ],
    [
      "zone IDs for a new VPC",
      { network: { create_vpc: { availability_zones: ["use1-az1"] } } },
      "network.create_vpc.availability_zones must list 1 to 6 distinct zone names",
    ],
  ])("refuse %s with a message naming the pool or attribute", (_case, inputs, message) => {
    // Act
    const out = plan(inputs);
    // Assess
    expect(out.status).toBe(1);
    expect(out.errors).toContain(message);
  });

  it("name only the pools that break a rule", () => {
    const out = plan({ pools: { ...VALID.pools, ci: { ...VALID.pools.ci, disk_size_gb: 4 } } });
    expect(out.errors).toContain('pools["ci"].disk_size_gb must be');
    expect(out.errors).not.toContain('pools["deploy"].disk_size_gb');
  });
});
