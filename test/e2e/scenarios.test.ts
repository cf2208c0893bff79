import { afterEach, describe, expect, it } from "vitest";
import { Harness, type HarnessOptions } from "./harness.ts";

// End-to-end scenarios over the built zips (dist/lambdas, from `make build`), in fast time: see README.md.
const SPEED = Number(process.env.SKIFF_E2E_SPEED ?? 20);

const ci = { name: "ci", labels: ["ci"], instanceTypes: ["m7i.large", "m6i.large", "c7i.large"] };
const arm = {
  name: "arm",
  labels: ["arm"],
  architecture: "arm64" as const,
  instanceTypes: ["m7g.large", "c7g.large"],
  runnerLevel: "org" as const,
};
const CI_JOB = { labels: ["self-hosted", "ci"] };
const ARM_JOB = { labels: ["self-hosted", "linux", "arm64"] };

let harness: Harness | undefined;

async function start(options: Omit<HarnessOptions, "speed">): Promise<Harness> {
  harness = await Harness.start({ speed: SPEED, echo: Boolean(process.env.SKIFF_E2E_ECHO), ...options });
  return harness;
}

afterEach(async () => {
  const h = harness;
  harness = undefined;
  if (!h) return;
  if (process.env.SKIFF_E2E_DEBUG) {
    for (const line of h.errors().slice(0, 30)) console.error(line.function, JSON.stringify(line.entry));
    for (const f of Object.values(h.functions)) {
      console.error(f.name, "cold starts", f.coldStarts, "invocations", f.invocations);
      for (const r of f.failures.slice(0, 5)) console.error(f.name, r.failure, r.error?.message);
    }
  }
  await h.stop();
});

describe("skiff end to end", () => {
  it("runs 20 jobs on one pool, each once on its own runner, and leaves nothing behind", async () => {
    const h = await start({ pools: [{ ...ci, maxRunners: 10 }] });

    await h.queueJobs(20, CI_JOB);
    await h.waitForJobs(900);
    await h.waitForQuiet(900);
    const verdict = await h.verify();

    expect(verdict.violations).toEqual([]);
    expect(verdict.jobs).toBe(20);
    expect(verdict.instances).toBe(20);
    expect(verdict.maxLive.ci).toBeLessThanOrEqual(10);
  }, 120_000);
});
