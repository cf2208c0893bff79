import * as env from "../shared/config.ts";
import { ConfigError } from "../shared/errors.ts";
import { type Pool, parsePools } from "../shared/pools.ts";

export interface ScaleUpConfig {
  prefix: string;
  pools: Map<string, Pool>;
  stateTable: string;
  jobsQueueUrl: string;
  appId: string;
  appKeyParameter: string;
  githubApiUrl: string;
  jitKmsKeyId: string | undefined;
  freshSeconds: number;
  leaseSeconds: number;
}

export const PREFIX = /^[a-z][a-z0-9-]{0,19}$/;

/** Reads and validates scale-up's configuration; throws ConfigError naming the bad field. */
export function loadScaleUpConfig(source: env.Env): ScaleUpConfig {
  const prefix = env.requireString(source, "SKIFF_PREFIX");
  if (!PREFIX.test(prefix)) throw new ConfigError("SKIFF_PREFIX", `must match ${PREFIX}, got "${prefix}"`);
  const appId = env.requireString(source, "SKIFF_GITHUB_APP_ID");
  if (!/^\d+$/.test(appId)) throw new ConfigError("SKIFF_GITHUB_APP_ID", `must be a number, got "${appId}"`);
  const pools = parsePools(env.json(source, "SKIFF_POOLS"), "SKIFF_POOLS");
  return {
    prefix,
    pools: new Map(pools.map((pool) => [pool.name, pool])),
    stateTable: env.requireString(source, "SKIFF_STATE_TABLE"),
    jobsQueueUrl: env.url(source, "SKIFF_JOBS_QUEUE_URL"),
    appId,
    appKeyParameter: env.requireString(source, "SKIFF_GITHUB_APP_KEY_PARAMETER"),
    githubApiUrl: env.url(source, "SKIFF_GITHUB_API_URL", "https://api.github.com"),
    jitKmsKeyId: source.SKIFF_JIT_KMS_KEY_ID?.trim() || undefined,
    freshSeconds: env.integer(source, "SKIFF_FRESH_MESSAGE_SECONDS", 60, { min: 0, max: 86_400 }),
    leaseSeconds: env.integer(source, "SKIFF_CLAIM_LEASE_SECONDS", 900, { min: 30, max: 86_400 }),
  };
}
