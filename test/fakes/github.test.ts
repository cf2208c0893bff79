import { generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { verify } from "@octokit/webhooks-methods";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, type WebhookDelivery } from "./github.ts";
import { type Listener, listen } from "./http.ts";

const APP_ID = 42;
const SECRET = "shh";

function keyPair() {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
}

const keys = keyPair();

const ThrottledOctokit = Octokit.plugin(retry, throttling);

/** Octokit as the Lambdas build it; throttling only when a test sets `onRateLimit` (it spaces writes 1 s apart). */
function octokit(
  baseUrl: string,
  options: { privateKey?: string; onRateLimit?: (after: number) => boolean } = {},
) {
  const { onRateLimit } = options;
  return new ThrottledOctokit({
    baseUrl,
    authStrategy: createAppAuth,
    auth: { appId: APP_ID, privateKey: options.privateKey ?? keys.privateKey, installationId: 7 },
    throttle: onRateLimit
      ? { onRateLimit, onSecondaryRateLimit: onRateLimit }
      : { enabled: false, onRateLimit: () => false, onSecondaryRateLimit: () => false },
    retry: { enabled: false },
  });
}

async function jit(client: ReturnType<typeof octokit>, name: string, labels = ["linux"]) {
  return client.request("POST /orgs/{org}/actions/runners/generate-jitconfig", {
    org: "acme",
    name,
    runner_group_id: 1,
    labels,
    work_folder: "_work",
  });
}

