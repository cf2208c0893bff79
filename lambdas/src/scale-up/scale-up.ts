import { randomUUID } from "node:crypto";
import type { CreateFleetCommandInput, CreateFleetCommandOutput } from "@aws-sdk/client-ec2";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { errorMessage } from "../shared/errors.ts";
import type { GitHubApp } from "../shared/github.ts";
import { type JobMessage, parseJobMessage } from "../shared/messages.ts";
import type { Counter, Log } from "../shared/observability.ts";
import { type CapacityType, defaultLabels, type Pool } from "../shared/pools.ts";
import type { StateStore } from "../shared/state.ts";
import {
  bind,
  classifyShortfall,
  type FailureKind,
  type FleetError,
  fleetRequest,
  fleetTags,
  type LaunchedInstance,
  readFleet,
} from "./fleet.ts";
import { backoffSeconds, type LaunchPlan, type PlannedJob, planLaunches } from "./plan.ts";

export interface Ec2Port {
  createFleet(input: CreateFleetCommandInput): Promise<CreateFleetCommandOutput>;
  terminate(instanceIds: string[]): Promise<void>;
}

export interface JitStore {
  /** Stores a runner's JIT config where only its instance can read it. */
  put(instanceId: string, encodedJitConfig: string): Promise<void>;
}

export interface QueuePort {
  setVisibility(receiptHandle: string, seconds: number): Promise<void>;
  /** Sends a job message again, invisible for `delaySeconds` (at most 900). */
  send(message: JobMessage, delaySeconds: number): Promise<void>;
}

export interface ScaleUpDeps {
  prefix: string;
  pools: ReadonlyMap<string, Pool>;
  state: StateStore;
  ec2: Ec2Port;
  jit: JitStore;
  github: Pick<GitHubApp, "createJitConfig" | "jobState">;
  queue: QueuePort;
  log: Log;
  metrics: Counter;
  now: () => Date;
  /** Messages younger than this skip the "still queued?" call to GitHub. */
  freshSeconds: number;
  /** How long a claim holds before another delivery may take over a crashed attempt. */
  leaseSeconds: number;
  random?: () => number;
}

/** A job that could not be served now: it returns to the queue. */
interface Returned {
  planned: PlannedJob;
  kind: FailureKind;
}

/**
 * Launches one runner per queued job in an SQS batch. Each message is acknowledged once
 * its job has a registered runner, is a duplicate, or is no longer queued on GitHub; every
 * other message is reported as a batch item failure so SQS delivers it again.
 */
