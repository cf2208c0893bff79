import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { dynamoState } from "../store/dynamo/index.ts";
import type { State } from "../store/ports.ts";
import * as env from "./config.ts";
import { ConfigError } from "./errors.ts";
import { createGitHubApp } from "./github.ts";
import type { Log } from "./observability.ts";
import { readParameters } from "./parameters.ts";
import { type Pool, parsePools } from "./pools.ts";

/** What every control-plane Lambda behind the queue (scale-up, lifecycle, scale-down) is told. */
export interface ControlConfig {
  prefix: string;
  pools: Map<string, Pool>;
  stateTable: string;
  jobsQueueUrl: string;
  appId: string;
  appKeyParameter: string;
  githubApiUrl: string;
}

export const PREFIX = /^[a-z][a-z0-9-]{0,19}$/;

export function loadControlConfig(source: env.Env): ControlConfig {
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
  };
}

/** The state store on the table, with the SDK's standard endpoint settings. */
export function createStateStore(table: string): State {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamoState(doc, table);
}

/** What the functions that put jobs back on the queue (lifecycle, scale-down) are told. */
export interface RequeueConfig {
  jobsDlqUrl: string;
  maxRequeues: number;
}

export function loadRequeueConfig(source: env.Env): RequeueConfig {
  return {
    jobsDlqUrl: env.url(source, "SKIFF_JOBS_DLQ_URL"),
    maxRequeues: env.integer(source, "SKIFF_MAX_REQUEUES", 3, { min: 0, max: 20 }),
  };
}

/** The GitHub App client, its private key read from SSM on first use. */
export function createGitHub(config: ControlConfig, ssm: SSMClient, log: Log) {
  return createGitHubApp({
    appId: config.appId,
    privateKey: async () => (await readParameters(ssm, [config.appKeyParameter]))[0] as string,
    baseUrl: config.githubApiUrl,
    log,
  });
}
