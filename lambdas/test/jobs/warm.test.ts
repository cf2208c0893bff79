import { afterEach, describe, expect, it } from "vitest";
import type { Ec2Pool, Pool } from "../../src/shared/pools.ts";
import { type Plane, type PlaneOptions, startPlane } from "../scale-down/plane.ts";
import { pool } from "../support/fixtures.ts";

// Warm runners: booted, registered at the organisation, waiting for any job of their pool.
// Invariants 1–5 hold with them: one launch per job, the cap, no lost job, no leak, busy
// runners safe.

const warmPool = (overrides: Partial<Ec2Pool> = {}, warm: Partial<NonNullable<Pool["warm"]>> = {}): Pool => ({
  ...pool,
  runnerLevel: "org",
  maxRunners: 6,
  warm: { idle: 3, organization: "acme", maxIdleSeconds: 4 * 3600, schedule: [], ...warm },
  ...overrides,
});

let plane: Plane;
afterEach(async () => {
  await plane?.close();
});

async function start(options: PlaneOptions) {
  plane = await startPlane(options);
}

const warmInstances = () => plane.live().filter((i) => i.tags?.["skiff:warm"] === "true");

/** One reconcile and the scale-up it causes; then every waiting runner boots. */
async function refill() {
  await plane.reconcile();
  await plane.scaleUp();
  for (const id of await plane.state.warm.idle("ci")) {
    if (plane.ec2.instance(id)?.state === "pending") await plane.boot(id);
  }
}

