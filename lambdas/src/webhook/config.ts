import * as env from "../shared/config.ts";
import { type PoolRoute, parsePoolRoutes } from "../shared/pools.ts";

export interface WebhookConfig {
  pools: PoolRoute[];
  jobsQueueUrl: string;
  lifecycleQueueUrl: string;
  secretParameters: string[];
  secretCacheSeconds: number;
  allowedOwners: Set<string>;
  allowedRepositories: Set<string>;
}

/** Reads and validates the webhook's configuration; throws ConfigError naming the bad field. */
export function loadWebhookConfig(source: env.Env): WebhookConfig {
  const secretParameters = env.stringList(source, "SKIFF_WEBHOOK_SECRET_PARAMETERS");
  if (secretParameters.length === 0) {
    // requireString gives the standard message for an empty required value.
    env.requireString({}, "SKIFF_WEBHOOK_SECRET_PARAMETERS");
  }
  return {
    pools: parsePoolRoutes(env.json(source, "SKIFF_POOLS"), "SKIFF_POOLS"),
    jobsQueueUrl: env.url(source, "SKIFF_JOBS_QUEUE_URL"),
    lifecycleQueueUrl: env.url(source, "SKIFF_LIFECYCLE_QUEUE_URL"),
    secretParameters,
    secretCacheSeconds: env.integer(source, "SKIFF_SECRET_CACHE_SECONDS", 300, { min: 0, max: 86_400 }),
    allowedOwners: new Set(env.stringList(source, "SKIFF_ALLOWED_OWNERS").map((o) => o.toLowerCase())),
    allowedRepositories: new Set(
      env.stringList(source, "SKIFF_ALLOWED_REPOSITORIES").map((r) => r.toLowerCase()),
    ),
  };
}
