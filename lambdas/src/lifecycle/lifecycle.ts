import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { errorMessage, ValidationError } from "../shared/errors.ts";
import type { GitHubAdmin } from "../shared/github.ts";
import type { JobLifecycleMessage } from "../shared/messages.ts";
import type { Counter, Log } from "../shared/observability.ts";
import type { Pool } from "../shared/pools.ts";
import { jobMessage, markSent, type RequeueDeps, requeueJob } from "../shared/requeue.ts";
import { type JobItem, runKey, type StateStore } from "../shared/state.ts";
import { type InstanceEvent, parseLifecycleEvent } from "./events.ts";

export interface LifecycleDeps extends RequeueDeps {
  prefix: string;
  pools: ReadonlyMap<string, Pool>;
  state: StateStore;
  github: Pick<GitHubAdmin, "rerunFailedJobs">;
  log: Log;
  metrics: Counter;
  now: () => Date;
}

/** Statuses from which a job can still start running. */
const NOT_STARTED = [
  "claimed",
  "launching",
  "launched",
  "registered",
  "pending",
  "cancelled",
  "failed",
] as const;
/** Conclusions GitHub gives a job whose runner vanished. */
const LOST = new Set(["failure", "cancelled"]);

/** The instance behind one of skiff's runner names (`<prefix>-<instance-id>`), if it is one. */
export function instanceOfRunner(prefix: string, runnerName: string | null): string | undefined {
  if (!runnerName?.startsWith(`${prefix}-i-`)) return undefined;
  const id = runnerName.slice(prefix.length + 1);
  return /^i-[0-9a-f]+$/.test(id) ? id : undefined;
}

/**
 * Applies job and instance events to the state table. Events may come twice or out of
 * order; each change is a conditional write that only moves state forward.
 */
