import { CreateFleetCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { type ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { jitParameterName, stopTasks, terminateInstances } from "../shared/aws.ts";
import type { Ec2Port, EcsPort, JitStore, QueuePort } from "./deps.ts";

export function ec2Port(ec2: EC2Client): Ec2Port {
  return {
    createFleet: (input) => ec2.send(new CreateFleetCommand(input)),
    terminate: (instanceIds) => terminateInstances(ec2, instanceIds),
  };
}

export function ecsPort(ecs: ECSClient): EcsPort {
  return {
    runTask: (input) => ecs.send(new RunTaskCommand(input)),
    stop: (taskArns, reason) =>
      stopTasks(
        ecs,
        taskArns.map((taskArn) => ({ taskArn, reason })),
      ),
  };
}

/**
 * JIT configs live as SecureStrings at /<prefix>/jit/<id>, tagged with their one reader: an
 * instance's ARN (the runner role's policy lets an instance read and delete only the parameter
 * whose tag matches its own ARN), or what a Fargate task's credentials say of it.
 */
export function jitStore(
  ssm: SSMClient,
  options: { prefix: string; kmsKeyId?: string | undefined; instanceArn: (instanceId: string) => string },
): JitStore {
  return {
    async put(id, encodedJitConfig, reader) {
      await ssm.send(
        new PutParameterCommand({
          Name: jitParameterName(options.prefix, id),
          Value: encodedJitConfig,
          Type: "SecureString",
          // An encoded JIT config is about 4 KB and longer for long names: a Standard
          // parameter holds at most 4,096 characters. SSM picks Standard when it fits.
          Tier: "Intelligent-Tiering",
          ...(options.kmsKeyId ? { KeyId: options.kmsKeyId } : {}),
          Tags: [
            { Key: "skiff:prefix", Value: options.prefix },
            reader ?? { Key: "skiff:instance-arn", Value: options.instanceArn(id) },
          ],
        }),
      );
    },
  };
}

export function queuePort(sqs: SQSClient, queueUrl: string): QueuePort {
  return {
    async setVisibility(receiptHandle, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
    async send(message, delaySeconds) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
        }),
      );
    },
  };
}

/** arn:<partition>:ec2:<region>:<account>:instance/<id>, from the Lambda's own ARN. */
export function instanceArnFrom(functionArn: string): (instanceId: string) => string {
  const [, partition, , region, account] = functionArn.split(":");
  return (instanceId) => `arn:${partition}:ec2:${region}:${account}:instance/${instanceId}`;
}
