import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// A fresh clone's first command installs with `npm ci`: it must succeed from the committed lock
// file and print nothing to act on (no engine warning on the Node versions package.json allows, no
// install script left undecided).
const root = new URL("..", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  engines: { node: string };
  workspaces?: string[];
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; engines?: { node?: string } }>;
};
const installed = (path: string) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);

describe("npm ci from the committed lock file", () => {
  it("prints no warning and no error for a fresh clone", () => {
    // Prepare: what a fresh clone has (npm checks only what it would change, so not this checkout).
    const clone = mkdtempSync(join(tmpdir(), "skiff-npm-"));
    try {
      const workspaces = (manifest.workspaces ?? []).map((w) => `${w}/package.json`);
      for (const file of ["package.json", "package-lock.json", ...workspaces]) {
        mkdirSync(join(clone, file, ".."), { recursive: true });
        copyFileSync(join(root, file), join(clone, file));
      }
      // Act: --dry-run resolves and checks the whole tree without downloading or writing it.
      const out = spawnSync("npm", ["ci", "--dry-run", "--no-audit", "--no-fund"], {
        cwd: clone,
        encoding: "utf8",
        env: { ...process.env, npm_config_loglevel: "warn" },
      });
      // Assess
      const complaints = `${out.stdout}\n${out.stderr}`
        .split("\n")
        .filter((l) => /^npm (warn|error|ERR)/i.test(l));
      expect(complaints).toEqual([]);
      expect(out.status).toBe(0);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  }, 60_000);

  it("has an allowScripts decision for every package with an install script", () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path.includes("node_modules/") && p.hasInstallScript)
      .map(([path]) => installed(path));
    const decided = Object.keys(manifest.allowScripts ?? {}).map((k) => k.replace(/(.)@[^@]*$/, "$1"));
    expect(withScripts.filter((name) => !decided.includes(name))).toEqual([]);
  });

  it("locks no package whose engines exclude the oldest Node package.json allows", () => {
    // Coarse on purpose (no semver here): a range admits a major when one of its || alternatives
    // starts at or below it. The dry run above checks exactly, but only on the Node that runs it.
    const oldest = Number(/^>=\s*(\d+)/.exec(manifest.engines.node)?.[1]);
    const excluding = Object.entries(lock.packages).flatMap(([path, p]) => {
      const range = p.engines?.node;
      if (!range || !path.includes("node_modules/")) return [];
      const floors = range.split("||").map((alt) => Number(/(\d+)/.exec(alt)?.[1] ?? 0));
      return floors.some((major) => major <= oldest)
        ? []
        : [`${installed(path)}@${p.version}: node ${range}`];
    });
    expect(oldest).toBe(20);
    expect(excluding).toEqual([]);
  });
});
