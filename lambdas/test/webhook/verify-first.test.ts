import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { awsEnvironment, FakeSqs, FakeSsm } from "../../../test/fakes/index.ts";
import { captureOutput, SecretScanner } from "../../../test/support/secrets.ts";
import type { JobLifecycleMessage, JobMessage } from "../../src/jobs/messages.ts";
import { createRouter } from "../../src/webhook/route.ts";
import { handleWebhook, type WebhookDeps } from "../../src/webhook/webhook.ts";
import { type Delivery, signedDelivery, workflowJob } from "../support/github.ts";
import { memoryCounter, memoryLog } from "../support/observe.ts";

// Invariant 7: an unverified body is answered 401 before anything reads it — never parsed, never
// logged. Observed, not assumed: JSON.parse is spied on and every body carries a marker string.
const SECRET = "current-secret";
const MARKER = "UNVERIFIED-BODY-MARKER-7f3a9c";

/** A workflow_job payload with the marker in a field a careless log line would print. */
const markedJob = () => ({ ...workflowJob({ labels: ["ci"] }), marker: MARKER });

/** Ways a delivery can fail verification: the secret it is signed with, then what happens to it on the way. */
const UNVERIFIED: [string, string, (d: Delivery) => void][] = [
  ["no signature", SECRET, (d) => delete d.headers["x-hub-signature-256"]],
  ["a signature made with another secret", "not-the-secret", () => {}],
  ["a malformed signature header", SECRET, (d) => (d.headers["x-hub-signature-256"] = `sha1=${MARKER}`)],
  ["a body changed after signing", SECRET, (d) => (d.body = `${d.body} `)],
];

async function unverified(secret: string, tamper: (d: Delivery) => void, body: unknown): Promise<Delivery> {
  const delivery = await signedDelivery(body, { secret });
  tamper(delivery);
  return delivery;
}

function setup() {
  const jobs: JobMessage[] = [];
  const lifecycle: JobLifecycleMessage[] = [];
  const log = memoryLog();
  const deps: WebhookDeps = {
    secrets: [SECRET],
    router: createRouter([{ name: "ci", labels: ["ci"], architecture: "x64" }]),
    allowedOwners: new Set(),
    allowedRepositories: new Set(),
    sendJob: async (m) => void jobs.push(m),
    sendLifecycle: async (m) => void lifecycle.push(m),
    log,
    metrics: memoryCounter(),
  };
  return { deps, jobs, lifecycle, log };
}

describe("handleWebhook(request, deps) verifies before it parses", () => {
  let parse: ReturnType<typeof vi.spyOn>;
  const parsedMarker = () =>
    parse.mock.calls.filter(([text]: unknown[]) => typeof text === "string" && text.includes(MARKER)).length;

  beforeEach(() => {
    parse = vi.spyOn(JSON, "parse");
  });
  afterEach(() => parse.mockRestore());

  it("parses a verified body (the spy sees what the handler parses)", async () => {
    const { deps, jobs } = setup();

    const res = await handleWebhook(await signedDelivery(markedJob(), { secret: SECRET }), deps);

    expect(res.statusCode).toBe(202);
    expect(jobs).toHaveLength(1);
    expect(parsedMarker()).toBeGreaterThan(0);
  });

  it.each(UNVERIFIED)("answers 401 for %s without parsing or logging the body", async (_, secret, tamper) => {
    const { deps, jobs, lifecycle, log } = setup();

    const res = await handleWebhook(await unverified(secret, tamper, markedJob()), deps);

    expect(res.statusCode).toBe(401);
    expect(parsedMarker()).toBe(0);
    expect(log.text()).not.toContain(MARKER);
    expect(res.body).not.toContain(MARKER);
    expect(jobs.length + lifecycle.length).toBe(0);
  });

  it.each(UNVERIFIED)(
    "answers 401, not 400, for %s when the body is not even JSON",
    async (_, secret, tamper) => {
      const { deps, log } = setup();
      const garbage = `{"action": "queued", ${MARKER} <- not JSON`;

      const res = await handleWebhook(await unverified(secret, tamper, garbage), deps);

      expect(res.statusCode).toBe(401);
      expect(parsedMarker()).toBe(0);
      expect(log.text()).not.toContain(MARKER);
    },
  );
});

describe("webhook handler.ts: nothing of a rejected body reaches the function's output", () => {
  let sqs: FakeSqs;
  let ssm: FakeSsm;
  let jobs: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    [sqs, ssm] = await Promise.all([FakeSqs.start(), FakeSsm.start()]);
    jobs = sqs.createQueue("ci-jobs");
    ssm.put("/ci/webhook-secret", SECRET);
    process.env = {
      ...saved,
      ...awsEnvironment({ sqs, ssm }),
      POWERTOOLS_LOG_LEVEL: "DEBUG",
      POWERTOOLS_METRICS_DISABLED: "true",
      SKIFF_POOLS: JSON.stringify([{ name: "ci", labels: ["ci"], architecture: "x64" }]),
      SKIFF_JOBS_QUEUE_URL: jobs,
      SKIFF_LIFECYCLE_QUEUE_URL: sqs.createQueue("ci-lifecycle"),
      SKIFF_WEBHOOK_SECRET_PARAMETERS: "/ci/webhook-secret",
    };
    vi.resetModules();
  });
  afterAll(async () => {
    process.env = saved;
    await Promise.all([sqs.close(), ssm.close()]);
  });

  it("logs at DEBUG without the body, the signature or the secret, and answers 401", async () => {
    type Handler = (event: unknown) => Promise<{ statusCode: number; body: string }>;
    const { handler } = (await import("../../src/webhook/handler.ts")) as { handler: Handler };
    const capture = captureOutput();
    const statuses: number[] = [];
    const signatures: string[] = [];
    try {
      for (const [, secret, tamper] of UNVERIFIED) {
        for (const body of [markedJob(), `{${MARKER}`]) {
          const delivery = await unverified(secret, tamper, body);
          signatures.push(delivery.headers["x-hub-signature-256"] ?? "");
          statuses.push((await handler(delivery)).statusCode);
        }
      }
      statuses.push(
        (await handler(await signedDelivery(workflowJob({ labels: ["ci"] }), { secret: SECRET }))).statusCode,
      );
    } finally {
      capture.stop();
    }

    const scanner = new SecretScanner()
      .secret("the marker of a rejected body", MARKER)
      .secret("the webhook secret", SECRET);
    for (const signature of signatures.filter((s) => s.length >= 8))
      scanner.secret("a rejected signature", signature);
    scanner.output("webhook stdout/stderr", capture.text());

    expect(statuses).toEqual([...UNVERIFIED.flatMap(() => [401, 401]), 202]);
    expect(capture.text()).toContain("webhook rejected");
    expect(scanner.violations()).toEqual([]);
    expect(sqs.count(jobs).total).toBe(1);
  });
});