export async function scaleUp(records: readonly SQSRecord[], deps: ScaleUpDeps): Promise<SQSBatchResponse> {
  const returned: Returned[] = [];
  const failed = new Set<string>();

  const valid: PlannedJob[] = [];
  for (const record of records) {
    try {
      const job = parseJobMessage(record.body);
      if (!deps.pools.has(job.pool)) throw new Error(`pool "${job.pool}" is not configured`);
      valid.push({
        messageId: record.messageId,
        receiptHandle: record.receiptHandle,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? "1") || 1,
        job,
      });
    } catch (error) {
      // A message skiff cannot read will not become readable: it goes to the DLQ.
      deps.metrics.count("InvalidMessages");
      deps.log.error("invalid job message", { messageId: record.messageId, error: errorMessage(error) });
      failed.add(record.messageId);
    }
  }

  const claimed = await claimAll(valid, deps);
  const wanted = await stillQueued(claimed, deps, returned);
  await markOnDemandReruns(wanted, deps);

  await Promise.all(
    planLaunches(wanted, deps.pools).map((plan) =>
      launchPlan(plan, deps, returned).catch((error) => {
        // Anything unexpected: every job of the plan goes back to the queue.
        deps.log.error("launch plan failed", { pool: plan.pool.name, error: errorMessage(error) });
        for (const planned of plan.jobs) returned.push({ planned, kind: "throttled" });
      }),
    ),
  );

  for (const { planned, kind } of returned) {
    if (kind === "capacity" && (await waitInQueue(planned, deps))) continue;
    failed.add(planned.messageId);
    if (kind === "permanent") continue; // normal visibility; the DLQ takes it after maxReceiveCount
    const seconds = backoffSeconds(planned.receiveCount, deps.random);
    await deps.queue.setVisibility(planned.receiptHandle, seconds).catch((error) => {
      deps.log.warn("could not delay returned job", { jobId: planned.job.jobId, error: errorMessage(error) });
    });
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * A job waiting for a slot or for EC2 capacity goes back to the queue as a new message,
 * delayed by a growing back-off, and the received one is acknowledged: waiting spends none
 * of the queue's receives, so only real failures reach the DLQ. Returns false when the send
 * failed; the caller then returns the message itself.
 */
async function waitInQueue(planned: PlannedJob, deps: ScaleUpDeps): Promise<boolean> {
  const waits = (planned.job.waits ?? 0) + 1;
  const seconds = backoffSeconds(waits, deps.random);
  try {
    await deps.queue.send({ ...planned.job, waits }, seconds);
    return true;
  } catch (error) {
    deps.log.warn("could not requeue a waiting job; returning its message", {
      jobId: planned.job.jobId,
      error: errorMessage(error),
    });
    return false;
  }
}

async function claimAll(jobs: PlannedJob[], deps: ScaleUpDeps): Promise<PlannedJob[]> {
  const results = await Promise.all(
    jobs.map(async (planned) => ({
      planned,
      won: await deps.state.claim(planned.job, planned.messageId, deps.now(), deps.leaseSeconds),
    })),
  );
  const claimed: PlannedJob[] = [];
  for (const { planned, won } of results) {
    if (won) {
      claimed.push(planned);
    } else {
      deps.metrics.count("DuplicateJobs");
      deps.log.info("job already claimed; duplicate acknowledged", {
        jobId: planned.job.jobId,
        deliveryId: planned.job.deliveryId,
      });
    }
  }
  return claimed;
}

/** Asks GitHub about messages old enough that the job may have been cancelled or taken. */
async function stillQueued(
  jobs: PlannedJob[],
  deps: ScaleUpDeps,
  returned: Returned[],
): Promise<PlannedJob[]> {
  const now = deps.now();
  const keep = await Promise.all(
    jobs.map(async (planned) => {
      const { job } = planned;
      const age = (now.getTime() - Date.parse(job.queuedAt)) / 1000;
      if (age < deps.freshSeconds) return true;
      try {
        const state = await deps.github.jobState(job.installationId, job.owner, job.repository, job.jobId);
        if (state.status === "queued") return true;
        await deps.state.update(
          job.jobId,
          ["claimed"],
          { status: "cancelled" },
          deps.now(),
          planned.messageId,
        );
        deps.metrics.count("JobsSkipped");
        deps.log.info("job no longer queued on GitHub; skipped", { jobId: job.jobId, status: state.status });
        return false;
      } catch (error) {
        deps.log.warn("could not check job on GitHub; will retry", {
          jobId: job.jobId,
          error: errorMessage(error),
        });
        await putBack(planned, deps);
        returned.push({ planned, kind: "throttled" });
        return false;
      }
    }),
  );
  return jobs.filter((_, i) => keep[i]);
}

/** Re-runs of spot-interrupted jobs go to on-demand capacity (one BatchGet per batch). */
async function markOnDemandReruns(jobs: PlannedJob[], deps: ScaleUpDeps): Promise<void> {
  const candidates = jobs.filter(
    (p) => p.job.capacity !== "on-demand" && deps.pools.get(p.job.pool)?.interruptedRetryOnDemand,
  );
  if (candidates.length === 0) return;
  const marked = await deps.state.onDemandRuns(candidates.map((p) => p.job.runId));
  for (const planned of candidates) {
    if (marked.has(planned.job.runId)) planned.job = { ...planned.job, capacity: "on-demand" };
  }
}

/** Frees a claimed job (holding no slot) for the next delivery of its message. */
async function putBack(planned: PlannedJob, deps: ScaleUpDeps): Promise<void> {
  await deps.state.update(
    planned.job.jobId,
    ["claimed"],
    { status: "pending" },
    deps.now(),
    planned.messageId,
  );
}

async function launchPlan(plan: LaunchPlan, deps: ScaleUpDeps, returned: Returned[]): Promise<void> {
  const { pool } = plan;
  const reserved = await deps.state.reserve(pool.name, plan.jobs.length, pool.maxRunners);
  const overCap = plan.jobs.slice(reserved);
  if (overCap.length > 0) {
    deps.metrics.count("CapReached", { name: "Pool", value: pool.name }, overCap.length);
    deps.log.info("pool at max_runners; jobs wait in the queue", {
      pool: pool.name,
      maxRunners: pool.maxRunners,
      jobIds: overCap.map((p) => p.job.jobId),
    });
    for (const planned of overCap) {
      await putBack(planned, deps);
      returned.push({ planned, kind: "capacity" });
    }
  }

  // Mark each job as holding a slot before any instance exists, so a crash from here on
  // leaves a trace the reconcile can follow.
  const launching: PlannedJob[] = [];
  for (const planned of plan.jobs.slice(0, reserved)) {
    const marked = await deps.state.update(
      planned.job.jobId,
      ["claimed"],
      { status: "launching", holdsSlot: true },
      deps.now(),
      planned.messageId,
    );
    if (marked) launching.push(planned);
    else await deps.state.release(pool.name, 1); // the claim was lost meanwhile
  }
  if (launching.length === 0) return;

  const { launched, errors } = await launch(plan, launching, deps);
  const { bound, unbound, surplus } = bind(launching, launched);
  if (surplus.length > 0) {
    // An instant fleet never launches more than asked; should it, nothing would run there.
    await deps.ec2.terminate(surplus.map((i) => i.instanceId));
  }

  if (unbound.length > 0) {
    const kind = classifyShortfall(errors);
    const jobIds = unbound.map((p) => p.job.jobId);
    deps.metrics.count("LaunchErrors", { name: "Kind", value: kind }, unbound.length);
    const detail = { pool: pool.name, jobIds, errors: summarize(errors) };
    if (kind === "permanent")
      deps.log.error("launch failed permanently; jobs go to the DLQ after retries", detail);
    else deps.log.warn("no capacity for some jobs; they return to the queue", detail);
    for (const planned of unbound) {
      await deps.state.releaseSlot(planned.job.jobId, pool.name, { status: "pending" }, deps.now());
      returned.push({ planned, kind });
    }
  }

  await Promise.all(bound.map(({ job, instance }) => register(job, instance, pool, deps, returned)));
}

async function launch(plan: LaunchPlan, jobs: PlannedJob[], deps: ScaleUpDeps) {
  const launched: LaunchedInstance[] = [];
  const errors: FleetError[] = [];
  const attempt = async (capacity: CapacityType, count: number) => {
    const tags = fleetTags({
      prefix: deps.prefix,
      pool: plan.pool.name,
      jobIds: jobs.map((p) => p.job.jobId),
      owners: jobs.map((p) => p.job.owner),
    });
    try {
      const output = await deps.ec2.createFleet(fleetRequest(plan.pool, count, capacity, tags, randomUUID()));
      const outcome = readFleet(output, capacity);
      launched.push(...outcome.launched.slice(0, count));
      errors.push(...outcome.errors);
      deps.metrics.count(
        "InstancesLaunched",
        { name: "CapacityType", value: capacity },
        outcome.launched.length,
      );
    } catch (error) {
      const code = (error as { name?: string }).name ?? "Unknown";
      errors.push({ code, message: errorMessage(error) });
    }
  };

  await attempt(plan.capacity, jobs.length);
  const shortfall = jobs.length - launched.length;
  if (shortfall > 0 && plan.fallback && classifyShortfall(errors) !== "permanent") {
    deps.metrics.count("SpotFallbacks", { name: "Pool", value: plan.pool.name }, shortfall);
    deps.log.info("spot short; falling back to on-demand", {
      pool: plan.pool.name,
      shortfall,
      errors: summarize(errors),
    });
    await attempt("on-demand", shortfall);
  }
  const now = deps.now().getTime();
  for (const planned of jobs.slice(0, launched.length)) {
    deps.metrics.measure?.("QueuedToLaunchMs", now - Date.parse(planned.job.queuedAt), "Milliseconds");
  }
  return { launched, errors };
}

function summarize(errors: FleetError[]): string[] {
  return [...new Set(errors.map((e) => `${e.code}: ${e.message}`))].slice(0, 10);
}

/** Binds the instance to its job, creates the JIT config and stores it for the instance. */
async function register(
  planned: PlannedJob,
  instance: LaunchedInstance,
  pool: Pool,
  deps: ScaleUpDeps,
  returned: Returned[],
): Promise<void> {
  const { job } = planned;
  const context = { jobId: job.jobId, pool: pool.name, instanceId: instance.instanceId };
  await deps.state.update(
    job.jobId,
    ["launching"],
    {
      status: "launched",
      instanceId: instance.instanceId,
      capacityType: instance.capacityType,
      instanceType: instance.instanceType,
      launchedAt: deps.now().toISOString(),
    },
    deps.now(),
  );
  await deps.state.putInstance(
    {
      instanceId: instance.instanceId,
      jobId: job.jobId,
      pool: pool.name,
      launchedAt: deps.now().toISOString(),
      capacityType: instance.capacityType,
      owner: job.owner,
      repository: job.repository,
      runnerLevel: pool.runnerLevel,
      installationId: job.installationId,
    },
    deps.now(),
  );
  const runnerName = `${deps.prefix}-${instance.instanceId}`;
  try {
    const jit = await deps.github.createJitConfig({
      installationId: job.installationId,
      owner: job.owner,
      repository: job.repository,
      level: pool.runnerLevel,
      name: runnerName,
      labels: [...defaultLabels(pool.architecture), ...pool.labels],
      runnerGroupId: pool.runnerGroupId,
    });
    await deps.state.updateInstance(instance.instanceId, { runnerId: jit.runnerId }, deps.now());
    await deps.jit.put(instance.instanceId, jit.encodedJitConfig);
    // The runner may already have started and reported in: then the state moved on.
    await deps.state.update(
      job.jobId,
      ["launched"],
      { status: "registered", runnerName, runnerId: jit.runnerId, registeredAt: deps.now().toISOString() },
      deps.now(),
    );
    deps.log.info("runner launched", { ...context, capacityType: instance.capacityType, runnerName });
  } catch (error) {
    deps.metrics.count("JitErrors");
    deps.log.error("runner registration failed; terminating its instance", {
      ...context,
      error: errorMessage(error),
    });
    await deps.ec2.terminate([instance.instanceId]).catch((terminateError) => {
      deps.log.error("could not terminate instance; the reconcile will", {
        ...context,
        error: errorMessage(terminateError),
      });
    });
    await deps.state.releaseSlot(job.jobId, pool.name, { status: "pending" }, deps.now());
    returned.push({ planned, kind: "throttled" });
  }
}
