import { sign } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import type { JobLifecycleMessage, JobMessage } from "../../src/jobs/messages.ts";
import { createRouter } from "../../src/webhook/route.ts";
import { handleWebhook, MAX_BODY_BYTES, type WebhookDeps } from "../../src/webhook/webhook.ts";
import { signedDelivery, workflowJob, workflowJobExamples } from "../support/github.ts";
import { memoryCounter, memoryLog } from "../support/observe.ts";

const SECRET = "current-secret";
const OLD_SECRET = "previous-secret";

function setup(overrides: Partial<WebhookDeps> = {}) {
  const jobs: JobMessage[] = [];
  const lifecycle: JobLifecycleMessage[] = [];
  const log = memoryLog();
  const metrics = memoryCounter();
  const deps: WebhookDeps = {
    secrets: [SECRET, OLD_SECRET],
    router: createRouter([
      { name: "ci", labels: ["ci"], architecture: "x64" },
      { name: "k8s", labels: ["k8s"], architecture: "x64" },
      { name: "gpu", labels: ["gpu", "db-app", "dc-03"], architecture: "x64" },
    ]),
    allowedOwners: new Set(),
    allowedRepositories: new Set(),
    sendJob: async (m) => {
      jobs.push(m);
    },
    sendLifecycle: async (m) => {
      lifecycle.push(m);
    },
    log,
    metrics,
    ...overrides,
  };
  return { deps, jobs, lifecycle, log, metrics };
}

const message = (body: string) => (JSON.parse(body) as { message: string }).message;

describe("handleWebhook(request, deps) — signatures", () => {
  it.each([SECRET, OLD_SECRET])("accepts a delivery signed with rotation secret %s", async (secret) => {
    const { deps, jobs } = setup();
    const res = await handleWebhook(await signedDelivery(workflowJob({ labels: ["ci"] }), { secret }), deps);
    expect(res.statusCode).toBe(202);
    expect(jobs).toHaveLength(1);
  });

  it("answers 401 for a missing signature, without parsing or logging the body", async () => {
    const { deps, jobs, log, metrics } = setup();
    const req = await signedDelivery({ secretive: "do-not-log-me" }, { secret: SECRET });
    delete req.headers["x-hub-signature-256"];
    const res = await handleWebhook(req, deps);
    expect(res.statusCode).toBe(401);
    expect(jobs).toHaveLength(0);
    expect(log.text()).not.toContain("do-not-log-me");
    expect(metrics.get("WebhookRejected|Reason=signature-missing")).toBe(1);
  });

  it("answers 401 for a signature made with another secret", async () => {
    const { deps, log } = setup();
    const req = await signedDelivery(workflowJob({ labels: ["ci"] }), { secret: "wrong" });
    const res = await handleWebhook(req, deps);
    expect(res.statusCode).toBe(401);
    expect(log.text()).not.toContain("wrong");
    expect(log.text()).not.toContain(req.headers["x-hub-signature-256"]);
  });

  it("answers 401 for a tampered payload", async () => {
    const { deps, jobs } = setup();
    const req = await signedDelivery(workflowJob({ labels: ["ci"] }), { secret: SECRET });
    req.body = req.body.replace('"ci"', '"gpu"');
    expect((await handleWebhook(req, deps)).statusCode).toBe(401);
    expect(jobs).toHaveLength(0);
  });

  it("answers 401 for a malformed signature header and for an empty body", async () => {
    const { deps } = setup();
    const req = await signedDelivery(workflowJob(), { secret: SECRET });
    req.headers["x-hub-signature-256"] = "sha1=abc";
    expect((await handleWebhook(req, deps)).statusCode).toBe(401);
    const empty = { headers: { "x-github-event": "ping", "x-hub-signature-256": "sha256=00" }, body: "" };
    expect((await handleWebhook(empty, deps)).statusCode).toBe(401);
  });

  it("answers 401 when no secret is configured at all", async () => {
    const { deps } = setup({ secrets: [] });
    const req = await signedDelivery(workflowJob(), { secret: SECRET });
    expect((await handleWebhook(req, deps)).statusCode).toBe(401);
  });

  it("verifies base64-encoded bodies over the decoded bytes", async () => {
    const { deps, jobs } = setup();
    const req = await signedDelivery(workflowJob({ labels: ["ci"], repo: "wïdgets-ü" }), {
      secret: SECRET,
      base64: true,
    });
    const res = await handleWebhook(req, deps);
    expect(res.statusCode).toBe(202);
    expect(jobs[0]?.repository).toBe("wïdgets-ü");
  });

  it("answers 413 for a body over 1 MiB before checking anything else", async () => {
    const { deps, jobs } = setup();
    const big = { ...workflowJob({ labels: ["ci"] }), padding: "x".repeat(MAX_BODY_BYTES) };
    const res = await handleWebhook(await signedDelivery(big, { secret: SECRET }), deps);
    expect(res.statusCode).toBe(413);
    expect(jobs).toHaveLength(0);
  });

  it("finds headers whatever their case", async () => {
    const { deps } = setup();
    const req = await signedDelivery(
      { zen: "Keep it logically awesome." },
      { secret: SECRET, event: "ping" },
    );
    const shouted = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect((await handleWebhook({ ...req, headers: shouted }, deps)).statusCode).toBe(200);
  });
});

