import { describe, expect, it } from "vitest";
import { loadScaleDownConfig } from "../../src/scale-down/config.ts";
import { loadScaleUpConfig } from "../../src/scale-up/config.ts";
import { ConfigError } from "../../src/shared/errors.ts";
import { FARGATE_SIZES, parsePoolRoutes, parsePools } from "../../src/shared/pools.ts";
import { loadWebhookConfig } from "../../src/webhook/config.ts";

const route = { name: "ci", labels: ["ci"], architecture: "x64" };
const fullPool = {
  ...route,
  instanceTypes: ["m7i.large"],
  subnetIds: ["subnet-0abc"],
  launchTemplateId: "lt-0abc",
  maxRunners: 5,
};

const webhookEnv = {
  SKIFF_POOLS: JSON.stringify([route]),
  SKIFF_JOBS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/jobs",
  SKIFF_LIFECYCLE_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/lifecycle",
  SKIFF_WEBHOOK_SECRET_PARAMETERS: "/ci/webhook-secret, /ci/webhook-secret-old",
};

const scaleUpEnv = {
  SKIFF_PREFIX: "ci",
  SKIFF_POOLS: JSON.stringify([fullPool]),
  SKIFF_STATE_TABLE: "ci-state",
  SKIFF_JOBS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/jobs",
  SKIFF_GITHUB_APP_ID: "123",
  SKIFF_GITHUB_APP_KEY_PARAMETER: "/ci/github-app/key",
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadWebhookConfig(env)", () => {
  it("reads a valid configuration, with secrets in rotation order and allow-lists lower-cased", () => {
    const config = loadWebhookConfig({ ...webhookEnv, SKIFF_ALLOWED_OWNERS: "Acme, Other" });
    expect(config.secretParameters).toEqual(["/ci/webhook-secret", "/ci/webhook-secret-old"]);
    expect(config.allowedOwners).toEqual(new Set(["acme", "other"]));
    expect(config.allowedRepositories.size).toBe(0);
    expect(config.pools).toEqual([route]);
    expect(config.secretCacheSeconds).toBe(300);
  });

  it.each([
    ["SKIFF_POOLS", { SKIFF_POOLS: undefined }],
    ["SKIFF_POOLS", { SKIFF_POOLS: "[{" }],
    ["SKIFF_POOLS", { SKIFF_POOLS: "[]" }],
    ["SKIFF_POOLS[0].name", { SKIFF_POOLS: JSON.stringify([{ ...route, name: "Bad Name" }]) }],
    [
      "SKIFF_POOLS[0].labels[1]",
      { SKIFF_POOLS: JSON.stringify([{ ...route, labels: ["ok", "has space"] }]) },
    ],
    ["SKIFF_POOLS[0].architecture", { SKIFF_POOLS: JSON.stringify([{ ...route, architecture: "amd64" }]) }],
    ["SKIFF_POOLS", { SKIFF_POOLS: JSON.stringify([route, route]) }],
    ["SKIFF_JOBS_QUEUE_URL", { SKIFF_JOBS_QUEUE_URL: "not a url" }],
    ["SKIFF_LIFECYCLE_QUEUE_URL", { SKIFF_LIFECYCLE_QUEUE_URL: "" }],
    ["SKIFF_WEBHOOK_SECRET_PARAMETERS", { SKIFF_WEBHOOK_SECRET_PARAMETERS: " , " }],
    ["SKIFF_SECRET_CACHE_SECONDS", { SKIFF_SECRET_CACHE_SECONDS: "soon" }],
  ])("names %s when it is missing or invalid", (field, override) => {
    const error = configError(() => loadWebhookConfig({ ...webhookEnv, ...override }));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^skiff configuration: ${field.replace(/[[\]]/g, "\\$&")} `));
  });
});

describe("parsePools(value, field)", () => {
  it("fills the defaults a pool may leave out", () => {
    const [pool] = parsePools([fullPool], "SKIFF_POOLS");
    expect(pool).toMatchObject({
      capacityType: "spot",
      onDemandFallback: true,
      spotAllocationStrategy: "price-capacity-optimized",
      runnerLevel: "repo",
      runnerGroupId: 1,
      bootTimeoutSeconds: 300,
      maxLifetimeSeconds: 21600,
      interruptedRetryOnDemand: true,
    });
  });

  it.each([
    ["SKIFF_POOLS[0].maxRunners", { maxRunners: 0 }],
    ["SKIFF_POOLS[0].instanceTypes", { instanceTypes: [] }],
    ["SKIFF_POOLS[0].instanceTypes[0]", { instanceTypes: ["large"] }],
    ["SKIFF_POOLS[0].subnetIds[0]", { subnetIds: ["sn-1"] }],
    ["SKIFF_POOLS[0].launchTemplateId", { launchTemplateId: "template" }],
    ["SKIFF_POOLS[0].capacityType", { capacityType: "reserved" }],
    ["SKIFF_POOLS[0].onDemandFallback", { onDemandFallback: "yes" }],
    ["SKIFF_POOLS[0].runnerLevel", { runnerLevel: "enterprise" }],
    ["SKIFF_POOLS[0].bootTimeoutSeconds", { bootTimeoutSeconds: 5 }],
  ])("names %s when it is invalid", (field, override) => {
    expect(configError(() => parsePools([{ ...fullPool, ...override }], "SKIFF_POOLS")).field).toBe(field);
  });

  it("routes need only name, labels and architecture", () => {
    expect(parsePoolRoutes([{ name: "a", labels: [] }], "P")).toEqual([
      { name: "a", labels: [], architecture: "x64" },
    ]);
  });
});

const fargatePool = {
  ...route,
  target: "fargate",
  subnetIds: ["subnet-0abc", "subnet-0def"],
  maxRunners: 5,
  cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners",
  taskDefinition: "ci-small:4",
  securityGroupIds: ["sg-0abc"],
  cpu: 1024,
  memory: 4096,
  taskRoleId: "AROA1234567890EXAMPLE",
};

describe("parsePools(value, field) with target fargate", () => {
  it("reads a Fargate pool and fills its defaults; an EC2 pool gets target ec2", () => {
    // Act
    const [fargate, ec2] = parsePools([fargatePool, { ...fullPool, name: "vm" }], "SKIFF_POOLS");
    // Assess
    expect(fargate).toEqual({
      ...fargatePool,
      capacityType: "spot",
      onDemandFallback: true,
      runnerLevel: "repo",
      runnerGroupId: 1,
      runnerGroupName: null,
      bootTimeoutSeconds: 300,
      maxLifetimeSeconds: 21600,
      interruptedRetryOnDemand: true,
      assignPublicIp: false,
      ephemeralStorageGb: 20,
    });
    expect(ec2?.target).toBe("ec2");
  });

  it("accepts every cpu/memory pair Fargate allows, at both ends of each range", () => {
    for (const [cpu, memories] of FARGATE_SIZES) {
      for (const memory of [memories[0], memories.at(-1)]) {
        expect(() => parsePools([{ ...fargatePool, cpu, memory }], "P"), `${cpu}/${memory}`).not.toThrow();
      }
    }
    expect(FARGATE_SIZES.get(2048)).toHaveLength(13); // 4 GB to 16 GB in 1 GB steps
  });

  it.each([
    ["target", { target: "lambda" }, /must be one of ec2, fargate/],
    ["cpu", { cpu: 300 }, /must be one of 256, 512, 1024, 2048, 4096, 8192, 16384, got 300/],
    ["memory", { cpu: 256, memory: 4096 }, /with cpu 256: 512, 1024, 2048 \(MiB\), got 4096/],
    ["memory", { cpu: 8192, memory: 18_432 }, /16384 to 61440 in steps of 4096/],
    ["capacityType", { architecture: "arm64" }, /Fargate Spot runs x64/],
    ["cluster", { cluster: "no spaces allowed" }, /must match/],
    ["taskDefinition", { taskDefinition: "family:rev" }, /must match/],
    ["securityGroupIds", { securityGroupIds: [] }, /non-empty list/],
    ["securityGroupIds", { securityGroupIds: Array.from({ length: 6 }, (_, i) => `sg-${i}`) }, /at most 5/],
    ["subnetIds", { subnetIds: Array.from({ length: 17 }, (_, i) => `subnet-${i}`) }, /at most 16/],
    ["ephemeralStorageGb", { ephemeralStorageGb: 500 }, /from 20 to 200/],
    ["taskRoleId", { taskRoleId: undefined }, /non-empty string/],
    ["taskRoleId", { taskRoleId: "arn:aws:iam::1:role/x" }, /must match/],
    ["instanceTypes", { instanceTypes: ["m7i.large"] }, /for target "ec2" pools only/],
    ["launchTemplateId", { launchTemplateId: "lt-0abc" }, /for target "ec2" pools only/],
    ["warm", { warm: { idle: 1, organization: "acme" } }, /Fargate pools keep no warm runners/],
  ])("names SKIFF_POOLS[0].%s when a Fargate pool's is invalid", (key, override, message) => {
    // Act
    const error = configError(() => parsePools([{ ...fargatePool, ...override }], "SKIFF_POOLS"));
    // Assess
    expect(error.field).toBe(`SKIFF_POOLS[0].${key}`);
    expect(error.message).toMatch(message);
  });

  it("lets an arm64 Fargate pool run on FARGATE (on-demand)", () => {
    const [pool] = parsePools([{ ...fargatePool, architecture: "arm64", capacityType: "on-demand" }], "P");
    expect(pool).toMatchObject({ architecture: "arm64", capacityType: "on-demand", target: "fargate" });
  });
});

describe("loadScaleUpConfig(env)", () => {
  it("reads a valid configuration with defaults", () => {
    const config = loadScaleUpConfig(scaleUpEnv);
    expect(config.pools.get("ci")?.maxRunners).toBe(5);
    expect(config.githubApiUrl).toBe("https://api.github.com");
    expect(config.freshSeconds).toBe(60);
    expect(config.jitKmsKeyId).toBeUndefined();
  });

  it("accepts a GitHub Enterprise Server API URL and drops a trailing slash", () => {
    expect(
      loadScaleUpConfig({ ...scaleUpEnv, SKIFF_GITHUB_API_URL: "https://ghe.example.com/api/v3/" })
        .githubApiUrl,
    ).toBe("https://ghe.example.com/api/v3");
  });

  it.each([
    ["SKIFF_PREFIX", { SKIFF_PREFIX: "CI!" }],
    ["SKIFF_GITHUB_APP_ID", { SKIFF_GITHUB_APP_ID: "abc" }],
    ["SKIFF_STATE_TABLE", { SKIFF_STATE_TABLE: "" }],
    ["SKIFF_GITHUB_APP_KEY_PARAMETER", { SKIFF_GITHUB_APP_KEY_PARAMETER: undefined }],
    ["SKIFF_GITHUB_API_URL", { SKIFF_GITHUB_API_URL: "ftp://x" }],
    ["SKIFF_FRESH_MESSAGE_SECONDS", { SKIFF_FRESH_MESSAGE_SECONDS: "-1" }],
  ])("names %s when it is invalid", (field, override) => {
    expect(configError(() => loadScaleUpConfig({ ...scaleUpEnv, ...override })).field).toBe(field);
  });
});

describe("loadScaleDownConfig(env) with a Fargate pool", () => {
  it("accepts it beside an EC2 pool: the reconcile lists and stops its tasks", () => {
    // Prepare
    const source = {
      ...scaleUpEnv,
      SKIFF_POOLS: JSON.stringify([fullPool, { ...fargatePool, name: "small" }]),
      SKIFF_JOBS_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/1/jobs-dlq",
    };

    // Act
    const config = loadScaleDownConfig(source);

    // Assess
    expect(config.pools.get("small")).toMatchObject({
      target: "fargate",
      cluster: fargatePool.cluster,
      maxLifetimeSeconds: 21600,
    });
    expect(config.pools.get("ci")?.target).toBe("ec2");
  });
});
