import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck/light.js";
import type { Log } from "./observability.ts";
import { runnerGroupLookup } from "./runner-groups.ts";

export { RunnerGroupMissing } from "./runner-groups.ts";

const SkiffOctokit = Octokit.plugin(retry, throttling);
type Client = InstanceType<typeof SkiffOctokit>;

export interface GitHubAppOptions {
  appId: string;
  /** The App's PEM private key; read lazily (from SSM) on first use. */
  privateKey: () => Promise<string>;
  /** https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server. */
  baseUrl: string;
  log: Log;
  /** Give up instead of waiting when GitHub asks for a longer pause than this (seconds). */
  maxRateLimitWaitSeconds?: number;
  /** Milliseconds per second of Retry-After; tests shrink it. */
  retryAfterBaseValue?: number;
  /** Retries of 5xx answers (plugin-retry). */
  retries?: number;
}

export interface JitRequest {
  installationId: number;
  owner: string;
  repository: string;
  level: "org" | "repo";
  name: string;
  labels: string[];
  runnerGroupId: number;
}

export interface JitConfig {
  runnerId: number;
  encodedJitConfig: string;
}

export interface JobState {
  status: string;
  conclusion: string | null;
  runnerName: string | null;
}

export interface RunnerRegistration {
  id: number;
  name: string;
  status: string;
  busy: boolean;
}

/** Where a runner is registered: an organisation, or one repository. */
export interface RunnerScope {
  installationId: number;
  owner: string;
  repository: string;
  level: "org" | "repo";
}

export interface HookDelivery {
  id: number;
  guid: string;
  deliveredAt: string;
  redelivery: boolean;
  status: string;
  statusCode: number;
  event: string;
}

export interface GitHubApp {
  createJitConfig(request: JitRequest): Promise<JitConfig>;
  jobState(installationId: number, owner: string, repository: string, jobId: number): Promise<JobState>;
  /** The App's installation on an organisation (remembered once found). */
  organizationInstallation(org: string): Promise<number>;
  /** The id of an organisation's runner group by name; RunnerGroupMissing when it has none of that name. */
  runnerGroupId(installationId: number, org: string, name: string): Promise<number>;
}

/** What the reconcile and the lifecycle handler ask of GitHub. */
export interface GitHubAdmin {
  /** "busy" when GitHub refuses because the runner is running a job. */
  deleteRunner(scope: RunnerScope, runnerId: number): Promise<"deleted" | "missing" | "busy">;
  listRunners(scope: RunnerScope): Promise<RunnerRegistration[]>;
  /** One page (100 per page, from 1) of a scope's registrations; `last` when no page follows. */
  listRunnersPage(
    scope: RunnerScope,
    page: number,
  ): Promise<{ runners: RunnerRegistration[]; last: boolean }>;
  rerunFailedJobs(scope: Omit<RunnerScope, "level">, runId: number): Promise<void>;
  /** The App's recent webhook deliveries, newest first, up to `limit`. */
  recentDeliveries(limit: number): Promise<HookDelivery[]>;
  redeliver(deliveryId: number): Promise<void>;
}

/**
 * Writes (POST/PATCH/DELETE) are spaced out as GitHub asks of integrations, but less
 * strictly than Octokit's default of one per second: a batch of ten runners registers in
 * about two seconds, well inside an instance's boot.
 */
const writes = new Bottleneck.Group({ maxConcurrent: 5, minTime: 200 });

/**
 * A GitHub App client: one Octokit per installation, each caching its installation token
 * until shortly before it expires (auth-app's cache), with GitHub's rate-limit answers
 * (Retry-After, x-ratelimit-reset) honoured by the throttling plugin and 5xx retried.
 */
