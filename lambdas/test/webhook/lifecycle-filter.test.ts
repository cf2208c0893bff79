import { describe, expect, it } from "vitest";
import type { JobLifecycleMessage } from "../../src/jobs/messages.ts";
import { createRouter } from "../../src/webhook/route.ts";
import { handleWebhook, type WebhookDeps } from "../../src/webhook/webhook.ts";
import { signedDelivery, workflowJob } from "../support/github.ts";
import { memoryCounter, memoryLog } from "../support/observe.ts";

const SECRET = "s3cret";

function setup() {
  const lifecycle: JobLifecycleMessage[] = [];
  const metrics = memoryCounter();
  const deps: WebhookDeps = {
    secrets: [SECRET],
    router: createRouter([{ name: "ci", labels: ["ci"], architecture: "x64" }]),
    allowedOwners: new Set(),
    allowedRepositories: new Set(),
    sendJob: async () => {},
    sendLifecycle: async (m) => void lifecycle.push(m),
    log: memoryLog(),
    metrics,
  };
  return { deps, lifecycle, metrics };
}

function delivery(action: "in_progress" | "completed", labels: string[], runnerName: string) {
  const payload = workflowJob({ action, labels }) as { workflow_job: Record<string, unknown> };
  payload.workflow_job.runner_name = runnerName;
  return signedDelivery(payload, { secret: SECRET });
}

describe("handleWebhook(request, deps) — in_progress and completed of jobs no pool serves", () => {
  it.each(["in_progress", "completed"] as const)(
    "drops %s of a job on a GitHub-hosted runner: the lifecycle queue carries only skiff's jobs",
    async (action) => {
      const { deps, lifecycle, metrics } = setup();
      const res = await handleWebhook(await delivery(action, ["ubuntu-latest"], "GitHub Actions 12"), deps);
      expect(res.statusCode).toBe(202);
      expect(lifecycle).toEqual([]);
      expect(metrics.get("WebhookIgnored|Reason=no-pool")).toBe(1);
    },
  );

  it("forwards the event of a job no pool serves when it ran on a skiff-named runner (a runner takes any job its labels cover)", async () => {
    const { deps, lifecycle } = setup();
    await handleWebhook(await delivery("completed", ["self-hosted"], "ci-i-0abc123"), deps);
    expect(lifecycle.map((m) => m.runnerName)).toEqual(["ci-i-0abc123"]);
  });

  it("forwards the events of jobs a pool serves, whatever runner took them", async () => {
    const { deps, lifecycle } = setup();
    await handleWebhook(await delivery("in_progress", ["ci"], "laptop"), deps);
    expect(lifecycle).toHaveLength(1);
  });
});
