import { describe, expect, it } from "vitest";
import type { Harness } from "./harness.ts";
import { finish, REAL, scenarioHarness } from "./scenario.ts";

// End-to-end scenarios over the built zips (dist/lambdas, from `make build`) in fast time: virtual
// time runs SKIFF_E2E_SPEED (default 20) times faster than real time; see README.md. Every scenario
// ends with Harness.verify(): each job ran exactly once on its own skiff runner of the pool it was
// routed to, no job had two instances at once, max_runners held at every launch, nothing is left
// running or registered, no JIT config is left, pool counters are back to 0, and the DLQs hold only
// the failures the scenario made permanent on purpose.

const ci = { name: "ci", labels: ["ci"], instanceTypes: ["m7i.large", "m6i.large", "c7i.large"] };
const arm = {
  name: "arm",
  labels: ["arm"],
  architecture: "arm64" as const,
  instanceTypes: ["m7g.large", "c7g.large"],
  runnerLevel: "org" as const,
};
const CI_JOB = { labels: ["self-hosted", "ci"] };
const ARM_JOB = { labels: ["self-hosted", "linux", "arm64"] };

const start = scenarioHarness();

/** Jobs the functions put back on the queue for a new runner (each may cost one more launch). */
function requeued(h: Harness): number {
  return h.logs.filter((l) =>
    ["job requeued", "runner took another job; its own job requeued"].includes(String(l.entry.message)),
  ).length;
}

