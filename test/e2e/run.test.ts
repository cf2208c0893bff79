import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { e2eFile, repoRoot } from "./paths.ts";

// `make demo` and `make bench` are `node test/e2e/run.mjs <entry>`: their exit status must be the
// entry's, and they must end when the entry has finished (a bench that printed its table and then
// waited on a forgotten timer until something killed it exited non-zero).
function run(entry: string, env: Record<string, string> = {}) {
  const started = performance.now();
  const out = spawnSync(process.execPath, [e2eFile("run.mjs"), join("test/e2e/entries", entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { ...out, seconds: (performance.now() - started) / 1000 };
}

describe("run.mjs <entry>", () => {
  it("exits 0 on its own once a harness run has stopped, without waiting for the grace", () => {
    // Prepare: a grace far longer than the run, so only a clean exit finishes in time.
    // Act
    const out = run("start-stop.ts", { SKIFF_RUN_GRACE_MS: "120000" });
    // Assess
    expect(out.stderr).not.toContain("still has");
    expect(out.stdout, out.stderr).toContain("done");
    expect(out.status).toBe(0);
    expect(out.seconds).toBeLessThan(50);
  }, 70_000);

  it("names what an entry left open and exits with the entry's own status after the grace", () => {
    const out = run("leaky.ts", { SKIFF_RUN_GRACE_MS: "200" });
    expect(out.stdout).toContain("done");
    expect(out.stderr).toMatch(/leaky\.ts finished 200 ms ago, but Node still has .*Timeout/);
    expect(out.status).toBe(3);
  });
});
