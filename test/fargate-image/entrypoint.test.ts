import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SecretScanner } from "../support/secrets.ts";
import { type Metadata, makeRoot, type Root, type Run, startEntrypoint, startMetadata } from "./harness.ts";

const TASK_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const REGION = "eu-north-1";
const TASK_ARN = `arn:aws:ecs:${REGION}:123456789012:task/ci-runners/${TASK_ID}`;
const PARAMETER = `/ci/jit/${TASK_ID}`;

// Every JIT config a test hands the entrypoint is registered; everything it printed or passed
// to aws is scanned after each test, and any trace of a secret fails it.
let scanner = new SecretScanner();

const newSecret = () => {
  const secret = `eyJza2lmZi10ZXN0Ijoi${randomBytes(3000).toString("base64url")}`;
  scanner.secret("the JIT config", secret);
  return secret;
};

async function run(env: Record<string, string>): Promise<Run> {
  const result = await startEntrypoint(env).done;
  scanner.output("entrypoint stdout", result.stdout).output("entrypoint stderr", result.stderr);
  return result;
}

const lines = (text: string | undefined) => (text ?? "").split("\n").filter((line) => line !== "");

function filesUnder(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => [relative(dir, path), readFileSync(path, "utf8")]);
}

describe("images/runner/entrypoint.sh", () => {
  let metadata: Metadata;
  let root: Root | undefined;

  beforeEach(async () => {
    scanner = new SecretScanner();
    metadata = await startMetadata({ taskArn: TASK_ARN });
  });
  afterEach(async () => {
    scanner.output("aws-calls.log", root?.read("aws-calls.log") ?? "");
    root?.cleanup();
    root = undefined;
    await metadata.close();
    scanner.assertNoLeaks();
  });

  it("reads its task ARN from the metadata endpoint, fetches /<prefix>/jit/<task-id> with decryption, deletes it and runs the runner once", async () => {
    // Prepare
    const secret = newSecret();
    root = makeRoot({ metadataUrl: metadata.url, parameterValue: secret });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(0);
    expect(metadata.requests).toEqual(["GET /v4/abc-123/task"]);
    expect(lines(root.read("aws-calls.log"))).toEqual([
      `ssm get-parameter --region ${REGION} --name ${PARAMETER} --with-decryption --query Parameter.Value --output text`,
      `ssm delete-parameter --region ${REGION} --name ${PARAMETER}`,
    ]);
    expect(root.read("runner-received-jit")).toBe(secret);
    expect(root.read("parameter-value")).toBeUndefined(); // deleted
    expect(result.stderr).toContain(`runner ci-${TASK_ID}`);
  });

  it("never shows the JIT config: not in its output, the runner's argv, the AWS calls or any file it leaves", async () => {
    // Prepare
    const secret = newSecret();
    root = makeRoot({ metadataUrl: metadata.url, parameterValue: secret, appearAfter: 2, runnerExitCode: 1 });

    // Act
    const result = await run(root.env);

    // Assess
    expect(root.read("runner-received-jit")).toBe(secret);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(root.read("runner-cmdline")).not.toContain(secret);
    expect(root.read("runner-args")?.trim()).toBe("");
    const leaks = filesUnder(root.root)
      .filter(([path]) => path !== join("state", "runner-received-jit"))
      .filter(([, content]) => content.includes(secret))
      .map(([path]) => path);
    expect(leaks).toEqual([]);
  });

  it("starts the runner without the task role's credentials URI, so job steps do not pick the role up by default", async () => {
    // Prepare
    root = makeRoot({ metadataUrl: metadata.url, parameterValue: newSecret() });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(0);
    expect(lines(root.read("runner-aws-container-env"))).toEqual([]);
  });

  it("waits quietly through AccessDenied, which the tag-scoped task role answers before scale-up has written the parameter", async () => {
    // Prepare
    const secret = newSecret();
    root = makeRoot({
      metadataUrl: metadata.url,
      parameterValue: secret,
      appearAfter: 3,
      missingError: "AccessDeniedException",
    });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(0);
    expect(lines(root.read("aws-calls.log")).filter((c) => c.startsWith("ssm get-parameter"))).toHaveLength(
      4,
    );
    expect(root.read("runner-received-jit")).toBe(secret);
    expect(result.stderr).toContain("fetched after 4 attempt(s)");
    expect(result.stderr).not.toContain("get-parameter failed");
  });

  it("reports an unexpected SSM error without the value and keeps trying", async () => {
    // Prepare
    root = makeRoot({
      metadataUrl: metadata.url,
      parameterValue: newSecret(),
      appearAfter: 1,
      missingError: "ThrottlingException",
    });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "get-parameter failed (attempt 1): An error occurred (ThrottlingException)",
    );
  });

  it("gives up with status 4 after SKIFF_BOOT_TIMEOUT when its parameter never appears, and starts no runner", async () => {
    // Prepare
    root = makeRoot({ metadataUrl: metadata.url, bootTimeout: 1, missingError: "AccessDeniedException" });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`no JIT config at ${PARAMETER} after 1s`);
    expect(root.read("runner-args")).toBeUndefined();
    expect(lines(root.read("aws-calls.log")).some((c) => c.startsWith("ssm delete-parameter"))).toBe(false);
  });

  it("retries the metadata endpoint until it answers", async () => {
    // Prepare
    await metadata.close();
    metadata = await startMetadata({ taskArn: TASK_ARN, failFirst: 2 });
    root = makeRoot({ metadataUrl: metadata.url, parameterValue: newSecret() });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(0);
    expect(metadata.requests).toHaveLength(3);
    expect(lines(root.read("aws-calls.log"))[0]).toContain(`--name ${PARAMETER}`);
  });

  it("gives up with status 3 when the metadata endpoint never names the task", async () => {
    // Prepare
    root = makeRoot({
      metadataUrl: `${metadata.url}/nothing-here`,
      bootTimeout: 1,
      parameterValue: newSecret(),
    });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(3);
    expect(root.read("aws-calls.log")).toBeUndefined();
  });

  it("exits with the runner's status, after deleting the parameter", async () => {
    // Prepare
    root = makeRoot({ metadataUrl: metadata.url, parameterValue: newSecret(), runnerExitCode: 7 });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(7);
    expect(lines(root.read("aws-calls.log")).at(-1)).toBe(
      `ssm delete-parameter --region ${REGION} --name ${PARAMETER}`,
    );
    expect(result.stderr).toContain("runner exited with status 7");
  });

  it.each([
    ["SKIFF_PREFIX missing", { prefix: "" }, "SKIFF_PREFIX missing or invalid"],
    ["SKIFF_PREFIX invalid", { prefix: "../etc" }, "SKIFF_PREFIX missing or invalid"],
    ["SKIFF_BOOT_TIMEOUT zero", { bootTimeout: 0 }, "SKIFF_BOOT_TIMEOUT missing or invalid"],
    ["no metadata endpoint", { metadataUrl: "" }, "ECS_CONTAINER_METADATA_URI_V4 is not set"],
  ])("refuses to start with status 2 when %s, calling nothing", async (_, options, message) => {
    // Prepare
    root = makeRoot({ metadataUrl: metadata.url, parameterValue: newSecret(), ...options });

    // Act
    const result = await run(root.env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(metadata.requests).toEqual([]);
    expect(root.read("aws-calls.log")).toBeUndefined();
  });

  it("passes SIGTERM (a Fargate Spot interruption) to the runner and exits 143", async () => {
    // Prepare
    root = makeRoot({ metadataUrl: metadata.url, parameterValue: newSecret(), runnerWaitsForTerm: true });
    const started = startEntrypoint(root.env);
    const state = root;
    await expect.poll(() => state.read("runner-started") !== undefined, { timeout: 10_000 }).toBe(true);

    // Act
    started.child.kill("SIGTERM");
    const result = await started.done;
    scanner.output("entrypoint stdout", result.stdout).output("entrypoint stderr", result.stderr);

    // Assess
    expect(result.code).toBe(143);
    expect(root.read("runner-got-term")).toBe("terminated\n");
    expect(result.stderr).toContain("SIGTERM: stopping the runner");
  });
});
