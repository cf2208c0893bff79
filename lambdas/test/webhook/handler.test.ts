import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { awsEnvironment, FakeSqs, FakeSsm } from "../../../test/fakes/index.ts";
import { signedDelivery, workflowJob } from "../support/github.ts";

type Handler = (event: unknown) => Promise<{ statusCode: number; body: string }>;

describe("webhook handler.ts (cold start wiring) over the wire", () => {
  let sqs: FakeSqs;
  let ssm: FakeSsm;
  let jobs: string;
  let lifecycle: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    sqs = await FakeSqs.start();
    ssm = await FakeSsm.start();
    jobs = sqs.createQueue("ci-jobs");
    lifecycle = sqs.createQueue("ci-lifecycle");
    ssm.put("/ci/webhook-secret", "new-secret");
    ssm.put("/ci/webhook-secret-old", "old-secret");
  });
  afterAll(async () => {
    process.env = saved;
    await Promise.all([sqs.close(), ssm.close()]);
  });
  beforeEach(() => {
    vi.resetModules();
    process.env = {
      ...saved,
      ...awsEnvironment({ sqs, ssm }),
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
      SKIFF_POOLS: JSON.stringify([{ name: "ci", labels: ["ci"], architecture: "x64" }]),
      SKIFF_JOBS_QUEUE_URL: jobs,
      SKIFF_LIFECYCLE_QUEUE_URL: lifecycle,
      SKIFF_WEBHOOK_SECRET_PARAMETERS: "/ci/webhook-secret,/ci/webhook-secret-old",
    };
  });

  const load = async () => ((await import("../../src/webhook/handler.ts")) as { handler: Handler }).handler;

  it("reads the secrets from SSM and enqueues a routed job on the real queue", async () => {
    const handler = await load();
    const res = await handler(
      await signedDelivery(workflowJob({ labels: ["ci"] }), { secret: "old-secret" }),
    );
    expect(res.statusCode).toBe(202);
    const [message] = sqs.peek(jobs);
    expect(JSON.parse(message?.body ?? "{}")).toMatchObject({ kind: "job", jobId: 1001, pool: "ci" });
    expect(ssm.reads.some((r) => r.name === "/ci/webhook-secret" && r.withDecryption)).toBe(true);
  });

  it("answers 503 when SQS refuses the message, so GitHub can redeliver", async () => {
    const handler = await load();
    sqs.failNext("SendMessage", "QueueDoesNotExist");
    const res = await handler(
      await signedDelivery(workflowJob({ action: "completed", labels: ["ci"] }), { secret: "new-secret" }),
    );
    expect(res.statusCode).toBe(503);
  });

  it("answers 503 when the secret cannot be read, and reads it again on the next request", async () => {
    const handler = await load();
    ssm.failNext("GetParameters", "InternalServerError", "boom", 500, 5);
    const delivery = await signedDelivery(workflowJob({ labels: ["ci"] }), { secret: "new-secret" });
    expect((await handler(delivery)).statusCode).toBe(503);
    expect((await handler(delivery)).statusCode).toBe(202);
  });

  it("fails the cold start with an error naming a bad setting", async () => {
    process.env.SKIFF_POOLS = JSON.stringify([{ name: "ci", labels: ["has space"] }]);
    // resetModules gives the handler its own copy of the ConfigError class: compare by name.
    await expect(load()).rejects.toMatchObject({ name: "ConfigError", field: "SKIFF_POOLS[0].labels[0]" });
  });
});
