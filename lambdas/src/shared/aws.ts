import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  type EC2Client,
  type Filter,
  type Tag,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DeleteParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { LAUNCH_TEMPLATE_VERSION } from "./pools.ts";

/** Where an instance's JIT runner config lives. */
export function jitParameterName(prefix: string, instanceId: string): string {
  return `/${prefix}/jit/${instanceId}`;
}

/** Sends JSON messages to one queue. */
export function jsonSender(sqs: SQSClient, queueUrl: string): (message: object) => Promise<void> {
  return async (message) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
  };
}

export async function terminateInstances(ec2: EC2Client, instanceIds: string[]): Promise<void> {
  // TerminateInstances takes up to 1000 ids per call.
  for (let i = 0; i < instanceIds.length; i += 1000) {
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds.slice(i, i + 1000) }));
  }
}

export async function deleteJitParameter(ssm: SSMClient, prefix: string, instanceId: string): Promise<void> {
  try {
    await ssm.send(new DeleteParameterCommand({ Name: jitParameterName(prefix, instanceId) }));
  } catch (error) {
    if ((error as { name?: string }).name !== "ParameterNotFound") throw error;
  }
}

export interface TaggedInstance {
  instanceId: string;
  state: string;
  launchTime: string;
  pool: string | undefined;
  /** The launch template and version it was launched from (EC2's `aws:ec2launchtemplate:*` tags). */
  launchTemplate?: { id: string; version: number };
}

function launchTemplateOf(tags: readonly Tag[] | undefined): TaggedInstance["launchTemplate"] {
  const id = tags?.find((t) => t.Key === "aws:ec2launchtemplate:id")?.Value;
  const version = Number(tags?.find((t) => t.Key === "aws:ec2launchtemplate:version")?.Value);
  return id && Number.isInteger(version) && version > 0 ? { id, version } : undefined;
}

/** skiff's instances: tagged with its prefix, in any state but terminated (paginated). */
export async function describeTagged(ec2: EC2Client, prefix: string): Promise<TaggedInstance[]> {
  const filters: Filter[] = [
    { Name: "tag:skiff:prefix", Values: [prefix] },
    { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped", "shutting-down"] },
  ];
  const found: TaggedInstance[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, NextToken: token }),
    );
    for (const reservation of out.Reservations ?? []) {
      for (const i of reservation.Instances ?? []) {
        if (!i.InstanceId) continue;
        const launchTemplate = launchTemplateOf(i.Tags);
        found.push({
          instanceId: i.InstanceId,
          state: i.State?.Name ?? "unknown",
          launchTime: (i.LaunchTime ?? new Date(0)).toISOString(),
          pool: i.Tags?.find((t) => t.Key === "skiff:pool")?.Value,
          ...(launchTemplate ? { launchTemplate } : {}),
        });
      }
    }
    token = out.NextToken;
  } while (token);
  return found;
}

/**
 * The version each launch template launches now (the one `LAUNCH_TEMPLATE_VERSION` names), by id,
 * in one DescribeLaunchTemplates call; it fails as a whole if any id is unknown.
 */
export async function launchTemplateVersions(
  ec2: EC2Client,
  launchTemplateIds: readonly string[],
): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  if (launchTemplateIds.length === 0) return versions;
  const out = await ec2.send(
    new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [...launchTemplateIds] }),
  );
  for (const t of out.LaunchTemplates ?? []) {
    const version = LAUNCH_TEMPLATE_VERSION === "$Latest" ? t.LatestVersionNumber : t.DefaultVersionNumber;
    if (t.LaunchTemplateId && version !== undefined) versions.set(t.LaunchTemplateId, version);
  }
  return versions;
}

/**
 * An SQS client that sends every call to the endpoint the SDK's standard settings resolve
 * (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SQS`, or the region's), not to the host of the
 * queue URL a call carries: VPC endpoints and local emulators then serve every call.
 */
export function sqsClient(): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false });
}
