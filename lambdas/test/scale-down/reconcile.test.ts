import { describe, expect, it } from "vitest";
import type { InstanceItem, JobItem } from "../../src/jobs/items.ts";
import {
  type Action,
  DEFAULT_SETTINGS,
  type Ec2Instance,
  type ReconcileInput,
  reconcile,
} from "../../src/scale-down/reconcile.ts";
import type { RunnerRegistration, RunnerScope } from "../../src/shared/github.ts";
import { pool } from "../support/fixtures.ts";

// The pool: boot timeout 300 s, max lifetime 6 h. Settings: done grace 120 s, orphan grace
// 180 s, swap grace 120 s, resend grace 60 s.
const NOW = new Date("2026-11-22T12:00:00Z");
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const id = (n: number) => `i-${n.toString(16).padStart(17, "0")}`;
const scope: RunnerScope = { installationId: 42, owner: "acme", repository: "widgets", level: "repo" };

function job(jobId: number, patch: Partial<JobItem> = {}): JobItem {
  return {
    jobId,
    runId: 7000 + jobId,
    owner: "acme",
    repository: "widgets",
    installationId: 42,
    pool: "ci",
    labels: ["ci"],
    queuedAt: ago(400),
    status: "registered",
    holdsSlot: true,
    attempts: 0,
    instanceId: id(jobId),
    runnerName: `ci-${id(jobId)}`,
    updatedAt: ago(100),
    ...patch,
  };
}

