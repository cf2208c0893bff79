import { labelList, nonEmpty, positiveInt, timestamp } from "../jobs/messages.ts";
import { ValidationError } from "../shared/errors.ts";

/** The fields of a `workflow_job` webhook payload skiff relies on. */
export interface WorkflowJobEvent {
  action: string;
  jobId: number;
  runId: number;
  labels: string[];
  owner: string;
  repository: string;
  installationId: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  runnerName: string | null;
  conclusion: string | null;
}

type Json = Record<string, unknown>;

function member(parent: Json, key: string, path: string): Json {
  const value = parent[key];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(`${path}.${key}`, "is missing or not an object");
  }
  return value as Json;
}

function optional(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** Parses a workflow_job payload; throws ValidationError naming the first missing or bad field. */
export function parseWorkflowJob(body: string): WorkflowJobEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new ValidationError("body", "is not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ValidationError("body", "must be a JSON object");
  }
  const payload = raw as Json;
  const job = member(payload, "workflow_job", "payload");
  const repository = member(payload, "repository", "payload");
  const owner = member(repository, "owner", "payload.repository");
  const installation = member(payload, "installation", "payload");
  return {
    action: nonEmpty(payload.action, "payload.action"),
    jobId: positiveInt(job.id, "payload.workflow_job.id"),
    runId: positiveInt(job.run_id, "payload.workflow_job.run_id"),
    labels: labelList(job.labels, "payload.workflow_job.labels"),
    owner: nonEmpty(owner.login, "payload.repository.owner.login"),
    repository: nonEmpty(repository.name, "payload.repository.name"),
    installationId: positiveInt(installation.id, "payload.installation.id"),
    createdAt: timestamp(job.created_at, "payload.workflow_job.created_at"),
    startedAt: optional(job.started_at),
    completedAt: optional(job.completed_at),
    runnerName: optional(job.runner_name),
    conclusion: optional(job.conclusion),
  };
}