describe("skiff end to end", () => {
  it(
    "runs a 200-job burst across two pools, never over max_runners",
    async () => {
      const h = await start({
        pools: [
          { ...ci, maxRunners: 30 },
          { ...arm, maxRunners: 15 },
        ],
      });

      await Promise.all([h.queueJobs(140, CI_JOB), h.queueJobs(60, ARM_JOB)]);
      const verdict = await finish(h);

      expect(verdict.jobs).toBe(200);
      // One instance per job, plus one per job put back on the queue (GitHub gave it to another job's
      // idle runner, which then got a new one; never two at once: verify).
      expect(verdict.instances).toBeGreaterThanOrEqual(200);
      expect(verdict.instances - 200).toBeLessThanOrEqual(requeued(h));
      expect(verdict.maxLive.ci).toBeLessThanOrEqual(30);
      expect(verdict.maxLive.arm).toBeLessThanOrEqual(15);
      expect(h.metrics.get("CapReached")).toBeGreaterThan(0);
    },
    REAL(240),
  );

  it(
    "with warm runners waiting, jobs start on them and the pool refills, never over max_runners",
    async () => {
      const h = await start({ pools: [{ ...arm, maxRunners: 12, warm: { idle: 5 } }] });
      await h.reconcile();
      const online = () => h.github.registrations().filter((r) => r.status === "online" && !r.busy).length;
      await h.waitFor("five warm runners online", () => online() >= 5, 600);

      await h.queueJobs(20, ARM_JOB, 2000);
      await h.waitForJobs(3 * 3600);
      await h.reconcile();
      await h.waitFor("the pool refilled", () => online() >= 5, 600);
      await h.waitForQuiet(3600, { arm: 5 });
      const verdict = await h.verify({ warm: { arm: 5 } });

      expect(verdict.violations).toEqual([]);
      expect(verdict.maxLive.arm).toBeLessThanOrEqual(12);
      expect(h.metrics.get("WarmHits")).toBeGreaterThan(0);
    },
    REAL(240),
  );

  it(
    "launches once per job when every webhook delivery arrives three times",
    async () => {
      const h = await start({ pools: [{ ...ci, maxRunners: 15 }] });
      h.copies = () => 3;

      await h.queueJobs(30, CI_JOB, 1000);
      const verdict = await finish(h);

      expect(verdict.instances).toBe(30);
      expect(h.webhookRequests.filter((r) => r.action === "queued")).toHaveLength(90);
      expect(h.metrics.get("DuplicateJobs")).toBeGreaterThanOrEqual(60);
    },
    REAL(120),
  );

  it(
    "falls back to on-demand when spot capacity runs out midway",
    async () => {
      const h = await start({ pools: [{ ...ci, maxRunners: 15 }] });
      let before: Set<string> | undefined;
      h.ec2.onLaunch(() => {
        if (before === undefined && h.ec2.instances({ lifecycle: "spot" }).length >= 8) {
          h.ec2.setCapacity({ spot: Object.fromEntries(ci.instanceTypes.map((t) => [t, 0])) });
          before = new Set(h.ec2.instances().map((i) => i.instanceId));
        }
      });

      await h.queueJobs(30, CI_JOB, 1000);
      const verdict = await finish(h);

      const after = [...h.instances.values()].filter((i) => !before?.has(i.instanceId));
      // One instance per job, plus one per job put back on the queue: GitHub may give a queued
      // job to another job's idle runner, which then gets a new one (never two at once: verify).
      expect(verdict.instances).toBeGreaterThanOrEqual(30);
      expect(verdict.instances - 30).toBeLessThanOrEqual(requeued(h));
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((i) => i.lifecycle === "on-demand")).toBe(true);
      expect(h.metrics.get("SpotFallbacks")).toBeGreaterThan(0);
    },
    REAL(120),
  );

  it(
    "rides out GitHub answering 429 for 30 seconds",
    async () => {
      const h = await start({ pools: [{ ...ci, maxRunners: 20 }] });

      await h.queueJobs(10, CI_JOB, 1000);
      // A secondary rate limit: every API call is refused with 429 and retry-after 10 for 30 virtual
      // seconds (the fake keeps the window on the real clock, so it gets 30 s / speed of it).
      h.github.rateLimit({ status: 429, retryAfterSeconds: 10, forMs: h.clock.real(30_000) });
      await h.queueJobs(20, CI_JOB, 1000);
      await finish(h);

      expect(h.github.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
    },
    REAL(120),
  );

  it(
    "recovers when 10 % of completion webhooks are lost",
    async () => {
      const h = await start({ pools: [{ ...ci, maxRunners: 20 }] });
      let lost = 0;
      h.copies = (delivery) => {
        if (delivery.payload.action !== "completed" || h.random() >= 0.1) return 1;
        lost += 1;
        return 0;
      };

      await h.queueJobs(40, CI_JOB, 1000);
      await finish(h);

      expect(lost).toBeGreaterThan(0);
    },
    REAL(150),
  );

  it(
    "re-runs a spot-interrupted job on on-demand capacity",
    async () => {
      const h = await start({ pools: [{ ...ci, maxRunners: 10 }], jobSeconds: [240, 300] });

      await h.queueJobs(5, CI_JOB);
      await h.waitFor(
        "a job running on a spot instance",
        () =>
          [...h.sims.values()].some(
            (s) => s.jobId !== undefined && h.ec2.instance(s.id)?.lifecycle === "spot",
          ),
        600,
      );
      const victim = [...h.sims.values()].find(
        (s) => s.jobId !== undefined && h.ec2.instance(s.id)?.lifecycle === "spot",
      )!;
      const interruptedJob = victim.jobId!;
      h.interrupted.add(victim.id);
      // EC2 warns two minutes ahead, then takes the instance back.
      h.sendEc2Event("EC2 Spot Instance Interruption Warning", victim.id, { "instance-action": "terminate" });
      await h.clock.sleep(120_000);
      h.ec2.setState(victim.id, "shutting-down");
      h.ec2.setState(victim.id, "terminated");
      await finish(h, { lostJobs: 1 });

      const jobs = h.github.jobs();
      expect(jobs).toHaveLength(6);
      expect(h.github.job(interruptedJob)?.conclusion).toBe("failure");
      const rerun = jobs.find((j) => j.runAttempt === 2)!;
      expect(rerun.conclusion).toBe("success");
      const ranOn = h.instances.get(rerun.runnerName!.slice(`${h.prefix}-`.length))!;
      expect(ranOn.lifecycle).toBe("on-demand");
    },
    REAL(150),
  );

  it(
    "recovers from a scale-up crash mid-batch, and dead-letters only the poison message",
    async () => {
      // A 20 s scale-up timeout (the queue's visibility is 6×: 120 s) so the batch the crash interrupts,
      // and the poison message's five receives, come round in a few virtual minutes.
      const h = await start({ pools: [{ ...ci, maxRunners: 20 }], timeoutSeconds: { "scale-up": 20 } });
      let crashed = 0;
      // Right after EC2 launched the batch's instances, before scale-up hears back: every scale-up
      // container that is running an invocation dies.
      h.ec2.onLaunch(() => {
        if (crashed === 0) crashed = h.functions["scale-up"].crashBusy();
      });
      const poison = "this is not a job message";
      h.sqs.send(h.queues.jobs, poison);

      await h.queueJobs(20, CI_JOB, 500);
      const verdict = await finish(h, { deadLetters: (body) => body === poison });

      expect(crashed).toBeGreaterThan(0);
      expect(verdict.dlq).toEqual([poison]);
      // The crashed batch's instances never got a JIT config: the reconcile terminated them as orphans.
      expect(verdict.instances).toBeGreaterThan(20);
      // Never two instances for one job over the whole run, the orphans included: finish() failed on any
      // launch EC2 saw while the job's earlier instance was alive (Harness#checkOneLaunchPerJob).
    },
    REAL(150),
  );

  it(
    "does not dead-letter jobs that wait at max_runners for many minutes",
    async () => {
      // With modules/queue's default max_receive_count (5), a job waiting for a slot must not spend
      // receives: scale-up sends it again as a new delayed message instead of failing the receive.
      const h = await start({ speed: 40, pools: [{ ...ci, maxRunners: 2 }], jobSeconds: [200, 200] });

      await h.queueJobs(10, CI_JOB);
      await h.waitFor(
        "a dead letter or every job done",
        () => h.deadLetters().length > 0 || h.openJobs() === 0,
        7200,
      );

      expect(h.deadLetters()).toEqual([]);
      await finish(h);
    },
    REAL(180),
  );
});
