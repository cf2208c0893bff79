// Runs packer/runner/files/skiff-bootstrap.sh for real under bash, in a temporary root,
// against a stub IMDS (HTTP on 127.0.0.1 that insists on IMDSv2) and stub aws / run.sh /
// poweroff executables. Shared by bootstrap.test.ts and measure.mjs, hence plain JS.
import { spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..");
export const bootstrapScript = join(repoRoot, "packer", "runner", "files", "skiff-bootstrap.sh");
const stubs = join(here, "stubs");

/** A stub IMDS: PUT /latest/api/token (TTL header required), then GETs with the token. */
export async function startImds({
  instanceId = "i-0123456789abcdef0",
  region = "eu-west-1",
  instanceProfile = "ci-linux-runner",
} = {}) {
  const token = `imds-token-${process.hrtime.bigint()}`;
  const requests = [];
  const metadata = {
    "/latest/meta-data/instance-id": instanceId,
    "/latest/meta-data/placement/region": region,
    // The shape IMDS answers with: pretty-printed JSON.
    "/latest/meta-data/iam/info": JSON.stringify(
      {
        Code: "Success",
        LastUpdated: "2026-12-03T09:00:00Z",
        InstanceProfileArn: `arn:aws:iam::123456789012:instance-profile/${instanceProfile}`,
        InstanceProfileId: "AIPAEXAMPLEPROFILEID",
      },
      null,
      2,
    ).replace(/":/g, '" :'),
  };
  const server = createServer((req, res) => {
    const entry = { method: req.method, url: req.url, authorized: false };
    requests.push(entry);
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      if (!req.headers["x-aws-ec2-metadata-token-ttl-seconds"]) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end(token);
      return;
    }
    if (req.method === "GET" && req.url && req.url in metadata) {
      if (req.headers["x-aws-ec2-metadata-token"] !== token) {
        res.writeHead(401).end();
        return;
      }
      entry.authorized = true;
      res.writeHead(200, { "content-type": "text/plain" }).end(metadata[req.url]);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    instanceId,
    region,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/**
 * Builds a temporary root: etc/skiff/skiff.env, opt/actions-runner/run.sh, bin/ with the
 * stubs, state/ for the stubs' files. Returns the environment for the bootstrap.
 */
export function makeRoot({
  imdsUrl,
  prefix = "ci",
  bootTimeout = 5,
  parameterValue,
  appearAfter = 0,
  runnerExitCode = 0,
  retrySeconds = 0.05,
  writeEnvFile = true,
  missingError,
  runnerOutput,
  uptime = "4.20 1.00",
  runnerPublished,
  putMetricFails = false,
  hooks = {},
}) {
  const root = mkdtempSync(join(tmpdir(), "skiff-bootstrap-"));
  const state = join(root, "state");
  const bin = join(root, "bin");
  const runnerDir = join(root, "opt", "actions-runner");
  const envFile = join(root, "etc", "skiff", "skiff.env");
  for (const dir of [state, bin, runnerDir, dirname(envFile)]) mkdirSync(dir, { recursive: true });
  const install = (from, to) => {
    copyFileSync(join(stubs, from), to);
    chmodSync(to, 0o755);
  };
  install("aws.sh", join(bin, "aws"));
  install("run.sh", join(runnerDir, "run.sh"));
  for (const name of ["poweroff", "journalctl", "sync"]) install("record.sh", join(bin, name));
  if (writeEnvFile) writeFileSync(envFile, `PREFIX=${prefix}\nBOOT_TIMEOUT=${bootTimeout}\n`);
  if (parameterValue !== undefined) writeFileSync(join(state, "parameter-value"), parameterValue);
  writeFileSync(join(state, "appear-after"), String(appearAfter));
  if (missingError !== undefined) writeFileSync(join(state, "missing-error"), missingError);
  writeFileSync(join(state, "runner-exit-code"), String(runnerExitCode));
  if (runnerOutput !== undefined) writeFileSync(join(state, "runner-output"), runnerOutput);
  writeFileSync(join(state, "uptime"), `${uptime}\n`);
  const imageEnv = join(root, "etc", "skiff", "image.env");
  if (runnerPublished !== undefined) {
    writeFileSync(imageEnv, `RUNNER_VERSION=2.338.0\nRUNNER_PUBLISHED=${runnerPublished}\nNODE_MAJOR=22\n`);
  }
  if (putMetricFails) writeFileSync(join(state, "put-metric-fails"), "");
  // What user data writes from the pool's hooks: etc/skiff/hooks/job-started.sh, ...
  const hooksDir = join(root, "etc", "skiff", "hooks");
  mkdirSync(hooksDir, { recursive: true });
  for (const [name, script] of Object.entries(hooks))
    writeFileSync(join(hooksDir, `${name}.sh`), script, { mode: 0o755 });
  const env = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    TMPDIR: root,
    SKIFF_STUB_STATE: state,
    SKIFF_ENV_FILE: envFile,
    SKIFF_IMDS_URL: imdsUrl,
    SKIFF_AWS: join(bin, "aws"),
    SKIFF_RUNNER_DIR: runnerDir,
    SKIFF_RUN_AS: "",
    SKIFF_POWEROFF: `${join(bin, "poweroff")} --now`,
    SKIFF_JOURNAL_SYNC: `${join(bin, "journalctl")} --sync`,
    SKIFF_SYNC: join(bin, "sync"),
    SKIFF_RETRY_SECONDS: String(retrySeconds),
    SKIFF_UPTIME_FILE: join(state, "uptime"),
    SKIFF_IMAGE_ENV_FILE: imageEnv,
    SKIFF_HOOKS_DIR: hooksDir,
  };
  const read = (name) => {
    try {
      return readFileSync(join(state, name), "utf8");
    } catch {
      return undefined;
    }
  };
  return { root, state, env, read, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs the bootstrap under bash; resolves with its exit code, output and wall time. */
export function runBootstrap(env, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn("bash", [bootstrapScript], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}
