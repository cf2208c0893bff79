import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Why each dist/lambdas/<name>.zip cannot be trusted to hold today's code, or nothing when every zip is
 * at least as new as every file esbuild bundled into it (its `<name>.meta.json` lists them: skiff's
 * sources and the dependencies from node_modules). An edit after `make build` would otherwise be
 * tested against the bundle of before the edit.
 */
export function staleBundles(distDir: string, names: readonly string[]): string[] {
  const root = dirname(dirname(distDir));
  const reasons: string[] = [];
  for (const name of names) {
    const zip = join(distDir, `${name}.zip`);
    const meta = join(distDir, `${name}.meta.json`);
    if (!existsSync(zip) || !existsSync(meta)) {
      reasons.push(`dist/lambdas/${name}.zip ${existsSync(zip) ? "has no meta.json" : "does not exist"}`);
      continue;
    }
    const built = statSync(zip).mtimeMs;
    const inputs = Object.keys((JSON.parse(readFileSync(meta, "utf8")) as { inputs: object }).inputs);
    const newer = inputs.find((input) => {
      const path = join(root, input);
      return !existsSync(path) || statSync(path).mtimeMs > built;
    });
    if (newer) {
      reasons.push(
        `dist/lambdas/${name}.zip is older than ${newer}${existsSync(join(root, newer)) ? "" : " (since deleted)"}`,
      );
    }
  }
  return reasons;
}

/** Throws, saying what is stale and what to run, unless every bundle is fresh. */
export function assertFreshBundles(distDir: string, names: readonly string[]): void {
  const reasons = staleBundles(distDir, names);
  if (reasons.length === 0) return;
  throw new Error(
    `the built Lambda zips do not match the sources; run \`make build\` (make e2e and make test do) and try again:\n  ${reasons.join("\n  ")}`,
  );
}