function item(n: number, patch: Partial<InstanceItem> = {}): InstanceItem {
  return {
    instanceId: id(n),
    jobId: n,
    pool: "ci",
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

function ec2(n: number, patch: Partial<Ec2Instance> = {}): Ec2Instance {
  return { instanceId: id(n), state: "running", launchTime: ago(100), pool: "ci", ...patch };
}

function registration(n: number, patch: Partial<RunnerRegistration> = {}): RunnerRegistration {
  return { id: 500 + n, name: `ci-${id(n)}`, status: "online", busy: false, ...patch };
}

/** A job launched on its own instance, `age` seconds ago, and what each source says about it. */
function launched(
  n: number,
  age: number,
  patch: { job?: Partial<JobItem>; item?: Partial<InstanceItem> } = {},
) {
  return {
    jobs: [job(n, { launchedAt: ago(age), ...patch.job })],
    instances: [item(n, { launchedAt: ago(age), ...patch.item })],
    ec2: [ec2(n, { launchTime: ago(age) })],
  };
}

/** Builds the input; pool counters default to the truth (the jobs holding a slot). */
function input(world: Partial<ReconcileInput>): ReconcileInput {
  const jobs = world.jobs ?? [];
  const holding = jobs.filter((j) => j.holdsSlot).length;
  return {
    now: NOW,
    prefix: "ci",
    pools: world.pools ?? new Map([["ci", pool]]),
    jobs,
    instances: world.instances ?? [],
    ec2: world.ec2 ?? [],
    counters: world.counters ?? new Map([["ci", seen(holding)]]),
    ...(world.registrations ? { registrations: world.registrations } : {}),
    ...(world.launchTemplateVersions ? { launchTemplateVersions: world.launchTemplateVersions } : {}),
    settings: DEFAULT_SETTINGS,
  };
}

/** A counter as the reconcile read it before the scan. */
const seen = (active: number) => ({ active, version: 7 });

const deregisterOwn = (n: number) => ({ scope, runnerId: 500 + n });

interface Case {
  name: string;
  world: Partial<ReconcileInput>;
  actions: Action[];
}

function table(cases: Case[]) {
  it.each(cases)("$name", ({ world, actions }) => {
    // Act
    const decided = reconcile(input(world));
    // Assess
    expect(decided).toEqual(actions);
  });
}

describe("reconcile(input) → actions", () => {
  describe("(a) an instance that does not take its job within the boot timeout", () => {
    table([
      {
        name: "is left alone before the boot timeout",
        world: launched(1, 299),
        actions: [],
      },
      {
        name: "is deregistered first, then terminated, its JIT deleted and its job requeued",
        world: launched(1, 301),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "boot-timeout", deregister: deregisterOwn(1) },
          { kind: "delete-jit", instanceId: id(1) },
          {
            kind: "requeue",
            jobId: 1,
            reason: "runner did not start within the boot timeout",
            instanceId: id(1),
          },
        ],
      },
      {
        name: "is terminated without a deregistration when it never got a registration",
        world: launched(1, 301, { job: { status: "launched" }, item: { runnerId: undefined } }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "boot-timeout" },
          { kind: "delete-jit", instanceId: id(1) },
          {
            kind: "requeue",
            jobId: 1,
            reason: "runner did not start within the boot timeout",
            instanceId: id(1),
          },
        ],
      },
      {
        name: "does not requeue a job that no longer waits for it (requeued already)",
        world: launched(1, 301, { job: { status: "pending", holdsSlot: false } }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "boot-timeout", deregister: deregisterOwn(1) },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
      {
        name: "is terminated as idle after a minute when its own job completed elsewhere or was cancelled",
        world: launched(1, 61, { job: { status: "completed", holdsSlot: false } }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "idle", deregister: deregisterOwn(1) },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
    ]);
  });

  describe("(b) an instance whose job completed", () => {
    table([
      {
        name: "keeps running within the grace period (it powers itself off)",
        world: launched(1, 900, {
          job: { status: "completed", holdsSlot: false },
          item: { status: "done", doneAt: ago(119) },
        }),
        actions: [],
      },
      {
        name: "is terminated once past the grace period",
        world: launched(1, 900, {
          job: { status: "completed", holdsSlot: false },
          item: { status: "done", doneAt: ago(121) },
        }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "job-done" },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
      {
        name: "is terminated when completed arrived before in_progress (the item went straight to done)",
        world: launched(1, 200, {
          job: { status: "completed", holdsSlot: false, startedAt: undefined },
          item: { status: "done", doneAt: ago(150), busyJobId: 1 },
        }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "job-done" },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
      {
        name: "is terminated past the grace when an event said it went down but EC2 still lists it",
        world: launched(1, 900, { item: { status: "gone", updatedAt: ago(121), busyJobId: 1 } }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "down" },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
    ]);
  });

  describe("(c) an instance older than the pool's max lifetime", () => {
    table([
      {
        name: "is terminated even while its job is in progress",
        world: launched(1, 6 * 3600 + 1, {
          job: { status: "running", startedAt: ago(6 * 3600) },
          item: { status: "busy", busyJobId: 1 },
        }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "max-lifetime" },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
      {
        name: "is terminated when it never took a job either",
        world: launched(1, 6 * 3600 + 1, { job: { status: "pending", holdsSlot: false } }),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "max-lifetime" },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
      {
        name: "is terminated by EC2's pool tag when its pool is no longer configured (default 6 h)",
        world: { ec2: [ec2(1, { launchTime: ago(6 * 3600 + 1), pool: "removed" })] },
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "max-lifetime" },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
    ]);
  });

  describe("(5) a busy instance under its max lifetime", () => {
    const busy = (registrationBusy: boolean, age: number) => ({
      ...launched(1, age, {
        job: { status: "running", startedAt: ago(age - 30) },
        item: { status: "busy", busyJobId: 1, startedAt: ago(age - 30) },
      }),
      registrations: [{ scope, runners: [registration(1, { busy: registrationBusy })] }],
    });
    table([
      { name: "is never terminated when GitHub says busy", world: busy(true, 3600), actions: [] },
      {
        name: "is never terminated when GitHub's lagging flag says idle",
        world: busy(false, 3600),
        actions: [],
      },
      {
        name: "is never terminated past the boot timeout and the done grace",
        world: busy(false, 6 * 3600 - 1),
        actions: [],
      },
      {
        name: "is never terminated while it runs another job than its own",
        world: {
          jobs: [job(1, { status: "running", runnerName: `ci-${id(2)}` }), job(2, { status: "launched" })],
          instances: [item(2, { status: "busy", busyJobId: 1, startedAt: ago(30), launchedAt: ago(3000) })],
          ec2: [ec2(2, { launchTime: ago(3000) })],
        },
        actions: [],
      },
    ]);
  });

  describe("(d) a tagged instance with no state item (launcher crashed before the bind)", () => {
    table([
      {
        name: "is left alone within the orphan grace",
        world: { ec2: [ec2(9, { launchTime: ago(179) })] },
        actions: [],
      },
      {
        name: "is terminated and its JIT deleted after the orphan grace",
        world: { ec2: [ec2(9, { launchTime: ago(181) })] },
        actions: [
          { kind: "terminate", instanceId: id(9), reason: "orphan" },
          { kind: "delete-jit", instanceId: id(9) },
        ],
      },
      {
        name: "is left alone when already shutting down",
        world: { ec2: [ec2(9, { launchTime: ago(900), state: "shutting-down" })] },
        actions: [],
      },
    ]);
  });

  describe("an instance that is gone from EC2", () => {
    table([
      {
        name: "is not judged while brand new (DescribeInstances may not list it yet)",
        world: { ...launched(1, 60), ec2: [] },
        actions: [],
      },
      {
        name: "had its job requeued, its registration and JIT deleted, and its item forgotten when it never took the job",
        world: { ...launched(1, 200), ec2: [] },
        actions: [
          { kind: "requeue", jobId: 1, reason: "instance went away before taking the job" },
          { kind: "deregister", scope, runnerId: 501, reason: "instance gone" },
          { kind: "delete-jit", instanceId: id(1) },
          { kind: "forget-instance", instanceId: id(1) },
        ],
      },
      {
        name: "still has its waiting job requeued when a state-change event already marked it gone",
        world: { ...launched(1, 200, { item: { status: "gone" } }), ec2: [] },
        actions: [
          { kind: "requeue", jobId: 1, reason: "instance went away before taking the job" },
          { kind: "deregister", scope, runnerId: 501, reason: "instance gone" },
          { kind: "delete-jit", instanceId: id(1) },
          { kind: "forget-instance", instanceId: id(1) },
        ],
      },
      {
        name: "is deregistered and its JIT parameter deleted when it died mid-job (no completion: both would outlive it)",
        world: {
          ...launched(1, 900, {
            job: { status: "running", startedAt: ago(800), updatedAt: ago(60) },
            item: { status: "busy", busyJobId: 1, startedAt: ago(800) },
          }),
          ec2: [],
        },
        actions: [
          { kind: "deregister", scope, runnerId: 501, reason: "instance gone" },
          { kind: "delete-jit", instanceId: id(1) },
          { kind: "forget-instance", instanceId: id(1) },
        ],
      },
      {
        name: "is forgotten, with its JIT parameter deleted, after its job completed (the ephemeral runner deregistered itself)",
        world: {
          ...launched(1, 900, {
            job: { status: "completed", holdsSlot: false },
            item: { status: "done", doneAt: ago(300), busyJobId: 1 },
          }),
          ec2: [],
        },
        actions: [
          { kind: "delete-jit", instanceId: id(1) },
          { kind: "forget-instance", instanceId: id(1) },
        ],
      },
    ]);
  });

  describe("(e) GitHub registrations, listed only every N cycles", () => {
    table([
      {
        name: "a registration whose instance is gone and forgotten is deleted",
        world: { registrations: [{ scope, runners: [registration(3)] }] },
        actions: [{ kind: "deregister", scope, runnerId: 503, reason: "registration without an instance" }],
      },
      {
        name: "nothing is deregistered on a cycle that did not list (same state)",
        world: {},
        actions: [],
      },
      {
        name: "a brand-new instance's registration is kept although EC2 does not list it yet",
        world: {
          jobs: [job(3)],
          instances: [item(3, { launchedAt: ago(30) })],
          registrations: [{ scope, runners: [registration(3)] }],
        },
        actions: [],
      },
      {
        name: "a live instance's registration is kept",
        world: { ...launched(3, 100), registrations: [{ scope, runners: [registration(3)] }] },
        actions: [],
      },
      {
        name: "registrations that are not this deployment's are left alone",
        world: {
          registrations: [
            {
              scope,
              runners: [
                registration(3, { name: `other-${id(3)}` }),
                registration(4, { name: "laptop" }),
                registration(5, { name: "ci-i-not-hex" }),
              ],
            },
          ],
        },
        actions: [],
      },
      {
        name: "a registration found both by the listing and by the gone instance is deleted once",
        world: { ...launched(1, 200), ec2: [], registrations: [{ scope, runners: [registration(1)] }] },
        actions: [
          { kind: "requeue", jobId: 1, reason: "instance went away before taking the job" },
          { kind: "deregister", scope, runnerId: 501, reason: "instance gone" },
          { kind: "delete-jit", instanceId: id(1) },
          { kind: "forget-instance", instanceId: id(1) },
        ],
      },
    ]);
  });

  describe("races between events", () => {
    // Job 2's runner (instance 2) took job 1; job 1's own instance 1 is still idle.
    const swapped = (startedAgo: number, job1: Partial<JobItem> = {}) => ({
      jobs: [
        job(1, { status: "running", runnerName: `ci-${id(2)}`, startedAt: ago(startedAgo), ...job1 }),
        job(2, { status: "registered" }),
      ],
      instances: [
        item(1, { launchedAt: ago(200) }),
        item(2, { status: "busy", busyJobId: 1, startedAt: ago(startedAgo), launchedAt: ago(200) }),
      ],
      ec2: [ec2(1, { launchTime: ago(200) }), ec2(2, { launchTime: ago(200) })],
    });
    table([
      {
        name: "a runner that took another job leaves its own job waiting within the swap grace",
        world: swapped(60),
        // Instance 1's own job runs elsewhere: it is idle (deregistered first: GitHub refuses
        // if it just took job 2, and then it is kept).
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "idle", deregister: deregisterOwn(1) },
          { kind: "delete-jit", instanceId: id(1) },
        ],
      },
      {
        name: "a runner that took another job has its own job requeued after the swap grace",
        world: swapped(121),
        actions: [
          { kind: "terminate", instanceId: id(1), reason: "idle", deregister: deregisterOwn(1) },
          { kind: "delete-jit", instanceId: id(1) },
          { kind: "requeue", jobId: 2, reason: "its runner took another job" },
        ],
      },
      {
        name: "a running job whose runner is gone and whose completion never arrived is finished",
        world: {
          jobs: [job(1, { status: "running", startedAt: ago(900), updatedAt: ago(600) })],
          instances: [],
          ec2: [],
        },
        actions: [{ kind: "finish-job", jobId: 1, reason: "runner gone; completion never arrived" }],
      },
      {
        name: "a running job whose runner is alive is left running however long ago it started",
        world: launched(1, 5 * 3600, {
          job: { status: "running", startedAt: ago(5 * 3600), updatedAt: ago(5 * 3600) },
          item: { status: "busy", busyJobId: 1 },
        }),
        actions: [],
      },
      {
        name: "a running job on a runner that is not skiff's is left to its webhook",
        world: { jobs: [job(1, { status: "running", runnerName: "laptop", updatedAt: ago(9000) })] },
        actions: [],
      },
      {
        name: "a claim whose claimer died (lease expired) is requeued",
        world: {
          jobs: [
            job(1, {
              status: "claimed",
              holdsSlot: false,
              instanceId: undefined,
              leaseUntil: NOW.getTime() - 1,
            }),
          ],
        },
        actions: [{ kind: "requeue", jobId: 1, reason: "claim expired before a launch" }],
      },
      {
        name: "a live claim is left to its claimer",
        world: {
          jobs: [
            job(1, {
              status: "claimed",
              holdsSlot: false,
              instanceId: undefined,
              leaseUntil: NOW.getTime() + 1,
            }),
          ],
        },
        actions: [],
      },
      {
        name: "a launch interrupted before its instance was recorded is requeued after the orphan grace",
        world: { jobs: [job(1, { status: "launching", instanceId: undefined, updatedAt: ago(181) })] },
        actions: [
          { kind: "requeue", jobId: 1, reason: "launch interrupted before the instance was recorded" },
        ],
      },
      {
        name: "a launch in progress is left alone",
        world: { jobs: [job(1, { status: "launching", instanceId: undefined, updatedAt: ago(30) })] },
        actions: [],
      },
      {
        name: "a requeue whose message was not sent is sent again after the resend grace",
        world: { jobs: [job(1, { status: "pending", holdsSlot: false, unsent: true, updatedAt: ago(61) })] },
        actions: [{ kind: "resend", jobId: 1 }],
      },
      {
        name: "a give-up whose DLQ message was not sent is sent again",
        world: { jobs: [job(1, { status: "failed", holdsSlot: false, unsent: true, updatedAt: ago(61) })] },
        actions: [{ kind: "resend", jobId: 1 }],
      },
      {
        name: "a requeue being sent right now is not sent twice",
        world: { jobs: [job(1, { status: "pending", holdsSlot: false, unsent: true, updatedAt: ago(5) })] },
        actions: [],
      },
    ]);
  });

  describe("(f) pool counters", () => {
    const holding = (n: number) =>
      Array.from({ length: n }, (_, i) => job(i + 1, { status: "running", runnerName: undefined }));
    const claim = (jobId: number, leaseFromNow: number) =>
      job(jobId, {
        status: "claimed",
        holdsSlot: false,
        instanceId: undefined,
        leaseUntil: NOW.getTime() + leaseFromNow * 1000,
      });
    table([
      {
        name: "are raised to the truth when they undercount",
        world: { jobs: holding(2), counters: new Map([["ci", seen(1)]]) },
        actions: [{ kind: "set-counter", pool: "ci", active: 2, seen: seen(1) }],
      },
      {
        name: "are lowered to the truth when they overcount",
        world: { jobs: holding(2), counters: new Map([["ci", seen(5)]]) },
        actions: [{ kind: "set-counter", pool: "ci", active: 2, seen: seen(5) }],
      },
      {
        name: "are lowered only to the truth plus the claims in flight (they may be reserving now)",
        world: { jobs: [...holding(2), claim(10, 60)], counters: new Map([["ci", seen(5)]]) },
        actions: [{ kind: "set-counter", pool: "ci", active: 3, seen: seen(5) }],
      },
      {
        name: "are left alone when the surplus is covered by claims in flight",
        world: { jobs: [...holding(2), claim(10, 60)], counters: new Map([["ci", seen(3)]]) },
        actions: [],
      },
      {
        name: "are left alone when they hold the truth",
        world: { jobs: holding(2), counters: new Map([["ci", seen(2)]]) },
        actions: [],
      },
      {
        name: "of a pool with no live jobs drop to zero",
        world: { counters: new Map([["ci", seen(3)]]) },
        actions: [{ kind: "set-counter", pool: "ci", active: 0, seen: seen(3) }],
      },
    ]);
  });

  describe("(g) warm runners on a launch template version that is no longer current", () => {
    // Two waiting warm runners (wanted: 2) in the pool's launch template lt-0123, whose current version is 3.
    const warmPools = new Map([
      [
        "ci",
        {
          ...pool,
          runnerLevel: "org" as const,
          warm: { idle: 2, organization: "acme", maxIdleSeconds: 3600, schedule: [] },
        },
      ],
    ]);
    const waiting = (n: number, patch: Partial<InstanceItem> = {}) =>
      item(n, {
        jobId: undefined,
        warm: true,
        holdsSlot: true,
        owner: "acme",
        repository: "",
        runnerLevel: "org",
        launchedAt: ago(600),
        ...patch,
      });
    const from = (n: number, version: number, id = "lt-0123") =>
      ec2(n, { launchTime: ago(600), launchTemplate: { id, version } });
    const current = new Map([["lt-0123", 3]]);
    const orgScope: RunnerScope = { installationId: 42, owner: "acme", repository: "", level: "org" };
    const retired = (n: number) => ({
      kind: "retire-warm" as const,
      instanceId: id(n),
      pool: "ci",
      reason: "launch-template-changed" as const,
      deregister: { scope: orgScope, runnerId: 500 + n },
    });
    // Each waiting runner holds a slot of its own.
    const counters = new Map([["ci", seen(2)]]);

    table([
      {
        name: "a waiting runner launched from an older version is retired, and the pool topped up",
        world: {
          pools: warmPools,
          instances: [waiting(1), waiting(2)],
          ec2: [from(1, 2), from(2, 3)],
          launchTemplateVersions: current,
          counters,
        },
        actions: [
          retired(1),
          { kind: "top-up-warm", pool: "ci", wanted: 2 },
          { kind: "warm-idle", pool: "ci", runners: 1 },
        ],
      },
      {
        name: "a waiting runner launched from a template the pool no longer uses is retired",
        world: {
          pools: warmPools,
          instances: [waiting(1), waiting(2)],
          ec2: [from(1, 3, "lt-0old"), from(2, 3)],
          launchTemplateVersions: current,
          counters,
        },
        actions: [
          retired(1),
          { kind: "top-up-warm", pool: "ci", wanted: 2 },
          { kind: "warm-idle", pool: "ci", runners: 1 },
        ],
      },
      {
        name: "a runner on an older version set aside for a job, or busy with one, is never retired",
        world: {
          pools: warmPools,
          jobs: [job(1, { status: "launched", instanceId: id(1) }), job(2, { status: "running" })],
          instances: [
            waiting(1, { jobId: 1, adoptedAt: ago(10), holdsSlot: false }),
            waiting(2, { jobId: 2, status: "busy", busyJobId: 2, holdsSlot: false }),
            waiting(3),
            waiting(4),
          ],
          ec2: [from(1, 1), from(2, 1), from(3, 3), from(4, 3)],
          launchTemplateVersions: current,
          counters: new Map([["ci", seen(4)]]),
        },
        actions: [{ kind: "warm-idle", pool: "ci", runners: 2 }],
      },
      {
        name: "without the current version (DescribeLaunchTemplates failed) no runner is retired for its version",
        world: {
          pools: warmPools,
          instances: [waiting(1), waiting(2)],
          ec2: [from(1, 1), from(2, 1)],
          counters,
        },
        actions: [{ kind: "warm-idle", pool: "ci", runners: 2 }],
      },
      {
        name: "without EC2's launch template tags on an instance it is not retired for its version",
        world: {
          pools: warmPools,
          instances: [waiting(1), waiting(2)],
          ec2: [ec2(1, { launchTime: ago(600) }), from(2, 3)],
          launchTemplateVersions: current,
          counters,
        },
        actions: [{ kind: "warm-idle", pool: "ci", runners: 2 }],
      },
      {
        name: "a runner both too old and on an older version is retired once, as max-idle",
        world: {
          pools: warmPools,
          instances: [waiting(1, { launchedAt: ago(3601) }), waiting(2)],
          ec2: [from(1, 1), from(2, 3)],
          launchTemplateVersions: current,
          counters,
        },
        actions: [
          { ...retired(1), reason: "max-idle" },
          { kind: "top-up-warm", pool: "ci", wanted: 2 },
          { kind: "warm-idle", pool: "ci", runners: 1 },
        ],
      },
    ]);
  });

  describe("is a plain function", () => {
    it("gives the same actions for the same inputs", () => {
      // Prepare
      const world = { ...launched(1, 301), registrations: [{ scope, runners: [registration(3)] }] };
      // Act
      const first = reconcile(input(world));
      const second = reconcile(input(world));
      // Assess
      expect(second).toEqual(first);
      expect(first.length).toBeGreaterThan(0);
    });

    it("decides nothing for a steady fleet of busy runners", () => {
      // Prepare
      const n = 1000;
      const world = {
        jobs: Array.from({ length: n }, (_, i) => job(i + 1, { status: "running", startedAt: ago(600) })),
        instances: Array.from({ length: n }, (_, i) =>
          item(i + 1, { status: "busy", busyJobId: i + 1, launchedAt: ago(700) }),
        ),
        ec2: Array.from({ length: n }, (_, i) => ec2(i + 1, { launchTime: ago(700) })),
        registrations: [
          { scope, runners: Array.from({ length: n }, (_, i) => registration(i + 1, { busy: true })) },
        ],
      };
      // Act
      const actions = reconcile(input(world));
      // Assess
      expect(actions).toEqual([]);
    });
  });
});
