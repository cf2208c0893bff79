import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { sqsClient } from "../shared/aws.ts";
import { createGitHub, createStateStore } from "../shared/control.ts";
import { createLogger, createMetrics } from "../shared/observability.ts";
import { loadScaleUpConfig } from "./config.ts";
import { ec2Port, ecsPort, instanceArnFrom, jitStore, queuePort } from "./ports.ts";
import { scaleUp } from "./scale-up.ts";

// Cold start: configuration is validated here, once; a bad value fails the init.
const config = loadScaleUpConfig(process.env);
const log = createLogger("scale-up");
const metrics = createMetrics("scale-up");
const ssm = new SSMClient({});
const state = createStateStore(config.stateTable);
const github = createGitHub(config, ssm, log);
const ec2 = ec2Port(new EC2Client({}));
const ecs = ecsPort(new ECSClient({}));
const queue = queuePort(sqsClient(), config.jobsQueueUrl);
const LEASE_MARGIN_MS = 30_000;
let jit: ReturnType<typeof jitStore> | undefined;

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  jit ??= jitStore(ssm, {
    prefix: config.prefix,
    kmsKeyId: config.jitKmsKeyId,
    instanceArn: instanceArnFrom(context.invokedFunctionArn),
  });
  try {
    return await scaleUp(event.Records, {
      prefix: config.prefix,
      pools: config.pools,
      state,
      ec2,
      ecs,
      jit,
      github,
      queue,
      log,
      metrics,
      now: () => new Date(),
      freshSeconds: config.freshSeconds,
      // The claim holds while this invocation may run, and a margin for the clock.
      leaseMs: () => context.getRemainingTimeInMillis() + LEASE_MARGIN_MS,
    });
  } finally {
    metrics.flush();
  }
};
