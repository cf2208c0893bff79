import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SecretScanner } from "../support/secrets.ts";
import {
  type BootstrapRun,
  type Imds,
  makeRoot,
  type Root,
  repoRoot,
  runBootstrap as runScript,
  startImds,
} from "./harness.mjs";

const INSTANCE_ID = "i-0a1b2c3d4e5f60718";
const REGION = "eu-north-1";
const PARAMETER = `/ci/jit/${INSTANCE_ID}`;

// Secrets never leave: every JIT config a test hands the bootstrap is registered here, everything the
// bootstrap printed or passed to aws is scanned after each test, and any trace of a secret fails it.
let scanner = new SecretScanner();

/** A JIT config lookalike (about 4 KB, like a real one), unique per test so a leak cannot be a coincidence. */
const newSecret = () => {
  const secret = `eyJza2lmZi10ZXN0Ijoi${randomBytes(3000).toString("base64url")}`;
  scanner.secret("the JIT config", secret);
  return secret;
};

/** Runs the bootstrap and hands its output to the leak scan. */
async function runBootstrap(env: Record<string, string>): Promise<BootstrapRun> {
  const run = await runScript(env);
  scanner.output("bootstrap stdout", run.stdout).output("bootstrap stderr", run.stderr);
  return run;
}

/** Every file under dir, recursively, as [path relative to dir, content]. */
function filesUnder(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => [relative(dir, path), readFileSync(path, "utf8")]);
}

const lines = (text: string | undefined) => (text ?? "").split("\n").filter((line) => line !== "");

