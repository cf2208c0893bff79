import type { JobLifecycleMessage, JobMessage } from "./messages.ts";
import type { InstanceStatus, JobStatus } from "./status.ts";

export type CapacityType = "spot" | "on-demand";

/** A job as skiff's state records it. */
export interface JobItem {
  jobId: number;
  runId: number;
  owner: string;
  repository: string;
  installationId: number;
  pool: string;
  labels: string[];
  queuedAt: string;
  status: JobStatus;
  /** Who holds the claim (an SQS message id) and until when (epoch ms). */
  claimedBy?: string;
  leaseUntil?: number;
  /** True while the job holds one of its pool's slots. Only slot effects change it. */
  holdsSlot?: boolean;
  attempts: number;
  instanceId?: string;
  capacityType?: CapacityType;
  instanceType?: string;
  launchedAt?: string;
  registeredAt?: string;
  runnerName?: string;
  runnerId?: number;
  startedAt?: string;
  completedAt?: string;
  conclusion?: string;
  forceOnDemand?: boolean;
  deliveryId?: string;
  /** Set when a spot interruption took the instance the job ran on. */
  interrupted?: boolean;
  /** How often the reconcile put the job back after its instance failed to take it. */
  requeues?: number;
  /**
   * Set in the same write that puts the job back (`pending`) or gives up on it (`failed`),
   * cleared once its jobs-queue or DLQ message is sent: a send that failed is retried by
   * the reconcile instead of leaving the job with no message anywhere.
   */
  unsent?: boolean;
  updatedAt: string;
}

/** What a transition may change besides the status and the slot. */
export type JobPatch = Partial<
  Omit<JobItem, "jobId" | "status" | "holdsSlot" | "claimedBy" | "leaseUntil" | "updatedAt">
>;

/** An instance skiff launched, as its state records it. */
export interface InstanceItem {
  /** The EC2 instance id, or a Fargate task's id. */
  instanceId: string;
  /** A Fargate task's ARN, which names its cluster (for StopTask and DescribeTasks). */
  taskArn?: string;
  /**
   * The job it was launched for (the runner may take another job with the same labels);
   * for a warm runner, the job it was set aside for, none while it waits.
   */
  jobId?: number;
  /** Launched warm, for no job: it waits, registered, for any job of its pool. */
  warm?: boolean;
  /** True while the instance itself holds one of its pool's slots (a waiting warm runner). */
  holdsSlot?: boolean;
  /** When a waiting warm runner was set aside for a job. */
  adoptedAt?: string;
  pool: string;
  status: InstanceStatus;
  launchedAt: string;
  capacityType?: CapacityType;
  /** The job in progress on it, from the in_progress webhook. */
  busyJobId?: number;
  startedAt?: string;
  doneAt?: string;
  interrupted?: boolean;
  /** Its GitHub registration, for clean-up. */
  runnerId?: number;
  /** Where its runner registered: events about it must come from there. */
  owner: string;
  repository: string;
  runnerLevel: "org" | "repo";
  installationId: number;
  updatedAt: string;
}

export type NewInstance = Omit<InstanceItem, "status" | "updatedAt" | "holdsSlot" | "warm" | "adoptedAt"> & {
  jobId: number;
};
export type NewWarmInstance = Omit<
  InstanceItem,
  "status" | "updatedAt" | "holdsSlot" | "warm" | "adoptedAt" | "jobId"
>;
export type InstancePatch = Partial<
  Omit<InstanceItem, "instanceId" | "status" | "updatedAt" | "holdsSlot" | "warm" | "jobId" | "adoptedAt">
>;

/** The jobs-queue message that puts a recorded job back on the queue. */
export function jobMessage(job: JobItem): JobMessage {
  return {
    kind: "job",
    jobId: job.jobId,
    runId: job.runId,
    owner: job.owner,
    repository: job.repository,
    installationId: job.installationId,
    pool: job.pool,
    labels: job.labels,
    queuedAt: job.queuedAt,
    deliveryId: job.deliveryId ?? "requeue",
    ...(job.forceOnDemand ? { capacity: "on-demand" as const } : {}),
  };
}

/** A new job item for a claimed message. */
export function claimedJob(message: JobMessage, previous: JobItem | undefined): Omit<JobItem, "updatedAt"> {
  return {
    jobId: message.jobId,
    runId: message.runId,
    owner: message.owner,
    repository: message.repository,
    installationId: message.installationId,
    pool: message.pool,
    labels: message.labels,
    queuedAt: message.queuedAt,
    deliveryId: message.deliveryId,
    status: "claimed",
    attempts: previous?.attempts ?? 0,
    ...(previous?.requeues ? { requeues: previous.requeues } : {}),
    ...(message.capacity === "on-demand" ? { forceOnDemand: true } : {}),
  };
}

/**
 * Whether a job event may act on an instance skiff recorded. A validly signed event can
 * come from any repository the App is installed on, and its runner name can be chosen by
 * whoever registered the runner; so the event must come from where the instance's runner
 * registered (its owner, and its repository for repository-level runners) and be about a
 * job the instance may run: `in_progress` for its own job or, while it is idle, for
 * another job skiff routed to it (`known`); `completed` for the job it was recorded busy
 * with, or its own job.
 */
export function eventMatchesInstance(
  event: Pick<JobLifecycleMessage, "action" | "jobId" | "owner" | "repository">,
  instance: InstanceItem,
  known: JobItem | undefined,
): boolean {
  if (event.owner.toLowerCase() !== instance.owner.toLowerCase()) return false;
  if (instance.runnerLevel === "repo" && event.repository.toLowerCase() !== instance.repository.toLowerCase())
    return false;
  if (event.action === "completed") {
    return event.jobId === (instance.busyJobId ?? instance.jobId);
  }
  if (instance.jobId !== undefined && event.jobId === instance.jobId) return true;
  if (instance.status === "busy") return event.jobId === instance.busyJobId;
  return (
    known !== undefined &&
    known.owner.toLowerCase() === instance.owner.toLowerCase() &&
    (instance.runnerLevel === "org" || known.repository.toLowerCase() === instance.repository.toLowerCase())
  );
}
