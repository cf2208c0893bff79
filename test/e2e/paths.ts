import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: the nearest folder above this module whose package.json is skiff's. Found by
 * walking up, so it also works when this file is bundled elsewhere (test/e2e/run.mjs).
 */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "skiff") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("test/e2e: cannot find the skiff repository root");
    dir = parent;
  }
})();

/** A file of the harness (the .cjs/.mjs helpers it starts as processes). */
export function e2eFile(name: string): string {
  return join(repoRoot, "test/e2e", name);
}

export const distDir = join(repoRoot, "dist/lambdas");
