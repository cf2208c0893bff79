import { describe, expect, it } from "vitest";
import type { Harness } from "./harness.ts";
import { finish, REAL, scenarioHarness } from "./scenario.ts";
import type { SimulatedTask } from "./tasks.ts";

// Fargate pools end to end, over the built zips in fast time (see README.md): scale-up starts ECS tasks
// with RunTask on FARGATE_SPOT (the shortfall on FARGATE), each task (SimulatedTask) reads its own JIT
// config with its task role's credentials, runs one job and exits; ECS's task state changes reach the
// lifecycle function through the EventBridge rule; the reconcile lists and stops tasks. Every scenario
// ends with Harness.verify(), which counts tasks as runners: one launch per job, max_runners at every
// launch, no job lost, no task left running, no registration or JIT config left, counters back to 0.

const ci = { name: "ci", labels: ["ci"], instanceTypes: ["m7i.large", "m6i.large", "c7i.large"] };
const tasks = { name: "tasks", labels: ["fargate"], target: "fargate" as const };
const CI_JOB = { labels: ["self-hosted", "ci"] };
const FARGATE_JOB = { labels: ["self-hosted", "fargate"] };

const start = scenarioHarness();

/** The runner (instance or task) a job ran on, from its runner name `<prefix>-<id>`. */
function ranOn(h: Harness, runnerName: string | null | undefined) {
  return h.instances.get((runnerName ?? "").slice(`${h.prefix}-`.length));
}

