import { type JobItem, jobMessage } from "../jobs/items.ts";
import type { JobMessage } from "../jobs/messages.ts";
import type { State } from "../store/ports.ts";
import type { Counter, Log } from "./observability.ts";

export interface RequeueDeps {
  state: State;
  sendJob(message: JobMessage): Promise<void>;
  /** Sends a job skiff gives up on to the jobs DLQ, where the DLQ alarm sees it. */
  sendDeadLetter(message: JobMessage & { reason: string }): Promise<void>;
  log: Log;
  metrics: Counter;
  now: () => Date;
  maxRequeues: number;
}

/**
 * Puts a job whose instance never took it back on the jobs queue, at most `maxRequeues`
 * times; after that it fails visibly (DLQ message, error log, metric). Scale-up asks
 * GitHub whether an old job is still queued before launching again, so a job that was
 * cancelled or taken meanwhile costs nothing more.
 *
 * The state moves first (only the writer that moves it acts), flagged `unsent` until the
 * message is out: should the send fail, the reconcile sends it again (`resendJob`), so the
 * job never sits `pending` with no message anywhere.
 */
export async function requeueJob(
  job: JobItem,
  reason: string,
  deps: RequeueDeps,
): Promise<"requeued" | "failed" | "skipped"> {
  const now = deps.now();
  const requeues = (job.requeues ?? 0) + 1;
  const giveUp = requeues > deps.maxRequeues;
  // Its instance may still be up (running another job, or on its way down): it keeps the
  // slot until it is down, and the requeued job reserves a new one.
  const keepOn = job.instanceId ? [job.instanceId] : [];
  const moved = giveUp
    ? await deps.state.jobs.transition(job.jobId, "failed", { unsent: true }, { now, keepOn })
    : await deps.state.jobs.transition(job.jobId, "requeued", { requeues, unsent: true }, { now, keepOn });
  if (!moved.ok) return "skipped";
  const context = { jobId: job.jobId, pool: job.pool, reason, requeues: requeues - 1 };
  if (giveUp) {
    deps.metrics.count("JobsFailed", { name: "Pool", value: job.pool });
    deps.log.error("job failed: its runners never took it; sent to the DLQ", context);
    await deps.sendDeadLetter({ ...jobMessage(job), reason });
    await markSent(job.jobId, "failed", deps);
    return "failed";
  }
  deps.metrics.count("JobsRequeued", { name: "Pool", value: job.pool });
  deps.log.warn("job requeued", context);
  await deps.sendJob(jobMessage(job));
  await markSent(job.jobId, "pending", deps);
  return "requeued";
}

/** Clears `unsent` once the message is out (a claim meanwhile already replaced the item). */
export async function markSent(
  jobId: number,
  status: "pending" | "failed",
  deps: Pick<RequeueDeps, "state" | "now">,
): Promise<void> {
  const name = status === "pending" ? "sentPending" : "sentFailed";
  await deps.state.jobs.transition(jobId, name, { unsent: false }, { now: deps.now() });
}

/** Sends the message a requeue or a give-up left `unsent` (its first send failed). */
export async function resendJob(job: JobItem, deps: RequeueDeps): Promise<void> {
  if (!job.unsent) return;
  const context = { jobId: job.jobId, pool: job.pool, status: job.status };
  if (job.status === "failed") {
    await deps.sendDeadLetter({ ...jobMessage(job), reason: "resent after a failed send" });
    deps.log.error("job failed: DLQ message sent again after a failed send", context);
  } else if (job.status === "pending") {
    await deps.sendJob(jobMessage(job));
    deps.log.warn("requeued job's message sent again after a failed send", context);
  } else {
    return;
  }
  await markSent(job.jobId, job.status, deps);
}
