import { CreateFleetCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { jitParameterName, terminateInstances } from "../shared/aws.ts";
import type { Ec2Port, JitStore, QueuePort } from "./scale-up.ts";

export function ec2Port(ec2: EC2Client): Ec2Port {
  return {
    createFleet: (input) => ec2.send(new CreateFleetCommand(input)),
    terminate: (instanceIds) => terminateInstances(ec2, instanceIds),
  };
}

/**
 * JIT configs live as SecureStrings at /<prefix>/jit/<instance-id>, tagged with the
 * instance's ARN: the runner role's policy lets an instance read and delete only the
 * parameter whose tag matches its own ARN.
 */
export function jitStore(
  ssm: SSMClient,
  options: { prefix: string; kmsKeyId?: string | undefined; instanceArn: (instanceId: string) => string },
): JitStore {
  return {
    async put(instanceId, encodedJitConfig) {
      await ssm.send(
        new PutParameterCommand({
          Name: jitParameterName(options.prefix, instanceId),
          Value: encodedJitConfig,
          Type: "SecureString",
          Tier: "Intelligent-Tiering",
          ...(options.kmsKeyId ? { KeyId: options.kmsKeyId } : {}),
          Tags: [
            { Key: "skiff:prefix", Value: options.prefix },
            { Key: "skiff:instance-arn", Value: options.instanceArn(instanceId) },
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