describe("warm runners", () => {
  it("the reconcile tops a pool up to warm.idle runners that wait, registered, holding slots", async () => {
    await start({ pools: [warmPool()] });

    await refill();

    const idle = await plane.state.warm.idle("ci");
    expect(idle).toHaveLength(3);
    expect(warmInstances()).toHaveLength(3);
    expect(await plane.state.pools.active("ci")).toBe(3);
    expect(
      plane.github
        .registrations()
        .map((r) => r.name)
        .sort(),
    ).toEqual(idle.map((id) => `ci-${id}`).sort());
    expect(plane.metrics.get("WarmRunnersLaunched|Pool=ci")).toBe(3);
  });

  it("a queued job starts on a waiting runner with no launch of its own, and the pool refills", async () => {
    await start({ pools: [warmPool()] });
    await refill();
    const fleetsBefore = plane.ec2.callCount("CreateFleet");

    const job = await plane.queueJob();
    await plane.scaleUp();
    await plane.lifecycle();

    const item = await plane.state.jobs.get(job.id);
    expect(item).toMatchObject({ status: "running", holdsSlot: true });
    expect(await plane.state.instances.get(item?.instanceId ?? "")).toMatchObject({
      status: "busy",
      busyJobId: job.id,
    });
    // One CreateFleet, for the replacement warm runner, none for the job.
    expect(plane.ec2.callCount("CreateFleet")).toBe(fleetsBefore + 1);
    expect(await plane.state.warm.idle("ci")).toHaveLength(3);
    expect(await plane.state.pools.active("ci")).toBe(4);
    expect(plane.metrics.get("WarmHits|Pool=ci")).toBe(1);
    expect(plane.metrics.get("WarmMisses|Pool=ci")).toBe(0);
  });

  it("never exceeds max_runners with warm runners waiting and a burst of jobs", async () => {
    await start({ pools: [warmPool({ maxRunners: 4 })] });
    await refill();

    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await plane.queueJob()).id);
    for (let round = 0; round < 4; round++) {
      await plane.scaleUp();
      await plane.lifecycle();
      for (const id of plane.live().map((i) => i.instanceId)) {
        if (plane.ec2.instance(id)?.state === "pending" && plane.ssm.get(`/ci/jit/${id}`))
          await plane.boot(id);
      }
      expect(plane.live().length).toBeLessThanOrEqual(4);
      plane.advance(30);
    }
    expect(await plane.state.pools.active("ci")).toBeLessThanOrEqual(4);
    // Every job that started is counted once: a hit on a waiting runner, or a miss.
    const jobs = await Promise.all(ids.map((id) => plane.state.jobs.get(id)));
    const started = jobs.filter((j) => j?.status === "running").length;
    const hits = plane.metrics.get("WarmHits|Pool=ci");
    expect(hits).toBeGreaterThan(0);
    expect(hits + plane.metrics.get("WarmMisses|Pool=ci")).toBe(started);
  });

  it("never retires a busy warm runner, and retires every waiting one when the schedule closes", async () => {
    // Open 07:00–10:59 UTC; the plane's clock starts at 10:00 UTC.
    await start({ pools: [warmPool({}, { schedule: [{ cron: "* 7-10 * * *", timezone: "UTC" }] })] });
    await refill();
    const job = await plane.queueJob();
    await plane.scaleUp();
    await plane.lifecycle();
    const busy = (await plane.state.jobs.get(job.id))?.instanceId as string;

    plane.advance(3600); // 11:00: the window is closed
    await plane.reconcile();

    expect(await plane.state.warm.idle("ci")).toEqual([]);
    expect(plane.live().map((i) => i.instanceId)).toEqual([busy]);
    expect(plane.jitParameters()).toEqual([]);
    expect(plane.github.registrations().map((r) => r.name)).toEqual([`ci-${busy}`]);
    expect(await plane.state.pools.active("ci")).toBe(1);
  });

  it("replaces a runner that waited longer than warm.max_idle_seconds", async () => {
    await start({ pools: [warmPool({}, { idle: 1, maxIdleSeconds: 600 })] });
    await refill();
    const [first] = await plane.state.warm.idle("ci");

    plane.advance(601);
    await refill();

    const idle = await plane.state.warm.idle("ci");
    expect(idle).toHaveLength(1);
    expect(idle).not.toContain(first);
    expect(plane.ec2.instance(first as string)?.state).toBe("terminated");
    expect(await plane.state.pools.active("ci")).toBe(1);
  });

  it("replaces waiting runners on a launch template version that is no longer current, never a busy one", async () => {
    // Prepare: three runners wait on version 1; a job runs on one of them, and the pool refills.
    await start({ pools: [warmPool()] });
    await refill();
    const job = await plane.queueJob();
    await plane.scaleUp();
    await plane.lifecycle();
    await refill();
    const busy = (await plane.state.jobs.get(job.id))?.instanceId as string;
    const before = await plane.state.warm.idle("ci");
    const version = (id: string) => plane.ec2.instance(id)?.tags["aws:ec2launchtemplate:version"];
    expect([busy, ...before].map(version)).toEqual(["1", "1", "1", "1"]);

    // Act: Terraform changes the launch template; the next reconcile replaces the waiting runners.
    plane.ec2.newLaunchTemplateVersion(pool.launchTemplateId);
    await refill();

    // Assess: three runners wait again, all on version 2; the busy one runs on, registered.
    const idle = await plane.state.warm.idle("ci");
    expect(idle).toHaveLength(3);
    expect(idle.map(version)).toEqual(["2", "2", "2"]);
    for (const id of before) expect(plane.ec2.instance(id)?.state).toBe("terminated");
    expect(plane.ec2.instance(busy)?.state).toBe("running");
    expect(await plane.state.instances.get(busy)).toMatchObject({ status: "busy", busyJobId: job.id });
    expect(plane.github.registrations().map((r) => r.name)).toContain(`ci-${busy}`);
    expect(plane.metrics.get("InstancesTerminated|Reason=warm-launch-template-changed")).toBe(3);
    expect(await plane.state.pools.active("ci")).toBe(4);
  });

  it("retires no runner for its version in a cycle where DescribeLaunchTemplates fails", async () => {
    await start({ pools: [warmPool()] });
    await refill();
    const before = await plane.state.warm.idle("ci");
    plane.ec2.newLaunchTemplateVersion(pool.launchTemplateId);
    plane.ec2.failNext("DescribeLaunchTemplates", "UnauthorizedOperation");

    await refill();

    expect((await plane.state.warm.idle("ci")).sort()).toEqual([...before].sort());
    expect(
      plane.log.entries.some((e) => e.level === "warn" && /launch template versions unknown/.test(e.message)),
    ).toBe(true);
  });

  it("a job that starts on another waiting runner than the one set aside for it gives that one back", async () => {
    await start({ pools: [warmPool({}, { idle: 2 })] });
    await refill();
    const job = await plane.queueJob();
    // Scale-up sets a runner aside; GitHub gave the job to a runner already (the fake assigns at once).
    await plane.scaleUp();
    await plane.lifecycle();

    const item = await plane.state.jobs.get(job.id);
    const ranOn = plane.github.job(job.id)?.runnerName;
    expect(item).toMatchObject({ status: "running", holdsSlot: true, runnerName: ranOn });
    // Whatever runner it ran on, the pool has two waiting and one busy, and the slots add up.
    expect(await plane.state.warm.idle("ci")).toHaveLength(2);
    expect(await plane.state.pools.active("ci")).toBe(3);
  });

  it("a job launched cold that starts on a warm runner leaves every live instance a slot, and all come back", async () => {
    // Review defect (found by the e2e cap check): the warm runner's slot went back to the pool
    // while the instance launched for the job was still live, so the pool ran one over its cap.
    await start({ pools: [warmPool({ maxRunners: 3 }, { idle: 1 })] });
    const job = await plane.queueJob();
    await plane.scaleUp(); // no runner waits yet: the job gets an instance of its own
    const cold = (await plane.state.jobs.get(job.id))?.instanceId as string;
    expect(plane.ec2.instance(cold)?.tags?.["skiff:warm"]).toBeUndefined();

    await refill(); // a warm runner boots, and GitHub gives it the queued job
    const ranOn = plane.github.job(job.id)?.runnerName;
    expect(ranOn).not.toBe(`ci-${cold}`);
    const slots = async () => plane.state.pools.active("ci");
    expect(plane.live().length).toBeLessThanOrEqual(await slots());
    expect(await plane.state.instances.get(cold)).toMatchObject({ holdsSlot: true });

    const warm = ranOn?.replace(/^ci-/, "") as string;
    await plane.finish(job.id, warm);
    expect(plane.live().length).toBeLessThanOrEqual(await slots());

    // The instance launched for the job has nothing to do: the reconcile ends it, and its slot comes back.
    plane.advance(120);
    await plane.reconcile();
    plane.ec2.setState(cold, "terminated");
    await plane.lifecycle();
    expect(plane.ec2.instance(cold)?.state).toBe("terminated");
    expect(await plane.state.instances.get(cold)).toMatchObject({ holdsSlot: false });
    const held = (await plane.state.scan()).instances.filter((i) => i.holdsSlot).length;
    const jobs = (await plane.state.scan()).jobs.filter((j) => j.holdsSlot).length;
    expect(await slots()).toBe(held + jobs);
    expect(plane.live().length).toBeLessThanOrEqual(await slots());
  });
});
