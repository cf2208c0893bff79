import { CreateFleetCommand, EC2Client } from "@aws-sdk/client-ec2";
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InstanceItem, JobItem } from "../../src/jobs/items.ts";
import { scaleDown } from "../../src/scale-down/scale-down.ts";
import { keys, expiresAt as ttl } from "../../src/store/keys.ts";
import { CREDENTIALS } from "../support/dynamo.ts";
import { INSTALLATION_ID, JOB_LABELS, type Plane, startPlane } from "./plane.ts";

const RUNNERS = 1000;
const CYCLES = 20;

let plane: Plane;

/**
 * 1,000 runners launched, registered, and each busy with its job per the state table (the
 * reconcile trusts the webhook state, not GitHub's busy flag, so GitHub's side stays idle).
 */
async function steadyFleet() {
  const ec2 = new EC2Client({ endpoint: plane.ec2.url, region: "us-east-1", credentials: CREDENTIALS });
  await ec2.send(
    new CreateFleetCommand({
      Type: "instant",
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateId: "lt-0123", Version: "$Default" },
          Overrides: [{ InstanceType: "m7i.large", SubnetId: "subnet-a" }],
        },
      ],
      TargetCapacitySpecification: { TotalTargetCapacity: RUNNERS, DefaultTargetCapacityType: "spot" },
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: [
            { Key: "skiff:prefix", Value: "ci" },
            { Key: "skiff:pool", Value: "ci" },
          ],
        },
      ],
    }),
  );
  ec2.destroy();
  const instances = plane.ec2.instances();
  for (const i of instances) plane.ec2.setState(i.instanceId, "running");
  // The lifecycle queue got a state-change event per instance; the fleet is already steady.
  while (plane.sqs.receive(plane.lifecycleQueue, 10, 3600).length > 0);

  // Registrations straight over the wire (Octokit spaces writes out: 1,000 would take minutes).
  const octokit = await plane.gh.client(INSTALLATION_ID);
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  const runners: number[] = [];
  for (let i = 0; i < RUNNERS; i += 100) {
    const batch = instances.slice(i, i + 100).map(async (instance) => {
      const response = await fetch(
        `${plane.github.url}/repos/acme/widgets/actions/runners/generate-jitconfig`,
        {
          method: "POST",
          headers: { authorization: `token ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            name: `ci-${instance.instanceId}`,
            runner_group_id: 1,
            labels: ["self-hosted", "linux", "x64", "ci"],
          }),
        },
      );
      return ((await response.json()) as { runner: { id: number } }).runner.id;
    });
    runners.push(...(await Promise.all(batch)));
  }

  const now = plane.now();
  const at = now.toISOString();
  const expiresAt = ttl(now, "item");
  const items: ((JobItem | InstanceItem) & { pk: string; expiresAt: number })[] = [];
  instances.forEach((instance, i) => {
    const job = { id: 10_000 + i, runId: 50_000 + i };
    const runnerId = runners[i];
    items.push({
      pk: keys.job(job.id),
      jobId: job.id,
      runId: job.runId,
      owner: "acme",
      repository: "widgets",
      installationId: INSTALLATION_ID,
      pool: "ci",
      labels: JOB_LABELS,
      queuedAt: at,
      status: "running",
      holdsSlot: true,
      attempts: 0,
      instanceId: instance.instanceId,
      runnerName: `ci-${instance.instanceId}`,
      runnerId,
      startedAt: at,
      updatedAt: at,
      expiresAt,
    });
    items.push({
      pk: keys.instance(instance.instanceId),
      instanceId: instance.instanceId,
      jobId: job.id,
      pool: "ci",
      status: "busy",
      busyJobId: job.id,
      launchedAt: at,
      startedAt: at,
      runnerId,
      owner: "acme",
      repository: "widgets",
      runnerLevel: "repo",
      installationId: INSTALLATION_ID,
      updatedAt: at,
      expiresAt,
    });
  });
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await (plane.db.doc as DynamoDBDocumentClient).send(
      new BatchWriteCommand({ RequestItems: { [plane.db.table as string]: chunk } }),
    );
  }
  await (plane.db.doc as DynamoDBDocumentClient).send(
    new PutCommand({
      TableName: plane.db.table as string,
      Item: { pk: keys.pool("ci"), active: RUNNERS, version: 1 },
    }),
  );
}

describe("scaleDown(deps) at 1,000 busy runners", () => {
  beforeAll(async () => {
    plane = await startPlane({ listEvery: 10, redeliverEvery: 5, webhooks: false, store: "dynamodb" });
    await steadyFleet();
  }, 60_000);
  afterAll(async () => {
    await plane?.close();
  });

  it("makes few GitHub calls per cycle, and terminates nothing", async () => {
    // Prepare: warm the App's installation token, as a running Lambda has it cached.
    await plane.gh.client(INSTALLATION_ID);
    plane.advance(600);

    // Act
    const perCycle: number[] = [];
    const operations = new Map<string, number>();
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      plane.advance(120);
      const before = plane.github.calls.length;
      await scaleDown(plane.scaleDownDeps);
      const calls = plane.github.calls.slice(before);
      perCycle.push(calls.length);
      for (const c of calls) operations.set(c.operation, (operations.get(c.operation) ?? 0) + 1);
    }

    // Assess
    const average = perCycle.reduce((a, b) => a + b, 0) / CYCLES;
    const max = Math.max(...perCycle);
    console.log(
      `GitHub API calls per reconcile cycle, ${RUNNERS} busy runners, ${CYCLES} cycles ` +
        `(listEvery=10, redeliverEvery=5): average ${average.toFixed(2)}, max ${max}; ` +
        `per cycle [${perCycle.join(", ")}]; by route ${JSON.stringify(Object.fromEntries(operations))}`,
    );
    expect(plane.ec2.instances({ state: "running" })).toHaveLength(RUNNERS);
    expect(plane.github.registrations()).toHaveLength(RUNNERS);
    expect(average).toBeLessThanOrEqual(2);
  }, 60_000);
});
