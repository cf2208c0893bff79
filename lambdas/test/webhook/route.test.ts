import { describe, expect, it } from "vitest";
import type { PoolRoute } from "../../src/shared/pools.ts";
import { createRouter } from "../../src/webhook/route.ts";

const pools: PoolRoute[] = [
  { name: "ci", labels: ["ci"], architecture: "x64" },
  { name: "general", labels: [], architecture: "x64" },
  { name: "deploy", labels: ["deploy", "prod"], architecture: "x64" },
  { name: "graviton", labels: ["ci"], architecture: "arm64" },
  { name: "gpu", labels: ["gpu", "ci"], architecture: "x64" },
  { name: "gpu-twin", labels: ["gpu", "big"], architecture: "x64" },
];

describe("createRouter(pools).route(labels)", () => {
  const router = createRouter(pools);
  it.each([
    { labels: ["ubuntu-latest"], pool: undefined, why: "GitHub-hosted labels are never claimed" },
    { labels: ["self-hosted", "ubuntu-latest"], pool: undefined, why: "one unknown label rules a pool out" },
    { labels: [], pool: undefined, why: "a job without labels is not claimed" },
    { labels: ["self-hosted"], pool: "general", why: "the pool with the fewest labels wins" },
    { labels: ["self-hosted", "linux", "x64"], pool: "general", why: "defaults include the architecture" },
    { labels: ["SELF-HOSTED", "Linux", "CI"], pool: "ci", why: "labels match case-insensitively" },
    { labels: ["ci"], pool: "ci", why: "ties on specificity go to the pool declared first" },
    { labels: ["ci", "arm64"], pool: "graviton", why: "the architecture label selects the arm64 pool" },
    { labels: ["self-hosted", "deploy"], pool: "deploy", why: "a subset of a pool's labels matches it" },
    { labels: ["deploy", "prod", "linux"], pool: "deploy", why: "all of a pool's labels match it" },
    { labels: ["gpu", "ci"], pool: "gpu", why: "only the pool carrying both labels matches" },
    { labels: ["gpu"], pool: "gpu", why: "equal specificity falls back to declaration order" },
    { labels: ["deploy", "ci"], pool: undefined, why: "labels from two pools match neither" },
  ])("routes $labels to $pool: $why", ({ labels, pool }) => {
    expect(router.route(labels)).toBe(pool);
  });

  it("route(labels) prefers a later, more specific pool over an earlier general one", () => {
    const router = createRouter([
      { name: "wide", labels: ["a", "b", "c"], architecture: "x64" },
      { name: "narrow", labels: ["a"], architecture: "x64" },
    ]);
    expect(router.route(["a"])).toBe("narrow");
    expect(router.route(["a", "b"])).toBe("wide");
  });
});
