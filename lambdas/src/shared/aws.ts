import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  type EC2Client,
  type Filter,
  type Tag,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeTasksCommand,
  type DesiredStatus,
  type ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DeleteParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { LAUNCH_TEMPLATE_VERSION } from "./pools.ts";
import { clusterOfTask, ec2StateOfTask, isTaskStatus, poolStartedBy, startedBy, taskId } from "./tasks.ts";

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
  /** For a Fargate task (whose `instanceId` is its task id): its ARN, for StopTask. */
  taskArn?: string;
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

/** Stops tasks by ARN, each with its reason (StopTask takes one task); one already gone is no error. */
export async function stopTasks(
  ecs: ECSClient,
  tasks: readonly { taskArn: string; reason: string }[],
): Promise<void> {
  await Promise.all(
    tasks.map(async ({ taskArn, reason }) => {
      try {
        await ecs.send(
          new StopTaskCommand({
            cluster: clusterOfTask(taskArn),
            task: taskArn,
            reason: reason.slice(0, 255),
          }),
        );
      } catch (error) {
        const { name, message } = error as Error;
        if (!(name === "InvalidParameterException" && /task was not found/i.test(message))) throw error;
      }
    }),
  );
}

/** ListTasks takes one `startedBy` and one desired status a call: every page of them. */
async function listTaskArns(
  ecs: ECSClient,
  cluster: string,
  started: string,
  desiredStatus: DesiredStatus,
): Promise<string[]> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const out = await ecs.send(
      new ListTasksCommand({ cluster, startedBy: started, desiredStatus, maxResults: 100, nextToken: token }),
    );
    arns.push(...(out.taskArns ?? []));
    token = out.nextToken;
  } while (token);
  return arns;
}

/**
 * A task as the reconcile sees runners, in EC2's vocabulary. A task ECS is stopping (desired
 * STOPPED) is on its way out whatever its last status, as an instance shutting down is.
 */
function asRunner(task: Task, prefix: string): TaggedInstance | undefined {
  const arn = task.taskArn;
  if (!arn || !isTaskStatus(task.lastStatus)) return undefined;
  const stopping = task.desiredStatus === "STOPPED" && task.lastStatus !== "STOPPED";
  return {
    instanceId: taskId(arn),
    taskArn: arn,
    state: stopping ? "shutting-down" : ec2StateOfTask(task.lastStatus),
    launchTime: (task.createdAt ?? new Date(0)).toISOString(),
    pool: poolStartedBy(prefix, task.startedBy) ?? task.tags?.find((t) => t.key === "skiff:pool")?.value,
  };
}

/** Where skiff's tasks of one pool run: ListTasks needs the cluster, and filters by the pool's `startedBy`. */
export interface TaskSource {
  cluster: string;
  pool: string;
}

/** A cluster's name, from its name or ARN, so one cluster named both ways is listed once. */
const clusterName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);

/**
 * skiff's tasks of each pool: the ones ECS runs and the ones it stopped recently (listed for about
 * an hour; one still stopping is listed only there), found by the `startedBy` every skiff task
 * carries, then described 100 at a time with their tags. A cluster that no longer exists holds no
 * task, and does not fail the census.
 */
export async function describeSkiffTasks(
  ecs: ECSClient,
  prefix: string,
  sources: readonly TaskSource[],
): Promise<TaggedInstance[]> {
  const byCluster = new Map<string, Set<string>>();
  for (const source of uniqueSources(sources)) {
    const arns = byCluster.get(source.cluster) ?? new Set<string>();
    byCluster.set(source.cluster, arns);
    for (const arn of await listPoolTasks(ecs, prefix, source)) arns.add(arn);
  }
  const found: TaggedInstance[] = [];
  for (const [cluster, set] of byCluster) {
    const arns = [...set];
    for (let i = 0; i < arns.length; i += 100) {
      const out = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100), include: ["TAGS"] }),
      );
      for (const task of out.tasks ?? []) {
        const runner = asRunner(task, prefix);
        if (runner) found.push(runner);
      }
    }
  }
  return found;
}

function uniqueSources(sources: readonly TaskSource[]): TaskSource[] {
  const unique = new Map<string, TaskSource>();
  for (const { cluster, pool } of sources) {
    const name = clusterName(cluster);
    unique.set(`${name}/${pool}`, { cluster: name, pool });
  }
  return [...unique.values()];
}

/** A pool's tasks in one cluster, running and recently stopped; none when the cluster is gone. */
async function listPoolTasks(ecs: ECSClient, prefix: string, source: TaskSource): Promise<string[]> {
  const started = startedBy(prefix, source.pool);
  try {
    // Running first: a task only ever moves on to STOPPED, so one stopping meanwhile is in either list.
    const running = await listTaskArns(ecs, source.cluster, started, "RUNNING");
    const stopped = await listTaskArns(ecs, source.cluster, started, "STOPPED");
    return [...running, ...stopped];
  } catch (error) {
    if ((error as { name?: string }).name === "ClusterNotFoundException") return [];
    throw error;
  }
}

/**
 * An SQS client that sends every call to the endpoint the SDK's standard settings resolve
 * (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SQS`, or the region's), not to the host of the
 * queue URL a call carries: VPC endpoints and local emulators then serve every call.
 */
export function sqsClient(): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false });
}
