import { generateKeyPairSync } from "node:crypto";
import { ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeEcs, FakeGitHub, FakeSsm, type FakeTask } from "../fakes/index.ts";
import { FastClock } from "./clock.ts";
import type { InstanceEvent } from "./instances.ts";
import { SimulatedTask } from "./tasks.ts";

// SimulatedTask against the fakes alone (no Lambdas): what a task does on its own, and what it does
// when ECS asks it to stop. Virtual time runs 100× faster than real time.
const ROLE_ID = "AROAEXAMPLETASKROLE1";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
});

describe("SimulatedTask", () => {
  let clock: FastClock;
  let ecs: FakeEcs;
  let ssm: FakeSsm;
  let github: FakeGitHub;
  let ecsClient: ECSClient;
  let control: SSMClient;
  let events: InstanceEvent[];
  let changes: FakeTask[];
  const clients: SSMClient[] = [];

  beforeEach(async () => {
    clock = new FastClock(100);
    [ecs, ssm, github] = await Promise.all([
      FakeEcs.start({ now: clock.now, clusters: ["ci-runners"], stopping: "by-test" }),
      FakeSsm.start({ now: clock.now, runnerRole: { parameterPath: "/ci/jit/" } }),
      FakeGitHub.start({ now: clock.now, appId: 1, publicKey: keys.publicKey }),
    ]);
    ecsClient = new ECSClient({ region: "us-east-1", credentials, endpoint: ecs.url, maxAttempts: 1 });
    control = new SSMClient({ region: "us-east-1", credentials, endpoint: ssm.url, maxAttempts: 1 });
    events = [];
    changes = [];
    ecs.onStateChange((task) => changes.push(task));
  });

  afterEach(async () => {
    for (const client of [ecsClient, control, ...clients]) client.destroy();
    await Promise.all([ecs.close(), ssm.close(), github.close()]);
  });

  /** Starts one task as scale-up does and plays it. */
  async function launch(provider: "FARGATE" | "FARGATE_SPOT" = "FARGATE_SPOT") {
    const out = await ecsClient.send(
      new RunTaskCommand({
        cluster: "ci-runners",
        taskDefinition: "ci-tasks-runner:1",
        capacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"] } },
        startedBy: "skiff/ci/tasks",
        tags: [{ key: "skiff:pool", value: "tasks" }],
      }),
    );
    const task = ecs.task(out.tasks?.[0]?.taskArn as string) as FakeTask;
    const sim = new SimulatedTask(
      {
        clock,
        ecs,
        github,
        ssmFor: (id) => {
          const client = new SSMClient({
            region: "us-east-1",
            endpoint: ssm.url,
            credentials: ssm.taskCredentials(ROLE_ID, id),
            maxAttempts: 1,
          });
          clients.push(client);
          return client;
        },
        prefix: "ci",
        startSeconds: () => 30,
        jobSeconds: () => 60,
        bootTimeoutSeconds: () => 120,
        note: (event) => events.push(event),
      },
      task,
    );
    ecs.onStateChange((changed) => {
      if (changed.taskId === task.taskId) sim.stateChanged(changed);
    });
    return { task, sim };
  }

  /** Writes the task's JIT config as scale-up does: tagged with the task's user id. */
  async function writeJit(taskId: string, userId = `${ROLE_ID}:${taskId}`) {
    const app = new Octokit({
      baseUrl: github.url,
      authStrategy: createAppAuth,
      auth: { appId: 1, privateKey: keys.privateKey, installationId: 1 },
    });
    const { data } = await app.request("POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig", {
      owner: "acme",
      repo: "widgets",
      name: `ci-${taskId}`,
      runner_group_id: 1,
      labels: ["self-hosted", "linux", "x64", "fargate"],
      work_folder: "_work",
    });
    ssm.put(`/ci/jit/${taskId}`, data.encoded_jit_config, { tags: { "skiff:task-userid": userId } });
  }

  const statuses = (taskId: string) =>
    changes.filter((c) => c.taskId === taskId).map((c) => `${c.lastStatus}/${c.desiredStatus}`);

  it("reads its own JIT config once it exists, deletes it, runs one job and exits: EssentialContainerExited", async () => {
    const { task, sim } = await launch();
    const job = await github.queueJob({ owner: "acme", repo: "widgets", labels: ["self-hosted", "fargate"] });
    await clock.sleep(40_000);
    await writeJit(task.taskId);

    await sim.done;

    expect(events.map((e) => e.kind)).toEqual([
      "running",
      "jit-read",
      "registered",
      "job-started",
      "job-done",
      "power-off",
    ]);
    expect(events.find((e) => e.kind === "jit-read")).toMatchObject({ attempts: expect.any(Number) });
    expect((events.find((e) => e.kind === "jit-read") as { attempts: number }).attempts).toBeGreaterThan(1);
    expect(github.job(job.id)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(github.job(job.id)?.runnerName).toBe(`ci-${task.taskId}`);
    expect(ssm.names()).toEqual([]);
    expect(ssm.reads.map((r) => r.taskUserId)).toEqual([`${ROLE_ID}:${task.taskId}`]);
    expect(statuses(task.taskId)).toEqual([
      "PROVISIONING/RUNNING",
      "PENDING/RUNNING",
      "RUNNING/RUNNING",
      "DEACTIVATING/STOPPED",
      "STOPPING/STOPPED",
      "DEPROVISIONING/STOPPED",
      "STOPPED/STOPPED",
    ]);
    expect(ecs.task(task.taskId)?.stopCode).toBe("EssentialContainerExited");
  });

  it("never reads a JIT config tagged for another task, and exits at the boot timeout", async () => {
    const { task, sim } = await launch();
    await writeJit(task.taskId, `${ROLE_ID}:${"f".repeat(32)}`);

    await sim.done;

    expect(events.map((e) => e.kind)).toEqual(["running", "power-off"]);
    expect(events.at(-1)).toMatchObject({ why: expect.stringContaining("boot timeout") });
    expect(ssm.reads).toEqual([]);
    expect(ecs.task(task.taskId)).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
    });
  });

  it("goes offline and stops when StopTask reaches its idle runner: UserInitiated", async () => {
    const { task, sim } = await launch();
    await writeJit(task.taskId);
    await clock.sleep(35_000);
    while (!events.some((e) => e.kind === "registered")) await clock.sleep(1_000);

    await ecsClient.send(new StopTaskCommand({ cluster: "ci-runners", task: task.taskArn, reason: "idle" }));
    await sim.done;

    expect(github.registrations().map((r) => r.status)).toEqual(["offline"]);
    expect(statuses(task.taskId).slice(-5)).toEqual([
      "RUNNING/STOPPED",
      "DEACTIVATING/STOPPED",
      "STOPPING/STOPPED",
      "DEPROVISIONING/STOPPED",
      "STOPPED/STOPPED",
    ]);
    expect(ecs.task(task.taskId)).toMatchObject({ stopCode: "UserInitiated", stoppedReason: "idle" });
  });

  it("fails its job and stops when Fargate Spot interrupts it: SpotInterruption", async () => {
    const { task, sim } = await launch();
    const job = await github.queueJob({ owner: "acme", repo: "widgets", labels: ["self-hosted", "fargate"] });
    await writeJit(task.taskId);
    while (sim.jobId === undefined) await clock.sleep(1_000);

    ecs.interrupt(task.taskId);
    await sim.done;

    expect(events.map((e) => e.kind).slice(-2)).toEqual(["job-lost", "power-off"]);
    expect(github.job(job.id)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(ecs.task(task.taskId)).toMatchObject({ lastStatus: "STOPPED", stopCode: "SpotInterruption" });
  });

  it("stops without starting its container when StopTask comes while it is provisioned", async () => {
    const { task, sim } = await launch("FARGATE");
    await clock.sleep(5_000);

    await ecsClient.send(new StopTaskCommand({ cluster: "ci-runners", task: task.taskArn }));
    await sim.done;

    expect(events.map((e) => e.kind)).toEqual(["power-off"]);
    expect(statuses(task.taskId)).toEqual([
      "PROVISIONING/RUNNING",
      "PROVISIONING/STOPPED",
      "STOPPING/STOPPED",
      "DEPROVISIONING/STOPPED",
      "STOPPED/STOPPED",
    ]);
  });
});
