import { type JobLifecycleMessage, nonEmpty, parseJobLifecycleMessage } from "../jobs/messages.ts";
import { ValidationError } from "../shared/errors.ts";

/** An EC2 event EventBridge delivered to the lifecycle queue. */
export interface InstanceEvent {
  kind: "spot-interruption" | "state-change";
  instanceId: string;
  /** For state changes: pending, running, stopping, stopped, shutting-down, terminated. */
  state?: string;
  time: string;
}

export type LifecycleEvent = JobLifecycleMessage | InstanceEvent;

/**
 * Reads a lifecycle-queue message: either a job lifecycle message from the webhook or
 * an EventBridge EC2 event. Throws ValidationError naming what is wrong.
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
  if (m.source === "aws.ec2") {
    const detail = m.detail as Record<string, unknown> | undefined;
    if (!detail || typeof detail !== "object") throw new ValidationError("detail", "is missing");
    const instanceId = nonEmpty(detail["instance-id"], "detail.instance-id");
    const time = typeof m.time === "string" ? m.time : new Date(0).toISOString();
    if (m["detail-type"] === "EC2 Spot Instance Interruption Warning") {
      return { kind: "spot-interruption", instanceId, time };
    }
    if (m["detail-type"] === "EC2 Instance State-change Notification") {
      return { kind: "state-change", instanceId, state: nonEmpty(detail.state, "detail.state"), time };
    }
    throw new ValidationError(
      "detail-type",
      `is not an EC2 event skiff handles: ${String(m["detail-type"])}`,
    );
  }
  throw new ValidationError("message", 'is neither a job lifecycle message nor an "aws.ec2" event');
}
