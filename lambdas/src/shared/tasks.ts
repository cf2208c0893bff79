/**
 * What identifies skiff's Fargate tasks, for scale-up (which starts them), the lifecycle (which
 * reads their state-change events) and the reconcile (which lists and stops them).
 */

/** A task's id: the last part of its ARN (arn:…:task/<cluster>/<id>). */
export function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}

/** The cluster a task ARN names (arn:…:task/<cluster>/<id>); undefined for the retired format without one. */
export function clusterOfTask(taskArn: string): string | undefined {
  const parts = taskArn.split("/");
  return parts.length === 3 ? parts[1] : undefined;
}

/** What every skiff task is started by, so a reconcile can list a pool's tasks with ListTasks. */
export function startedBy(prefix: string, pool: string): string {
  return `skiff/${prefix}/${pool}`;
}

/** The pool a task's `startedBy` names, when skiff started it for `prefix`; undefined for any other task. */
export function poolStartedBy(prefix: string, started: string | undefined): string | undefined {
  const head = startedBy(prefix, "");
  if (!started?.startsWith(head)) return undefined;
  const pool = started.slice(head.length);
  return pool.length > 0 && !pool.includes("/") ? pool : undefined;
}

/** An ECS task's `lastStatus`, in the order a task goes through them. */
export const TASK_STATUSES = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
  "STOPPED",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * A task's status in the EC2 state vocabulary the reconcile and the lifecycle use, so that tasks
 * and instances follow the same rules: a task on its way down is `shutting-down` (its container
 * may still be running: not down yet), a stopped one is `terminated`.
 */
const AS_EC2_STATE: Record<TaskStatus, string> = {
  PROVISIONING: "pending",
  PENDING: "pending",
  ACTIVATING: "pending",
  RUNNING: "running",
  DEACTIVATING: "shutting-down",
  STOPPING: "shutting-down",
  DEPROVISIONING: "shutting-down",
  STOPPED: "terminated",
};

export function ec2StateOfTask(status: TaskStatus): string {
  return AS_EC2_STATE[status];
}

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === "string" && (TASK_STATUSES as readonly string[]).includes(value);
}
