import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { eventMatchesInstance, type InstanceItem, type JobItem, jobMessage } from "../jobs/items.ts";
import type { JobLifecycleMessage } from "../jobs/messages.ts";
import { instanceOfRunner } from "../jobs/runner.ts";
import { EC2_DOWN, isIn, NOT_STARTED, WAITING } from "../jobs/status.ts";
import { errorMessage, ValidationError } from "../shared/errors.ts";
import type { GitHubAdmin } from "../shared/github.ts";
import type { Counter, Log } from "../shared/observability.ts";
import type { Pool } from "../shared/pools.ts";
import { markSent, type RequeueDeps, requeueJob } from "../shared/requeue.ts";
import { poolStartedBy } from "../shared/tasks.ts";
import type { State } from "../store/ports.ts";
import { parseLifecycleEvent, type TaskEvent } from "./events.ts";
import { releaseAdoptedRunner, warmRunnerStarted } from "./warm.ts";

export interface LifecycleDeps extends RequeueDeps {
  prefix: string;
  pools: ReadonlyMap<string, Pool>;
  state: State;
  github: Pick<GitHubAdmin, "rerunFailedJobs">;
  log: Log;
  metrics: Counter;
  now: () => Date;
}

/** Conclusions GitHub gives a job whose runner vanished. */
const LOST = new Set(["failure", "cancelled"]);

/**
 * Applies job and instance events to the state table. Events may come twice or out of
 * order; each change is a conditional transition that only moves state forward.
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
        await interrupted(event.instanceId, deps);
      } else if (event.kind === "task-change") {
        await taskChanged(event, deps);
      } else if (isIn(EC2_DOWN, event.state)) {
        await instanceDown(event.instanceId, `instance ${event.state}`, deps);
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

/**
 * The instance an event is about, when its runner name is one of skiff's and the event
 * may act on it (see `eventMatchesInstance`); a forged name gets nothing.
 */
async function instanceFor(
  event: JobLifecycleMessage,
  job: JobItem | undefined,
  deps: LifecycleDeps,
): Promise<InstanceItem | undefined> {
  const instanceId = instanceOfRunner(deps.prefix, event.runnerName);
  if (!instanceId) return undefined;
  const instance = await deps.state.instances.get(instanceId);
  if (!instance) return undefined;
  if (eventMatchesInstance(event, instance, job)) return instance;
  deps.metrics.count("ForeignRunnerEvents");
  deps.log.warn("event names a skiff runner but does not match its instance; instance left alone", {
    jobId: event.jobId,
    runnerName: event.runnerName,
    instanceId,
    owner: event.owner,
    repository: event.repository,
  });
  return undefined;
}

async function inProgress(event: JobLifecycleMessage, deps: LifecycleDeps): Promise<void> {
  const now = deps.now();
  const seen = await deps.state.jobs.get(event.jobId);
  const instance = await instanceFor(event, seen, deps);
  const context = { jobId: event.jobId, runnerName: event.runnerName, instanceId: instance?.instanceId };
  const job = seen && (await releaseAdoptedRunner(seen, event.runnerName, deps));

  if (instance && instance.status === "launched") {
    if (job && instance.warm && instance.jobId === undefined) await warmRunnerStarted(instance, job, deps);
    countWarm(instance, deps);
    await deps.state.instances.transition(
      instance.instanceId,
      "started",
      { busyJobId: event.jobId, startedAt: event.at },
      now,
    );
    // The runner launched for job B took job A instead (same labels). If A holds no slot
    // of its own, B's slot passes to A and B goes back to the queue for a new runner.
    if (job && instance.jobId !== undefined && instance.jobId !== event.jobId)
      await handOver(instance, instance.jobId, job, deps);
  }

  if (job) {
    const moved = await deps.state.jobs.transition(
      job.jobId,
      "started",
      { runnerName: event.runnerName ?? undefined, startedAt: event.at },
      { now },
    );
    if (moved.ok) {
      deps.metrics.measure?.(
        "QueuedToRunningMs",
        Date.parse(event.at) - Date.parse(job.queuedAt),
        "Milliseconds",
      );
      deps.log.info("job in progress", context);
    }
  }
}

/**
 * In a pool that keeps warm runners, a job started on one that was waiting (whether GitHub gave
 * it the job or scale-up set it aside) is a hit, one started on a runner launched for a job a
 * miss. Counted here, once per runner start, because only GitHub's choice of runner says which.
 */
function countWarm(instance: InstanceItem, deps: LifecycleDeps): void {
  const pool = deps.pools.get(instance.pool);
  if (pool?.target !== "ec2" || !pool.warm) return;
  deps.metrics.count(instance.warm ? "WarmHits" : "WarmMisses", { name: "Pool", value: instance.pool });
}

async function handOver(
  instance: InstanceItem,
  launchedForId: number,
  job: JobItem,
  deps: LifecycleDeps,
): Promise<void> {
  const launchedFor = await deps.state.jobs.get(launchedForId);
  // Only to a job that has not started or finished: a late in_progress after its completed
  // event would hand a slot to a job that never gives it back.
  if (!launchedFor || job.holdsSlot || !isIn(NOT_STARTED, job.status)) return;
  if (!launchedFor.holdsSlot || !isIn(WAITING, launchedFor.status)) return;
  const max = deps.pools.get(job.pool)?.maxRunners ?? 0;
  const handed = await deps.state.jobs.handOver(launchedFor, job, max, deps.now());
  if (!handed.ok) {
    if (launchedFor.pool !== job.pool)
      deps.log.info("runner took a job of a pool at its cap; its own job keeps its slot", {
        jobId: job.jobId,
        pool: job.pool,
        instanceId: instance.instanceId,
      });
    return;
  }
  await deps.sendJob(jobMessage(launchedFor));
  await markSent(launchedFor.jobId, "pending", deps);
  deps.log.info("runner took another job; its own job requeued", {
    jobId: job.jobId,
    instanceId: instance.instanceId,
    requeuedJobId: launchedFor.jobId,
  });
}

