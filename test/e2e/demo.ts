// `make demo`: the harness with two pools, a wave of jobs, spot capacity running out midway. While it
// runs it prints what happens (virtual time); then a timeline per job and a summary that puts what
// skiff controls (queued → launch request, real time) apart from what EC2 and the jobs take.
import { Harness } from "./harness.ts";
import { clockTime, formatSummary, formatWarm, summarize, timeline, warmFigures } from "./report.ts";

const speed = Number(process.env.SKIFF_E2E_SPEED ?? 20);
const jobs = Number(process.env.SKIFF_DEMO_JOBS ?? 24);
/** Waiting warm runners of the lint pool. */
const WARM_IDLE = 2;
/** Virtual seconds between progress lines. */
const PROGRESS_EVERY_S = 30;

const log = (line: string) => process.stdout.write(`${line}\n`);
log(
  `skiff demo: ${jobs} CI jobs, 3 deploy jobs and 6 lint jobs on skiff's built Lambdas, AWS and GitHub played locally.`,
);
log(`Time runs ${speed}× faster than real: a minute below passes in ${(60 / speed).toFixed(1)} s.`);
log(
  `pools: ci (spot first, on-demand fallback, max_runners 8), deploy (on-demand, max_runners 2), lint (arm64, ${WARM_IDLE} warm runners waiting, max_runners 4)`,
);
log("starting the functions (cold starts) ...");

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
    {
      name: "lint",
      labels: ["lint"],
      architecture: "arm64",
      instanceTypes: ["m7g.large", "c7g.large"],
      runnerLevel: "org",
      maxRunners: 4,
      warm: { idle: WARM_IDLE },
    },
  ],
  jobSeconds: [60, 240],
});
const start = h.clock.now();
const at = () => `[${clockTime(h.clock.now() - start).padStart(5)}]`;

/** Prints the first of each kind of notable event per pool as it happens, and a status line every 30 s. */
function watch(): () => void {
  let read = 0;
  const seen = new Set<string>();
  const note = (key: string, line: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    log(`${at()} ${line}`);
  };
  const scan = () => {
    for (; read < h.logs.length; read++) {
      const { function: fn, entry } = h.logs[read] as (typeof h.logs)[number];
      if (fn !== "scale-up") continue;
      if (entry.message === "pool at max_runners; jobs wait in the queue")
        note(
          `cap:${entry.pool}`,
          `pool ${entry.pool} is at max_runners ${entry.maxRunners}: further jobs wait in the queue for a slot`,
        );
      else if (entry.message === "spot short; falling back to on-demand")
        note(`fallback:${entry.pool}`, `pool ${entry.pool}: spot is short, the shortfall launches on-demand`);
    }
  };
  const status = () => {
    const all = h.github.jobs();
    const count = (s: string) => all.filter((j) => j.status === s).length;
    const live = h.aliveInstances();
    const spot = live.filter((i) => i.lifecycle === "spot").length;
    log(
      `${at()} jobs: ${count("queued")} queued, ${count("in_progress")} running, ${count("completed")} done · instances: ${live.length} live (${spot} spot, ${live.length - spot} on-demand)`,
    );
  };
  const events = setInterval(scan, 100);
  const progress = setInterval(status, (PROGRESS_EVERY_S * 1000) / speed);
  return () => {
    clearInterval(events);
    clearInterval(progress);
    scan();
  };
}

const stopWatching = watch();
try {
  log(`${at()} the reconcile boots lint's warm runners`);
  await h.reconcile();
  const waiting = () => h.github.registrations().filter((r) => r.status === "online" && !r.busy).length;
  await h.waitFor("lint's warm runners online", () => waiting() >= WARM_IDLE, 600);
  log(`${at()} ${WARM_IDLE} warm runners wait for lint jobs`);
  log(`${at()} queuing: a CI job every 2 s, a deploy job every 20 s, a lint job every 30 s`);
  // Spot for the CI pool's types runs out after its fourth spot launch: the rest fall back to on-demand.
  let spotLaunches = 0;
  h.ec2.onLaunch((instance) => {
    if (instance.lifecycle === "spot" && ++spotLaunches === 4) {
      h.ec2.setCapacity({ spot: { "m7i.large": 0, "m6i.large": 0, "c7i.large": 0 } });
      log(`${at()} EC2 has no more spot capacity for ci's instance types (the demo's doing)`);
    }
  });
  await Promise.all([
    h.queueJobs(jobs, { labels: ["self-hosted", "ci"] }, 2000),
    h.queueJobs(3, { labels: ["self-hosted", "deploy"] }, 20_000),
    h.queueJobs(6, { labels: ["self-hosted", "linux", "arm64", "lint"] }, 30_000),
  ]);
  await h.waitForJobs(3600);
  log(`${at()} every job is done; waiting for instances to be reaped and runners deregistered`);
  await h.waitForQuiet(1800, { lint: WARM_IDLE });
  stopWatching();
  log(`${at()} quiet: nothing running, nothing registered but lint's waiting warm runners`);
  const verdict = await h.verify({ warm: { lint: WARM_IDLE } });

  log("\ntimeline per job (routed and launch request: real time; the rest: virtual time from queued):");
  for (const line of timeline(h)) log(`  ${line}`);
  log("\nsummary:");
  for (const line of formatSummary(summarize(h), speed)) log(`  ${line}`);
  log("");
  for (const line of formatWarm(warmFigures([...h.instances.values()], [...h.jobs.values()], h.clock.now())))
    log(`  ${line}`);
  log(
    verdict.violations.length === 0
      ? "\nchecks: every job ran once on its own runner, the caps held, nothing was left running or registered."
      : `\nchecks FAILED:\n  ${verdict.violations.join("\n  ")}`,
  );
  process.exitCode = verdict.violations.length === 0 ? 0 : 1;
} finally {
  stopWatching();
  await h.stop();
}
