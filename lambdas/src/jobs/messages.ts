import { ValidationError } from "../shared/errors.ts";

/** The jobs-queue message: everything scale-up needs to launch a runner for one job. */
export interface JobMessage {
  kind: "job";
  jobId: number;
  runId: number;
  owner: string;
  repository: string;
  installationId: number;
  pool: string;
  labels: string[];
  /** When GitHub queued the job (ISO 8601). */
  queuedAt: string;
  /** The webhook delivery that announced it (X-GitHub-Delivery). */
  deliveryId: string;
  /** Set on re-runs of spot-interrupted jobs: launch on-demand only. */
  capacity?: "on-demand";
  /** How often the job already waited in the queue for a slot or capacity. */
  waits?: number;
}

/** A jobs-queue message from the reconcile: launch warm runners until `wanted` wait in `pool`. */
export interface WarmMessage {
  kind: "warm";
  pool: string;
  wanted: number;
}

/**
 * The lifecycle-queue message for a job that started or finished. The same queue also
 * receives EC2 events from EventBridge; `kind` tells the two apart.
 */
export interface JobLifecycleMessage {
  kind: "job-lifecycle";
  action: "in_progress" | "completed";
  jobId: number;
  runId: number;
  owner: string;
  repository: string;
  installationId: number;
  runnerName: string | null;
  conclusion: string | null;
  /** started_at for in_progress, completed_at for completed (ISO 8601). */
  at: string;
  deliveryId: string;
}

type Json = Record<string, unknown>;

function record(value: unknown, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(field, "must be an object");
  }
  return value as Json;
}

export function positiveInt(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(field, "must be a positive integer");
  }
  return value;
}

export function nonNegativeInt(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, "must be a whole number, 0 or more");
  }
  return value;
}

export function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0)
    throw new ValidationError(field, "must be a non-empty string");
  return value;
}

function nullableString(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  return nonEmpty(value, field);
}

export function timestamp(value: unknown, field: string): string {
  const text = nonEmpty(value, field);
  if (Number.isNaN(Date.parse(text))) throw new ValidationError(field, "must be an ISO 8601 timestamp");
  return text;
}

export function labelList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((label) => typeof label !== "string")) {
    throw new ValidationError(field, "must be a list of strings");
  }
  return value as string[];
}

/** Parses a jobs-queue message body (a job, or a warm top-up); throws ValidationError naming the bad field. */
export function parseQueueMessage(body: string): JobMessage | WarmMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new ValidationError("message body", "is not valid JSON");
  }
  const m = record(raw, "message");
  if (m.kind === "warm")
    return { kind: "warm", pool: nonEmpty(m.pool, "pool"), wanted: nonNegativeInt(m.wanted, "wanted") };
  return jobFields(m);
}

/** Parses a jobs-queue job message body; throws ValidationError naming the bad field. */
export function parseJobMessage(body: string): JobMessage {
  const parsed = parseQueueMessage(body);
  if (parsed.kind !== "job") throw new ValidationError("kind", 'must be "job"');
  return parsed;
}

function jobFields(m: Json): JobMessage {
  if (m.kind !== "job") throw new ValidationError("kind", 'must be "job" or "warm"');
  if (m.capacity !== undefined && m.capacity !== "on-demand") {
    throw new ValidationError("capacity", 'must be "on-demand" when set');
  }
  return {
    kind: "job",
    jobId: positiveInt(m.jobId, "jobId"),
    runId: positiveInt(m.runId, "runId"),
    owner: nonEmpty(m.owner, "owner"),
    repository: nonEmpty(m.repository, "repository"),
    installationId: positiveInt(m.installationId, "installationId"),
    pool: nonEmpty(m.pool, "pool"),
    labels: labelList(m.labels, "labels"),
    queuedAt: timestamp(m.queuedAt, "queuedAt"),
    deliveryId: nonEmpty(m.deliveryId, "deliveryId"),
    ...(m.capacity === "on-demand" ? { capacity: "on-demand" as const } : {}),
    ...(m.waits !== undefined ? { waits: nonNegativeInt(m.waits, "waits") } : {}),
  };
}

/** Parses a job lifecycle message; throws ValidationError naming the bad field. */
export function parseJobLifecycleMessage(raw: unknown): JobLifecycleMessage {
  const m = record(raw, "message");
  if (m.kind !== "job-lifecycle") throw new ValidationError("kind", 'must be "job-lifecycle"');
  if (m.action !== "in_progress" && m.action !== "completed") {
    throw new ValidationError("action", 'must be "in_progress" or "completed"');
  }
  return {
    kind: "job-lifecycle",
    action: m.action,
    jobId: positiveInt(m.jobId, "jobId"),
    runId: positiveInt(m.runId, "runId"),
    owner: nonEmpty(m.owner, "owner"),
    repository: nonEmpty(m.repository, "repository"),
    installationId: positiveInt(m.installationId, "installationId"),
    runnerName: nullableString(m.runnerName, "runnerName"),
    conclusion: nullableString(m.conclusion, "conclusion"),
    at: timestamp(m.at, "at"),
    deliveryId: nonEmpty(m.deliveryId, "deliveryId"),
  };
}
