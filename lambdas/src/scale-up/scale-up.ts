import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { parseQueueMessage, type WarmMessage } from "../jobs/messages.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Pool } from "../shared/pools.ts";
import { putBack, type Returned, type ScaleUpDeps } from "./deps.ts";
import { launchPlan } from "./launch.ts";
import { backoffSeconds, type PlannedJob, planLaunches } from "./plan.ts";
import { adoptWarmRunners, topUpWarm } from "./warm.ts";

export type { Ec2Port, JitStore, QueuePort, ScaleUpDeps } from "./deps.ts";

/**
 * Launches one runner per queued job in an SQS batch. Each message is acknowledged once
 * its job has a registered runner, is a duplicate, or is no longer queued on GitHub; every
 * other message is reported as a batch item failure so SQS delivers it again.
 */
export async function scaleUp(records: readonly SQSRecord[], deps: ScaleUpDeps): Promise<SQSBatchResponse> {
  const returned: Returned[] = [];
  const failed = new Set<string>();

  const valid: PlannedJob[] = [];
  const topUps: { messageId: string; message: WarmMessage }[] = [];
  for (const record of records) {
    try {
      const job = parseQueueMessage(record.body);
      if (!deps.pools.has(job.pool)) throw new Error(`pool "${job.pool}" is not configured`);
      if (job.kind === "warm") {
        topUps.push({ messageId: record.messageId, message: job });
        continue;
      }
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
  const cold = await adoptWarmRunners(wanted, deps);

  await Promise.all([
    ...topUps.map(({ messageId, message }) =>
      topUpWarm(deps.pools.get(message.pool) as Pool, message.wanted, deps).catch((error) => {
        deps.log.error("warm top-up failed; will retry", { pool: message.pool, error: errorMessage(error) });
        failed.add(messageId);
      }),
    ),
    ...planLaunches(cold, deps.pools).map((plan) =>
      launchPlan(plan, deps, returned).catch((error) => {
        // Anything unexpected: every job of the plan goes back to the queue.
        deps.log.error("launch plan failed", { pool: plan.pool.name, error: errorMessage(error) });
        for (const planned of plan.jobs) returned.push({ planned, kind: "throttled" });
      }),
    ),
  ]);

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
      won: (
        await deps.state.jobs.claim(
          planned.job,
          planned.messageId,
          deps.now(),
          deps.now().getTime() + deps.leaseMs(),
        )
      ).ok,
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
        await deps.state.jobs.transition(
          job.jobId,
          "skipped",
          {},
          { now: deps.now(), token: planned.messageId },
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
  const marked = await deps.state.marks.onDemandRuns(candidates.map((p) => p.job.runId));
  for (const planned of candidates) {
    if (marked.has(planned.job.runId)) planned.job = { ...planned.job, capacity: "on-demand" };
  }
}
