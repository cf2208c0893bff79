import { describe, expect, it } from "vitest";
import type { InstanceItem, JobItem } from "../../src/jobs/items.ts";
import {
  type Action,
  DEFAULT_SETTINGS,
  type Ec2Instance,
  type ReconcileInput,
  reconcile,
} from "../../src/scale-down/reconcile.ts";
import type { RunnerScope } from "../../src/shared/github.ts";
import { fargatePool } from "../support/fixtures.ts";

// Fargate tasks follow the instance rules: the census reports them in EC2's vocabulary, with
// their ARN, and the actions that end one carry the ARN (StopTask instead of TerminateInstances).
// The pool "small": boot timeout 300 s, max lifetime 6 h; orphan grace 180 s, done grace 120 s.
const NOW = new Date("2026-11-22T12:00:00Z");
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const id = (n: number) => n.toString(16).padStart(32, "0");
const arn = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task/ci-runners/${id(n)}`;
const scope: RunnerScope = { installationId: 42, owner: "acme", repository: "widgets", level: "repo" };
const deregister = (n: number) => ({ scope, runnerId: 500 + n });

function job(n: number, patch: Partial<JobItem> = {}): JobItem {
  return {
    jobId: n,
    runId: 7000 + n,
    owner: "acme",
    repository: "widgets",
    installationId: 42,
    pool: "small",
    labels: ["small"],
    queuedAt: ago(400),
    status: "registered",
    holdsSlot: true,
    attempts: 0,
    instanceId: id(n),
    updatedAt: ago(100),
    ...patch,
  };
}

function item(n: number, patch: Partial<InstanceItem> = {}): InstanceItem {
  return {
    instanceId: id(n),
    taskArn: arn(n),
    jobId: n,
    pool: "small",
    status: "launched",
    launchedAt: ago(100),
    runnerId: 500 + n,
    owner: "acme",
    repository: "widgets",
    runnerLevel: "repo",
    installationId: 42,
    updatedAt: ago(100),
    ...patch,
  };
}

function task(n: number, patch: Partial<Ec2Instance> = {}): Ec2Instance {
  return {
    instanceId: id(n),
    taskArn: arn(n),
    state: "running",
    launchTime: ago(100),
    pool: "small",
    ...patch,
  };
}

function input(world: Partial<ReconcileInput>): ReconcileInput {
  const jobs = world.jobs ?? [];
  return {
    now: NOW,
    prefix: "ci",
    pools: new Map([["small", fargatePool]]),
    jobs,
    instances: world.instances ?? [],
    ec2: world.ec2 ?? [],
    counters: new Map([["small", { active: jobs.filter((j) => j.holdsSlot).length, version: 1 }]]),
    ...(world.registrations ? { registrations: world.registrations } : {}),
    settings: DEFAULT_SETTINGS,
  };
}

const stop = (n: number, reason: string, extra: object = {}): Action[] => [
  { kind: "terminate", instanceId: id(n), taskArn: arn(n), reason, ...extra } as Action,
  { kind: "delete-jit", instanceId: id(n) },
];

describe("reconcile(input) → actions, for Fargate tasks", () => {
  it.each<{ name: string; world: Partial<ReconcileInput>; actions: Action[] }>([
    {
      name: "an orphan task (running, started by skiff, no item) is left alone within the orphan grace",
      world: { ec2: [task(1, { launchTime: ago(179) })] },
      actions: [],
    },
    {
      name: "an orphan task is stopped, and its JIT parameter deleted, after the orphan grace",
      world: { ec2: [task(1, { launchTime: ago(181) })] },
      actions: stop(1, "orphan"),
    },
    {
      name: "a task that does not take its job within the boot timeout is deregistered, stopped and its job requeued",
      world: {
        jobs: [job(1)],
        instances: [item(1, { launchedAt: ago(301) })],
        ec2: [task(1, { launchTime: ago(301), state: "pending" })],
      },
      actions: [
        ...stop(1, "boot-timeout", { deregister: deregister(1) }),
        {
          kind: "requeue",
          jobId: 1,
          reason: "runner did not start within the boot timeout",
          instanceId: id(1),
        },
      ],
    },
    {
      name: "a busy task is never stopped before its max lifetime",
      world: {
        jobs: [job(1, { status: "running", startedAt: ago(3600) })],
        instances: [item(1, { status: "busy", busyJobId: 1, launchedAt: ago(21_599) })],
        ec2: [task(1, { launchTime: ago(21_599) })],
      },
      actions: [],
    },
    {
      name: "a busy task is stopped past its max lifetime",
      world: {
        jobs: [job(1, { status: "running", startedAt: ago(3600) })],
        instances: [item(1, { status: "busy", busyJobId: 1, launchedAt: ago(21_601) })],
        ec2: [task(1, { launchTime: ago(21_601) })],
      },
      actions: stop(1, "max-lifetime"),
    },
    {
      name: "a task ECS is stopping is on its way out: nothing is stopped, its waiting job is not requeued",
      world: {
        jobs: [job(1)],
        instances: [item(1, { launchedAt: ago(400) })],
        ec2: [task(1, { launchTime: ago(400), state: "shutting-down" })],
      },
      actions: [],
    },
    {
      name: "a stopped task (its event lost) is forgotten, its JIT and registration deleted, its waiting job requeued",
      world: {
        jobs: [job(1)],
        instances: [item(1, { launchedAt: ago(400) })],
        ec2: [task(1, { launchTime: ago(400), state: "terminated" })],
      },
      actions: [
        { kind: "requeue", jobId: 1, reason: "instance went away before taking the job" },
        { kind: "deregister", scope, runnerId: 501, reason: "instance gone" },
        { kind: "delete-jit", instanceId: id(1) },
        { kind: "forget-instance", instanceId: id(1) },
      ],
    },
    {
      name: "a running job whose task is gone and whose completion never arrived is finished",
      world: {
        jobs: [
          job(1, { status: "running", runnerName: `ci-${id(1)}`, startedAt: ago(900), updatedAt: ago(900) }),
        ],
      },
      actions: [{ kind: "finish-job", jobId: 1, reason: "runner gone; completion never arrived" }],
    },
    {
      name: "a registration of a task that is gone and forgotten is deleted on a listing cycle",
      world: {
        registrations: [
          { scope, runners: [{ id: 509, name: `ci-${id(9)}`, status: "offline", busy: false }] },
        ],
      },
      actions: [{ kind: "deregister", scope, runnerId: 509, reason: "registration without an instance" }],
    },
  ])("$name", ({ world, actions }) => {
    expect(reconcile(input(world))).toEqual(actions);
  });

  it("ends tasks and instances alike: each terminate names the task ARN only for a task", () => {
    // Prepare: one orphan instance and one orphan task.
    const instance: Ec2Instance = {
      instanceId: "i-0abc",
      state: "running",
      launchTime: ago(200),
      pool: "ci",
    };
    // Act
    const actions = reconcile(input({ ec2: [instance, task(2, { launchTime: ago(200) })] }));
    // Assess
    expect(actions.filter((a) => a.kind === "terminate")).toEqual([
      { kind: "terminate", instanceId: "i-0abc", reason: "orphan" },
      { kind: "terminate", instanceId: id(2), taskArn: arn(2), reason: "orphan" },
    ]);
  });
});
