import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck/light.js";
import type { Log } from "./observability.ts";

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

export interface GitHubApp {
  createJitConfig(request: JitRequest): Promise<JitConfig>;
  jobState(installationId: number, owner: string, repository: string, jobId: number): Promise<JobState>;
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
): GitHubApp & { client(installationId: number): Promise<Client> } {
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

  const client = (installationId: number): Promise<Client> => {
    let found = clients.get(installationId);
    if (!found) {
      found = options.privateKey().then(
        (privateKey) =>
          new SkiffOctokit({
            baseUrl: options.baseUrl,
            authStrategy: createAppAuth,
            auth: { appId: options.appId, privateKey, installationId },
            userAgent: "skiff",
            retry: {
              retries: options.retries ?? 2,
              retryAfterBaseValue: options.retryAfterBaseValue ?? 1000,
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

  return {
    client,
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
  };
}
