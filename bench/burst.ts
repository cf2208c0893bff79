// The scale figure of `make bench`: a burst of jobs over five pools at once, with EC2's documented API
// rate limits on in FakeEc2. Measured from the harness's records; see bench/README.md.
import { Harness, type PoolSpec } from "../test/e2e/harness.ts";
import { percentile } from "../test/e2e/report.ts";
import { EC2_RATE_LIMITS, type Ec2RateLimits } from "../test/fakes/ec2.ts";

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Five pools with their own labels and instance types; `cap` runners each. */
export function burstPools(cap: number): PoolSpec[] {
  return [
    { name: "linux", labels: ["linux-x64"], instanceTypes: ["m7i.large", "m6i.large", "c7i.large"] },
    {
      name: "arm",
      labels: ["linux-arm"],
      architecture: "arm64" as const,
      instanceTypes: ["m7g.large", "c7g.large"],
      runnerLevel: "org" as const,
    },
    { name: "big", labels: ["xlarge"], instanceTypes: ["m7i.xlarge", "m6i.xlarge"] },
    { name: "compute", labels: ["compute"], instanceTypes: ["c7i.large", "c6i.large"] },
    { name: "memory", labels: ["memory"], instanceTypes: ["r7i.large", "r6i.large"] },
  ].map((p) => ({ ...p, maxRunners: cap }));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * `jobs` queued at once, spread evenly over five pools of `jobs / 5` runners each (so every job can
 * have an instance), EC2 rate-limited as documented. Jobs run an hour, so the run ends when every job
 * is in progress, before any completes. Times are virtual seconds from the first webhook the endpoint
 * accepted.
 */
export async function burst(jobs: number, speed: number, rateLimits: Ec2RateLimits = EC2_RATE_LIMITS) {
  const perPool = Math.ceil(jobs / 5);
  const pools = burstPools(perPool);
  const started = performance.now();
  const h = await Harness.start({
    speed,
    pools,
    ec2RateLimits: rateLimits,
    bootSeconds: [30, 30],
    jobSeconds: [3600, 3600],
    logLevel: "WARN",
    // modules/scale-up's default event source maximum_concurrency, and batches of 10.
    concurrency: { "scale-up": 10 },
  });
  try {
    const ready = performance.now();
    await Promise.all(
      pools.map((p, i) =>
        h.queueJobs(Math.min(perPool, jobs - i * perPool), { labels: ["self-hosted", ...p.labels] }),
      ),
    );
    const n = h.github.jobs().length;
    const running = () => [...h.jobs.values()].filter((t) => t.runningAt !== undefined).length;
    let timedOut = "";
    await h
      .waitFor(`${n} jobs in progress`, () => running() >= n, 300)
      .catch((error: Error) => {
        timedOut = error.message;
      });
    const end = h.clock.now();

    const accepted = h.webhookRequests.filter((r) => r.action === "queued" && r.status === 202);
    const t0 = Math.min(...accepted.map((r) => r.at));
    const throttledCalls = new Set(h.ec2.throttled);
    const fleets = h.ec2.calls.filter((c) => c.operation === "CreateFleet");
    const launching = fleets.filter((c) => !throttledCalls.has(c));
    const instances = h.ec2.instances();
    const lastLaunch = Math.max(...instances.map((i) => i.launchTime));
    const startedAt = [...h.jobs.values()].flatMap((t) => (t.runningAt === undefined ? [] : [t.runningAt]));
    const dlq = h.sqs.count(h.queues.jobsDlq).total;
    const seconds = (at: number) => round((at - t0) / 1000);
    const githubByRoute = countBy(h.github.calls, (c) => c.operation);
    const perJob = (count: number) => round(count / n, 3);
    return {
      jobs: n,
      pools: pools.length,
      maxRunnersPerPool: perPool,
      speed,
      rateLimits,
      toLastLaunchS: seconds(lastLaunch),
      toLastCreateFleetRequestS: seconds(Math.max(...fleets.map((c) => c.at))),
      toAllInProgressS: startedAt.length === n ? seconds(Math.max(...startedAt)) : null,
      queuedToRunningS: {
        p50: round(
          percentile(
            startedAt.map((at) => (at - t0) / 1000),
            50,
          ),
        ),
        p99: round(
          percentile(
            startedAt.map((at) => (at - t0) / 1000),
            99,
          ),
        ),
      },
      createFleet: {
        requests: fleets.length,
        launched: launching.length,
        throttled: fleets.length - launching.length,
        instancesPerLaunch: round(instances.length / Math.max(1, launching.length), 2),
      },
      throttledByOperation: countBy(h.ec2.throttled, (c) => c.operation),
      ec2Calls: countBy(h.ec2.calls, (c) => c.operation),
      githubPerJob: perJob(h.github.calls.length),
      github: Object.fromEntries(Object.entries(githubByRoute).map(([k, v]) => [k, perJob(v)])),
      instances: instances.length,
      onDemand: instances.filter((i) => i.lifecycle === "on-demand").length,
      duplicateLaunches: Math.max(0, instances.length - n),
      jobsNotStarted: n - startedAt.length,
      deadLettered: dlq,
      launchErrors: h.metrics.get("LaunchErrors") ?? 0,
      lastWebhookAcceptedS: seconds(Math.max(...accepted.map((r) => r.at))),
      rateLimitHeadroom: h.ec2.rateLimitHeadroom(),
      violations: [...h.violations, ...(timedOut ? [timedOut] : [])],
      virtualSeconds: round((end - t0) / 1000),
      wallSeconds: { setup: round((ready - started) / 1000), run: round((performance.now() - ready) / 1000) },
    };
  } finally {
    await h.stop();
  }
}
