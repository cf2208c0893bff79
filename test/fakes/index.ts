export {
  type Capacity,
  type CapacityType,
  FakeEc2,
  type FakeEc2Options,
  type FakeInstance,
  type InstanceStateName,
  ON_DEMAND_PRICES,
} from "./ec2.ts";
export {
  CAPACITY_UNAVAILABLE,
  FARGATE_PROVIDERS,
  FakeEcs,
  type FakeEcsOptions,
  type FakeTask,
  type FargateCapacity,
  type FargateProvider,
  type TaskStatus,
} from "./ecs.ts";
export {
  DEFAULT_RUNNER_GROUP,
  type FakeDelivery,
  FakeGitHub,
  type FakeGitHubOptions,
  type FakeJob,
  type FakeRunner,
  type GitHubCall,
  type JobStatus,
  type RateLimit,
  type RunnerGroup,
  type WebhookDelivery,
  type WebhookHandler,
} from "./github.ts";
export type { Call } from "./http.ts";
export {
  type FakeMessage,
  FakeSqs,
  type FakeSqsOptions,
  type QueueOptions,
  type ReceivedMessage,
  SQS_LIMITS,
  SqsError,
} from "./sqs.ts";
export {
  type FakeParameter,
  FakeSsm,
  type FakeSsmOptions,
  MAX_VALUE,
  type ParameterRead,
  type ParameterTier,
  type ParameterType,
  type RunnerRole,
} from "./ssm.ts";

/**
 * Environment for a child process (a bundled Lambda) whose AWS SDK clients should talk to these fakes:
 * the standard per-service endpoint variables, a region and throwaway credentials.
 */
export function awsEnvironment(fakes: {
  ec2?: { url: string };
  ecs?: { url: string };
  ssm?: { url: string };
  sqs?: { url: string };
}): Record<string, string> {
  return {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...(fakes.ec2 ? { AWS_ENDPOINT_URL_EC2: fakes.ec2.url } : {}),
    ...(fakes.ecs ? { AWS_ENDPOINT_URL_ECS: fakes.ecs.url } : {}),
    ...(fakes.ssm ? { AWS_ENDPOINT_URL_SSM: fakes.ssm.url } : {}),
    ...(fakes.sqs ? { AWS_ENDPOINT_URL_SQS: fakes.sqs.url } : {}),
  };
}
