import { afterEach, expect } from "vitest";
import { Harness, type HarnessOptions } from "./harness.ts";
import { timeline } from "./report.ts";

// What every end-to-end scenario file shares: fast time (SKIFF_E2E_SPEED, default 20; see README.md),
// a harness per test that is always stopped, a dump of what happened under SKIFF_E2E_DEBUG=1, and
// finish(): run to quiet, then Harness.verify() must find nothing.

export const SPEED = Number(process.env.SKIFF_E2E_SPEED ?? 20);

/** Real milliseconds a scenario may take. */
export const REAL = (seconds: number) => seconds * 1000;

/**
 * Registers the after-each that stops the test's harness (printing its state, timeline, scale-down's
 * logs and errors first under SKIFF_E2E_DEBUG) and returns the function that starts it.
 */
export function scenarioHarness(): (options: HarnessOptions) => Promise<Harness> {
  let harness: Harness | undefined;
  afterEach(async () => {
    const h = harness;
    harness = undefined;
    if (!h) return;
    if (process.env.SKIFF_E2E_DEBUG) await debug(h);
    await h.stop();
  });
  return async (options) => {
    harness = await Harness.start({ speed: SPEED, echo: Boolean(process.env.SKIFF_E2E_ECHO), ...options });
    return harness;
  };
}

async function debug(h: Harness): Promise<void> {
  console.error(JSON.stringify(await h.status(), null, 1));
  console.error(timeline(h).join("\n"));
  for (const l of h.logs.filter((l) => l.function === "scale-down" && !l.entry._aws)) {
    console.error("scale-down", new Date(l.at).toISOString(), JSON.stringify(l.entry).slice(0, 400));
  }
  for (const line of h.errors().slice(0, 30)) console.error(line.function, JSON.stringify(line.entry));
  for (const f of Object.values(h.functions)) {
    console.error(f.name, "cold starts", f.coldStarts, "invocations", f.invocations);
    for (const r of f.failures.slice(0, 5)) console.error(f.name, r.failure, r.error?.message);
  }
}

/** Runs until every job is done and everything is cleaned up, then checks the pass conditions. */
export async function finish(h: Harness, expected: Parameters<Harness["verify"]>[0] = {}) {
  await h.waitForJobs(3 * 3600);
  await h.waitForQuiet(3600);
  const verdict = await h.verify(expected);
  expect(verdict.violations).toEqual([]);
  return verdict;
}
