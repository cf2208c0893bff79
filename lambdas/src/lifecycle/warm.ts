import type { InstanceItem, JobItem } from "../jobs/items.ts";
import { runnerName } from "../jobs/runner.ts";
import type { LifecycleDeps } from "./lifecycle.ts";

/**
 * A job that scale-up registered on a waiting warm runner may start on another runner
 * (GitHub gives a queued job to any idle runner whose labels match). The runner set aside
 * for it then waits again, with the slot, for the next job. Returns the job as it is now.
 */
export async function releaseAdoptedRunner(
  job: JobItem,
  startedOn: string | null,
  deps: LifecycleDeps,
): Promise<JobItem> {
  if (!job.instanceId || !job.holdsSlot || startedOn === runnerName(deps.prefix, job.instanceId)) return job;
  const adopted = await deps.state.instances.get(job.instanceId);
  if (!adopted?.warm || adopted.jobId !== job.jobId || adopted.status !== "launched") return job;
  const back = await deps.state.warm.unadopt(adopted.instanceId, job.jobId, deps.now());
  if (!back.ok) return job;
  deps.log.info("job started on another runner; its warm runner waits again", {
    jobId: job.jobId,
    instanceId: adopted.instanceId,
  });
  return (await deps.state.jobs.get(job.jobId)) ?? job;
}

/** A waiting warm runner started a job: it leaves the idle runners, and the slot moves with the job. */
export async function warmRunnerStarted(
  instance: InstanceItem,
  job: JobItem,
  deps: LifecycleDeps,
): Promise<void> {
  const taken = await deps.state.warm.take(instance.instanceId, job, deps.now());
  if (!taken.ok) return;
  deps.log.info("warm runner took a job", {
    jobId: job.jobId,
    instanceId: instance.instanceId,
    pool: instance.pool,
  });
}