export function createGitHubApp(
  options: GitHubAppOptions,
): GitHubApp & GitHubAdmin & { client(installationId?: number): Promise<Client> } {
  const clients = new Map<number, Promise<Client>>();
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _: unknown, retryCount: number) => {
      const retrying = retryCount < 3 && retryAfter <= maxWait;
      options.log.warn("GitHub rate limit", {
        kind,
        retryAfter,
        retrying,
        method: request.method,
        url: request.url,
      });
      return retrying;
    };

  /** An installation's client; without an installation id, the App's own (JWT) client. */
  const client = (installationId = 0): Promise<Client> => {
    let found = clients.get(installationId);
    if (!found) {
      found = options.privateKey().then(
        (privateKey) =>
          new SkiffOctokit({
            baseUrl: options.baseUrl,
            authStrategy: createAppAuth,
            auth: installationId
              ? { appId: options.appId, privateKey, installationId }
              : { appId: options.appId, privateKey },
            userAgent: "skiff",
            retry: {
              retries: options.retries ?? 2,
              retryAfterBaseValue: options.retryAfterBaseValue ?? 1000,
              // Rate limits (403/429) are the throttling plugin's, which honours GitHub's headers.
              doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
            },
            throttle: {
              onRateLimit: onLimit("primary"),
              onSecondaryRateLimit: onLimit("secondary"),
              retryAfterBaseValue: options.retryAfterBaseValue ?? 1000,
              write: writes,
            },
          }),
      );
      found.catch(() => clients.delete(installationId));
      clients.set(installationId, found);
    }
    return found;
  };

  const listRunnersPage: GitHubAdmin["listRunnersPage"] = async (scope, page) => {
    const octokit = await client(scope.installationId);
    const { data } =
      scope.level === "org"
        ? await octokit.request("GET /orgs/{org}/actions/runners", { org: scope.owner, per_page: 100, page })
        : await octokit.request("GET /repos/{owner}/{repo}/actions/runners", {
            owner: scope.owner,
            repo: scope.repository,
            per_page: 100,
            page,
          });
    const runners = data.runners.map((r) => ({ id: r.id, name: r.name, status: r.status, busy: r.busy }));
    return { runners, last: runners.length < 100 || (page - 1) * 100 + runners.length >= data.total_count };
  };

  const installations = new Map<string, number>();

  return {
    client,
    async organizationInstallation(org) {
      const known = installations.get(org.toLowerCase());
      if (known) return known;
      const octokit = await client();
      const { data } = await octokit.request("GET /orgs/{org}/installation", { org });
      installations.set(org.toLowerCase(), data.id);
      return data.id;
    },
    runnerGroupId: runnerGroupLookup(client),
    async createJitConfig(request) {
      const octokit = await client(request.installationId);
      const body = {
        name: request.name,
        runner_group_id: request.runnerGroupId,
        labels: request.labels,
        work_folder: "_work",
      };
      const response =
        request.level === "org"
          ? await octokit.request("POST /orgs/{org}/actions/runners/generate-jitconfig", {
              org: request.owner,
              ...body,
            })
          : await octokit.request("POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig", {
              owner: request.owner,
              repo: request.repository,
              ...body,
            });
      return { runnerId: response.data.runner.id, encodedJitConfig: response.data.encoded_jit_config };
    },
    async jobState(installationId, owner, repository, jobId) {
      const octokit = await client(installationId);
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", {
        owner,
        repo: repository,
        job_id: jobId,
      });
      return {
        status: data.status,
        conclusion: data.conclusion ?? null,
        runnerName: data.runner_name ?? null,
      };
    },
    async deleteRunner(scope, runnerId) {
      const octokit = await client(scope.installationId);
      try {
        if (scope.level === "org") {
          await octokit.request("DELETE /orgs/{org}/actions/runners/{runner_id}", {
            org: scope.owner,
            runner_id: runnerId,
          });
        } else {
          await octokit.request("DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}", {
            owner: scope.owner,
            repo: scope.repository,
            runner_id: runnerId,
          });
        }
        return "deleted";
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404) return "missing";
        // GitHub answers 422 when the runner is running a job.
        if (status === 422) return "busy";
        throw error;
      }
    },
    listRunnersPage,
    async listRunners(scope) {
      const runners: RunnerRegistration[] = [];
      for (let page = 1; ; page++) {
        const result = await listRunnersPage(scope, page);
        runners.push(...result.runners);
        if (result.last) return runners;
      }
    },
    async rerunFailedJobs(scope, runId) {
      const octokit = await client(scope.installationId);
      await octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs", {
        owner: scope.owner,
        repo: scope.repository,
        run_id: runId,
      });
    },
    async recentDeliveries(limit) {
      const octokit = await client();
      const deliveries: HookDelivery[] = [];
      let cursor: string | undefined;
      while (deliveries.length < limit) {
        const response = await octokit.request("GET /app/hook/deliveries", {
          per_page: Math.min(100, limit),
          ...(cursor ? { cursor } : {}),
        });
        for (const d of response.data) {
          deliveries.push({
            id: Number(d.id),
            guid: d.guid,
            deliveredAt: d.delivered_at,
            redelivery: d.redelivery,
            status: d.status,
            statusCode: d.status_code,
            event: d.event,
          });
        }
        cursor = /[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(response.headers.link ?? "")?.[1];
        if (!cursor || response.data.length === 0) break;
      }
      return deliveries.slice(0, limit);
    },
    async redeliver(deliveryId) {
      const octokit = await client();
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: deliveryId });
    },
  };
}
