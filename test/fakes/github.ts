import { createHash, type KeyObject, verify as verifySignature } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import {
  type Call,
  Counter,
  type FakeRequest,
  type FakeResponse,
  FaultQueue,
  fakeUuid,
  json,
  type Listener,
  listen,
} from "./http.ts";

export type JobStatus = "queued" | "in_progress" | "completed";

export interface FakeJob {
  id: number;
  runId: number;
  runAttempt: number;
  owner: string;
  repo: string;
  name: string;
  workflowName: string;
  labels: string[];
  status: JobStatus;
  conclusion: string | null;
  /** ISO 8601 timestamps from the fake's clock, second precision as GitHub sends them. */
  createdAt: string;
  startedAt: string;
  completedAt: string | null;
  runnerId: number | null;
  runnerName: string | null;
}

export interface FakeRunner {
  id: number;
  name: string;
  /** `acme` for an organization runner, `acme/widgets` for a repository runner. */
  scope: string;
  labels: string[];
  runnerGroupId: number;
  workFolder: string;
  status: "online" | "offline";
  busy: boolean;
  /** True once `runnerConnect` used its JIT config (JIT configs are single use). */
  connected: boolean;
  jobId: number | null;
}

export interface FakeDelivery {
  id: number;
  guid: string;
  deliveredAt: string;
  redelivery: boolean;
  durationSeconds: number;
  /** "OK", "Invalid HTTP Response: 500", "failed to connect to host" (dropped) or "timed out". */
  status: string;
  /** 0 when nothing answered. */
  statusCode: number;
  event: string;
  action: string;
  installationId: number;
  repositoryId: number;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
}

/** What an in-process webhook handler receives: the exact body and headers GitHub would POST. */
export interface WebhookDelivery {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  body: string;
  headers: Record<string, string>;
}

/** Returns the HTTP status it "answered" (default 200); throwing counts as a failed delivery. */
export type WebhookHandler = (delivery: WebhookDelivery) => number | undefined | Promise<number | undefined>;

export interface RateLimit {
  /** How long, by the real clock, requests are refused. Default: until `requests` is used up, else 60 s. */
  forMs?: number;
  /** Refuse only this many requests. */
  requests?: number;
  /** 403 (default) or 429. */
  status?: 403 | 429;
  /** Present: a secondary rate limit with `retry-after`. Absent: a primary one with `x-ratelimit-remaining: 0`. */
  retryAfterSeconds?: number;
}

/**
 * An organization's self-hosted runner group. `visibility` says which of the organization's
 * repositories may use it: "all" (the Default group's setting), "selected" (those in
 * `repositories`, as "owner/repo") or "private" (every private repository; the fake's are all private).
 */
export interface RunnerGroup {
  id: number;
  name: string;
  visibility: "all" | "selected" | "private";
  repositories?: string[];
}

/** Every organization has this group unless `runnerGroups` lists its groups. */
export const DEFAULT_RUNNER_GROUP: RunnerGroup = { id: 1, name: "Default", visibility: "all" };

export interface FakeGitHubOptions {
  /** The App id the JWT `iss` must carry. Default 1. */
  appId?: number | string;
  /** When given, App JWT signatures are verified with this RSA public key. */
  publicKey?: KeyObject | string;
  /** Installation per account login. Default: every account is installation `installationId`. */
  installations?: Record<string, number>;
  /** Default 1. */
  installationId?: number;
  /** Clock for job and delivery timestamps, in epoch ms; default `Date.now`. Auth and rate limits use the real clock. */
  now?: () => number;
  /** POST workflow_job webhooks here (unless an `onWebhook` handler is set). */
  webhookUrl?: string;
  /**
   * Runner groups per organization login; an organization not listed has only the Default group (id 1).
   * JIT requests name a group: one the organization does not have answers 404, one the repository may not
   * use answers 403, and GitHub hands a job only to runners of groups its repository may use.
   */
  runnerGroups?: Record<string, RunnerGroup[]>;
  /** Default "webhook-secret". */
  webhookSecret?: string;
  /** Fraction of deliveries to drop (recorded as failed, never sent), chosen by a seeded generator. */
  webhookDropRate?: number;
  seed?: number;
  port?: number;
}

export interface GitHubCall extends Call {
  method: string;
  path: string;
  status: number;
}

type Params = Record<string, string>;
type Body = Record<string, unknown>;

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  keys: string[];
  app: boolean;
  handler: (ctx: Context) => FakeResponse | Promise<FakeResponse>;
}

interface Context {
  params: Params;
  query: URLSearchParams;
  body: Body;
  path: string;
  installationId: number;
}

