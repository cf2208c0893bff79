import { verifyWithFallback } from "@octokit/webhooks-methods";
import type { JobLifecycleMessage, JobMessage } from "../jobs/messages.ts";
import { isSkiffRunnerName } from "../jobs/runner.ts";
import { ValidationError } from "../shared/errors.ts";
import type { Counter, Log } from "../shared/observability.ts";
import { parseWorkflowJob, type WorkflowJobEvent } from "./payload.ts";
import type { Router } from "./route.ts";

/** GitHub caps webhook payloads at 25 MB; skiff's events are a few KB, so 1 MiB is generous. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  body?: string | undefined;
  isBase64Encoded?: boolean | undefined;
}

export interface WebhookResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookDeps {
  /** Current secret first, then any being rotated out. */
  secrets: readonly string[];
  router: Router;
  /** Lower-case owner logins; empty means every owner. */
  allowedOwners: ReadonlySet<string>;
  /** Lower-case "owner/name"; empty means every repository. */
  allowedRepositories: ReadonlySet<string>;
  sendJob(message: JobMessage): Promise<void>;
  sendLifecycle(message: JobLifecycleMessage): Promise<void>;
  log: Log;
  metrics: Counter;
}

function reply(statusCode: number, message: string, extra: Record<string, unknown> = {}): WebhookResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, ...extra }),
  };
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Handles one GitHub webhook delivery. The signature is checked over the raw body before
 * anything is parsed; nothing of a rejected body is ever logged.
 */
export async function handleWebhook(request: WebhookRequest, deps: WebhookDeps): Promise<WebhookResponse> {
  const { log, metrics } = deps;
  const headers = lowerCaseKeys(request.headers);
  const deliveryId = headers["x-github-delivery"] ?? "unknown";
  const event = headers["x-github-event"];
  const rejected = (statusCode: number, reason: string, message: string) => {
    metrics.count("WebhookRejected", { name: "Reason", value: reason });
    log.warn("webhook rejected", { deliveryId, event, reason, statusCode });
    return reply(statusCode, message);
  };

  const raw = request.body ?? "";
  const body = request.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  if (Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES) {
    return rejected(413, "too-large", `payload exceeds ${MAX_BODY_BYTES} bytes`);
  }

  const signature = headers["x-hub-signature-256"];
  if (!signature) return rejected(401, "signature-missing", "missing X-Hub-Signature-256 header");
  const [current, ...previous] = deps.secrets;
  const verified =
    current !== undefined &&
    body.length > 0 &&
    (await verifyWithFallback(current, body, signature, previous));
  if (!verified) return rejected(401, "signature-invalid", "signature does not match");

  if (!event) return rejected(400, "event-missing", "missing X-GitHub-Event header");
  if (event === "ping") {
    log.info("ping", { deliveryId });
    return reply(200, "pong");
  }
  if (event !== "workflow_job") {
    metrics.count("WebhookIgnored", { name: "Reason", value: "event" });
    return reply(202, `event ${event} ignored`);
  }

  let job: WorkflowJobEvent;
  try {
    job = parseWorkflowJob(body);
  } catch (error) {
    if (error instanceof ValidationError) return rejected(400, "malformed", error.message);
    throw error;
  }

  const fullName = `${job.owner}/${job.repository}`.toLowerCase();
  if (deps.allowedOwners.size > 0 && !deps.allowedOwners.has(job.owner.toLowerCase())) {
    return rejected(403, "owner-not-allowed", `owner ${job.owner} is not allowed`);
  }
  if (deps.allowedRepositories.size > 0 && !deps.allowedRepositories.has(fullName)) {
    return rejected(403, "repository-not-allowed", `repository ${fullName} is not allowed`);
  }

  const context = {
    deliveryId,
    jobId: job.jobId,
    runId: job.runId,
    repository: fullName,
    action: job.action,
  };
  metrics.count("WebhookAccepted");

  switch (job.action) {
    case "queued":
      return queued(job, deliveryId, context, deps);
    case "in_progress":
    case "completed":
      return lifecycle(job, job.action, deliveryId, context, deps);
    default:
      log.debug("workflow_job action ignored", context);
      return reply(202, `action ${job.action} ignored`);
  }
}

async function queued(
  job: WorkflowJobEvent,
  deliveryId: string,
  context: Record<string, unknown>,
  deps: WebhookDeps,
): Promise<WebhookResponse> {
  const pool = deps.router.route(job.labels);
  if (!pool) {
    deps.metrics.count("WebhookIgnored", { name: "Reason", value: "no-pool" });
    deps.log.info("job matches no pool", { ...context, labels: job.labels });
    return reply(202, "not for this installation: no pool serves these labels", { labels: job.labels });
  }
  const message: JobMessage = {
    kind: "job",
    jobId: job.jobId,
    runId: job.runId,
    owner: job.owner,
    repository: job.repository,
    installationId: job.installationId,
    pool,
    labels: job.labels,
    queuedAt: job.createdAt,
    deliveryId,
  };
  try {
    await deps.sendJob(message);
  } catch (error) {
    return unavailable(error, { ...context, pool }, deps);
  }
  deps.metrics.count("JobsRouted", { name: "Pool", value: pool });
  deps.log.info("job routed", { ...context, pool });
  return reply(202, `job ${job.jobId} queued for pool ${pool}`, { pool });
}

async function lifecycle(
  job: WorkflowJobEvent,
  action: "in_progress" | "completed",
  deliveryId: string,
  context: Record<string, unknown>,
  deps: WebhookDeps,
): Promise<WebhookResponse> {
  // Every job of an organisation reports in_progress and completed, GitHub-hosted ones too.
  // Only jobs a pool serves, or jobs that ran on a skiff runner, concern skiff.
  if (!deps.router.route(job.labels) && !isSkiffRunnerName(job.runnerName)) {
    deps.metrics.count("WebhookIgnored", { name: "Reason", value: "no-pool" });
    deps.log.debug("job event for no pool and no skiff runner; ignored", context);
    return reply(202, "not for this installation: no pool serves these labels", { labels: job.labels });
  }
  const message: JobLifecycleMessage = {
    kind: "job-lifecycle",
    action,
    jobId: job.jobId,
    runId: job.runId,
    owner: job.owner,
    repository: job.repository,
    installationId: job.installationId,
    runnerName: job.runnerName,
    conclusion: job.conclusion,
    at: (action === "in_progress" ? job.startedAt : job.completedAt) ?? job.createdAt,
    deliveryId,
  };
  try {
    await deps.sendLifecycle(message);
  } catch (error) {
    return unavailable(error, context, deps);
  }
  deps.log.info("job lifecycle event forwarded", { ...context, runnerName: job.runnerName });
  return reply(202, `job ${job.jobId} ${action} recorded`);
}

/** A failed send answers 5xx so GitHub marks the delivery failed and it can be redelivered. */
function unavailable(error: unknown, context: Record<string, unknown>, deps: WebhookDeps): WebhookResponse {
  deps.metrics.count("WebhookErrors");
  deps.log.error("could not enqueue webhook event", {
    ...context,
    error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
  });
  return reply(503, "could not enqueue the event; GitHub may redeliver it");
}
