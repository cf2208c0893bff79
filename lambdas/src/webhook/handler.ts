import { SSMClient } from "@aws-sdk/client-ssm";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { jsonSender, sqsClient } from "../shared/aws.ts";
import { errorMessage } from "../shared/errors.ts";
import { createLogger, createMetrics } from "../shared/observability.ts";
import { cachedParameters } from "../shared/parameters.ts";
import { loadWebhookConfig } from "./config.ts";
import { createRouter } from "./route.ts";
import { handleWebhook } from "./webhook.ts";

// Cold start: configuration is validated here, once; a bad value fails the init.
const config = loadWebhookConfig(process.env);
const log = createLogger("webhook");
const metrics = createMetrics("webhook");
const sqs = sqsClient();
const secrets = cachedParameters(
  new SSMClient({}),
  config.secretParameters,
  config.secretCacheSeconds * 1000,
);
const router = createRouter(config.pools);
const sendJob = jsonSender(sqs, config.jobsQueueUrl);
const sendLifecycle = jsonSender(sqs, config.lifecycleQueueUrl);

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  try {
    let current: string[];
    try {
      current = await secrets();
    } catch (error) {
      log.error("could not read the webhook secret", { error: errorMessage(error) });
      return { statusCode: 503, body: JSON.stringify({ message: "webhook secret unavailable" }) };
    }
    return await handleWebhook(event, {
      secrets: current,
      router,
      allowedOwners: config.allowedOwners,
      allowedRepositories: config.allowedRepositories,
      sendJob,
      sendLifecycle,
      log,
      metrics,
    });
  } finally {
    metrics.flush();
  }
};
