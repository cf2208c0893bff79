// `make demo`: the harness with two pools, a wave of jobs, spot capacity running out midway,
// then a readable timeline per job and a summary with an estimated cost.
import { Harness } from "./harness.ts";
import { formatSummary, summarize, timeline } from "./report.ts";

const speed = Number(process.env.SKIFF_E2E_SPEED ?? 20);
const jobs = Number(process.env.SKIFF_DEMO_JOBS ?? 24);

const h = await Harness.start({
  speed,
  pools: [
    { name: "ci", labels: ["ci"], instanceTypes: ["m7i.large", "m6i.large", "c7i.large"], maxRunners: 8 },
    {
      name: "deploy",
      labels: ["deploy"],
      capacityType: "on-demand",
      instanceTypes: ["m7i.large"],
      maxRunners: 2,
    },
  ],
  jobSeconds: [60, 240],
});
const log = (line: string) => process.stdout.write(`${line}\n`);
try {
  log(`skiff demo: ${jobs} CI jobs and 3 deploy jobs, time ${speed}× faster than real (virtual times below)`);
  log("pools: ci (spot first, on-demand fallback, max 8), deploy (on-demand, max 2)\n");
  // Spot for the CI pool's types runs out after its fourth spot launch: the rest fall back to on-demand.
  let spotLaunches = 0;
  h.ec2.onLaunch((instance) => {
    if (instance.lifecycle === "spot" && ++spotLaunches === 4) {
      h.ec2.setCapacity({ spot: { "m7i.large": 0, "m6i.large": 0, "c7i.large": 0 } });
      log(
        `[${new Date(h.clock.now()).toISOString().slice(11, 19)}] spot capacity for ci's instance types is exhausted`,
      );
    }
  });
  await Promise.all([
    h.queueJobs(jobs, { labels: ["self-hosted", "ci"] }, 2000),
    h.queueJobs(3, { labels: ["self-hosted", "deploy"] }, 20_000),
  ]);
  await h.waitForJobs(3600);
  await h.waitForQuiet(1800);
  const verdict = await h.verify();

  log("timeline (relative to each job's queued time):");
  for (const line of timeline(h)) log(`  ${line}`);
  log("\nsummary:");
  for (const line of formatSummary(summarize(h), speed)) log(`  ${line}`);
  log(
    verdict.violations.length === 0
      ? "\nchecks: every job ran once on its own runner, the caps held, nothing was left running or registered."
      : `\nchecks FAILED:\n  ${verdict.violations.join("\n  ")}`,
  );
  process.exitCode = verdict.violations.length === 0 ? 0 : 1;
} finally {
  await h.stop();
}