describe("handleWebhook(request, deps) — events and payloads", () => {
  it("answers ping with 200", async () => {
    const { deps } = setup();
    const res = await handleWebhook(
      await signedDelivery({ zen: "hi" }, { secret: SECRET, event: "ping" }),
      deps,
    );
    expect(res.statusCode).toBe(200);
  });

  it("ignores other events with 202", async () => {
    const { deps, jobs, lifecycle } = setup();
    const res = await handleWebhook(
      await signedDelivery({ ref: "main" }, { secret: SECRET, event: "push" }),
      deps,
    );
    expect(res.statusCode).toBe(202);
    expect(message(res.body)).toBe("event push ignored");
    expect(jobs.length + lifecycle.length).toBe(0);
  });

  it("answers 400 when the event header is missing", async () => {
    const { deps } = setup();
    const req = await signedDelivery(workflowJob(), { secret: SECRET });
    delete req.headers["x-github-event"];
    expect((await handleWebhook(req, deps)).statusCode).toBe(400);
  });

  it("answers 400 for malformed JSON, saying so", async () => {
    const { deps } = setup();
    const res = await handleWebhook(await signedDelivery("{not json", { secret: SECRET }), deps);
    expect(res.statusCode).toBe(400);
    expect(message(res.body)).toBe("body is not valid JSON");
  });

  it.each([
    ["payload.workflow_job", (p: Record<string, any>) => delete p.workflow_job],
    ["payload.workflow_job.id", (p: Record<string, any>) => (p.workflow_job.id = "12")],
    ["payload.workflow_job.labels", (p: Record<string, any>) => (p.workflow_job.labels = "ci")],
    ["payload.repository.owner", (p: Record<string, any>) => delete p.repository.owner],
    ["payload.installation", (p: Record<string, any>) => delete p.installation],
    [
      "payload.workflow_job.created_at",
      (p: Record<string, any>) => (p.workflow_job.created_at = "yesterday"),
    ],
  ])("answers 400 naming %s when it is missing or wrong", async (field, breakIt) => {
    const { deps, jobs } = setup();
    const payload = workflowJob({ labels: ["ci"] }) as Record<string, any>;
    breakIt(payload);
    const res = await handleWebhook(await signedDelivery(payload, { secret: SECRET }), deps);
    expect(res.statusCode).toBe(400);
    expect(message(res.body)).toMatch(new RegExp(`^${field.replaceAll(".", "\\.")} `));
    expect(jobs).toHaveLength(0);
  });

  it("enqueues a routed queued job with everything scale-up needs", async () => {
    const { deps, jobs, metrics } = setup();
    const req = await signedDelivery(workflowJob({ id: 77, labels: ["self-hosted", "CI"] }), {
      secret: SECRET,
      deliveryId: "d-1",
    });
    const res = await handleWebhook(req, deps);
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ message: "job 77 queued for pool ci", pool: "ci" });
    expect(jobs).toEqual([
      {
        kind: "job",
        jobId: 77,
        runId: 5001,
        owner: "acme",
        repository: "widgets",
        installationId: 42,
        pool: "ci",
        labels: ["self-hosted", "CI"],
        queuedAt: "2026-11-22T10:00:00Z",
        deliveryId: "d-1",
      },
    ]);
    expect(metrics.get("JobsRouted|Pool=ci")).toBe(1);
  });

  it("does not claim a job no pool serves", async () => {
    const { deps, jobs } = setup();
    const res = await handleWebhook(
      await signedDelivery(workflowJob({ labels: ["ubuntu-latest"] }), { secret: SECRET }),
      deps,
    );
    expect(res.statusCode).toBe(202);
    expect(message(res.body)).toMatch(/^not for this installation/);
    expect(jobs).toHaveLength(0);
  });

  it.each(["in_progress", "completed"] as const)("forwards %s as a lifecycle message", async (action) => {
    const { deps, jobs, lifecycle } = setup();
    const res = await handleWebhook(
      await signedDelivery(workflowJob({ action, labels: ["ci"] }), { secret: SECRET }),
      deps,
    );
    expect(res.statusCode).toBe(202);
    expect(jobs).toHaveLength(0);
    expect(lifecycle).toEqual([
      expect.objectContaining({
        kind: "job-lifecycle",
        action,
        jobId: 1001,
        runnerName: "ci-i-0abc",
        at: action === "completed" ? "2026-11-22T10:03:00Z" : "2026-11-22T10:00:05Z",
        conclusion: action === "completed" ? "success" : null,
      }),
    ]);
  });

  it("ignores waiting and unknown actions", async () => {
    const { deps, jobs, lifecycle } = setup();
    for (const action of ["waiting", "some_future_action"]) {
      const res = await handleWebhook(
        await signedDelivery(workflowJob({ action, labels: ["ci"] }), { secret: SECRET }),
        deps,
      );
      expect(res.statusCode).toBe(202);
      expect(message(res.body)).toBe(`action ${action} ignored`);
    }
    expect(jobs.length + lifecycle.length).toBe(0);
  });

  it("answers 503 when the jobs queue refuses the message, so GitHub can redeliver", async () => {
    const { deps, log, metrics } = setup({
      sendJob: async () => {
        throw new Error("AWS.SimpleQueueService.NonExistentQueue");
      },
    });
    const res = await handleWebhook(
      await signedDelivery(workflowJob({ labels: ["ci"] }), { secret: SECRET }),
      deps,
    );
    expect(res.statusCode).toBe(503);
    expect(metrics.get("WebhookErrors")).toBe(1);
    expect(log.entries.find((e) => e.level === "error")?.extra).toMatchObject({ jobId: 1001, pool: "ci" });
  });

  it("answers 503 when the lifecycle queue refuses the message", async () => {
    const { deps } = setup({
      sendLifecycle: async () => {
        throw new Error("throttled");
      },
    });
    const req = await signedDelivery(workflowJob({ action: "completed", labels: ["ci"] }), {
      secret: SECRET,
    });
    expect((await handleWebhook(req, deps)).statusCode).toBe(503);
  });
});

