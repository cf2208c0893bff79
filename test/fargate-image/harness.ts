// Runs images/runner/entrypoint.sh for real under bash, against a stub ECS task metadata
// endpoint (HTTP on 127.0.0.1) and stub aws / run.sh executables, in a temporary root. The
// aws stub is the EC2 bootstrap's (test/bootstrap/stubs/aws.sh): the same SSM behaviour.
import { type ChildProcess, spawn } from "node:child_process";
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
export const entrypoint = join(repoRoot, "images", "runner", "entrypoint.sh");

export interface Metadata {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** A stub task metadata endpoint v4: GET /task answers the Fargate shape after `failFirst` 503s. */
export async function startMetadata({
  taskArn,
  failFirst = 0,
}: {
  taskArn: string;
  failFirst?: number;
}): Promise<Metadata> {
  const requests: string[] = [];
  const body = JSON.stringify(
    {
      Cluster: taskArn.split("/")[1],
      TaskARN: taskArn,
      Family: "ci-lint-runner",
      Revision: "3",
      DesiredStatus: "RUNNING",
      KnownStatus: "RUNNING",
      Limits: { CPU: 1, Memory: 4096 },
      AvailabilityZone: "eu-north-1a",
      LaunchType: "FARGATE",
      Containers: [
        {
          Name: "runner",
          Labels: { "com.amazonaws.ecs.task-arn": taskArn, "com.amazonaws.ecs.container-name": "runner" },
        },
      ],
    },
    null,
    4,
  );
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === "GET" && req.url === "/v4/abc-123/task") {
      if (requests.length <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(body);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v4/abc-123`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RootOptions {
  metadataUrl: string;
  prefix?: string;
  bootTimeout?: number;
  /** The SecureString's value; undefined: the parameter never exists. */
  parameterValue?: string;
  /** get-parameter calls that fail before the value appears. */
  appearAfter?: number;
  missingError?: string;
  runnerExitCode?: number;
  /** The stub runner waits for SIGTERM instead of exiting. */
  runnerWaitsForTerm?: boolean;
}

export interface Root {
  root: string;
  env: Record<string, string>;
  read(name: string): string | undefined;
  cleanup(): void;
}

export function makeRoot(options: RootOptions): Root {
  const root = mkdtempSync(join(tmpdir(), "skiff-entrypoint-"));
  const state = join(root, "state");
  const bin = join(root, "bin");
  const runnerDir = join(root, "opt", "actions-runner");
  for (const dir of [state, bin, runnerDir]) mkdirSync(dir, { recursive: true });
  const install = (from: string, to: string) => {
    copyFileSync(from, to);
    chmodSync(to, 0o755);
  };
  install(join(repoRoot, "test", "bootstrap", "stubs", "aws.sh"), join(bin, "aws"));
  install(join(here, "stubs", "run.sh"), join(runnerDir, "run.sh"));
  if (options.parameterValue !== undefined)
    writeFileSync(join(state, "parameter-value"), options.parameterValue);
  writeFileSync(join(state, "appear-after"), String(options.appearAfter ?? 0));
  if (options.missingError !== undefined) writeFileSync(join(state, "missing-error"), options.missingError);
  writeFileSync(join(state, "runner-exit-code"), String(options.runnerExitCode ?? 0));
  if (options.runnerWaitsForTerm) writeFileSync(join(state, "runner-waits-for-term"), "");
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    TMPDIR: root,
    SKIFF_STUB_STATE: state,
    SKIFF_AWS: join(bin, "aws"),
    SKIFF_RUNNER_DIR: runnerDir,
    SKIFF_RETRY_SECONDS: "0.05",
    ECS_CONTAINER_METADATA_URI_V4: options.metadataUrl,
    // What Fargate sets for a task with a task role; the runner must not inherit it.
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  };
  if (options.prefix !== "") env.SKIFF_PREFIX = options.prefix ?? "ci";
  env.SKIFF_BOOT_TIMEOUT = String(options.bootTimeout ?? 5);
  const read = (name: string) => {
    try {
      return readFileSync(join(state, name), "utf8");
    } catch {
      return undefined;
    }
  };
  return { root, env, read, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the entrypoint under bash; `done` resolves when it exits. */
export function startEntrypoint(
  env: Record<string, string>,
  timeoutMs = 30_000,
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn("bash", [entrypoint], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}