describe("FakeGitHub", () => {
  let fake: FakeGitHub;
  let gh: ReturnType<typeof octokit>;

  beforeEach(async () => {
    fake = await FakeGitHub.start({
      appId: APP_ID,
      publicKey: keys.publicKey,
      installationId: 7,
      webhookSecret: SECRET,
      now: () => Date.parse("2026-01-01T10:00:00Z"),
    });
    gh = octokit(fake.url);
  });

  afterEach(async () => {
    await fake.close();
  });

  describe("App authentication", () => {
    it("exchanges a verified App JWT for an installation token, once per token lifetime", async () => {
      await jit(gh, "r-1");
      await jit(gh, "r-2");

      expect(fake.callCount("POST /app/installations/{installation_id}/access_tokens")).toBe(1);
      expect(fake.calls.map((c) => c.status)).toEqual([201, 201, 201]);
    });

    it("rejects a JWT signed with another key with 401", async () => {
      const stranger = octokit(fake.url, { privateKey: keyPair().privateKey });

      const error = await jit(stranger, "r-1").catch((e: unknown) => e);

      expect(error).toMatchObject({ status: 401 });
      expect(fake.registrations()).toEqual([]);
    });

    it("answers the installation lookups", async () => {
      const repo = await gh.request("GET /repos/{owner}/{repo}/installation", {
        owner: "acme",
        repo: "widgets",
      });
      const org = await gh.request("GET /orgs/{org}/installation", { org: "acme" });

      expect(repo.data.id).toBe(7);
      expect(org.data.account).toMatchObject({ login: "acme" });
    });
  });

  describe("JIT runners and jobs", () => {
    it("creates a JIT config in GitHub's shape and refuses a duplicate name with 409", async () => {
      const created = await jit(gh, "ci-i-1", ["linux", "x64"]);
      const duplicate = await jit(gh, "ci-i-1").catch((e: unknown) => e);

      expect(created.status).toBe(201);
      expect(created.data.runner).toMatchObject({ name: "ci-i-1", status: "offline", busy: false });
      expect(created.data.runner.labels.map((l) => l.name)).toEqual(["self-hosted", "linux", "x64"]);
      expect(typeof created.data.encoded_jit_config).toBe("string");
      expect(duplicate).toMatchObject({ status: 409 });
    });

    it("lets a connected runner take a matching job, then deregisters it when the job completes", async () => {
      const queued = await fake.queueJob({
        owner: "acme",
        repo: "widgets",
        labels: ["self-hosted", "linux"],
      });
      const { data } = await jit(gh, "ci-i-1");

      const { runner, job } = await fake.runnerConnect(data.encoded_jit_config);
      const seen = await gh.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", {
        owner: "acme",
        repo: "widgets",
        job_id: queued.id,
      });
      await fake.completeJob(queued.id, "success");
      const done = await gh.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", {
        owner: "acme",
        repo: "widgets",
        job_id: queued.id,
      });

      expect(runner).toMatchObject({ status: "online", busy: true, jobId: queued.id });
      expect(job?.status).toBe("in_progress");
      expect(seen.data).toMatchObject({ status: "in_progress", runner_name: "ci-i-1", run_id: queued.runId });
      expect(done.data).toMatchObject({ status: "completed", conclusion: "success" });
      expect(fake.registrations()).toEqual([]);
      await expect(fake.runnerConnect(data.encoded_jit_config)).rejects.toThrow(/not registered/);
    });

    it("leaves a job queued when no runner has all its labels", async () => {
      const queued = await fake.queueJob({ labels: ["self-hosted", "gpu"] });
      const { data } = await jit(gh, "ci-i-1", ["linux"]);

      const { job } = await fake.runnerConnect(data.encoded_jit_config);

      expect(job).toBeUndefined();
      expect(fake.job(queued.id)?.status).toBe("queued");
    });

    it("pages the runner list with per_page, page, Link and total_count", async () => {
      for (let i = 1; i <= 5; i++) await jit(gh, `ci-i-${i}`);

      const names: string[] = [];
      let page = 1;
      let link: string | undefined;
      do {
        const res = await gh.request("GET /orgs/{org}/actions/runners", { org: "acme", per_page: 2, page });
        expect(res.data.total_count).toBe(5);
        names.push(...res.data.runners.map((r) => r.name));
        link = res.headers.link;
        page += 1;
      } while (link?.includes('rel="next"'));

      expect(names).toEqual(["ci-i-1", "ci-i-2", "ci-i-3", "ci-i-4", "ci-i-5"]);
      expect(fake.callCount("GET /orgs/{org}/actions/runners")).toBe(3);
    });

    it("deletes an idle runner with 204, a busy one with 422, a missing one with 404", async () => {
      const idle = await jit(gh, "idle");
      const busy = await jit(gh, "busy");
      await fake.queueJob();
      await fake.runnerConnect(busy.data.encoded_jit_config);
      const del = (runner_id: number) =>
        gh
          .request("DELETE /orgs/{org}/actions/runners/{runner_id}", { org: "acme", runner_id })
          .catch((e) => e);

      expect(await del(idle.data.runner.id)).toMatchObject({ status: 204 });
      expect(await del(idle.data.runner.id)).toMatchObject({ status: 404 });
      expect(await del(busy.data.runner.id)).toMatchObject({ status: 422 });
    });

    it("re-runs the failed jobs of a run as new queued jobs", async () => {
      const job = await fake.queueJob();
      await fake.completeJob(job.id, "failure");

      const res = await gh.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs", {
        owner: "acme",
        repo: "widgets",
        run_id: job.runId,
      });

      expect(res.status).toBe(201);
      expect(fake.jobs().map((j) => [j.runId, j.runAttempt, j.status])).toEqual([
        [job.runId, 1, "completed"],
        [job.runId, 2, "queued"],
      ]);
    });
  });

  describe("faults", () => {
    it("answers a primary rate limit with x-ratelimit-remaining 0 and a reset time", async () => {
      const waits: number[] = [];
      const limited = octokit(fake.url, { onRateLimit: (after) => waits.push(after) < 0 });
      await jit(limited, "warm-up");
      fake.rateLimit({ forMs: 30_000, status: 403 });

      const error = await jit(limited, "r-1").catch((e: unknown) => e);

      expect(error).toMatchObject({ status: 403, response: { headers: { "x-ratelimit-remaining": "0" } } });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(25);
      expect(waits[0]).toBeLessThanOrEqual(32);
    });

    it("answers a secondary rate limit with 429 and retry-after, and recovers", async () => {
      const waits: number[] = [];
      const patient = octokit(fake.url, { onRateLimit: (after) => waits.push(after) > 0 });
      await jit(patient, "warm-up");
      fake.rateLimit({ requests: 1, status: 429, retryAfterSeconds: 1 });

      const res = await jit(patient, "r-1");

      expect(res.status).toBe(201);
      expect(waits).toEqual([1]);
      expect(fake.calls.filter((c) => c.status === 429)).toHaveLength(1);
    });

    it("fails the next call to a route with the given status", async () => {
      await fake.queueJob();
      fake.failNext("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", 502);

      const error = await gh
        .request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", {
          owner: "acme",
          repo: "widgets",
          job_id: 1001,
        })
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ status: 502 });
    });
  });

  describe("webhooks", () => {
    let receiver: Listener;
    let received: { headers: Record<string, unknown>; body: string }[];
    let answer: number;

    beforeEach(async () => {
      received = [];
      answer = 200;
      receiver = await listen((request) => {
        received.push({ headers: request.headers, body: request.body });
        return { status: answer };
      });
    });

    afterEach(async () => {
      await receiver.close();
    });

    it("POSTs a signed workflow_job webhook for queued, in_progress and completed", async () => {
      const hooked = await FakeGitHub.start({
        appId: APP_ID,
        installationId: 7,
        webhookUrl: receiver.url,
        webhookSecret: SECRET,
      });
      const client = octokit(hooked.url);

      const job = await hooked.queueJob({ owner: "acme", repo: "widgets", labels: ["self-hosted", "linux"] });
      const { data } = await jit(client, "ci-i-1");
      await hooked.runnerConnect(data.encoded_jit_config);
      await hooked.completeJob(job.id, "success");
      await hooked.close();

      const payloads = received.map((r) => JSON.parse(r.body));
      expect(payloads.map((p) => [p.action, p.workflow_job.status])).toEqual([
        ["queued", "queued"],
        ["in_progress", "in_progress"],
        ["completed", "completed"],
      ]);
      expect(payloads[1]).toMatchObject({
        workflow_job: {
          id: job.id,
          run_id: job.runId,
          labels: ["self-hosted", "linux"],
          runner_name: "ci-i-1",
        },
        repository: { name: "widgets", full_name: "acme/widgets", owner: { login: "acme" } },
        installation: { id: 7 },
      });
      for (const r of received) {
        expect(r.headers["x-github-event"]).toBe("workflow_job");
        expect(r.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
        expect(await verify(SECRET, r.body, String(r.headers["x-hub-signature-256"]))).toBe(true);
      }
    });

    it("lists failed deliveries and redelivers one through /attempts", async () => {
      const hooked = await FakeGitHub.start({
        appId: APP_ID,
        installationId: 7,
        webhookUrl: receiver.url,
        webhookSecret: SECRET,
      });
      const client = octokit(hooked.url);
      answer = 500;
      await hooked.queueJob();
      answer = 200;

      const failed = await client.request("GET /app/hook/deliveries", { per_page: 10 });
      const attempt = await client.request("POST /app/hook/deliveries/{delivery_id}/attempts", {
        delivery_id: Number(failed.data[0]!.id),
      });
      await hooked.settled();
      const after = await client.request("GET /app/hook/deliveries", { per_page: 10 });
      await hooked.close();

      expect(failed.data).toHaveLength(1);
      expect(failed.data[0]).toMatchObject({
        status: "Invalid HTTP Response: 500",
        status_code: 500,
        event: "workflow_job",
        action: "queued",
        redelivery: false,
        installation_id: 7,
      });
      expect(attempt.status).toBe(202);
      expect(after.data.map((d) => [d.redelivery, d.status_code, d.guid])).toEqual([
        [true, 200, failed.data[0]!.guid],
        [false, 500, failed.data[0]!.guid],
      ]);
      expect(received).toHaveLength(2);
      expect(received[1]!.body).toBe(received[0]!.body);
    });

    it("pages deliveries newest first with a cursor in the Link header", async () => {
      const hooked = await FakeGitHub.start({ appId: APP_ID, installationId: 7, webhookUrl: receiver.url });
      const client = octokit(hooked.url);
      for (let i = 0; i < 5; i++) await hooked.queueJob();

      const first = await client.request("GET /app/hook/deliveries", { per_page: 3 });
      const next = new URL(/<([^>]+)>; rel="next"/.exec(first.headers.link ?? "")![1]!);
      const second = await client.request("GET /app/hook/deliveries", {
        per_page: 3,
        cursor: next.searchParams.get("cursor")!,
      });
      await hooked.close();

      const ids = [...first.data, ...second.data].map((d) => Number(d.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(5);
      expect(second.headers.link).toBeUndefined();
    });

    it("drops the same deliveries for the same seed and records them as failed", async () => {
      const run = async () => {
        const hooked = await FakeGitHub.start({ webhookDropRate: 0.5, seed: 3 });
        const handled: WebhookDelivery[] = [];
        hooked.onWebhook((d) => {
          handled.push(d);
          return 200;
        });
        for (let i = 0; i < 10; i++) await hooked.queueJob();
        await hooked.close();
        return { handled: handled.length, codes: hooked.deliveries().map((d) => d.statusCode) };
      };

      const a = await run();
      const b = await run();

      expect(a).toEqual(b);
      expect(a.handled).toBeGreaterThan(0);
      expect(a.handled).toBeLessThan(10);
      expect(a.codes.filter((c) => c === 0)).toHaveLength(10 - a.handled);
    });
  });

  describe("runner groups and JIT configs as GitHub has them", () => {
    const groups = {
      acme: [
        { id: 1, name: "Default", visibility: "all" as const },
        { id: 3, name: "deploy", visibility: "selected" as const, repositories: ["acme/widgets"] },
      ],
    };
    let grouped: FakeGitHub;
    let client: ReturnType<typeof octokit>;

    beforeEach(async () => {
      grouped = await FakeGitHub.start({
        appId: APP_ID,
        publicKey: keys.publicKey,
        installationId: 7,
        runnerGroups: groups,
      });
      client = octokit(grouped.url);
    });
    afterEach(async () => {
      await grouped.close();
    });

    const repoJit = (repo: string, group: number, name: string) =>
      client.request("POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig", {
        owner: "acme",
        repo,
        name,
        runner_group_id: group,
        labels: ["linux"],
      });

    it("answers 404 for a runner group the organization does not have", async () => {
      const error = await client
        .request("POST /orgs/{org}/actions/runners/generate-jitconfig", {
          org: "acme",
          name: "r-1",
          runner_group_id: 99,
          labels: ["linux"],
        })
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ status: 404 });
      expect(grouped.registrations()).toEqual([]);
    });

    it("answers 403 when the repository may not use the group, 201 when it may", async () => {
      const refused = await repoJit("gadgets", 3, "r-1").catch((e: unknown) => e);
      const allowed = await repoJit("widgets", 3, "r-2");

      expect(refused).toMatchObject({ status: 403 });
      expect(allowed.status).toBe(201);
      expect(allowed.data.runner).toMatchObject({ name: "r-2", runner_group_id: 3 });
    });

    it("hands a job only to an organization runner of a group its repository may use", async () => {
      const org = (group: number, name: string) =>
        client.request("POST /orgs/{org}/actions/runners/generate-jitconfig", {
          org: "acme",
          name,
          runner_group_id: group,
          labels: ["linux"],
        });
      const job = await grouped.queueJob({ repo: "gadgets", labels: ["self-hosted", "linux"] });
      const deploy = await org(3, "deploy-1");
      const general = await org(1, "general-1");

      const first = await grouped.runnerConnect(deploy.data.encoded_jit_config);
      const second = await grouped.runnerConnect(general.data.encoded_jit_config);

      expect(first.job).toBeUndefined();
      expect(second.job?.id).toBe(job.id);
      expect(grouped.job(job.id)).toMatchObject({ runnerName: "general-1" });
    });

    it("issues JIT configs about 4 KB long, holding the runner's three files, and lists what it issued", async () => {
      const { data } = await repoJit("widgets", 1, "ci-i-0abc");

      const files = JSON.parse(Buffer.from(data.encoded_jit_config, "base64").toString("utf8"));
      const runnerFile = JSON.parse(Buffer.from(files[".runner"], "base64").toString("utf8"));
      const issued = grouped.issuedSecrets();

      expect(data.encoded_jit_config.length).toBeGreaterThan(4096);
      expect(data.encoded_jit_config.length).toBeLessThan(6000);
      expect(Object.keys(files)).toEqual([".runner", ".credentials", ".credentials_rsaparams"]);
      expect(runnerFile).toMatchObject({ agentId: data.runner.id, agentName: "ci-i-0abc", poolId: 1 });
      expect(issued.jitConfigs).toEqual([data.encoded_jit_config]);
      expect(issued.tokens).toHaveLength(1);
      expect(issued.tokens[0]).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
      expect(new Set(issued.tokens[0]).size).toBeGreaterThan(12);
    });
  });
});
