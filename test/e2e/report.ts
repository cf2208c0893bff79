import { ON_DEMAND_PRICES } from "../fakes/index.ts";
import type { Harness, InstanceTrace, JobTrace } from "./harness.ts";

/**
 * Price assumptions for the demo's cost estimate, clearly not quotes: us-east-1 Linux on-demand list
 * prices per hour as published in 2025 (the table FakeEc2 orders on-demand launches by), and spot at
 * a typical 65 % discount (spot prices move hourly and differ by zone; check the Spot pricing history
 * for your own region and types).
 */
export const ON_DEMAND_PER_HOUR: Readonly<Record<string, number>> = ON_DEMAND_PRICES;
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

/**
 * A duration for people: "41ms", "12.4s", "2m05s", "1h02m". Each form rounds first and then splits,
 * so 119.6 s reads 2m00s (not 1m60s) and 59.97 s reads 1m00s (not 60.0s).
 */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms < 0) return `-${duration(-ms)}`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** A point in a run as m:ss (or h:mm:ss) from its start, for progress lines and queue times. */
export function clockTime(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The job ids a CreateFleet call was made for, from its skiff:job-id tag. */
export function fleetJobs(params: Record<string, string>): number[] {
  for (const [key, value] of Object.entries(params)) {
    if (/^TagSpecification\.\d+\.Tag\.\d+\.Key$/.test(key) && value === "skiff:job-id") {
      return (params[key.replace(/Key$/, "Value")] ?? "").split(" ").map(Number);
    }
  }
  return [];
}

function instanceCost(i: InstanceTrace, end: number): number {
  const hourly = ON_DEMAND_PER_HOUR[i.instanceType] ?? 0.1;
  const price = i.lifecycle === "spot" ? hourly * (1 - SPOT_DISCOUNT) : hourly;
  const seconds = Math.max(EC2_MINIMUM_SECONDS, ((i.terminatedAt ?? end) - i.launchedAt) / 1000);
  return (price * seconds) / 3600;
}

/** Why a job waited before skiff could ask EC2 for its instance. */
export type WaitCause =
  | { kind: "slot"; pool: string; maxRunners: number }
  | { kind: "capacity"; pool: string }
  | { kind: "requeued"; pool: string };

/** One job's steps, each measured the way it means something. */
export interface JobSteps {
  job: JobTrace;
  /** Virtual ms from the run's first queued job. */
  queuedFromStart: number;
  /** Real ms from queued to the webhook's routing answer (control-plane work). */
  routedReal?: number;
  /** Real ms from queued to skiff's first CreateFleet for it, when it did not wait. */
  launchRequestReal?: number;
  /** Virtual ms the job waited, from the first refusal to the CreateFleet that followed, and why. */
  wait?: { ms: number; cause: WaitCause };
  /** Virtual ms from queued to the CreateFleet, waits included. */
  launchRequestAt?: number;
  instance?: InstanceTrace;
}

/** Virtual times of the CreateFleet calls made for `jobId`, earliest first. */
function fleetsFor(h: Harness, jobId: number): number[] {
  return h.ec2.calls
    .filter((c) => c.operation === "CreateFleet" && fleetJobs(c.params).includes(jobId))
    .map((c) => c.at);
}

/** Scale-up's "wait" log lines that name `jobId`, earliest first: why and since when it waited. */
function waitsOf(h: Harness, jobId: number): { at: number; cause: WaitCause }[] {
  const out: { at: number; cause: WaitCause }[] = [];
  for (const line of h.logs) {
    if (line.function !== "scale-up") continue;
    const e = line.entry;
    const ids = Array.isArray(e.jobIds) ? (e.jobIds as unknown[]).map(Number) : [Number(e.jobId)];
    if (!ids.includes(jobId)) continue;
    const pool = String(e.pool ?? "?");
    if (e.message === "pool at max_runners; jobs wait in the queue") {
      out.push({ at: line.at, cause: { kind: "slot", pool, maxRunners: Number(e.maxRunners) } });
    } else if (e.message === "no capacity for some jobs; they return to the queue") {
      out.push({ at: line.at, cause: { kind: "capacity", pool } });
    } else if (e.message === "job requeued") {
      out.push({ at: line.at, cause: { kind: "requeued", pool } });
    }
  }
  return out;
}

export function jobSteps(h: Harness): JobSteps[] {
  const speed = h.clock.speed;
  const traces = [...h.jobs.values()].sort((a, b) => a.jobId - b.jobId);
  const start = Math.min(...traces.map((j) => j.queuedAt));
  const firstFleet = new Map<number, number>();
  for (const call of h.ec2.calls) {
    if (call.operation !== "CreateFleet") continue;
    for (const id of fleetJobs(call.params)) if (!firstFleet.has(id)) firstFleet.set(id, call.at);
  }
  return traces.map((job) => {
    const steps: JobSteps = { job, queuedFromStart: job.queuedAt - start };
    if (job.routedAt !== undefined) steps.routedReal = (job.routedAt - job.queuedAt) / speed;
    const instanceId = job.instanceId ?? job.launches.at(-1)?.instanceId;
    if (instanceId) steps.instance = h.instances.get(instanceId);
    // A warm runner was launched for no job, before this one was queued: no launch to time.
    if (steps.instance?.warm && steps.instance.launchedAt <= job.queuedAt) return steps;
    const waits = waitsOf(h, job.jobId);
    const firstWait = waits[0];
    if (firstWait) {
      // A job that waited may run on a runner launched for another job (GitHub gives a queued job to
      // any idle runner with its labels): its wait ends when the instance it ran on was launched.
      const lastWait = waits.at(-1) as (typeof waits)[number];
      const ownFleet = fleetsFor(h, job.jobId).find((at) => at >= lastWait.at);
      const endedAt = steps.instance?.launchedAt ?? ownFleet;
      if (endedAt !== undefined && endedAt >= firstWait.at) {
        steps.launchRequestAt = endedAt - job.queuedAt;
        // A slot wait outweighs the capacity or requeue notes that may follow it.
        const cause = waits.find((w) => w.cause.kind === "slot")?.cause ?? firstWait.cause;
        steps.wait = { ms: endedAt - firstWait.at, cause };
        return steps;
      }
    }
    const fleetAt = firstFleet.get(job.jobId) ?? steps.instance?.launchedAt;
    if (fleetAt === undefined) return steps;
    steps.launchRequestAt = fleetAt - job.queuedAt;
    steps.launchRequestReal = (fleetAt - job.queuedAt) / speed;
    return steps;
  });
}

export function describeWait(wait: { ms: number; cause: WaitCause }): string {
  const c = wait.cause;
  if (c.kind === "slot")
    return `waited ${duration(wait.ms)} for a slot: pool ${c.pool} at max_runners ${c.maxRunners}`;
  if (c.kind === "capacity") return `waited ${duration(wait.ms)} for EC2 capacity (pool ${c.pool})`;
  return `waited ${duration(wait.ms)}: requeued (pool ${c.pool})`;
}

/**
 * One line per job. Control-plane steps (routed, launch request) are real time, measured on this
 * machine; waits, boot, the job and the reap are virtual time, as they would pass on AWS.
 */
export function timeline(h: Harness, limit = Number.POSITIVE_INFINITY): string[] {
  return jobSteps(h)
    .slice(0, limit)
    .map((s) => {
      const { job, instance } = s;
      const rel = (at: number | undefined) => (at === undefined ? "-" : `+${duration(at - job.queuedAt)}`);
      const warm = instance?.warm === true && instance.launchedAt <= job.queuedAt;
      const launch = warm
        ? "no launch: a warm runner was waiting"
        : s.wait
          ? describeWait(s.wait)
          : s.launchRequestReal !== undefined
            ? `launch request ${duration(s.launchRequestReal)}`
            : "no launch request";
      const launchedFor =
        instance?.launchedFor !== undefined && instance.launchedFor !== job.jobId
          ? ` (launched for job ${instance.launchedFor})`
          : "";
      const ranOn = instance
        ? `${warm ? "warm " : ""}${instance.lifecycle} ${instance.instanceType}${launchedFor}`
        : "no instance";
      const steps = [
        `queued ${clockTime(s.queuedFromStart).padStart(5)}`,
        `routed ${duration(s.routedReal)}`,
        launch,
        `on ${ranOn}`,
        warm ? "registered before" : `registered ${rel(job.registeredAt)}`,
        `running ${rel(job.runningAt)}`,
        `done ${rel(job.doneAt)}`,
        `reaped ${rel(job.reapedAt)}`,
      ];
      const conclusion = job.conclusion && job.conclusion !== "success" ? `  [${job.conclusion}]` : "";
      return `job ${job.jobId} ${(job.pool ?? "?").padEnd(6)} ${steps.join("  ")}${conclusion}`;
    });
}

interface Spread {
  n: number;
  p50: number;
  p90: number;
  max: number;
}

function spread(values: readonly number[]): Spread {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

export interface Summary {
  jobs: number;
  succeeded: number;
  /** Real ms, jobs that did not wait: queued → skiff's CreateFleet. */
  queuedToLaunchRequest: Spread;
  /** Real ms: queued → the webhook's routing answer. */
  queuedToRouted: Spread;
  /** Virtual ms waited, by cause. */
  waits: { slot: Spread; capacity: Spread; requeued: Spread };
  /** The cap each pool was held at, for the pools whose jobs waited for a slot. */
  capped: Record<string, number>;
  fallbacks: number;
  instances: number;
  spot: number;
  onDemand: number;
  spotShare: number;
  /** On-demand launches per instance type. */
  onDemandTypes: Record<string, number>;
  /** Virtual ms: the instance's launch → its runner registered (simulated boot + bootstrap). */
  launchToRegistered: Spread;
  /** Virtual ms: queued → running, everything included. */
  queuedToRunning: Spread;
  ec2Cost: number;
  githubHostedCost: number;
  jobMinutes: number;
}

export function summarize(h: Harness): Summary {
  const end = h.clock.now();
  const githubJobs = h.github.jobs();
  const instances = [...h.instances.values()];
  const spot = instances.filter((i) => i.lifecycle === "spot").length;
  const steps = jobSteps(h);
  const waitsBy = (kind: WaitCause["kind"]) =>
    spread(steps.filter((s) => s.wait?.cause.kind === kind).map((s) => s.wait?.ms as number));
  const capped: Record<string, number> = {};
  for (const s of steps)
    if (s.wait?.cause.kind === "slot") capped[s.wait.cause.pool] = s.wait.cause.maxRunners;
  const onDemandTypes: Record<string, number> = {};
  for (const i of instances) {
    if (i.lifecycle === "on-demand") onDemandTypes[i.instanceType] = (onDemandTypes[i.instanceType] ?? 0) + 1;
  }
  const registered = instances.flatMap((i) => {
    const r = i.events.find((e) => e.kind === "registered");
    return r ? [r.at - i.launchedAt] : [];
  });
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
    queuedToLaunchRequest: spread(
      steps.flatMap((s) => (s.launchRequestReal === undefined ? [] : [s.launchRequestReal])),
    ),
    queuedToRouted: spread(steps.flatMap((s) => (s.routedReal === undefined ? [] : [s.routedReal]))),
    waits: { slot: waitsBy("slot"), capacity: waitsBy("capacity"), requeued: waitsBy("requeued") },
    capped,
    fallbacks: h.metrics.get("SpotFallbacks") ?? 0,
    instances: instances.length,
    spot,
    onDemand: instances.length - spot,
    spotShare: instances.length ? spot / instances.length : 0,
    onDemandTypes,
    launchToRegistered: spread(registered),
    queuedToRunning: spread(
      [...h.jobs.values()].flatMap((j) => (j.runningAt === undefined ? [] : [j.runningAt - j.queuedAt])),
    ),
    ec2Cost: instances.reduce((sum, i) => sum + instanceCost(i, end), 0),
    githubHostedCost,
    jobMinutes,
  };
}

const fmt = (s: Spread) => `p50 ${duration(s.p50)}, p90 ${duration(s.p90)}, max ${duration(s.max)}`;

export function formatSummary(s: Summary, speed: number): string[] {
  const saving = s.githubHostedCost > 0 ? 1 - s.ec2Cost / s.githubHostedCost : 0;
  const waitLines: string[] = [];
  if (s.waits.slot.n > 0) {
    const pools = Object.entries(s.capped)
      .map(([pool, max]) => `${pool} at max_runners ${max}`)
      .join(", ");
    waitLines.push(`  waited for a slot     ${s.waits.slot.n} jobs (${pools}): ${fmt(s.waits.slot)}`);
  }
  if (s.waits.capacity.n > 0)
    waitLines.push(`  waited for capacity   ${s.waits.capacity.n} jobs: ${fmt(s.waits.capacity)}`);
  if (s.waits.requeued.n > 0)
    waitLines.push(`  requeued              ${s.waits.requeued.n} jobs: ${fmt(s.waits.requeued)}`);
  if (waitLines.length === 0)
    waitLines.push("  waits                 none: every job was launched as soon as it was queued");
  const onDemandTypes = Object.entries(s.onDemandTypes)
    .map(([t, n]) => `${n} ${t}`)
    .join(", ");
  return [
    "What skiff controls (real time on this machine, not sped up):",
    `  queued → routed       ${fmt(s.queuedToRouted)} (the webhook's answer)`,
    `  queued → launch req.  ${fmt(s.queuedToLaunchRequest)} (${s.queuedToLaunchRequest.n} jobs that did not wait; make bench measures this properly)`,
    ...waitLines,
    `  spot → on-demand      ${s.fallbacks} fallbacks${onDemandTypes ? `; on-demand instances by type: ${onDemandTypes} (lowest-price: the cheapest type with room)` : ""}`,
    "",
    `What EC2 and the jobs bound (simulated, in virtual time, ${speed}× faster than real):`,
    `  launch → registered   ${fmt(s.launchToRegistered)} (simulated boot; a baked AMI on AWS takes about 25–35 s)`,
    `  queued → running      ${fmt(s.queuedToRunning)} (waits and boot included)`,
    `  jobs                  ${s.jobs} (${s.succeeded} succeeded), ${s.jobMinutes.toFixed(1)} job minutes`,
    `  instances             ${s.instances}: ${s.spot} spot, ${s.onDemand} on-demand (spot share ${(s.spotShare * 100).toFixed(0)} %)`,
    "",
    "Cost estimate:",
    `  EC2                   $${s.ec2Cost.toFixed(4)} (instance lifetimes × assumed prices, below)`,
    `  GitHub-hosted         $${s.githubHostedCost.toFixed(4)} ($${GITHUB_HOSTED_PER_MINUTE}/min, 2 cores, rounded up per job)`,
    `  difference            ${(Math.abs(saving) * 100).toFixed(0)} % ${saving >= 0 ? "less" : "more"} on EC2`,
    "",
    `Assumptions: on-demand $/h ${Object.entries(ON_DEMAND_PER_HOUR)
      .map(([t, p]) => `${t} ${p}`)
      .join(", ")} (us-east-1 list prices);`,
    `spot at ${SPOT_DISCOUNT * 100} % off on-demand (typical, not a quote); EC2 per second, 60 s minimum;`,
    "EBS, data transfer and the control plane's Lambda/SQS/DynamoDB requests (cents per thousand jobs) not counted.",
  ];
}

/** What a pool's warm runners did: jobs they started, how soon, and what their waiting cost. */
export interface WarmFigures {
  pool: string;
  /** Jobs that started on a warm runner, and queued → running for them (virtual ms). */
  warmJobs: number;
  warmQueuedToRunning: Spread;
  /** The pool's other jobs, started on an instance launched for them. */
  coldJobs: number;
  coldQueuedToRunning: Spread;
  /** Warm runners launched, and the minutes they spent registered with no job (virtual). */
  warmRunners: number;
  idleMinutes: number;
  /** What those idle minutes cost at the assumed prices. */
  idleCost: number;
}

/** Per pool that had warm runners: what they saved in start time, and what their idle time cost. */
export function warmFigures(
  instances: readonly InstanceTrace[],
  jobs: readonly JobTrace[],
  end: number,
): WarmFigures[] {
  const byId = new Map(instances.map((i) => [i.instanceId, i]));
  const pools = [...new Set(instances.filter((i) => i.warm).map((i) => i.pool))].sort();
  return pools.map((pool) => {
    const runners = instances.filter((i) => i.pool === pool && i.warm);
    const started = jobs.filter((j) => j.pool === pool && j.runningAt !== undefined && j.instanceId);
    const onWarm = started.filter((j) => byId.get(j.instanceId as string)?.warm);
    const cold = started.filter((j) => !byId.get(j.instanceId as string)?.warm);
    const wait = (list: JobTrace[]) => spread(list.map((j) => (j.runningAt as number) - j.queuedAt));
    let idleMs = 0;
    let idleCost = 0;
    for (const i of runners) {
      const registered = i.events.find((e) => e.kind === "registered")?.at;
      if (registered === undefined) continue;
      const took = i.events.find((e) => e.kind === "job-started")?.at;
      const ms = Math.max(0, (took ?? i.terminatedAt ?? end) - registered);
      idleMs += ms;
      const hourly = ON_DEMAND_PER_HOUR[i.instanceType] ?? 0.1;
      idleCost += ((i.lifecycle === "spot" ? hourly * (1 - SPOT_DISCOUNT) : hourly) * ms) / 3_600_000;
    }
    return {
      pool,
      warmJobs: onWarm.length,
      warmQueuedToRunning: wait(onWarm),
      coldJobs: cold.length,
      coldQueuedToRunning: wait(cold),
      warmRunners: runners.length,
      idleMinutes: idleMs / 60_000,
      idleCost,
    };
  });
}

export function formatWarm(figures: readonly WarmFigures[]): string[] {
  return figures.flatMap((f) => [
    `Warm pool ${f.pool} (${f.warmRunners} warm runners launched):`,
    `  on a warm runner      ${f.warmJobs} jobs, queued → running ${fmt(f.warmQueuedToRunning)}`,
    `  launched for the job  ${f.coldJobs} jobs, queued → running ${fmt(f.coldQueuedToRunning)}`,
    `  idle warm runners     ${f.idleMinutes.toFixed(1)} runner-minutes waiting, $${f.idleCost.toFixed(4)} (the price of starting sooner)`,
  ]);
}
