import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Context } from "aws-lambda";
import {
  deleteJitParameter,
  describeSkiffTasks,
  describeTagged,
  jsonSender,
  launchTemplateVersions,
  sqsClient,
  stopTasks,
  terminateInstances,
} from "../shared/aws.ts";
import { createGitHub, createStateStore } from "../shared/control.ts";
import { createLogger, createMetrics } from "../shared/observability.ts";
import { loadScaleDownConfig } from "./config.ts";
import { type CycleSummary, scaleDown, type TaskSource } from "./scale-down.ts";

// Cold start: configuration is validated here, once; a bad value fails the init.
const config = loadScaleDownConfig(process.env);
const log = createLogger("scale-down");
const metrics = createMetrics("scale-down");
const sqs = sqsClient();
const ssm = new SSMClient({});
const ec2 = new EC2Client({});
// Built on first use: only a configuration with Fargate pools (or tasks left from one) calls ECS.
let ecs: ECSClient | undefined;
const ecsClient = () => {
  ecs ??= new ECSClient({});
  return ecs;
};
const deps = {
  ...config,
  state: createStateStore(config.stateTable),
  github: createGitHub(config, ssm, log),
  ec2: {
    describe: () => describeTagged(ec2, config.prefix),
    terminate: (ids: string[]) => terminateInstances(ec2, ids),
    launchTemplateVersions: (ids: string[]) => launchTemplateVersions(ec2, ids),
  },
  tasks: {
    describe: (sources: readonly TaskSource[]) => describeSkiffTasks(ecsClient(), config.prefix, sources),
    stop: (tasks: readonly { taskArn: string; reason: string }[]) => stopTasks(ecsClient(), tasks),
  },
  jit: { delete: (instanceId: string) => deleteJitParameter(ssm, config.prefix, instanceId) },
  sendJob: jsonSender(sqs, config.jobsQueueUrl),
  sendWarm: jsonSender(sqs, config.jobsQueueUrl),
  sendDeadLetter: jsonSender(sqs, config.jobsDlqUrl),
  log,
  metrics,
  now: () => new Date(),
};

/** Invoked by the EventBridge schedule. */
export const handler = async (_event: unknown, context: Context): Promise<CycleSummary> => {
  try {
    return await scaleDown({ ...deps, lockMs: () => context.getRemainingTimeInMillis() + 5_000 });
  } finally {
    metrics.flush();
  }
};
