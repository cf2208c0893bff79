import type { Harness, InstanceTrace, JobTrace } from "./harness.ts";

/**
 * Price assumptions for the demo's cost estimate, clearly not quotes: us-east-1 Linux on-demand list
 * prices per hour as published in 2025, and spot at a typical 65 % discount (spot prices move hourly
 * and differ by zone; check the Spot pricing history for your own region and types).
 */
export const ON_DEMAND_PER_HOUR: Record<string, number> = {
  "m7i.large": 0.1008,
  "m6i.large": 0.096,
  "c7i.large": 0.08925,
  "r7i.large": 0.1323,
  "m7g.large": 0.0816,
  "c7g.large": 0.0725,
};
export const SPOT_DISCOUNT = 0.65;
/** GitHub-hosted Linux 2-core runner, per minute, each job rounded up to a whole minute. */
export const GITHUB_HOSTED_PER_MINUTE = 0.006;
/** EC2 bills per second with a one-minute minimum. */
const EC2_MINIMUM_SECONDS = 60;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function duration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return "-";
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
}

function instanceCost(i: InstanceTrace, end: number): number {
  const hourly = ON_DEMAND_PER_HOUR[i.instanceType] ?? 0.1;
  const price = i.lifecycle === "spot" ? hourly * (1 - SPOT_DISCOUNT) : hourly;
  const seconds = Math.max(EC2_MINIMUM_SECONDS, ((i.terminatedAt ?? end) - i.launchedAt) / 1000);
  return (price * seconds) / 3600;
}

export interface Summary {
  jobs: number;
  succeeded: number;
  instances: number;
  spot: number;
  onDemand: number;
  spotShare: number;
  fallbacks: number;
  queuedToRunning: { p50: number; p90: number; max: number };
  ec2Cost: number;
  githubHostedCost: number;
  jobMinutes: number;
}

export function summarize(h: Harness): Summary {
  const end = h.clock.now();
  const githubJobs = h.github.jobs();
  const instances = [...h.instances.values()];
  const spot = instances.filter((i) => i.lifecycle === "spot").length;
  const waits = [...h.jobs.values()]
    .filter((j) => j.runningAt !== undefined)
    .map((j) => (j.runningAt as number) - j.queuedAt);
  let githubHostedCost = 0;
  let jobMinutes = 0;
  for (const job of h.jobs.values()) {
    if (job.runningAt === undefined || job.doneAt === undefined) continue;
    const minutes = (job.doneAt - job.runningAt) / 60_000;
    jobMinutes += minutes;
    githubHostedCost += Math.ceil(minutes) * GITHUB_HOSTED_PER_MINUTE;
  }
  return {
    jobs: githubJobs.length,
    succeeded: githubJobs.filter((j) => j.conclusion === "success").length,
    instances: instances.length,
    spot,
    onDemand: instances.length - spot,
    spotShare: instances.length ? spot / instances.length : 0,
    fallbacks: h.metrics.get("SpotFallbacks") ?? 0,
    queuedToRunning: { p50: percentile(waits, 50), p90: percentile(waits, 90), max: Math.max(...waits) },
    ec2Cost: instances.reduce((sum, i) => sum + instanceCost(i, end), 0),
    githubHostedCost,
    jobMinutes,
  };
}

/** One line per job: each step's time relative to when the job was queued. */
export function timeline(h: Harness, limit = Number.POSITIVE_INFINITY): string[] {
  const start = Math.min(...[...h.jobs.values()].map((j) => j.queuedAt));
  const jobs = [...h.jobs.values()].sort((a, b) => a.jobId - b.jobId).slice(0, limit);
  const rel = (job: JobTrace, at: number | undefined) => {
    if (at === undefined) return "-";
    const ms = at - job.queuedAt;
    return ms < 0 ? `-${duration(-ms)}` : `+${duration(ms)}`;
  };
  return jobs.map((job) => {
    const launch = job.launches.at(-1);
    const instance = job.instanceId ? h.instances.get(job.instanceId) : undefined;
    const ranOn = instance
      ? `${instance.lifecycle} ${instance.instanceType} ${instance.instanceId}`
      : "no instance";
    // "launched" is the instance the job ran on (GitHub may hand a job to a runner launched for
    // another job with the same labels), else the job's own latest launch.
    const launched = instance
      ? `${instance.lifecycle} ${rel(job, instance.launchedAt)}`
      : launch
        ? `${launch.capacityType} ${rel(job, launch.at)}`
        : "-";
    const steps = [
      `queued ${duration(job.queuedAt - start).padStart(6)}`,
      `routed ${rel(job, job.routedAt)}`,
      `launched ${launched}`,
      `registered ${rel(job, job.registeredAt)}`,
      `running ${rel(job, job.runningAt)}`,
      `done ${rel(job, job.doneAt)}`,
      `reaped ${rel(job, job.reapedAt)}`,
    ];
    return `job ${job.jobId} ${(job.pool ?? "?").padEnd(6)} ${steps.join("  ")}  on ${ranOn}${
      job.conclusion && job.conclusion !== "success" ? `  [${job.conclusion}]` : ""
    }`;
  });
}

export function formatSummary(s: Summary, speed: number): string[] {
  const saving = s.githubHostedCost > 0 ? 1 - s.ec2Cost / s.githubHostedCost : 0;
  return [
    `jobs                 ${s.jobs} (${s.succeeded} succeeded)`,
    `instances            ${s.instances}: ${s.spot} spot, ${s.onDemand} on-demand (spot share ${(s.spotShare * 100).toFixed(0)} %)`,
    `spot → on-demand     ${s.fallbacks} fallbacks`,
    `queued → running     p50 ${duration(s.queuedToRunning.p50)}, p90 ${duration(s.queuedToRunning.p90)}, max ${duration(s.queuedToRunning.max)} (includes the simulated boot)`,
    `job minutes          ${s.jobMinutes.toFixed(1)}`,
    `est. EC2 cost        $${s.ec2Cost.toFixed(4)} (instance lifetimes × assumed prices, below)`,
    `GitHub-hosted        $${s.githubHostedCost.toFixed(4)} ($${GITHUB_HOSTED_PER_MINUTE}/min, 2 cores, rounded up per job)`,
    `difference           ${(saving * 100).toFixed(0)} % ${saving >= 0 ? "less" : "more"} on EC2`,
    "",
    `Assumptions: on-demand $/h ${Object.entries(ON_DEMAND_PER_HOUR)
      .map(([t, p]) => `${t} ${p}`)
      .join(", ")} (us-east-1 list prices);`,
    `spot at ${SPOT_DISCOUNT * 100} % off on-demand (typical, not a quote); EC2 per second, 60 s minimum;`,
    "EBS, data transfer and the control plane's Lambda/SQS/DynamoDB requests (cents per thousand jobs) not counted.",
    `Times are virtual: the run went ${speed}× faster than real time, so the control plane's own steps`,
    `(routed, launched) show ${speed}× their real CPU time here; make bench measures them in real time.`,
  ];
}
