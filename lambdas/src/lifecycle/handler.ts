import { SSMClient } from "@aws-sdk/client-ssm";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { jsonSender, sqsClient } from "../shared/aws.ts";
import { createGitHub, createStateStore } from "../shared/control.ts";
import { createLogger, createMetrics } from "../shared/observability.ts";
import { loadLifecycleConfig } from "./config.ts";
import { handleLifecycle } from "./lifecycle.ts";

// Cold start: configuration is validated here, once; a bad value fails the init.
const config = loadLifecycleConfig(process.env);
const log = createLogger("lifecycle");
const metrics = createMetrics("lifecycle");
const sqs = sqsClient();
const deps = {
  prefix: config.prefix,
  pools: config.pools,
  state: createStateStore(config.stateTable),
  github: createGitHub(config, new SSMClient({}), log),
  sendJob: jsonSender(sqs, config.jobsQueueUrl),
  sendDeadLetter: jsonSender(sqs, config.jobsDlqUrl),
  maxRequeues: config.maxRequeues,
  log,
  metrics,
  now: () => new Date(),
};

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    return await handleLifecycle(event.Records, deps);
  } finally {
    metrics.flush();
  }
};