interface Registration extends FakeRunner {
  /** The encoded JIT config issued for it: the only way to connect it. */
  encoded: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DOCS = "https://docs.github.com/rest";

/**
 * The slice of the GitHub REST API skiff uses, as Octokit calls it, plus the runner and job side of
 * GitHub Actions so a test can play both: queue jobs, connect JIT runners, complete jobs, and receive
 * signed `workflow_job` webhooks.
 */
export class FakeGitHub {
  readonly calls: GitHubCall[] = [];
  readonly #routes: Route[] = [];
  readonly #jobs = new Map<number, FakeJob>();
  readonly #runners = new Map<number, Registration>();
  /** Per runner: what to call when it is given a job (a runner's long poll answered at once). */
  readonly #onAssigned = new Map<number, () => void>();
  readonly #tokens = new Map<string, { installationId: number; expiresAt: number }>();
  readonly #deliveries: FakeDelivery[] = [];
  readonly #faults = new FaultQueue<{ status: number; body: unknown }>();
  readonly #ids = {
    job: new Counter(),
    run: new Counter(),
    runner: new Counter(),
    delivery: new Counter(),
    guid: new Counter(),
    token: new Counter(),
    request: new Counter(),
  };
  readonly #labelIds = new Map<string, number>();
  readonly #repoIds = new Map<string, number>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #issued = { jitConfigs: [] as string[], tokens: [] as string[] };
  readonly #options: FakeGitHubOptions;
  readonly #now: () => number;
  #rateLimit: (Required<Pick<RateLimit, "status">> & RateLimit & { until: number }) | undefined;
  #webhookHandler: WebhookHandler | undefined;
  #dropRate: number;
  #random: () => number;
  #server: Listener | undefined;

  private constructor(options: FakeGitHubOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#dropRate = options.webhookDropRate ?? 0;
    this.#random = seededRandom(options.seed ?? 1);
    this.#defineRoutes();
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const fake = new FakeGitHub(options);
    fake.#server = await listen((request) => fake.#handle(request), options.port);
    return fake;
  }

  /** API base URL: Octokit's `baseUrl`. */
  get url(): string {
    if (!this.#server) throw new Error("FakeGitHub is not started");
    return this.#server.url;
  }

  async close(): Promise<void> {
    await this.settled();
    await this.#server?.close();
  }

  // ---- test API: faults -----------------------------------------------------------------------------------

  /** Refuses requests as GitHub's primary (no `retryAfterSeconds`) or secondary rate limit does. */
  rateLimit(limit: RateLimit = {}): void {
    const forMs = limit.forMs ?? (limit.requests ? Number.POSITIVE_INFINITY : 60_000);
    this.#rateLimit = { ...limit, status: limit.status ?? 403, until: Date.now() + forMs };
  }

  clearRateLimit(): void {
    this.#rateLimit = undefined;
  }

  /** Answers the next `times` requests to `route` (e.g. "GET /repos/{owner}/{repo}/actions/jobs/{job_id}", or "*"). */
  failNext(route: string, status: number, body?: unknown, times = 1): void {
    this.#faults.add(
      route,
      { status, body: body ?? { message: `Injected ${status}`, documentation_url: DOCS } },
      times,
    );
  }

  /** Sets the fraction of webhook deliveries dropped from now on. */
  dropWebhooks(fraction: number): void {
    this.#dropRate = fraction;
  }

  callCount(route?: string): number {
    return route ? this.calls.filter((c) => c.operation === route).length : this.calls.length;
  }

  // ---- test API: the Actions side -------------------------------------------------------------------------

  /** Handles webhooks in-process instead of POSTing them to `webhookUrl`; `undefined` removes it. */
  onWebhook(handler: WebhookHandler | undefined): void {
    this.#webhookHandler = handler;
  }