describe("skiff end to end on Fargate", () => {
  it(
    "runs a Fargate pool beside an EC2 pool, and the shortfall on FARGATE once Fargate Spot runs out",
    async () => {
      const h = await start({
        pools: [
          { ...ci, maxRunners: 8 },
          { ...tasks, maxRunners: 8 },
        ],
      });
      let before: Set<string> | undefined;
      h.ecs.onLaunch(() => {
        if (before === undefined && h.ecs.tasks({ provider: "FARGATE_SPOT" }).length >= 6) {
          h.ecs.setCapacity({ FARGATE_SPOT: 0 });
          before = new Set(h.ecs.tasks().map((t) => t.taskId));
        }
      });

      const [ciJobs, fargateJobs] = await Promise.all([
        h.queueJobs(10, CI_JOB, 1500),
        h.queueJobs(20, FARGATE_JOB, 1000),
      ]);
      const verdict = await finish(h);

      // Each job ran on a runner of its own pool's kind: CI jobs on EC2 instances, the others on tasks.
      for (const id of ciJobs) expect(ranOn(h, h.github.job(id)?.runnerName)?.target).toBe("ec2");
      for (const id of fargateJobs) expect(ranOn(h, h.github.job(id)?.runnerName)?.target).toBe("fargate");
      const started = [...h.instances.values()].filter((i) => i.target === "fargate");
      const after = started.filter((t) => !before?.has(t.instanceId));
      expect(started.length).toBeGreaterThanOrEqual(20);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((t) => t.lifecycle === "on-demand")).toBe(true);
      // What scale-up asked ECS for: spot first, FARGATE for the shortfall, started by skiff/<prefix>/<pool>.
      const runs = h.ecs.calls.filter((c) => c.operation === "RunTask").map((c) => c.params);
      const providers = runs.map(
        (r) => (r.capacityProviderStrategy as { capacityProvider: string }[])[0]?.capacityProvider,
      );
      expect(providers).toContain("FARGATE_SPOT");
      expect(providers).toContain("FARGATE");
      expect(new Set(runs.map((r) => r.startedBy))).toEqual(new Set(["skiff/ci/tasks"]));
      expect(runs.every((r) => r.overrides === undefined)).toBe(true);
      expect(verdict.maxLive.tasks).toBeLessThanOrEqual(8);
      expect(verdict.maxLive.ci).toBeLessThanOrEqual(8);
      expect(h.metrics.get("SpotFallbacks")).toBeGreaterThan(0);
    },
    REAL(180),
  );

  it(
    "re-runs a Fargate Spot-interrupted job on FARGATE",
    async () => {
      const h = await start({ pools: [{ ...tasks, maxRunners: 10 }], jobSeconds: [240, 300] });
      const onSpot = () =>
        [...h.taskSims.values()].find(
          (s) => s.jobId !== undefined && h.ecs.task(s.id)?.capacityProvider === "FARGATE_SPOT",
        );

      await h.queueJobs(5, FARGATE_JOB);
      await h.waitFor("a job running on a Fargate Spot task", () => onSpot() !== undefined, 600);
      const victim = onSpot() as SimulatedTask;
      const interruptedJob = victim.jobId as number;
      h.interrupted.add(victim.id);
      // Fargate Spot takes the capacity back: SIGTERM to the container, a state change with
      // desiredStatus STOPPED and stopCode SpotInterruption, then STOPPED once the container exits.
      h.ecs.interrupt(victim.id);
      await finish(h, { lostJobs: 1 });

      const jobs = h.github.jobs();
      expect(jobs).toHaveLength(6);
      expect(h.github.job(interruptedJob)?.conclusion).toBe("failure");
      expect(h.ecs.task(victim.id)).toMatchObject({ lastStatus: "STOPPED", stopCode: "SpotInterruption" });
      const rerun = jobs.find((j) => j.runAttempt === 2);
      expect(rerun?.conclusion).toBe("success");
      const task = ranOn(h, rerun?.runnerName);
      expect(task).toMatchObject({ target: "fargate", lifecycle: "on-demand" });
      expect(h.ecs.task(task?.instanceId ?? "")?.capacityProvider).toBe("FARGATE");
      // The lifecycle function heard the interruption from ECS's event (the harness's EventBridge rule).
      const warned = h.logs.filter(
        (l) => l.function === "lifecycle" && l.entry.message === "spot interruption warning",
      );
      expect([...new Set(warned.map((l) => l.entry.instanceId))]).toEqual([victim.id]);
      expect(h.metrics.get("SpotInterruptions")).toBe(1);
      expect(h.metrics.get("JobsRetried")).toBe(1);
    },
    REAL(180),
  );

  // On Fargate the runner fails its job seconds after SIGTERM, the moment ECS emits the
  // SpotInterruption event: EventBridge may deliver that event after GitHub's webhook.
  it(
    "re-runs a Fargate Spot-interrupted job when ECS's event arrives after the job's failure",
    async () => {
      const h = await start({
        pools: [{ ...tasks, maxRunners: 10 }],
        jobSeconds: [240, 300],
        ecsEventDelaySeconds: 15,
      });
      await h.queueJobs(3, FARGATE_JOB);
      const onSpot = () =>
        [...h.taskSims.values()].find(
          (t) => t.jobId !== undefined && h.ecs.task(t.id)?.capacityProvider === "FARGATE_SPOT",
        );
      await h.waitFor("a job running on a Fargate Spot task", () => onSpot() !== undefined, 600);
      const victim = onSpot() as SimulatedTask;
      h.interrupted.add(victim.id);
      h.ecs.interrupt(victim.id);
      await finish(h, { lostJobs: 1 });

      expect(h.github.jobs().find((j) => j.runAttempt === 2)?.conclusion).toBe("success");
    },
    REAL(180),
  );

  it(
    "stops the tasks a crashed scale-up left without a JIT config, and relaunches their jobs",
    async () => {
      const h = await start({ pools: [{ ...tasks, maxRunners: 12 }], timeoutSeconds: { "scale-up": 20 } });
      let crashed = 0;
      // Right after ECS started the first batch's tasks, before scale-up hears back: every scale-up
      // container running an invocation dies, so those tasks never get a JIT config.
      h.ecs.onLaunch(() => {
        if (crashed === 0) crashed = h.functions["scale-up"].crashBusy();
      });

      await h.queueJobs(12, FARGATE_JOB, 500);
      const verdict = await finish(h);

      expect(crashed).toBeGreaterThan(0);
      expect(verdict.instances).toBeGreaterThan(12);
      // The crashed batch's tasks never got a JIT config: the reconcile stopped them as orphans (after
      // its 180 s grace, before their entrypoint's 300 s boot timeout would have).
      const orphans = h.ecs
        .tasks()
        .filter((t) => !h.instances.get(t.taskId)?.events.some((e) => e.kind === "registered"));
      expect(orphans.length).toBeGreaterThan(0);
      expect(orphans.map((t) => t.stopCode)).toEqual(orphans.map(() => "UserInitiated"));
    },
    REAL(180),
  );
});
