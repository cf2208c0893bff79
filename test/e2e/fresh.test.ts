import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertFreshBundles, staleBundles } from "./fresh.ts";
import { unzipBundles } from "./unzip.ts";

describe("staleBundles(distDir, names)", () => {
  let root: string;
  let dist: string;
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "skiff-fresh-"));
    dist = join(root, "dist", "lambdas");
    mkdirSync(join(root, "lambdas", "src", "webhook"), { recursive: true });
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(root, "lambdas/src/webhook/handler.ts"), "export const handler = 1;");
    writeFileSync(join(dist, "webhook.zip"), "zip");
    writeFileSync(
      join(dist, "webhook.meta.json"),
      JSON.stringify({ inputs: { "lambdas/src/webhook/handler.ts": { bytes: 1 } } }),
    );
    at(join(root, "lambdas/src/webhook/handler.ts"), 1_000);
    at(join(dist, "webhook.zip"), 2_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("accepts a zip newer than every file it was built from", () => {
    expect(staleBundles(dist, ["webhook"])).toEqual([]);
  });

  it("names the source edited after the build", () => {
    at(join(root, "lambdas/src/webhook/handler.ts"), 3_000);

    expect(staleBundles(dist, ["webhook"])).toEqual([
      "dist/lambdas/webhook.zip is older than lambdas/src/webhook/handler.ts",
    ]);
  });

  it("names a missing zip and a deleted source", () => {
    rmSync(join(root, "lambdas/src/webhook/handler.ts"));

    expect(staleBundles(dist, ["webhook", "scale-up"])).toEqual([
      "dist/lambdas/webhook.zip is older than lambdas/src/webhook/handler.ts (since deleted)",
      "dist/lambdas/scale-up.zip does not exist",
    ]);
  });

  it("makes unzipBundles refuse stale zips with a message saying to run make build", () => {
    at(join(root, "lambdas/src/webhook/handler.ts"), 3_000);

    expect(() => assertFreshBundles(dist, ["webhook"])).toThrow(/run `make build`/);
    expect(() => unzipBundles(dist, ["webhook"])).toThrow(/older than lambdas\/src\/webhook\/handler.ts/);
  });
});