describe("skiff-bootstrap.sh", () => {
  let imds: Imds;
  let root: Root | undefined;

  beforeEach(async () => {
    scanner = new SecretScanner();
    imds = await startImds({ instanceId: INSTANCE_ID, region: REGION });
  });
  afterEach(async () => {
    // What the bootstrap passed to aws and to poweroff/journalctl is output too.
    for (const file of ["aws-calls.log", "calls.log"]) scanner.output(file, root?.read(file) ?? "");
    root?.cleanup();
    root = undefined;
    await imds.close();
    scanner.assertNoLeaks();
  });

  it("reads identity over IMDSv2, fetches the JIT config with decryption, deletes it, hands it to run.sh and powers off", async () => {
    // Prepare
    const secret = newSecret();
    root = makeRoot({ imdsUrl: imds.url, parameterValue: secret });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(0);
    expect(imds.requests[0]).toMatchObject({ method: "PUT", url: "/latest/api/token" });
    expect(imds.requests.filter((r) => r.method === "GET").every((r) => r.authorized)).toBe(true);
    expect(lines(root.read("aws-calls.log")).filter((c) => c.startsWith("ssm "))).toEqual([
      `ssm get-parameter --region ${REGION} --name ${PARAMETER} --with-decryption --query Parameter.Value --output text`,
      `ssm delete-parameter --region ${REGION} --name ${PARAMETER}`,
    ]);
    expect(lines(root.read("aws-calls.log")).filter((c) => c.startsWith("cloudwatch "))).toHaveLength(1);
    expect(root.read("runner-received-jit")).toBe(secret);
    expect(lines(root.read("calls.log"))).toEqual(["journalctl --sync", "sync ", "poweroff --now"]);
    expect(run.stderr).toContain(`runner ci-${INSTANCE_ID}`);
  });

  it("never shows the JIT config: not in its output, the runner's argv, the AWS calls or any file it leaves", async () => {
    // Prepare
    const secret = newSecret();
    root = makeRoot({ imdsUrl: imds.url, parameterValue: secret, appearAfter: 2, runnerExitCode: 1 });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(root.read("runner-received-jit")).toBe(secret);
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
    expect(root.read("runner-cmdline")).not.toContain(secret);
    expect(root.read("runner-args")?.trim()).toBe("");
    const leaks = filesUnder(root.root)
      .filter(([path]) => path !== join("state", "runner-received-jit"))
      .filter(([, content]) => content.includes(secret))
      .map(([path]) => path);
    expect(leaks).toEqual([]);
  });

  it("retries while the parameter does not exist yet and starts the runner once it appears", async () => {
    // Prepare
    const secret = newSecret();
    root = makeRoot({ imdsUrl: imds.url, parameterValue: secret, appearAfter: 3 });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(0);
    const calls = lines(root.read("aws-calls.log")).filter((c) => c.startsWith("ssm "));
    expect(calls.filter((c) => c.startsWith("ssm get-parameter"))).toHaveLength(4);
    expect(calls.at(-1)).toBe(`ssm delete-parameter --region ${REGION} --name ${PARAMETER}`);
    expect(root.read("runner-received-jit")).toBe(secret);
    expect(run.stderr).toContain("fetched after 4 attempt(s)");
    expect(run.stderr).not.toContain("get-parameter failed"); // ParameterNotFound is expected, not an error
  });

  it("waits quietly through AccessDenied, which the tag-scoped role answers for a parameter not written yet", async () => {
    // Prepare
    const secret = newSecret();
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: secret,
      appearAfter: 2,
      missingError: "AccessDeniedException",
    });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(0);
    expect(root.read("runner-received-jit")).toBe(secret);
    expect(run.stderr).toContain("fetched after 3 attempt(s)");
    expect(run.stderr).not.toContain("get-parameter failed");
  });

  it("gives up after BOOT_TIMEOUT when the parameter never appears, starts no runner and still powers off", async () => {
    // Prepare
    root = makeRoot({ imdsUrl: imds.url, bootTimeout: 1, retrySeconds: 0.1 });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).not.toBe(0);
    expect(run.ms).toBeGreaterThanOrEqual(1000);
    expect(run.ms).toBeLessThan(5000);
    const calls = lines(root.read("aws-calls.log"));
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every((c) => c.startsWith("ssm get-parameter"))).toBe(true);
    expect(root.read("runner-args")).toBeUndefined();
    expect(lines(root.read("calls.log")).at(-1)).toBe("poweroff --now");
    expect(run.stderr).toContain(`no JIT config at ${PARAMETER} after 1s`);
  });

  it.each([0, 1, 137])("powers off after the runner exits with status %i", async (status) => {
    // Prepare
    root = makeRoot({ imdsUrl: imds.url, parameterValue: newSecret(), runnerExitCode: status });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(status);
    expect(lines(root.read("calls.log"))).toEqual(["journalctl --sync", "sync ", "poweroff --now"]);
    expect(run.stderr).toContain(`runner exited with status ${status}`);
  });

  it("powers off without calling AWS when user data wrote no /etc/skiff/skiff.env", async () => {
    // Prepare
    root = makeRoot({ imdsUrl: imds.url, parameterValue: newSecret(), writeEnvFile: false });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).not.toBe(0);
    expect(root.read("aws-calls.log")).toBeUndefined();
    expect(lines(root.read("calls.log")).at(-1)).toBe("poweroff --now");
    expect(run.stderr).toContain("PREFIX missing or invalid");
  });

  it("rejects a prefix that could escape /<prefix>/jit/ and powers off", async () => {
    // Prepare
    root = makeRoot({ imdsUrl: imds.url, parameterValue: newSecret(), prefix: "ci/../other" });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).not.toBe(0);
    expect(root.read("aws-calls.log")).toBeUndefined();
    expect(lines(root.read("calls.log")).at(-1)).toBe("poweroff --now");
  });

  it("powers off when IMDS does not answer within BOOT_TIMEOUT", async () => {
    // Prepare: a port nothing listens on any more
    const gone = await startImds();
    const deadUrl = gone.url;
    await gone.close();
    root = makeRoot({ imdsUrl: deadUrl, parameterValue: newSecret(), bootTimeout: 1, retrySeconds: 0.1 });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).not.toBe(0);
    expect(root.read("aws-calls.log")).toBeUndefined();
    expect(lines(root.read("calls.log")).at(-1)).toBe("poweroff --now");
    expect(run.stderr).toContain("no answer from IMDS");
  });
});

interface Datum {
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Value: number;
  Unit: string;
}

/** The data of the one put-metric-data call, keyed "<metric> <dim=value,...>". */
function published(root: Root): Record<string, { value: number; unit: string }> {
  const calls = lines(root.read("metric-data.log"));
  expect(calls).toHaveLength(1);
  const data = JSON.parse(calls[0]!) as Datum[];
  return Object.fromEntries(
    data.map((d) => [
      `${d.MetricName} ${d.Dimensions.map((x) => `${x.Name}=${x.Value}`).join(",")}`,
      { value: d.Value, unit: d.Unit },
    ]),
  );
}