describe("handleWebhook(request, deps) — allow-lists", () => {
  it("answers 403 for an owner outside the allow-list, case-insensitively", async () => {
    const { deps, jobs } = setup({ allowedOwners: new Set(["acme"]) });
    const other = await signedDelivery(workflowJob({ owner: "evil", labels: ["ci"] }), { secret: SECRET });
    expect((await handleWebhook(other, deps)).statusCode).toBe(403);
    const ok = await signedDelivery(workflowJob({ owner: "ACME", labels: ["ci"] }), { secret: SECRET });
    expect((await handleWebhook(ok, deps)).statusCode).toBe(202);
    expect(jobs).toHaveLength(1);
  });

  it("answers 403 for a repository outside the allow-list", async () => {
    const { deps } = setup({ allowedRepositories: new Set(["acme/widgets"]) });
    const other = await signedDelivery(workflowJob({ repo: "gadgets", labels: ["ci"] }), { secret: SECRET });
    expect((await handleWebhook(other, deps)).statusCode).toBe(403);
    const ok = await signedDelivery(workflowJob({ repo: "Widgets", labels: ["ci"] }), { secret: SECRET });
    expect((await handleWebhook(ok, deps)).statusCode).toBe(202);
  });
});

describe("handleWebhook(request, deps) — GitHub's documented workflow_job payloads", () => {
  const examples = workflowJobExamples();
  it.each(examples.map((payload, i) => ({ i, payload })))(
    "example $i is answered as documented",
    async ({ payload }) => {
      const { deps, jobs, lifecycle } = setup();
      const res = await handleWebhook(await signedDelivery(payload, { secret: SECRET }), deps);
      const p = payload as {
        action: string;
        installation?: unknown;
        workflow_job: { labels: string[]; id: number };
      };
      if (!p.installation) {
        // Repository webhooks carry no installation: skiff needs a GitHub App.
        expect(res.statusCode).toBe(400);
        expect(message(res.body)).toMatch(/^payload\.installation /);
        return;
      }
      expect(res.statusCode).toBe(202);
      if (p.action === "queued") {
        const claimed = p.workflow_job.labels.includes("k8s");
        expect(jobs.map((j) => j.jobId)).toEqual(claimed ? [p.workflow_job.id] : []);
      } else if (p.action === "in_progress" || p.action === "completed") {
        // Forwarded when a pool serves the job's labels (these examples name no skiff runner).
        const served = deps.router.route(p.workflow_job.labels) !== undefined;
        expect(lifecycle.map((m) => m.jobId)).toEqual(served ? [p.workflow_job.id] : []);
      } else {
        expect(jobs.length + lifecycle.length).toBe(0);
      }
    },
  );

  it("covers queued, in_progress, completed and waiting among the examples", () => {
    expect(new Set(examples.map((e) => e.action))).toEqual(
      new Set(["queued", "in_progress", "completed", "waiting"]),
    );
  });

  it("signs identically to GitHub's documented sample", async () => {
    // From GitHub's "Validating webhook deliveries" documentation.
    expect(await sign("It's a Secret to Everybody", "Hello, World!")).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });
});
