import { randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { sign } from "@octokit/webhooks-methods";

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** Builds an API Gateway request carrying a webhook signed as GitHub signs it. */
export async function signedDelivery(
  payload: unknown,
  options: { secret: string; event?: string; base64?: boolean; deliveryId?: string },
): Promise<Delivery> {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  return {
    headers: {
      "content-type": "application/json",
      "x-github-event": options.event ?? "workflow_job",
      "x-github-delivery": options.deliveryId ?? randomUUID(),
      "x-hub-signature-256": await sign(options.secret, text),
    },
    body: options.base64 ? Buffer.from(text, "utf8").toString("base64") : text,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** The real workflow_job payloads GitHub documents, from @octokit/webhooks-examples. */
export function workflowJobExamples(): Record<string, unknown>[] {
  const entry = (examples as { name: string; examples: Record<string, unknown>[] }[]).find(
    (e) => e.name === "workflow_job",
  );
  if (!entry) throw new Error("@octokit/webhooks-examples has no workflow_job examples");
  return entry.examples;
}

/** A minimal but complete workflow_job payload, as an App installation receives it. */
export function workflowJob(
  overrides: { action?: string; id?: number; labels?: string[]; owner?: string; repo?: string } = {},
): Record<string, unknown> {
  const owner = overrides.owner ?? "acme";
  const repo = overrides.repo ?? "widgets";
  const id = overrides.id ?? 1001;
  return {
    action: overrides.action ?? "queued",
    workflow_job: {
      id,
      run_id: 5001,
      labels: overrides.labels ?? ["self-hosted", "linux"],
      status: overrides.action === "completed" ? "completed" : "queued",
      created_at: "2026-11-22T10:00:00Z",
      started_at: "2026-11-22T10:00:05Z",
      completed_at: overrides.action === "completed" ? "2026-11-22T10:03:00Z" : null,
      runner_name: overrides.action === "queued" || !overrides.action ? null : "ci-i-0abc",
      conclusion: overrides.action === "completed" ? "success" : null,
    },
    repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
    installation: { id: 42 },
  };
}
