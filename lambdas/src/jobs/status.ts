/**
 * Where a job stands. `claimed` → `launching` → `launched` → `registered` → `running` →
 * `completed`; `pending` means "free to be claimed again" (the job went back to the queue);
 * `cancelled` means GitHub no longer wanted a runner for it; `failed` means skiff gave up
 * on it after bounded retries (it is in the DLQ).
 */
export const JOB_STATUSES = [
  "claimed",
  "launching",
  "launched",
  "registered",
  "running",
  "completed",
  "pending",
  "cancelled",
  "failed",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Where an instance stands, from events: `launched` (booting or idle), `busy` (a job is
 * in progress on it), `done` (its job completed; it powers off), `gone` (terminated).
 */
export const INSTANCE_STATUSES = ["launched", "busy", "done", "gone"] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** An instance that is not down yet: it counts against its pool's max_runners until it is. */
export const INSTANCE_UP = ["launched", "busy", "done"] as const satisfies readonly InstanceStatus[];

/** A job holding a slot whose instance is on its way but has not taken it yet. */
export const WAITING = ["launching", "launched", "registered"] as const satisfies readonly JobStatus[];

/** A job that has not started on any runner: it may still start. */
export const NOT_STARTED = [
  "claimed",
  ...WAITING,
  "pending",
  "cancelled",
  "failed",
] as const satisfies readonly JobStatus[];

/** A job that has not completed: it may still be marked running, interrupted or completed. */
export const NOT_COMPLETED = [...NOT_STARTED, "running"] as const satisfies readonly JobStatus[];

/** A job skiff may still put back on the queue or give up on: nothing has started it. */
export const REQUEUEABLE = ["claimed", ...WAITING] as const satisfies readonly JobStatus[];

/** A job that no longer needs the runner launched for it: it ended, or runs elsewhere. */
export const NEEDS_NO_RUNNER = [
  "completed",
  "cancelled",
  "failed",
  "running",
] as const satisfies readonly JobStatus[];

/** A job whose message may be out of the queue: put back, or given up on. */
export const SENDABLE = ["pending", "failed"] as const satisfies readonly JobStatus[];

/** EC2 instance states in which an instance still exists and may be running a job. */
export const EC2_ALIVE = ["pending", "running", "stopping", "stopped", "shutting-down"] as const;
/** EC2 instance states reported when an instance goes down. */
export const EC2_DOWN = ["stopping", "stopped", "shutting-down", "terminated"] as const;

/** Whether `status` is one of `set`. */
export function isIn<S extends string>(set: readonly S[], status: string | undefined): status is S {
  return status !== undefined && (set as readonly string[]).includes(status);
}
