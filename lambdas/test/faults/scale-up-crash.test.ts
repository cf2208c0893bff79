import { afterEach, describe, expect, it } from "vitest";
import { type ScaleUpDeps, scaleUp } from "../../src/scale-up/scale-up.ts";
import { jitParameterName } from "../../src/shared/aws.ts";
import type { JobStore } from "../../src/store/ports.ts";
import { type Plane, type PlaneOptions, startPlane } from "../scale-down/plane.ts";

type Step = "claim" | "CreateFleet" | "bind" | "JIT write";

/**
 * Scale-up's deps with one port that does its real work at `step` and then never returns:
 * the Lambda died right there (timeout, OOM, runtime killed), so nothing after it runs.
 */
function crashAfter(step: Step, deps: ScaleUpDeps) {
  let crash!: () => void;
  const crashed = new Promise<void>((resolve) => {
    crash = resolve;
  });
  const die = <T>(value: T): Promise<T> => {
    void value;
    crash();
    return new Promise<T>(() => {});
  };
  const jobs: JobStore = Object.create(deps.state.jobs);
  const state = { ...deps.state, jobs };
  const ec2 = { ...deps.ec2 };
  const jit = { ...deps.jit };
  if (step === "claim") jobs.claim = async (...args) => die(await deps.state.jobs.claim(...args));
  if (step === "CreateFleet") ec2.createFleet = async (input) => die(await deps.ec2.createFleet(input));
  // The bind is the job item's update to launched together with the instance item.
  if (step === "bind") jobs.launched = async (...args) => die(await deps.state.jobs.launched(...args));
  if (step === "JIT write") jit.put = async (...args) => die(await deps.jit.put(...args));
  return { deps: { ...deps, state, ec2, jit }, crashed };
}

let plane: Plane;
afterEach(async () => {
  await plane?.close();
});

/** Instances with a JIT config boot and start their runner, as the bootstrap does. */
async function bootWaiting(boots: boolean) {
  if (!boots) return;
  for (const instance of plane.live()) {
    if (plane.ssm.get(jitParameterName("ci", instance.instanceId))) await plane.boot(instance.instanceId);
  }
}

/** One scheduled reconcile, the lifecycle events and the requeued jobs it caused, the boots that follow. */
async function cycle(boots: boolean) {
  await plane.reconcile();
  await plane.scaleUp();
  await bootWaiting(boots);
}

interface Case {
  step: Step;
  /** Whether instances that got a JIT config start their runner (false: a broken image). */
  boots: boolean;
  options?: PlaneOptions;
  outcome: "runs" | "fails";
}

describe("a scale-up that crashes mid-way is repaired within two reconcile cycles", () => {
  it.each<Case>([
    { step: "claim", boots: true, outcome: "runs" },
    { step: "CreateFleet", boots: true, outcome: "runs" },
    { step: "bind", boots: true, outcome: "runs" },
    { step: "JIT write", boots: true, outcome: "runs" },
    // With no requeue left, the same repairs end the job visibly instead.
    { step: "CreateFleet", boots: true, options: { maxRequeues: 0 }, outcome: "fails" },
    { step: "bind", boots: true, options: { maxRequeues: 0 }, outcome: "fails" },
    { step: "JIT write", boots: false, options: { maxRequeues: 0 }, outcome: "fails" },
  ])(
    "crash after the $step (runners boot: $boots) → the job $outcome, nothing leaks",
    async ({ step, boots, options, outcome }) => {
      // Prepare: a queued job whose message scale-up receives, then dies at `step`.
      plane = await startPlane(options);
      const queued = await plane.queueJob();
      const batch = plane.sqs.receiveEvent(plane.jobsQueue, 10).Records;
      const { deps, crashed } = crashAfter(step, plane.scaleUpDeps);
      void scaleUp(batch, deps);
      await crashed;
      const launchedBeforeRepair = plane.ec2.instances().length;

      // Act: the world goes on. Instances boot; SQS redelivers the crashed batch after its
      // visibility timeout (360 s); the reconcile runs once the claim lease (900 s) ran out,
      // and once more a schedule period (120 s) later.
      plane.advance(30);
      await bootWaiting(boots);
      plane.advance(331);
      await plane.scaleUp();
      await bootWaiting(boots);
      plane.advance(540);
      await cycle(boots);
      plane.advance(120);
      await cycle(boots);

      // Assess: no instance runs that should not: each live one is busy with a running job.
      const job = await plane.state.jobs.get(queued.id);
      const live = plane.live().map((i) => i.instanceId);
      for (const id of live) {
        expect(await plane.state.instances.get(id), `instance ${id}`).toMatchObject({
          status: "busy",
          busyJobId: queued.id,
        });
      }
      // No registration without its live instance, and no JIT config left behind.
      expect(plane.github.registrations().map((r) => r.name)).toEqual(live.map((id) => `ci-${id}`));
      expect(plane.jitParameters()).toEqual([]);
      // The job has a runner, or has failed visibly.
      if (outcome === "runs") {
        expect(live).toHaveLength(1);
        expect(job).toMatchObject({ status: "running", runnerName: `ci-${live[0]}`, holdsSlot: true });
        expect(plane.github.job(queued.id)?.status).toBe("in_progress");
        expect(plane.dlqMessages()).toEqual([]);
      } else {
        expect(live).toEqual([]);
        expect(job).toMatchObject({ status: "failed", holdsSlot: false });
        expect(plane.dlqMessages()).toEqual([expect.objectContaining({ jobId: queued.id })]);
        expect(plane.log.entries.some((e) => e.level === "error" && e.extra?.jobId === queued.id)).toBe(true);
        expect(plane.metrics.get("JobsFailed|Pool=ci")).toBe(1);
      }
      // The slot count is the truth, and the job never had two instances at once.
      expect(await plane.state.pools.active("ci")).toBe(outcome === "runs" ? 1 : 0);
      expect(plane.sqs.count(plane.jobsQueue).total).toBe(0);
      expect(launchedBeforeRepair).toBeLessThanOrEqual(1);
    },
  );
});
