import { type JobLifecycleMessage, nonEmpty, parseJobLifecycleMessage } from "../jobs/messages.ts";
import { ValidationError } from "../shared/errors.ts";
import { isTaskStatus, TASK_STATUSES, type TaskStatus, taskId } from "../shared/tasks.ts";

/** An EC2 event EventBridge delivered to the lifecycle queue. */
export interface InstanceEvent {
  kind: "spot-interruption" | "state-change";
  instanceId: string;
  /** For state changes: pending, running, stopping, stopped, shutting-down, terminated. */
  state?: string;
  time: string;
}

/** An ECS "Task State Change" event EventBridge delivered to the lifecycle queue. */
export interface TaskEvent {
  kind: "task-change";
  taskArn: string;
  /** The task's id, which skiff records as the runner's instance id. */
  taskId: string;
  lastStatus: TaskStatus;
  desiredStatus: string;
  /** Why it stops or stopped (SpotInterruption, EssentialContainerExited, UserInitiated …). */
  stopCode?: string;
  /** Who started it: `skiff/<prefix>/<pool>` for skiff's tasks. */
  startedBy?: string;
  time: string;
}

export type LifecycleEvent = JobLifecycleMessage | InstanceEvent | TaskEvent;

/** A task ARN, old format (task/<id>) or new (task/<cluster>/<id>); skiff's task ids are 32 hex digits. */
const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/(?:[A-Za-z0-9_-]{1,255}\/)?[0-9a-f]{32}$/;

/**
 * Reads a lifecycle-queue message: a job lifecycle message from the webhook, or an EventBridge
 * EC2 or ECS event. Throws ValidationError naming what is wrong.
 */
export function parseLifecycleEvent(body: string): LifecycleEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new ValidationError("message body", "is not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ValidationError("message", "must be an object");
  }
  const m = raw as Record<string, unknown>;
  if (m.kind === "job-lifecycle") return parseJobLifecycleMessage(m);
  if (m.source === "aws.ec2") return parseEc2Event(m);
  if (m.source === "aws.ecs") return parseEcsEvent(m);
  throw new ValidationError(
    "message",
    'is neither a job lifecycle message nor an "aws.ec2" or "aws.ecs" event',
  );
}

function detailOf(m: Record<string, unknown>): Record<string, unknown> {
  const detail = m.detail;
  if (!detail || typeof detail !== "object" || Array.isArray(detail))
    throw new ValidationError("detail", "is missing");
  return detail as Record<string, unknown>;
}

const timeOf = (m: Record<string, unknown>) =>
  typeof m.time === "string" ? m.time : new Date(0).toISOString();

function parseEc2Event(m: Record<string, unknown>): InstanceEvent {
  const detail = detailOf(m);
  const instanceId = nonEmpty(detail["instance-id"], "detail.instance-id");
  const time = timeOf(m);
  if (m["detail-type"] === "EC2 Spot Instance Interruption Warning") {
    return { kind: "spot-interruption", instanceId, time };
  }
  if (m["detail-type"] === "EC2 Instance State-change Notification") {
    return { kind: "state-change", instanceId, state: nonEmpty(detail.state, "detail.state"), time };
  }
  throw new ValidationError("detail-type", `is not an EC2 event skiff handles: ${String(m["detail-type"])}`);
}

function parseEcsEvent(m: Record<string, unknown>): TaskEvent {
  if (m["detail-type"] !== "ECS Task State Change")
    throw new ValidationError(
      "detail-type",
      `is not an ECS event skiff handles: ${String(m["detail-type"])}`,
    );
  const detail = detailOf(m);
  const taskArn = nonEmpty(detail.taskArn, "detail.taskArn");
  if (!TASK_ARN.test(taskArn))
    throw new ValidationError("detail.taskArn", `is not an ECS task ARN with a task id: ${taskArn}`);
  const lastStatus = detail.lastStatus;
  if (!isTaskStatus(lastStatus))
    throw new ValidationError("detail.lastStatus", `must be one of ${TASK_STATUSES.join(", ")}`);
  const stopCode = optional(detail.stopCode, "detail.stopCode");
  const started = optional(detail.startedBy, "detail.startedBy");
  return {
    kind: "task-change",
    taskArn,
    taskId: taskId(taskArn),
    lastStatus,
    desiredStatus: nonEmpty(detail.desiredStatus, "detail.desiredStatus"),
    ...(stopCode ? { stopCode } : {}),
    ...(started ? { startedBy: started } : {}),
    time: timeOf(m),
  };
}

function optional(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : nonEmpty(value, field);
}