  /** Queues a job (sending `workflow_job.queued`) and hands it to an idle matching runner if there is one. */
  async queueJob(
    job: {
      owner?: string;
      repo?: string;
      labels?: string[];
      name?: string;
      workflowName?: string;
      runId?: number;
    } = {},
  ): Promise<FakeJob> {
    const owner = job.owner ?? "acme";
    if (this.#installationFor(owner) === undefined)
      throw new Error(`FakeGitHub.queueJob: no installation for ${owner}`);
    const created = this.#newJob({
      owner,
      repo: job.repo ?? "widgets",
      labels: job.labels ?? ["self-hosted", "linux"],
      name: job.name ?? "build",
      workflowName: job.workflowName ?? "CI",
      runId: job.runId ?? 5000 + this.#ids.run.next(),
      runAttempt: 1,
    });
    await this.#afterQueue(created);
    return this.job(created.id) as FakeJob;
  }

  /**
   * A runner started with this JIT config comes online and takes the oldest queued job it matches (sending
   * `workflow_job.in_progress`). Throws if the config is unknown, already used, or its runner was deleted.
   */
  async runnerConnect(encodedJitConfig: string): Promise<{ runner: FakeRunner; job: FakeJob | undefined }> {
    let agentId: number;
    try {
      const files = JSON.parse(Buffer.from(encodedJitConfig, "base64").toString("utf8")) as Record<
        string,
        string
      >;
      const runnerFile = JSON.parse(Buffer.from(files[".runner"] ?? "", "base64").toString("utf8"));
      agentId = Number(runnerFile.agentId);
    } catch {
      throw new Error("FakeGitHub.runnerConnect: not a JIT config from this fake");
    }
    const runner = this.#runners.get(agentId);
    if (!runner || runner.encoded !== encodedJitConfig) {
      throw new Error(`FakeGitHub.runnerConnect: runner ${agentId} is not registered`);
    }
    if (runner.connected)
      throw new Error(`FakeGitHub.runnerConnect: JIT config of ${runner.name} was already used`);
    runner.connected = true;
    runner.status = "online";
    await this.#assign();
    const job = runner.jobId === null ? undefined : this.job(runner.jobId);
    return { runner: publicRunner(runner), job };
  }

  /** The runner goes offline (its machine died); its registration stays until deleted. */
  runnerDisconnect(runnerId: number): void {
    const runner = this.#runners.get(runnerId);
    if (!runner) throw new Error(`FakeGitHub.runnerDisconnect: no runner ${runnerId}`);
    runner.status = "offline";
    runner.busy = false;
  }

  /** Completes a job (sending `workflow_job.completed`); its ephemeral runner is deregistered. */
  async completeJob(jobId: number, conclusion = "success"): Promise<FakeJob> {
    const job = this.#jobs.get(jobId);
    if (!job) throw new Error(`FakeGitHub.completeJob: no job ${jobId}`);
    if (job.status === "completed")
      throw new Error(`FakeGitHub.completeJob: job ${jobId} is already completed`);
    job.status = "completed";
    job.conclusion = conclusion;
    job.completedAt = this.#timestamp();
    if (job.runnerId !== null) {
      this.#runners.delete(job.runnerId);
      this.#onAssigned.delete(job.runnerId);
    }
    await this.#emit("completed", job);
    return { ...job };
  }

  cancelJob(jobId: number): Promise<FakeJob> {
    return this.completeJob(jobId, "cancelled");
  }

  job(id: number): FakeJob | undefined {
    const job = this.#jobs.get(id);
    return job ? { ...job, labels: [...job.labels] } : undefined;
  }

  jobs(): FakeJob[] {
    return [...this.#jobs.keys()].map((id) => this.job(id) as FakeJob);
  }

  /** Current runner registrations (deleted and completed ephemeral runners are gone). */
  /**
   * Calls `listener` once, when the runner is given a job. A real runner holds a long poll open to
   * GitHub, which answers it as soon as a job is assigned; a simulated one polls, and this wakes it.
   */
  onAssigned(runnerId: number, listener: () => void): void {
    this.#onAssigned.set(runnerId, listener);
  }

  registrations(): FakeRunner[] {
    return [...this.#runners.values()].map(publicRunner);
  }

  /**
   * Every secret this fake handed out, for a leak scan: each encoded JIT config and installation token
   * (`ghs_…`) issued so far, including those of runners since deleted and tokens since expired.
   */
  issuedSecrets(): { jitConfigs: string[]; tokens: string[] } {
    return { jitConfigs: [...this.#issued.jitConfigs], tokens: [...this.#issued.tokens] };
  }

  /** The runner groups of an organization (the Default group unless `runnerGroups` names others). */
  runnerGroups(org: string): RunnerGroup[] {
    return structuredClone(this.#options.runnerGroups?.[org] ?? [DEFAULT_RUNNER_GROUP]);
  }

  deliveries(): FakeDelivery[] {
    return this.#deliveries.map((d) => structuredClone(d));
  }

  /** Resolves when every webhook delivery started so far has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  // ---- wire -----------------------------------------------------------------------------------------------

  async #handle(request: FakeRequest): Promise<FakeResponse> {
    const match = this.#match(request.method, request.path);
    const operation = match
      ? `${match.route.method} ${match.route.template}`
      : `${request.method} ${request.path}`;
    let body: Body = {};
    try {
      body = request.body ? (JSON.parse(request.body) as Body) : {};
    } catch {
      body = {};
    }
    const call: GitHubCall = {
      operation,
      params: { ...match?.params, ...Object.fromEntries(request.query), ...body },
      at: this.#now(),
      method: request.method,
      path: request.path,
      status: 0,
    };
    this.calls.push(call);
    const response = await this.#respond(request, match, operation, body);
    call.status = response.status;
    response.headers = { ...this.#standardHeaders(), ...response.headers };
    return response;
  }

  async #respond(
    request: FakeRequest,
    match: { route: Route; params: Params } | undefined,
    operation: string,
    body: Body,
  ): Promise<FakeResponse> {
    const limited = this.#limited();
    if (limited) return limited;
    const fault = this.#faults.take(operation);
    if (fault) return json(fault.status, fault.body);
    if (!match) return error(404, "Not Found");
    try {
      const authorization = String(request.headers.authorization ?? "");
      const installationId = match.route.app
        ? this.#checkJwt(authorization)
        : this.#checkToken(authorization);
      return await match.route.handler({
        params: match.params,
        query: request.query,
        body,
        path: request.path,
        installationId,
      });
    } catch (e) {
      if (e instanceof HttpError) return error(e.status, e.message);
      throw e;
    }
  }

  #limited(): FakeResponse | undefined {
    const limit = this.#rateLimit;
    if (!limit) return undefined;
    if (Date.now() >= limit.until || limit.requests === 0) {
      this.#rateLimit = undefined;
      return undefined;
    }
    if (limit.requests !== undefined) limit.requests -= 1;
    if (limit.retryAfterSeconds !== undefined) {
      return json(
        limit.status,
        {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: DOCS,
        },
        { "retry-after": String(limit.retryAfterSeconds) },
      );
    }
    const reset = Math.ceil((Number.isFinite(limit.until) ? limit.until : Date.now() + 60_000) / 1000);
    return json(
      limit.status,
      { message: "API rate limit exceeded for installation.", documentation_url: DOCS },
      { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
    );
  }

  #standardHeaders(): Record<string, string> {
    return {
      "x-github-request-id": `FAKE:${this.#ids.request.next()}`,
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(0, 5000 - this.calls.length)),
      "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 3600),
      "x-ratelimit-used": String(Math.min(5000, this.calls.length)),
      "x-ratelimit-resource": "core",
      date: new Date().toUTCString(),
    };
  }

  /** Checks an App JWT (RS256, `iss` = App id, not expired, signature if a key was given). */
  #checkJwt(authorization: string): number {
    const token = /^bearer\s+(.+)$/i.exec(authorization)?.[1] ?? "";
    const parts = token.split(".");
    if (parts.length !== 3) throw new HttpError(401, "A JSON web token could not be decoded");
    const [head, claims, signature] = parts as [string, string, string];
    let header: { alg?: string };
    let payload: { iss?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
      payload = JSON.parse(Buffer.from(claims, "base64url").toString("utf8"));
    } catch {
      throw new HttpError(401, "A JSON web token could not be decoded");
    }
    if (header.alg !== "RS256") throw new HttpError(401, "A JSON web token could not be decoded");
    if (String(payload.iss) !== String(this.#options.appId ?? 1)) {
      throw new HttpError(401, "'Issuer' claim ('iss') must be an Integer");
    }
    if (typeof payload.exp !== "number" || payload.exp * 1000 <= Date.now()) {
      throw new HttpError(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      );
    }
    const key = this.#options.publicKey;
    if (
      key &&
      !verifySignature(
        "RSA-SHA256",
        Buffer.from(`${head}.${claims}`),
        key,
        Buffer.from(signature, "base64url"),
      )
    ) {
      throw new HttpError(401, "A JSON web token could not be decoded");
    }
    return 0;
  }

  #checkToken(authorization: string): number {
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(authorization)?.[1] ?? "";
    const entry = this.#tokens.get(token);
    if (!entry || entry.expiresAt <= Date.now()) throw new HttpError(401, "Bad credentials");
    return entry.installationId;
  }

  #installationFor(account: string): number | undefined {
    const { installations, installationId } = this.#options;
    return installations ? installations[account] : (installationId ?? 1);
  }

  /** Throws 404 unless the token's installation covers `account`, as GitHub hides what a token cannot see. */
  #authorize(ctx: Context, account: string): void {
    if (this.#installationFor(account) !== ctx.installationId) throw new HttpError(404, "Not Found");
  }

  #match(method: string, path: string): { route: Route; params: Params } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Params = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? "");
      });
      return { route, params };
    }
    return undefined;
  }

  #route(method: string, template: string, app: boolean, handler: Route["handler"]): void {
    const keys: string[] = [];
    const source = template.replace(/\{(\w+)\}/g, (_, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    this.#routes.push({ method, template, regex: new RegExp(`^${source}/?$`), keys, app, handler });
  }

  #defineRoutes(): void {
    this.#route("POST", "/app/installations/{installation_id}/access_tokens", true, ({ params }) => {
      const installationId = Number(params.installation_id);
      if (!this.#knownInstallations().includes(installationId)) throw new HttpError(404, "Not Found");
      const token = `ghs_${opaque(`token:${this.#ids.token.next()}`, 36)}`;
      this.#issued.tokens.push(token);
      const expiresAt = Math.floor(Date.now() / 1000) * 1000 + 3_600_000;
      this.#tokens.set(token, { installationId, expiresAt });
      return json(201, {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: { administration: "write", actions: "write", metadata: "read" },
        repository_selection: "all",
      });
    });
    // An organization's runner groups, paged as GitHub pages them (per_page up to 100).
    this.#route("GET", "/orgs/{org}/actions/runner-groups", false, ({ params, query }) => {
      const perPage = Math.min(100, Number(query.get("per_page") ?? 30));
      const page = Math.max(1, Number(query.get("page") ?? 1));
      const all = this.runnerGroups(params.org ?? "");
      return json(200, {
        total_count: all.length,
        runner_groups: all.slice((page - 1) * perPage, page * perPage).map((g) => ({
          id: g.id,
          name: g.name,
          visibility: g.visibility,
          default: g.id === DEFAULT_RUNNER_GROUP.id,
          allows_public_repositories: false,
          restricted_to_workflows: false,
        })),
      });
    });
    for (const scope of ["/orgs/{org}", "/repos/{owner}/{repo}"]) {
      this.#route("GET", `${scope}/installation`, true, ({ params }) => {
        const account = params.org ?? params.owner ?? "";
        const id = this.#installationFor(account);
        if (id === undefined) throw new HttpError(404, "Not Found");
        return json(200, {
          id,
          account: { login: account, id: this.#repoId(account), type: "Organization" },
          app_id: Number(this.#options.appId ?? 1),
          target_type: "Organization",
          permissions: { administration: "write", actions: "write", metadata: "read" },
          events: ["workflow_job"],
        });
      });
      this.#route("POST", `${scope}/actions/runners/generate-jitconfig`, false, (ctx) =>
        this.#generateJit(ctx),
      );
      this.#route("GET", `${scope}/actions/runners`, false, (ctx) => this.#listRunners(ctx));
      this.#route("GET", `${scope}/actions/runners/{runner_id}`, false, (ctx) =>
        json(200, runnerJson(this.#runnerIn(ctx), this.#labelIds)),
      );
      this.#route("DELETE", `${scope}/actions/runners/{runner_id}`, false, (ctx) => {
        const runner = this.#runnerIn(ctx);
        if (runner.busy)
          throw new HttpError(422, `Bad request - Runner "${runner.name}" is still running a job"`);
        this.#runners.delete(runner.id);
        this.#onAssigned.delete(runner.id);
        return { status: 204 };
      });
    }
    this.#route("GET", "/repos/{owner}/{repo}/actions/jobs/{job_id}", false, (ctx) => {
      const { owner = "", repo = "" } = ctx.params;
      this.#authorize(ctx, owner);
      const job = this.#jobs.get(Number(ctx.params.job_id));
      if (!job || job.owner !== owner || job.repo !== repo) throw new HttpError(404, "Not Found");
      return json(200, this.#jobJson(job));
    });
    this.#route(
      "POST",
      "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs",
      false,
      async (ctx) => {
        const { owner = "", repo = "" } = ctx.params;
        this.#authorize(ctx, owner);
        const runId = Number(ctx.params.run_id);
        const inRun = [...this.#jobs.values()].filter(
          (j) => j.runId === runId && j.owner === owner && j.repo === repo,
        );
        if (inRun.length === 0) throw new HttpError(404, "Not Found");
        const attempt = Math.max(...inRun.map((j) => j.runAttempt));
        const failed = inRun.filter(
          (j) =>
            j.runAttempt === attempt && ["failure", "cancelled", "timed_out"].includes(j.conclusion ?? ""),
        );
        for (const previous of failed) {
          const job = this.#newJob({ ...previous, runAttempt: attempt + 1 });
          await this.#afterQueue(job);
        }
        return json(201, {});
      },
    );
    this.#route("GET", "/app/hook/deliveries", true, ({ query, path }) => {
      const perPage = clamp(Number(query.get("per_page") ?? 30), 1, 100);
      const cursor = Number(/^v1_(\d+)$/.exec(query.get("cursor") ?? "")?.[1] ?? Number.POSITIVE_INFINITY);
      const newestFirst = [...this.#deliveries].reverse().filter((d) => d.id < cursor);
      const page = newestFirst.slice(0, perPage);
      const headers: Record<string, string> = {};
      const last = page.at(-1);
      if (last && newestFirst.length > perPage) {
        headers.link = `<${this.url}${path}?per_page=${perPage}&cursor=v1_${last.id}>; rel="next"`;
      }
      return json(200, page.map(deliverySummary), headers);
    });
    this.#route("GET", "/app/hook/deliveries/{delivery_id}", true, ({ params }) => {
      const delivery = this.#delivery(params.delivery_id);
      return json(200, {
        ...deliverySummary(delivery),
        url: this.#options.webhookUrl ?? "",
        request: { headers: delivery.headers, payload: delivery.payload },
        response: { headers: {}, payload: null },
      });
    });
    this.#route("POST", "/app/hook/deliveries/{delivery_id}/attempts", true, ({ params }) => {
      const delivery = this.#delivery(params.delivery_id);
      this.#track(this.#deliver(delivery.payload, delivery.guid, true));
      return json(202, {});
    });
  }

  #generateJit(ctx: Context): FakeResponse {
    const { org, owner, repo } = ctx.params;
    const account = org ?? owner ?? "";
    this.#authorize(ctx, account);
    const scope = org ?? `${owner}/${repo}`;
    const { name, runner_group_id: group, labels, work_folder: workFolder } = ctx.body;
    if (typeof name !== "string" || name === "")
      throw new HttpError(422, "Invalid request: name is required");
    if (typeof group !== "number") throw new HttpError(422, "Invalid request: runner_group_id is required");
    if (
      !Array.isArray(labels) ||
      labels.length === 0 ||
      labels.length > 100 ||
      labels.some((l) => typeof l !== "string")
    ) {
      throw new HttpError(422, "Invalid request: labels must be 1 to 100 strings");
    }
    const runnerGroup = this.runnerGroups(account).find((g) => g.id === group);
    // GitHub answers 404 for a group the organization does not have, 403 for one the caller may not
    // register into (observed on github.com: https://docs.rs/runner-manager-github, module jit).
    if (!runnerGroup) throw new HttpError(404, "Not Found");
    if (!org && !groupAllows(runnerGroup, `${owner}/${repo}`)) throw new HttpError(403, "Forbidden");
    if ([...this.#runners.values()].some((r) => r.scope === scope && r.name === name)) {
      throw new HttpError(409, `Already exists - A runner with the name ${name} already exists.`);
    }
    const id = this.#ids.runner.next();
    const runner: Registration = {
      id,
      name,
      scope,
      labels: unique(["self-hosted", ...(labels as string[])]),
      runnerGroupId: group,
      workFolder: typeof workFolder === "string" ? workFolder : "_work",
      status: "offline",
      busy: false,
      connected: false,
      jobId: null,
      encoded: "",
    };
    runner.encoded = encodedJitConfig(runner, runnerGroup, `jit:${id}`);
    this.#runners.set(id, runner);
    this.#issued.jitConfigs.push(runner.encoded);
    return json(201, { runner: runnerJson(runner, this.#labelIds), encoded_jit_config: runner.encoded });
  }

  #listRunners(ctx: Context): FakeResponse {
    const { org, owner, repo } = ctx.params;
    this.#authorize(ctx, org ?? owner ?? "");
    const scope = org ?? `${owner}/${repo}`;
    const name = ctx.query.get("name");
    const all = [...this.#runners.values()].filter((r) => r.scope === scope && (!name || r.name === name));
    const perPage = clamp(Number(ctx.query.get("per_page") ?? 30), 1, 100);
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1));
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number, rel: string) => {
      const query = new URLSearchParams(ctx.query);
      query.set("per_page", String(perPage));
      query.set("page", String(p));
      return `<${this.url}${ctx.path}?${query}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(page - 1, "prev")] : []),
      ...(page < lastPage ? [link(page + 1, "next"), link(lastPage, "last")] : []),
      ...(page > 1 ? [link(1, "first")] : []),
    ];
    const runners = all.slice((page - 1) * perPage, page * perPage).map((r) => runnerJson(r, this.#labelIds));
    return json(200, { total_count: all.length, runners }, links.length ? { link: links.join(", ") } : {});
  }

  #runnerIn(ctx: Context): Registration {
    const { org, owner, repo } = ctx.params;
    this.#authorize(ctx, org ?? owner ?? "");
    const runner = this.#runners.get(Number(ctx.params.runner_id));
    if (!runner || runner.scope !== (org ?? `${owner}/${repo}`)) throw new HttpError(404, "Not Found");
    return runner;
  }

  #delivery(id: string | undefined): FakeDelivery {
    const delivery = this.#deliveries.find((d) => d.id === Number(id));
    if (!delivery) throw new HttpError(404, "Not Found");
    return delivery;
  }

  #knownInstallations(): number[] {
    const { installations, installationId } = this.#options;
    return installations ? Object.values(installations) : [installationId ?? 1];
  }

  #newJob(
    job: Pick<FakeJob, "owner" | "repo" | "labels" | "name" | "workflowName" | "runId" | "runAttempt">,
  ): FakeJob {
    const now = this.#timestamp();
    const created: FakeJob = {
      id: 1000 + this.#ids.job.next(),
      runId: job.runId,
      runAttempt: job.runAttempt,
      owner: job.owner,
      repo: job.repo,
      name: job.name,
      workflowName: job.workflowName,
      labels: [...job.labels],
      status: "queued",
      conclusion: null,
      createdAt: now,
      startedAt: now,
      completedAt: null,
      runnerId: null,
      runnerName: null,
    };
    this.#jobs.set(created.id, created);
    return created;
  }

  async #afterQueue(job: FakeJob): Promise<void> {
    await this.#emit("queued", job);
    await this.#assign();
  }

  /**
   * Hands queued jobs, oldest first, to idle online runners whose scope and labels match.
   * Every assignment is made before any of their in_progress deliveries is awaited: GitHub
   * does not hold a runner back until the previous job's webhook was delivered.
   */
  async #assign(): Promise<void> {
    const deliveries: Promise<void>[] = [];
    // The idle runners, found once: with a thousand jobs queued and a thousand runners, a scan of
    // every runner per job on every assignment made the fake the slowest part of a burst.
    const idle = [...this.#runners.values()].filter((r) => r.status === "online" && r.jobId === null);
    for (const job of this.#jobs.values()) {
      if (idle.length === 0) break;
      if (job.status !== "queued") continue;
      const wanted = job.labels.map((l) => l.toLowerCase());
      const runner = idle.find(
        (r) =>
          r.jobId === null &&
          (r.scope === `${job.owner}/${job.repo}` ||
            (r.scope === job.owner &&
              this.#groupAllows(job.owner, r.runnerGroupId, `${job.owner}/${job.repo}`))) &&
          wanted.every((l) => r.labels.some((have) => have.toLowerCase() === l)),
      );
      if (!runner) continue;
      idle.splice(idle.indexOf(runner), 1);
      runner.jobId = job.id;
      runner.busy = true;
      job.status = "in_progress";
      job.startedAt = this.#timestamp();
      job.runnerId = runner.id;
      job.runnerName = runner.name;
      this.#onAssigned.get(runner.id)?.();
      this.#onAssigned.delete(runner.id);
      deliveries.push(this.#emit("in_progress", job));
    }
    await Promise.all(deliveries);
  }

  #groupAllows(org: string, groupId: number, repository: string): boolean {
    const group = this.runnerGroups(org).find((g) => g.id === groupId);
    return group !== undefined && groupAllows(group, repository);
  }

  #timestamp(): string {
    return new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  #repoId(fullName: string): number {
    let id = this.#repoIds.get(fullName);
    if (id === undefined) {
      id = 700 + this.#repoIds.size + 1;
      this.#repoIds.set(fullName, id);
    }
    return id;
  }

  #jobJson(job: FakeJob): Body {
    const repoUrl = `${this.url}/repos/${job.owner}/${job.repo}`;
    return {
      id: job.id,
      run_id: job.runId,
      run_attempt: job.runAttempt,
      run_url: `${repoUrl}/actions/runs/${job.runId}`,
      node_id: `CR_${job.id}`,
      head_sha: "0000000000000000000000000000000000000000",
      head_branch: "main",
      url: `${repoUrl}/actions/jobs/${job.id}`,
      html_url: `https://github.com/${job.owner}/${job.repo}/actions/runs/${job.runId}/job/${job.id}`,
      status: job.status,
      conclusion: job.conclusion,
      created_at: job.createdAt,
      started_at: job.startedAt,
      completed_at: job.completedAt,
      name: job.name,
      workflow_name: job.workflowName,
      steps: [],
      check_run_url: `${repoUrl}/check-runs/${job.id}`,
      labels: job.labels,
      runner_id: job.runnerId,
      runner_name: job.runnerName,
      runner_group_id: job.runnerId === null ? null : (this.#runners.get(job.runnerId)?.runnerGroupId ?? 1),
      runner_group_name:
        job.runnerId === null
          ? null
          : (this.runnerGroups(job.owner).find(
              (g) => g.id === this.#runners.get(job.runnerId ?? 0)?.runnerGroupId,
            )?.name ?? "Default"),
    };
  }

  async #emit(action: string, job: FakeJob): Promise<void> {
    const installationId = this.#installationFor(job.owner) ?? 0;
    const payload = {
      action,
      workflow_job: this.#jobJson(job),
      repository: {
        id: this.#repoId(`${job.owner}/${job.repo}`),
        node_id: `R_${job.owner}_${job.repo}`,
        name: job.repo,
        full_name: `${job.owner}/${job.repo}`,
        private: true,
        owner: { login: job.owner, id: this.#repoId(job.owner), type: "Organization" },
      },
      organization: { login: job.owner, id: this.#repoId(job.owner) },
      sender: { login: "octocat", id: 1, type: "User" },
      installation: { id: installationId, node_id: `I_${installationId}` },
    };
    const delivery = this.#deliver(payload, undefined, false);
    this.#track(delivery);
    await delivery;
  }

  #track(promise: Promise<unknown>): void {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise));
  }

  async #deliver(
    payload: Record<string, unknown>,
    guid: string | undefined,
    redelivery: boolean,
  ): Promise<void> {
    const handler = this.#webhookHandler;
    const url = this.#options.webhookUrl;
    if (!handler && !url) return;
    const id = 90_000 + this.#ids.delivery.next();
    const deliveryGuid = guid ?? fakeUuid(this.#ids.guid.next(), "de1ea000");
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": "workflow_job",
      "x-github-delivery": deliveryGuid,
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(this.#options.appId ?? 1),
      "x-hub-signature-256": await sign(this.#options.webhookSecret ?? "webhook-secret", body),
    };
    const deliveredAt = this.#timestamp();
    const started = performance.now();
    let statusCode = 0;
    let status = "failed to connect to host";
    if (this.#random() >= this.#dropRate) {
      try {
        if (handler) {
          statusCode =
            (await handler({ id: deliveryGuid, name: "workflow_job", payload, body, headers })) ?? 200;
        } else if (url) {
          const response = await fetch(url, {
            method: "POST",
            headers,
            body,
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          statusCode = response.status;
        }
        status = statusCode >= 200 && statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`;
      } catch (e) {
        statusCode = handler ? 500 : 0;
        status = handler
          ? "Invalid HTTP Response: 500"
          : e instanceof Error && e.name === "TimeoutError"
            ? "timed out"
            : status;
      }
    }
    const repository = payload.repository as { id: number };
    const installation = payload.installation as { id: number };
    this.#deliveries.push({
      id,
      guid: deliveryGuid,
      deliveredAt,
      redelivery,
      durationSeconds: (performance.now() - started) / 1000,
      status,
      statusCode,
      event: "workflow_job",
      action: String(payload.action),
      installationId: installation.id,
      repositoryId: repository.id,
      payload,
      headers,
    });
  }
}

function deliverySummary(d: FakeDelivery): Body {
  return {
    id: d.id,
    guid: d.guid,
    delivered_at: d.deliveredAt,
    redelivery: d.redelivery,
    duration: d.durationSeconds,
    status: d.status,
    status_code: d.statusCode,
    event: d.event,
    action: d.action,
    installation_id: d.installationId,
    repository_id: d.repositoryId,
    throttled_at: null,
  };
}

function runnerJson(runner: FakeRunner, labelIds: Map<string, number>): Body {
  return {
    id: runner.id,
    name: runner.name,
    os: "Linux",
    status: runner.status,
    busy: runner.busy,
    ephemeral: true,
    runner_group_id: runner.runnerGroupId,
    labels: runner.labels.map((name) => {
      if (!labelIds.has(name)) labelIds.set(name, labelIds.size + 1);
      return { id: labelIds.get(name), name, type: name === "self-hosted" ? "read-only" : "custom" };
    }),
  };
}

function publicRunner(runner: Registration): FakeRunner {
  const { encoded: _encoded, ...rest } = runner;
  return { ...rest, labels: [...rest.labels] };
}

function groupAllows(group: RunnerGroup, repository: string): boolean {
  if (group.visibility === "all" || group.visibility === "private") return true;
  return (group.repositories ?? []).some((r) => r.toLowerCase() === repository.toLowerCase());
}

/** Deterministic, secret-looking text: base64url of SHA-256 chains, `length` characters of [A-Za-z0-9]. */
function opaque(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) {
    out += createHash("sha256")
      .update(`${seed}:${i}`)
      .digest("base64")
      .replace(/[^A-Za-z0-9]/g, "");
  }
  return out.slice(0, length);
}

/** Base64 of `bytes` deterministic bytes, as the runner's RSA parameters are stored. */
function opaqueBytes(seed: string, bytes: number): string {
  const chunks: Buffer[] = [];
  for (let i = 0; chunks.length * 32 < bytes; i++)
    chunks.push(createHash("sha256").update(`${seed}:${i}`).digest());
  return Buffer.concat(chunks).subarray(0, bytes).toString("base64");
}

/**
 * An encoded JIT config shaped like GitHub's: base64 of a JSON object holding the runner's three
 * configuration files (`.runner`, `.credentials`, `.credentials_rsaparams`), each base64 of JSON. The
 * RSA parameters of a 2048-bit key make it about 4 KB, as real ones are — which matters where it is
 * stored (an SSM Standard parameter holds at most 4,096 characters).
 */
function encodedJitConfig(runner: Registration, group: RunnerGroup, seed: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
  const tenant = opaque(`${seed}:tenant`, 50);
  const clientId = fakeUuid(runner.id, opaque(`${seed}:client`, 8).toLowerCase());
  const files = {
    ".runner": b64({
      agentId: runner.id,
      agentName: runner.name,
      poolId: group.id,
      poolName: group.name,
      serverUrl: `https://pipelinesghubeus22.actions.githubusercontent.com/${tenant}/`,
      gitHubUrl: `https://github.com/${runner.scope}`,
      workFolder: runner.workFolder,
      ephemeral: true,
      disableUpdate: false,
      isHostedServer: false,
      useV2Flow: true,
      serverUrlV2: "https://broker.actions.githubusercontent.com/",
    }),
    ".credentials": b64({
      scheme: "OAuth",
      data: {
        clientId,
        authorizationUrl: `https://pipelinesghubeus22.actions.githubusercontent.com/${tenant}/_apis/oauth2/token`,
        requireFipsCryptography: "False",
      },
    }),
    ".credentials_rsaparams": b64({
      d: opaqueBytes(`${seed}:d`, 256),
      dp: opaqueBytes(`${seed}:dp`, 128),
      dq: opaqueBytes(`${seed}:dq`, 128),
      exponent: "AQAB",
      inverseQ: opaqueBytes(`${seed}:qi`, 128),
      modulus: opaqueBytes(`${seed}:n`, 256),
      p: opaqueBytes(`${seed}:p`, 128),
      q: opaqueBytes(`${seed}:q`, 128),
    }),
  };
  return b64(files);
}

function error(status: number, message: string): FakeResponse {
  return json(status, { message, documentation_url: DOCS, status: String(status) });
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.trunc(value))) : min;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** A seeded linear congruential generator, so dropped deliveries are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
