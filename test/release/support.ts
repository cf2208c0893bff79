// Shared by the release tests: run the repository's scripts as a user would, and lay out a
// release the way GitHub serves its downloads (<base>/<tag>/<file>) on the local disk.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");
export const packageVersion: string = JSON.parse(
  readFileSync(join(repoRoot, "package.json"), "utf8"),
).version;

/** The functions a release carries: one per lambdas/src/<name>/handler.ts, as build.mjs builds them. */
export const functions = readdirSync(join(repoRoot, "lambdas/src"), { withFileTypes: true })
  .filter(
    (entry) =>
      entry.isDirectory() && readdirSync(join(repoRoot, "lambdas/src", entry.name)).includes("handler.ts"),
  )
  .map((entry) => entry.name)
  .sort();

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Run {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    timeout: 240_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Stand-in zips (the scripts never look inside), distinct per call so a mix-up shows. */
export function standInZips(dir: string): Record<string, Buffer> {
  mkdirSync(dir, { recursive: true });
  const zips: Record<string, Buffer> = {};
  for (const name of functions) {
    zips[name] = Buffer.concat([Buffer.from(`${name} `), randomBytes(32)]);
    writeFileSync(join(dir, `${name}.zip`), zips[name]);
  }
  return zips;
}

export interface Release {
  /** What SKIFF_RELEASE_URL is set to: the folder that holds <tag>/. */
  url: string;
  /** The folder of the release's files. */
  dir: string;
  zips: Record<string, Buffer>;
}

/** `scripts/release.sh <version>` over stand-in zips, published under <root>/releases/v<version>/. */
export function publishRelease(root: string, version = packageVersion): Release {
  const zips = standInZips(join(root, "built"));
  const dir = join(root, "releases", `v${version}`);
  const made = run("bash", ["scripts/release.sh", version, dir], {
    env: { SKIFF_RELEASE_ZIPS: join(root, "built") },
  });
  if (made.code !== 0) throw new Error(`release.sh failed: ${made.stderr}`);
  return { url: pathToFileURL(join(root, "releases")).href, dir, zips };
}