/** A runner's console up to and through its job, with the stub's uptime moves. */
const console = (...parts: string[]) => `${parts.join("\n")}\n`;
const at = (seconds: number) => `@uptime ${seconds.toFixed(2)}`;
const LISTENING = "2026-12-03 09:00:10Z: Listening for Jobs";
const RUNNING = "2026-12-03 09:00:12Z: Running job: build";
const COMPLETED = "2026-12-03 09:01:40Z: Job build completed with result: Succeeded";

describe("skiff-bootstrap.sh boot signals (skiff/runner metrics)", () => {
  let imds: Imds;
  let root: Root | undefined;

  beforeEach(async () => {
    imds = await startImds({ instanceId: INSTANCE_ID, region: REGION, instanceProfile: "ci-linux-runner" });
  });
  afterEach(async () => {
    root?.cleanup();
    root = undefined;
    await imds.close();
  });

  it("reports a boot without self-update: seconds since boot when the runner listened and when its job started, per pool and overall", async () => {
    // Prepare
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      runnerOutput: console(
        at(9.8),
        "√ Connected to GitHub",
        LISTENING,
        at(11.2),
        RUNNING,
        at(95),
        COMPLETED,
      ),
    });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(0);
    expect(published(root)).toEqual({
      "Boots service=ci-runner": { value: 1, unit: "Count" },
      "Boots service=ci-runner,Pool=linux": { value: 1, unit: "Count" },
      "SelfUpdated service=ci-runner": { value: 0, unit: "Count" },
      "SelfUpdated service=ci-runner,Pool=linux": { value: 0, unit: "Count" },
      "BootToOnlineSeconds service=ci-runner,Pool=linux": { value: 9.8, unit: "Seconds" },
      "BootToOnlineSeconds service=ci-runner,SelfUpdated=no": { value: 9.8, unit: "Seconds" },
      "BootToJobSeconds service=ci-runner,Pool=linux": { value: 11.2, unit: "Seconds" },
    });
    expect(lines(root.read("aws-calls.log")).find((c) => c.startsWith("cloudwatch "))).toMatch(
      new RegExp(`^cloudwatch put-metric-data --region ${REGION} --namespace skiff/runner --metric-data `),
    );
    expect(run.stdout).toContain(LISTENING); // the runner's console still reaches the journal
    expect(run.stdout).toContain(COMPLETED);
  });

  it("detects a self-update from the runner's own lines and takes the online time after it", async () => {
    // Prepare: the runner connects, is told to update, downloads, restarts, then gets its job
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      runnerOutput: console(
        at(8),
        LISTENING,
        "Runner update in progress, do not shutdown runner.",
        "Downloading 2.338.0 runner",
        at(31.5),
        "Runner listener exit because of updating, re-launch runner after successful update",
        "Update finished successfully.",
        at(33),
        "2026-12-03 09:00:35Z: Listening for Jobs",
        at(34.1),
        RUNNING,
      ),
    });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    const data = published(root);
    expect(data["SelfUpdated service=ci-runner,Pool=linux"]).toEqual({ value: 1, unit: "Count" });
    expect(data["BootToOnlineSeconds service=ci-runner,SelfUpdated=yes"]).toEqual({
      value: 33,
      unit: "Seconds",
    });
    expect(data["BootToJobSeconds service=ci-runner,Pool=linux"]).toEqual({ value: 34.1, unit: "Seconds" });
    expect(run.stderr).toContain("self-updated yes, online 33.00 s and job 34.10 s after boot");
  });

  it("ignores what is printed after the job started, so a job cannot report a self-update", async () => {
    // Prepare
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      runnerOutput: console(
        at(9),
        LISTENING,
        at(10),
        RUNNING,
        "Runner update in progress, do not shutdown runner.",
        LISTENING,
      ),
    });

    // Act
    await runBootstrap(root.env);

    // Assess
    const data = published(root);
    expect(data["SelfUpdated service=ci-runner"]?.value).toBe(0);
    expect(data["BootToOnlineSeconds service=ci-runner,Pool=linux"]?.value).toBe(9);
  });

  it("publishes when the runner ends without a job, with no job time", async () => {
    // Prepare
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      runnerOutput: console(at(12.5), LISTENING),
    });

    // Act
    await runBootstrap(root.env);

    // Assess
    const data = published(root);
    expect(data["BootToOnlineSeconds service=ci-runner,Pool=linux"]?.value).toBe(12.5);
    expect(Object.keys(data).filter((k) => k.startsWith("BootToJobSeconds"))).toEqual([]);
  });

  it("reports the baked runner release's age in whole days from /etc/skiff/image.env", async () => {
    // Prepare
    const published26DaysAgo = new Date(Date.now() - 26 * 86_400_000 - 3_600_000).toISOString();
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      runnerPublished: published26DaysAgo,
      runnerOutput: console(LISTENING, RUNNING),
    });

    // Act
    await runBootstrap(root.env);

    // Assess
    const data = published(root);
    expect(data["RunnerReleaseAgeDays service=ci-runner"]).toEqual({ value: 26, unit: "None" });
    expect(data["RunnerReleaseAgeDays service=ci-runner,Pool=linux"]).toEqual({ value: 26, unit: "None" });
  });

  it("names the pool from the instance profile <prefix>-<pool>-runner", async () => {
    // Prepare
    await imds.close();
    imds = await startImds({
      instanceId: INSTANCE_ID,
      region: REGION,
      instanceProfile: "ci-gpu-large-runner",
    });
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      runnerOutput: console(LISTENING, RUNNING),
    });

    // Act
    await runBootstrap(root.env);

    // Assess
    expect(Object.keys(published(root))).toContain("Boots service=ci-runner,Pool=gpu-large");
  });

  it("reads the pool the way modules/runner-pool names the instance profile: <prefix>-<pool>-runner", () => {
    const pool = readFileSync(join(repoRoot, "modules/runner-pool/main.tf"), "utf8");
    expect(pool).toMatch(/full_name\s*=\s*"\$\{var\.prefix\}-\$\{var\.name\}"/);
    expect(pool).toMatch(
      /resource "aws_iam_instance_profile" "this" \{\n\s*name\s*=\s*"\$\{local\.full_name\}-runner"/,
    );
  });

  it("logs a refused put-metric-data and still hands back the runner's status and powers off", async () => {
    // Prepare
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      runnerExitCode: 1,
      putMetricFails: true,
      runnerOutput: console(LISTENING, RUNNING),
    });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "could not publish boot signals (the role needs cloudwatch:PutMetricData on namespace skiff/runner)",
    );
    expect(lines(root.read("calls.log")).at(-1)).toBe("poweroff --now");
  });

  it("hands the pool's job hooks to the runner, which runs them around the job with the job's environment", async () => {
    // Prepare
    const record = (file: string) =>
      `#!/bin/bash\nprintf '%s %s %s %s\\n' "$0" "$GITHUB_JOB" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID" >>"$SKIFF_STUB_STATE/hooks.log"\n: "${file}"\n`;
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      hooks: { "job-started": record("started"), "job-completed": record("completed") },
    });
    const hooksDir = join(root.root, "etc", "skiff", "hooks");

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(0);
    expect(lines(root.read("hooks.log"))).toEqual([
      `${hooksDir}/job-started.sh build octo-org/app 42`,
      `${hooksDir}/job-completed.sh build octo-org/app 42`,
    ]);
    expect(run.stderr).toContain(`job hooks: ACTIONS_RUNNER_HOOK_JOB_STARTED=${hooksDir}/job-started.sh`);
  });

  it("sets no hook variable when the pool has no hooks", async () => {
    // Prepare
    root = makeRoot({
      imdsUrl: imds.url,
      parameterValue: newSecret(),
      hooks: { "job-completed": "exit 0\n" },
    });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("ACTIONS_RUNNER_HOOK_JOB_COMPLETED=");
    expect(run.stderr).not.toContain("ACTIONS_RUNNER_HOOK_JOB_STARTED=");
  });

  it("fails the job, and still powers off, when a job hook fails", async () => {
    // Prepare
    root = makeRoot({ imdsUrl: imds.url, parameterValue: newSecret(), hooks: { "job-started": "exit 3\n" } });

    // Act
    const run = await runBootstrap(root.env);

    // Assess
    expect(run.code).toBe(1);
    expect(lines(root.read("calls.log")).at(-1)).toBe("poweroff --now");
  });
});