async function completed(event: JobLifecycleMessage, deps: LifecycleDeps): Promise<void> {
  const now = deps.now();
  const job = await deps.state.jobs.get(event.jobId);
  const instance = await instanceFor(event, job, deps);

  let interrupted = job?.interrupted === true;
  if (instance) {
    interrupted ||= instance.interrupted === true;
    await deps.state.instances.transition(
      instance.instanceId,
      "done",
      { doneAt: event.at, busyJobId: event.jobId },
      now,
    );
  }
  if (job && job.status !== "completed") {
    // Completion and the slot's release are one write; a duplicate event changes nothing.
    // An instance counts against max_runners until it is down: the slot stays with the
    // instance launched or set aside for the job (it may have run another job, or none), or
    // else with the one it ran on, until that one goes.
    const keepOn = [job.instanceId, instance?.instanceId].filter((id): id is string => id !== undefined);
    const done = await deps.state.jobs.transition(
      job.jobId,
      "completed",
      {
        conclusion: event.conclusion ?? undefined,
        completedAt: event.at,
        runnerName: event.runnerName ?? undefined,
      },
      { now, keepOn },
    );
    if (done.ok)
      deps.log.info("job completed", {
        jobId: job.jobId,
        conclusion: event.conclusion,
        instanceId: instance?.instanceId,
      });
  }

  if (interrupted && job) await rerunIfLost(job, event.conclusion ?? undefined, deps);
}

/**
 * A spot-interrupted job that GitHub failed or cancelled is re-run once per run; the re-run's
 * jobs launch on-demand (scale-up reads the run's mark). Called on whichever comes second: the
 * job's completion, or the interruption (an ECS event may arrive after the job's webhook).
 */
async function rerunIfLost(job: JobItem, conclusion: string | undefined, deps: LifecycleDeps): Promise<void> {
  if (!LOST.has(conclusion ?? "")) return;
  if (deps.pools.get(job.pool)?.interruptedRetryOnDemand === false) return;
  if (!(await deps.state.marks.markRunOnDemand(job.runId, deps.now()))) return;
  try {
    await deps.github.rerunFailedJobs(
      { installationId: job.installationId, owner: job.owner, repository: job.repository },
      job.runId,
    );
  } catch (error) {
    // Not re-run after all: drop the mark so the message's next delivery tries again.
    await deps.state.marks.unmarkRun(job.runId);
    throw error;
  }
  deps.metrics.count("JobsRetried");
  deps.log.warn("spot-interrupted job re-run on on-demand capacity", { jobId: job.jobId, runId: job.runId });
}

async function interrupted(instanceId: string, deps: LifecycleDeps): Promise<void> {
  const now = deps.now();
  const instance = await deps.state.instances.get(instanceId);
  if (!instance) return; // not one of skiff's
  // A Fargate task may report its interruption twice (stopping, then stopped): count it once.
  const first = !instance.interrupted;
  await deps.state.instances.transition(instanceId, "interrupted", { interrupted: true }, now);
  const jobId = instance.busyJobId ?? instance.jobId;
  if (first) {
    deps.metrics.count("SpotInterruptions");
    deps.log.warn("spot interruption warning", { instanceId, jobId, pool: instance.pool });
  }
  if (jobId === undefined) return;
  await deps.state.jobs.transition(jobId, "interrupted", { interrupted: true }, { now });
  // Its job may have completed before this event was handled: the completion could not know.
  const job = await deps.state.jobs.get(jobId);
  if (job?.status === "completed") await rerunIfLost(job, job.conclusion, deps);
}

/**
 * A Fargate task's state change, mapped onto the instance rules: a Fargate Spot interruption
 * (stop code SpotInterruption, seen while the task stops or only once it stopped) is one, and a
 * stopped task is down. Tasks skiff did not start for this prefix, and tasks it has no item for
 * (or an EC2 item by the same id), change nothing.
 */
async function taskChanged(event: TaskEvent, deps: LifecycleDeps): Promise<void> {
  if (poolStartedBy(deps.prefix, event.startedBy) === undefined) return;
  const instance = await deps.state.instances.get(event.taskId);
  if (!instance?.taskArn) return;
  if (event.stopCode === "SpotInterruption") await interrupted(event.taskId, deps);
  if (event.lastStatus === "STOPPED")
    await instanceDown(event.taskId, `task stopped (${event.stopCode ?? "no stop code"})`, deps);
}

/** An instance or task went down: its slot goes back, a job still waiting for it is requeued. */
async function instanceDown(instanceId: string, what: string, deps: LifecycleDeps): Promise<void> {
  const now = deps.now();
  const instance = await deps.state.instances.get(instanceId);
  if (!instance) return;
  if (instance.status !== "gone") {
    if (instance.status === "launched" && instance.jobId !== undefined) {
      // It went down before taking any job: its job needs another runner now. Requeue
      // before marking it gone, so a failure here is retried with the message.
      const job = await deps.state.jobs.get(instance.jobId);
      if (job?.holdsSlot && isIn(WAITING, job.status) && job.instanceId === instanceId) {
        await requeueJob(job, `${what} before taking the job`, deps);
      }
    }
    // Otherwise it ran its job; the webhook tells the rest.
    await deps.state.instances.transition(instanceId, "gone", {}, now);
  }
  // Whatever slot its item holds now goes back, once: its own (a warm runner's), or one
  // passed to it, before or while it went down. Read after the transition, so none is missed.
  await deps.state.instances.release(instanceId, now);
}
