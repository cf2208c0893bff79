import { afterEach, describe, expect, it } from "vitest";
import { scaleUp } from "../../src/scale-up/scale-up.ts";
import { pool } from "../support/fixtures.ts";
import { startWorld, type World } from "../support/world.ts";

const JIT_ROUTE = "POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig";
let world: World;

afterEach(async () => {
  await world?.close();
});

function failedIds(result: { batchItemFailures: { itemIdentifier: string }[] }) {
  return result.batchItemFailures.map((f) => f.itemIdentifier);
}

describe("scaleUp(records, deps) over the wire", () => {
  it("launches one runner per job with one CreateFleet and one GitHub call per job", async () => {
    world = await startWorld();
    const jobs = await Promise.all(Array.from({ length: 10 }, () => world.queueJob()));
    const githubBefore = world.github.calls.length;

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toEqual([]);
    const instances = world.ec2.instances();
    expect(instances).toHaveLength(10);
    expect(world.ec2.callCount("CreateFleet")).toBe(1);
    expect(world.ec2.calls.map((c) => c.operation)).toEqual(["CreateFleet"]);
    const githubCalls = world.github.calls.slice(githubBefore).map((c) => c.operation);
    expect(githubCalls.filter((c) => c === JIT_ROUTE)).toHaveLength(10);
    expect(githubCalls.length).toBeLessThanOrEqual(11); // + one installation token
    console.log(
      `batch of 10 jobs, one pool: EC2 calls ${world.ec2.calls.length}, GitHub calls ${githubCalls.length} (${githubCalls.length / 10} per job)`,
    );

    // Every instance has its JIT config at /ci/jit/<id>, tagged with its ARN.
    for (const instance of instances) {
      const parameter = world.ssm.get(`/ci/jit/${instance.instanceId}`);
      expect(parameter?.type).toBe("SecureString");
      expect(parameter?.tags["skiff:instance-arn"]).toBe(
        `arn:aws:ec2:us-east-1:123456789012:instance/${instance.instanceId}`,
      );
      expect(instance.tags["skiff:prefix"]).toBe("ci");
      expect(instance.tags["skiff:pool"]).toBe("ci");
    }
    // Every job is bound to a distinct instance and registered under <prefix>-<instance-id>.
    const items = await Promise.all(jobs.map((j) => world.db.state.jobs.get(j.jobId)));
    expect(new Set(items.map((i) => i?.instanceId)).size).toBe(10);
    for (const item of items) {
      expect(item).toMatchObject({ status: "registered", capacityType: "spot", holdsSlot: true });
      expect(item?.runnerName).toBe(`ci-${item?.instanceId}`);
    }
    expect(
      world.github
        .registrations()
        .map((r) => r.name)
        .sort(),
    ).toEqual(items.map((i) => i?.runnerName).sort());
    expect(await world.db.state.pools.active("ci")).toBe(10);
  });

  it("launches once per job when every message is delivered three times", async () => {
    world = await startWorld();
    const jobs = await Promise.all(Array.from({ length: 10 }, () => world.queueJob()));
    for (const job of jobs) {
      world.sqs.send(world.jobsQueue, JSON.stringify(job));
      world.sqs.send(world.jobsQueue, JSON.stringify(job));
    }
    const batches = [world.receive(10), world.receive(10), world.receive(10)];

    const results = await Promise.all(batches.map((records) => scaleUp(records, world.deps)));

    expect(results.flatMap(failedIds)).toEqual([]);
    expect(world.ec2.instances()).toHaveLength(10);
    expect(world.metrics.get("DuplicateJobs")).toBe(20);
    expect(await world.db.state.pools.active("ci")).toBe(10);
  });

  it("never exceeds max_runners = 10 under 20 concurrent invocations", async () => {
    world = await startWorld();
    await Promise.all(Array.from({ length: 20 }, () => world.queueJob()));
    const batches = Array.from({ length: 20 }, () => world.receive(1));

    const results = await Promise.all(batches.map((records) => scaleUp(records, world.deps)));

    expect(world.ec2.running()).toBe(10);
    expect(await world.db.state.pools.active("ci")).toBe(10);
    expect(world.metrics.get("CapReached|Pool=ci")).toBe(10);
    // The ten that wait are acknowledged and sent again with a delay: waiting spends none of
    // the queue's receives, so a long wait never ends in the DLQ.
    expect(results.flatMap(failedIds)).toEqual([]);
    const resent = world.sqs.calls.filter((c) => c.operation === "SendMessage");
    expect(resent.map((c) => c.params.DelaySeconds)).toEqual(Array(10).fill(20));
    expect(resent.map((c) => JSON.parse(String(c.params.MessageBody)).waits)).toEqual(Array(10).fill(1));
    expect(world.sqs.count(world.dlq).total).toBe(0);
  });

  it("falls back to on-demand for the whole batch when spot has no capacity for any type", async () => {
    world = await startWorld();
    world.ec2.setCapacity({ spot: Object.fromEntries(pool.instanceTypes.map((t) => [t, 0])) });
    await Promise.all(Array.from({ length: 4 }, () => world.queueJob()));

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toEqual([]);
    expect(world.ec2.instances({ lifecycle: "on-demand" })).toHaveLength(4);
    expect(world.ec2.callCount("CreateFleet")).toBe(2);
    expect(world.metrics.get("SpotFallbacks|Pool=ci")).toBe(4);
  });

  it("does not fall back to on-demand on EC2's rate limit: the jobs wait in the queue, spending no receive", async () => {
    world = await startWorld();
    world.ec2.failNext("CreateFleet", "RequestLimitExceeded", "Request limit exceeded.", 503, 4);
    const jobs = await Promise.all(Array.from({ length: 2 }, () => world.queueJob()));

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toEqual([]);
    expect(world.ec2.instances({ lifecycle: "on-demand" })).toHaveLength(0);
    expect(world.metrics.get("SpotFallbacks|Pool=ci")).toBe(0);
    expect(world.metrics.get("LaunchErrors|Kind=throttled")).toBe(2);
    expect(world.sqs.calls.filter((c) => c.operation === "SendMessage")).toHaveLength(2);
    for (const job of jobs)
      expect(await world.db.state.jobs.get(job.jobId)).toMatchObject({ status: "pending", holdsSlot: false });
    expect(await world.db.state.pools.active("ci")).toBe(0);
    expect(world.log.entries.some((e) => e.level === "warn" && /throttled/.test(e.message))).toBe(true);
  });

  it("falls back to on-demand when spot itself is refused (no spot service-linked role on a new account)", async () => {
    world = await startWorld();
    world.ec2.failNext(
      "CreateFleet",
      "AuthFailure.ServiceLinkedRoleCreationNotPermitted",
      "The provided credentials do not have permission to create the service-linked role for EC2 Spot Instances.",
      403,
    );
    await Promise.all(Array.from({ length: 2 }, () => world.queueJob()));

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toEqual([]);
    expect(world.ec2.instances({ lifecycle: "on-demand" })).toHaveLength(2);
    expect(world.dlq && world.sqs.count(world.dlq).total).toBe(0);
    expect(
      world.log.entries.some(
        (e) => e.level === "warn" && String(e.extra?.errors).includes("ServiceLinkedRole"),
      ),
    ).toBe(true);
  });

  it("registers an org pool's runners in the runner group it names, resolved to its id", async () => {
    world = await startWorld({
      pools: [{ ...pool, runnerLevel: "org", runnerGroupId: null, runnerGroupName: "Deploy-Runners" }],
      runnerGroups: {
        acme: [
          { id: 1, name: "Default", visibility: "all" },
          { id: 9, name: "deploy-runners", visibility: "all" },
        ],
      },
    });
    await Promise.all(Array.from({ length: 3 }, () => world.queueJob()));

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toEqual([]);
    expect(world.github.registrations().map((r) => r.runnerGroupId)).toEqual([9, 9, 9]);
    // One lookup for the batch: the id is remembered.
    expect(
      world.github.calls.filter((c) => c.operation === "GET /orgs/{org}/actions/runner-groups"),
    ).toHaveLength(1);
  });

  it("ends a job visibly when its pool's runner group does not exist, and leaves no instance", async () => {
    world = await startWorld({
      pools: [{ ...pool, runnerLevel: "org", runnerGroupId: null, runnerGroupName: "nope" }],
    });
    const job = await world.queueJob();

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toHaveLength(1);
    expect(world.ec2.instances({ state: "running" })).toHaveLength(0);
    const error = world.log.entries.find((e) => e.level === "error");
    expect(String(error?.extra?.error)).toMatch(/no runner group named "nope"/);
    expect(await world.db.state.jobs.get(job.jobId)).toMatchObject({ status: "pending", holdsSlot: false });
  });

  it("asks on-demand only for the shortfall of a partial spot fulfilment", async () => {
    world = await startWorld({ pools: [{ ...pool, instanceTypes: ["m7i.large"], subnetIds: ["subnet-a"] }] });
    world.ec2.setCapacity({ spot: { "m7i.large": 3 } });
    await Promise.all(Array.from({ length: 10 }, () => world.queueJob()));

    await scaleUp(world.receive(10), world.deps);

    expect(world.ec2.instances({ lifecycle: "spot" })).toHaveLength(3);
    expect(world.ec2.instances({ lifecycle: "on-demand" })).toHaveLength(7);
    const fleets = world.ec2.calls.filter((c) => c.operation === "CreateFleet");
    expect(fleets.map((c) => c.params["TargetCapacitySpecification.TotalTargetCapacity"])).toEqual([
      "10",
      "7",
    ]);
  });

  it("returns every job to the queue, losing none, when on-demand has no capacity either", async () => {
    world = await startWorld();
    const none = Object.fromEntries(pool.instanceTypes.map((t) => [t, 0]));
    world.ec2.setCapacity({ spot: none, "on-demand": none });
    const jobs = await Promise.all(Array.from({ length: 5 }, () => world.queueJob()));
    const records = world.receive(10);

    const result = await scaleUp(records, world.deps);

    expect(failedIds(result)).toEqual([]); // each waits as a new, delayed message
    expect(world.sqs.calls.filter((c) => c.operation === "SendMessage")).toHaveLength(5);
    expect(world.ec2.running()).toBe(0);
    expect(await world.db.state.pools.active("ci")).toBe(0);
    for (const job of jobs) expect((await world.db.state.jobs.get(job.jobId))?.status).toBe("pending");
    expect(world.metrics.get("LaunchErrors|Kind=capacity")).toBe(5);

    // Once capacity is back, the delayed messages launch every job.
    world.ec2.setCapacity({});
    const waited = world.sqs.peek(world.jobsQueue).filter((m) => JSON.parse(m.body).waits === 1);
    expect(waited).toHaveLength(5);
    const records2 = waited.map((m, i) => ({
      ...records[0],
      messageId: `waited-${i}`,
      body: m.body,
    })) as typeof records;
    expect(failedIds(await scaleUp(records2, world.deps))).toEqual([]);
    expect(world.ec2.running()).toBe(5);
  });

  it("logs a permanent launch failure with the job ids, releases the slots and leaves the DLQ to the queue", async () => {
    world = await startWorld({ pools: [{ ...pool, launchTemplateId: "lt-missing" }] });
    world.ec2.failNext(
      "CreateFleet",
      "InvalidLaunchTemplateId.NotFound",
      "The launch template does not exist",
    );
    const job = await world.queueJob();

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toHaveLength(1);
    expect(world.ec2.callCount("CreateFleet")).toBe(1); // no on-demand retry of a permanent error
    const error = world.log.entries.find((e) => e.level === "error");
    expect(error?.message).toMatch(/permanently/);
    expect(error?.extra?.jobIds).toEqual([job.jobId]);
    expect(await world.db.state.pools.active("ci")).toBe(0);
  });

  it("terminates the instance when JIT registration fails; the slot stays with it until it is down", async () => {
    world = await startWorld();
    world.github.failNext(JIT_ROUTE, 422, { message: "Validation Failed" });
    await Promise.all(Array.from({ length: 3 }, () => world.queueJob()));

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toHaveLength(1);
    const [terminated] = world.ec2.instances({ state: "terminated" });
    expect(world.ec2.running()).toBe(2);
    // The job is back on the queue without a slot; the stopping instance holds it until the
    // state-change event (lifecycle) or the reconcile releases it.
    expect(await world.db.state.instances.get(terminated?.instanceId ?? "")).toMatchObject({
      holdsSlot: true,
    });
    expect(await world.db.state.pools.active("ci")).toBe(3);
    expect(await world.db.state.instances.release(terminated?.instanceId ?? "", new Date())).toBe(true);
    expect(await world.db.state.pools.active("ci")).toBe(2);
    expect(world.ssm.names()).toHaveLength(2);
    expect(world.metrics.get("JitErrors")).toBe(1);
  });

  it("waits out GitHub's Retry-After before registering a runner", async () => {
    world = await startWorld();
    const job = await world.queueJob();
    // Warm the installation token, so the limit meets the registration itself.
    await world.deps.github.jobState(job.installationId, job.owner, job.repository, job.jobId);
    world.github.rateLimit({ forMs: 1000, status: 429, retryAfterSeconds: 1 });
    const started = Date.now();

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(world.github.registrations()).toHaveLength(1);
    expect(
      world.log.entries.some((e) => e.message === "GitHub rate limit" && e.extra?.retryAfter === 1),
    ).toBe(true);
  });

  it("checks GitHub only for old messages, and drops a job that is no longer queued", async () => {
    const start = Date.parse("2026-11-22T10:00:00Z");
    let clock = start;
    world = await startWorld({ now: () => new Date(clock) });
    const fresh = await world.queueJob();
    const stale = await world.queueJob({ queuedAt: new Date(start - 120_000).toISOString() });
    await world.github.cancelJob(stale.jobId);
    const jobLookups = () =>
      world.github.calls.filter((c) => c.operation.startsWith("GET /repos/{owner}/{repo}/actions/jobs"))
        .length;
    clock = start + 5_000;

    const result = await scaleUp(world.receive(10), world.deps);

    expect(failedIds(result)).toEqual([]);
    expect(jobLookups()).toBe(1); // the fresh job is launched without asking
    expect((await world.db.state.jobs.get(fresh.jobId))?.status).toBe("registered");
    expect((await world.db.state.jobs.get(stale.jobId))?.status).toBe("cancelled");
    expect(world.ec2.instances()).toHaveLength(1);
  });

  it("sends a message it cannot read to the DLQ path without touching anything", async () => {
    world = await startWorld();
    world.sqs.send(world.jobsQueue, "{not json");
    world.sqs.send(world.jobsQueue, JSON.stringify({ kind: "job", jobId: 1 }));
    world.sqs.send(world.jobsQueue, JSON.stringify({ ...(await world.queueJob()), pool: "nope" }));
    const records = world
      .receive(10)
      .filter(
        (r) =>
          !JSON.parse(r.body.startsWith("{not") ? "{}" : r.body).deliveryId ||
          JSON.parse(r.body).pool === "nope",
      );

    const result = await scaleUp(records, world.deps);

    expect(failedIds(result)).toHaveLength(3);
    expect(world.metrics.get("InvalidMessages")).toBe(3);
    expect(world.ec2.calls).toHaveLength(0);
    expect(world.log.entries.filter((e) => e.message === "invalid job message")).toHaveLength(3);
  });
});