interface Versions {
  runner: { version: string; sha256: { x64: string; arm64: string } };
  node: { major: number };
}
const versions = JSON.parse(readFileSync(join(repoRoot, "versions.json"), "utf8")) as Versions;

type HookName = "pre_install" | "post_install" | "job_started" | "job_completed";

/** The hooks object runner-pool passes: every key present, "" for none. */
function hooksHcl(hooks: Partial<Record<HookName, string>>): string {
  const names: HookName[] = ["pre_install", "post_install", "job_started", "job_completed"];
  return `{ ${names
    .map(
      (n) =>
        `${n} = ${JSON.stringify(hooks[n] ?? "")
          .replaceAll("${", () => "$${")
          .replaceAll("%{", "%%{")}`,
    )
    .join(", ")} }`;
}

/** Renders the user-data template the way the runner-pool module does, with Terraform itself. */
function renderUserData(
  bootstrapScript: "file" | "empty",
  hooks: Partial<Record<HookName, string>> = {},
  logGroup = "",
): string {
  const template = join(repoRoot, "packer", "runner", "user-data.sh.tftpl");
  const versionsFile = join(repoRoot, "versions.json");
  const v = `jsondecode(file("${versionsFile}")).runner`;
  const bootstrap =
    bootstrapScript === "file" ? `file("${join(repoRoot, "packer/runner/files/skiff-bootstrap.sh")}")` : `""`;
  const expression = `base64encode(templatefile("${template}", { prefix = "ci", boot_timeout_seconds = 300, runner_version = ${v}.version, runner_sha256_x64 = ${v}.sha256.x64, runner_sha256_arm64 = ${v}.sha256.arm64, bootstrap_script = ${bootstrap}, hooks = ${hooksHcl(hooks)}, log_group = "${logGroup}" }))`;
  const cwd = mkdtempSync(join(tmpdir(), "skiff-user-data-"));
  try {
    const output = execFileSync("terraform", ["console", "-no-color"], {
      input: expression,
      cwd,
      env: { ...process.env, TF_CLI_CONFIG_FILE: join(repoRoot, "terraform.rc"), CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    });
    return Buffer.from(output.trim().replace(/^"|"$/g, ""), "base64").toString("utf8");
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

function shellcheck(script: string): void {
  execFileSync("bash", ["-n"], { input: script });
  execFileSync("shellcheck", ["-s", "bash", "-"], { input: script, encoding: "utf8" });
}

describe("user-data.sh.tftpl", () => {
  it("renders for a stock AMI to valid shell under the 16 KB user-data limit, with the versions.json pins", () => {
    const userData = renderUserData("file");

    expect(() => shellcheck(userData)).not.toThrow();
    expect(Buffer.byteLength(userData)).toBeLessThan(16 * 1024);
    expect(userData).toContain("PREFIX=ci\nBOOT_TIMEOUT=300\n");
    expect(userData).toContain(`download/v${versions.runner.version}/`);
    expect(userData).toContain(`arch=x64 sha=${versions.runner.sha256.x64}`);
    expect(userData).toContain(`arch=arm64 sha=${versions.runner.sha256.arm64}`);
    expect(userData).toContain(
      readFileSync(join(repoRoot, "packer/runner/files/skiff-bootstrap.sh"), "utf8"),
    );
  });

  it("renders for a baked AMI (empty bootstrap_script) to a small script that only writes skiff.env and starts the unit", () => {
    const userData = renderUserData("empty");

    expect(() => shellcheck(userData)).not.toThrow();
    expect(Buffer.byteLength(userData)).toBeLessThan(3 * 1024);
    expect(userData).toContain("systemctl start --no-block skiff-runner.service");
    expect(userData).not.toContain("dnf install");
  });

  it("writes the pool's hooks to /etc/skiff/hooks and runs pre_install before and post_install after the runner's install", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text; ${ must reach user data untouched by templatefile
    const preInstall = 'dnf install -y -q jq\necho "${HOME}"';
    const userData = renderUserData("file", {
      pre_install: preInstall,
      post_install: "echo installed",
      job_started: "echo started",
      job_completed: "echo completed",
    });

    expect(() => shellcheck(userData)).not.toThrow();
    for (const [file, body] of [
      ["pre-install", preInstall],
      ["post-install", "echo installed"],
      ["job-started", "echo started"],
      ["job-completed", "echo completed"],
    ]) {
      expect(userData).toContain(
        `install -Dm0755 /dev/stdin /etc/skiff/hooks/${file}.sh <<'SKIFF_HOOK'\n${body}\nSKIFF_HOOK\n`,
      );
    }
    const at = (part: string) => offsetIn(userData, part);
    expect(at("bash /etc/skiff/hooks/pre-install.sh")).toBeGreaterThan(
      at("/dev/stdin /etc/skiff/hooks/pre-install.sh"),
    );
    expect(at("bash /etc/skiff/hooks/pre-install.sh")).toBeLessThan(at("dnf install -y -q --setopt"));
    expect(at("bash /etc/skiff/hooks/post-install.sh")).toBeGreaterThan(
      at("chmod 0755 /usr/local/libexec/skiff/bootstrap"),
    );
    expect(at("bash /etc/skiff/hooks/post-install.sh")).toBeLessThan(at("systemd-run --unit=skiff-runner"));
  });

  it.each([
    [
      "file",
      "dnf install -y -q --setopt=install_weak_deps=False docker git libicu tar gzip amazon-cloudwatch-agent",
    ],
    ["empty", "ship_logs\n  systemctl start --no-block skiff-runner.service"],
  ] as const)(
    "with a log group (bootstrap %s), starts the CloudWatch agent on the bootstrap's journal and the runner's logs before the runner",
    (bootstrap, marker) => {
      const userData = renderUserData(bootstrap, {}, "/skiff/ci/linux");

      expect(() => shellcheck(userData)).not.toThrow();
      expect(userData).toContain(marker);
      expect(userData).toContain(
        '"file_path":"/var/log/skiff/bootstrap.log","log_group_name":"/skiff/ci/linux"',
      );
      expect(userData).toContain(
        '"file_path":"/opt/actions-runner/_diag/*.log","log_group_name":"/skiff/ci/linux"',
      );
      expect(userData.lastIndexOf("ship_logs")).toBeLessThan(
        offsetIn(
          userData,
          bootstrap === "file" ? "systemd-run --unit=skiff-runner" : "systemctl start --no-block",
        ),
      );
    },
  );

  it("writes the job hooks on a baked AMI too, before the runner's unit starts", () => {
    const userData = renderUserData("empty", { job_started: "echo started" });

    expect(() => shellcheck(userData)).not.toThrow();
    expect(offsetIn(userData, "/dev/stdin /etc/skiff/hooks/job-started.sh")).toBeLessThan(
      offsetIn(userData, "systemctl start --no-block skiff-runner.service"),
    );
    expect(userData).not.toContain("job-completed");
  });
});

const offsetIn = (text: string, part: string) => {
  const i = text.indexOf(part);
  expect(i, `${part} in user data`).toBeGreaterThanOrEqual(0);
  return i;
};

describe("versions.json", () => {
  it("pins the runner version, a SHA-256 per architecture and the Node.js major", () => {
    expect(versions.runner.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versions.runner.sha256.x64).toMatch(/^[0-9a-f]{64}$/);
    expect(versions.runner.sha256.arm64).toMatch(/^[0-9a-f]{64}$/);
    expect(versions.runner.sha256.x64).not.toBe(versions.runner.sha256.arm64);
    expect(Number.isInteger(versions.node.major)).toBe(true);
  });

  it("is the only place under packer/ that names the runner version or its checksums", () => {
    const copies = filesUnder(join(repoRoot, "packer"))
      .filter(([path]) => !path.endsWith(".md") && !path.endsWith("manifest.json"))
      .filter(
        ([, content]) =>
          content.includes(versions.runner.version) ||
          content.includes(versions.runner.sha256.x64) ||
          content.includes(versions.runner.sha256.arm64),
      )
      .map(([path]) => path);
    expect(copies).toEqual([]);
  });
});