export async function handleLifecycle(
  records: readonly SQSRecord[],
  deps: LifecycleDeps,
): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of records) {
    try {
      const event = parseLifecycleEvent(record.body);
      if (event.kind === "job-lifecycle") {
        if (event.action === "in_progress") await inProgress(event, deps);
        else await completed(event, deps);
      } else if (event.kind === "spot-interruption") {
        await interrupted(event, deps);
      } else {
        await stateChanged(event, deps);
      }
    } catch (error) {
      const invalid = error instanceof ValidationError;
      deps.log.error(invalid ? "invalid lifecycle message" : "lifecycle event failed; will retry", {
        messageId: record.messageId,
        error: errorMessage(error),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

async function inProgress(event: JobLifecycleMessage, deps: LifecycleDeps): Promise<void> {
  const now = deps.now();
  const instanceId = instanceOfRunner(deps.prefix, event.runnerName);
  const job = await deps.state.getJob(event.jobId);
  if (!job && !instanceId) return; // neither the job nor the runner is skiff's
  const context = { jobId: event.jobId, runnerName: event.runnerName, instanceId };

  if (instanceId) {
    const instance = await deps.state.getInstance(instanceId);
    await deps.state.updateInstance(
      instanceId,
      { status: "busy", busyJobId: event.jobId, startedAt: event.at },
      now,
      { from: ["launched", "busy"] },
    );
    // The runner launched for job B took job A instead (same labels). If A holds no slot
    // of its own, B's slot passes to A and B goes back to the queue for a new runner.
    if (instance && instance.jobId !== event.jobId) {
      const launchedFor = await deps.state.getJob(instance.jobId);
      // Only to a job that has not finished: a late in_progress after its completed event
      // would hand a slot to a job that never gives it back.
      const startable = job !== undefined && (NOT_STARTED as readonly string[]).includes(job.status);
      if (launchedFor && job && startable && !job.holdsSlot && isWaiting(launchedFor)) {
        const handedOver = await deps.state.releaseSlot(
          launchedFor.jobId,
          launchedFor.pool,
          { status: "pending", unsent: true },
          now,
          launchedFor.pool === job.pool,
          WAITING,
        );
        if (handedOver) {
          if (launchedFor.pool !== job.pool) await deps.state.reserve(job.pool, 1, Number.MAX_SAFE_INTEGER);
          await deps.state.update(job.jobId, NOT_STARTED, { holdsSlot: true }, now);
          await deps.sendJob(jobMessage(launchedFor));
          await markSent(launchedFor.jobId, "pending", deps);
          deps.log.info("runner took another job; its own job requeued", {
            ...context,
            requeuedJobId: launchedFor.jobId,
          });
        }
      }
    }
  }

  if (job) {
    const moved = await deps.state.update(
      job.jobId,
      NOT_STARTED,
      { status: "running", runnerName: event.runnerName ?? undefined, startedAt: event.at },
      now,
    );
    if (moved) {
      deps.metrics.measure?.(
        "QueuedToRunningMs",
        Date.parse(event.at) - Date.parse(job.queuedAt),
        "Milliseconds",
      );
      deps.log.info("job in progress", context);
    }
  }
}

/** Statuses of a job whose instance has not taken it yet. */
const WAITING = ["launching", "launched", "registered"] as const;

function isWaiting(job: JobItem): boolean {
  return job.holdsSlot === true && (WAITING as readonly string[]).includes(job.status);
}

async function completed(event: JobLifecycleMessage, deps: LifecycleDeps): Promise<void> {
  const now = deps.now();
  const instanceId = instanceOfRunner(deps.prefix, event.runnerName);
  const job = await deps.state.getJob(event.jobId);
  if (!job && !instanceId) return;
  const patch = {
    status: "completed" as const,
    conclusion: event.conclusion ?? undefined,
    completedAt: event.at,
    runnerName: event.runnerName ?? undefined,
  };

  let interrupted = job?.interrupted === true;
  if (instanceId) {
    const instance = await deps.state.getInstance(instanceId);
    interrupted ||= instance?.interrupted === true;
    await deps.state.updateInstance(
      instanceId,
      { status: "done", doneAt: event.at, busyJobId: event.jobId },
      now,
      {
        from: ["launched", "busy"],
      },
    );
  }
  if (job && job.status !== "completed") {
    // Releasing the slot and recording completion is one conditional write; a duplicate
    // event finds the slot already released and changes nothing.
    const released = await deps.state.releaseSlot(job.jobId, job.pool, patch, now);
    if (!released) await deps.state.update(job.jobId, [...NOT_STARTED, "running"], patch, now);
    deps.log.info("job completed", { jobId: job.jobId, conclusion: event.conclusion, instanceId });
  }

  const pool = job ? deps.pools.get(job.pool) : undefined;
  if (interrupted && LOST.has(event.conclusion ?? "") && pool?.interruptedRetryOnDemand !== false) {
    // Re-run once per run; the re-run's jobs launch on-demand (scale-up reads the mark).
    if (await deps.state.markRunOnDemand(event.runId, now)) {
      try {
        await deps.github.rerunFailedJobs(
          { installationId: event.installationId, owner: event.owner, repository: event.repository },
          event.runId,
        );
      } catch (error) {
        // Not re-run after all: drop the mark so the message's next delivery tries again.
        await deps.state.deleteItem(runKey(event.runId));
        throw error;
      }
      deps.metrics.count("JobsRetried");
      deps.log.warn("spot-interrupted job re-run on on-demand capacity", {
        jobId: event.jobId,
        runId: event.runId,
      });
    }
  }
}

async function interrupted(event: InstanceEvent, deps: LifecycleDeps): Promise<void> {
  const now = deps.now();
  const instance = await deps.state.getInstance(event.instanceId);
  if (!instance) return; // not one of skiff's
  deps.metrics.count("SpotInterruptions");
  await deps.state.updateInstance(event.instanceId, { interrupted: true }, now);
  const jobId = instance.busyJobId ?? instance.jobId;
  await deps.state.update(jobId, [...NOT_STARTED, "running"], { interrupted: true }, now);
  deps.log.warn("spot interruption warning", { instanceId: event.instanceId, jobId, pool: instance.pool });
}

const DOWN = new Set(["stopping", "stopped", "shutting-down", "terminated"]);

async function stateChanged(event: InstanceEvent, deps: LifecycleDeps): Promise<void> {
  if (!event.state || !DOWN.has(event.state)) return;
  const now = deps.now();
  const instance = await deps.state.getInstance(event.instanceId);
  if (!instance || instance.status === "gone") return;
  if (instance.status === "launched") {
    // It went down before taking any job: its job needs another runner now. Requeue
    // before marking it gone, so a failure here is retried with the message.
    const job = await deps.state.getJob(instance.jobId);
    if (job && isWaiting(job) && job.instanceId === event.instanceId) {
      await requeueJob(job, `instance ${event.state} before taking the job`, deps);
    }
  }
  // Otherwise it ran its job; the webhook tells the rest.
  await deps.state.updateInstance(event.instanceId, { status: "gone" }, now);
}
