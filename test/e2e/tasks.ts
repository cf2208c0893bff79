import { DeleteParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { FakeEcs, FakeGitHub, FakeTask, TaskStatus } from "../fakes/index.ts";
import type { FastClock } from "./clock.ts";
import { type InstanceEvent, readJitConfig } from "./instances.ts";
import { Interruptible } from "./interruptible.ts";

/** What a simulated task needs of the harness. */
export interface TaskWorld {
  clock: FastClock;
  ecs: FakeEcs;
  github: FakeGitHub;
  /** An SSM client signing with the task role's credentials as ECS delivers them to this task. */
  ssmFor(taskId: string): SSMClient;
  prefix: string;
  /** Virtual seconds from RunTask until the container starts (ENI, image pull): RUNNING. */
  startSeconds(task: FakeTask): number;
  /** Virtual seconds the job runs. */
  jobSeconds(jobId: number): number;
  /** The pool's boot timeout (the task definition's SKIFF_BOOT_TIMEOUT): the entrypoint gives up after it. */
  bootTimeoutSeconds(pool: string): number;
  note(event: InstanceEvent): void;
}

/** The runner got SIGTERM: StopTask, a Fargate Spot interruption or max lifetime. */
class Sigterm extends Error {
  constructor() {
    super("SIGTERM");
    this.name = "Sigterm";
  }
}

/** Virtual ms the runner takes to cancel its job and report it failed after SIGTERM. */
const CANCEL_MS = 5_000;
/** Virtual ms of each step of a task on its way down once its container exited: ECS's statuses. */
const STOPPING_STEPS: readonly [TaskStatus, number][] = [
  ["DEACTIVATING", 0],
  ["STOPPING", 1_000],
  ["DEPROVISIONING", 2_000],
  ["STOPPED", 10_000],
];

/**
 * One ECS task on Fargate running skiff's runner image, played in JS as images/runner/entrypoint.sh
 * behaves: the task is provisioned and its image pulled (PROVISIONING → PENDING → RUNNING), the
 * entrypoint reads `/<prefix>/jit/<task-id>` with the task role's credentials (retried every second
 * while missing, until the boot timeout), deletes it, runs the runner for one job, and exits; ECS then
 * stops the task (EssentialContainerExited). SIGTERM — ECS asking the task to stop (StopTask,
 * SpotInterruption) — reaches the runner wherever it is: before the runner started, the entrypoint
 * exits; an idle runner goes offline and exits; a runner with a job cancels it (GitHub fails it) and
 * exits. The container always exits well within the task definition's 120 s stop timeout.
 */
export class SimulatedTask {
  readonly id: string;
  readonly arn: string;
  readonly pool: string;
  /** Interrupted by SIGTERM: whatever the task was waiting on ends there. */
  readonly #sigterm: Interruptible;
  #killed = false;
  #containerStarted = false;
  jobId: number | undefined;
  runnerId: number | undefined;
  done: Promise<void>;

  constructor(
    private readonly world: TaskWorld,
    task: FakeTask,
  ) {
    this.id = task.taskId;
    this.arn = task.taskArn;
    this.pool = task.tags["skiff:pool"] ?? "";
    this.#sigterm = new Interruptible(world.clock, () => new Sigterm());
    this.done = this.#run()
      .then((exit) => this.#stopped(exit))
      .catch((error: unknown) => {
        if (this.#killed) return;
        this.world.note({
          kind: "error",
          instanceId: this.id,
          at: this.world.clock.now(),
          message: String(error),
        });
      });
  }

  /** ECS changed this task: a desiredStatus of STOPPED is SIGTERM to its container. */
  stateChanged(task: FakeTask): void {
    if (task.desiredStatus === "STOPPED") this.#sigterm.interrupt();
  }

  /** The harness stops: the task vanishes without touching ECS. */
  kill(): void {
    this.#killed = true;
    this.#sigterm.interrupt();
  }

  #sleep(virtualMs: number): Promise<void> {
    return this.#sigterm.sleep(virtualMs);
  }

  #at(): number {
    return this.world.clock.now();
  }

  /** Runs the task until its container exits; returns why. */
  async #run(): Promise<string> {
    const { world } = this;
    const start = world.startSeconds(world.ecs.task(this.id) as FakeTask) * 1000;
    try {
      await this.#sleep(start / 3);
      this.#setStatus("PENDING");
      await this.#sleep(start - start / 3);
    } catch (error) {
      if (error instanceof Sigterm) return "stopped before its container started";
      throw error;
    }
    this.#setStatus("RUNNING");
    this.#containerStarted = true;
    world.note({ kind: "running", instanceId: this.id, at: this.#at() });
    return this.#entrypoint();
  }

  /** images/runner/entrypoint.sh, from the task ARN on (the metadata endpoint answers at once). */
  async #entrypoint(): Promise<string> {
    const { world } = this;
    const name = `/${world.prefix}/jit/${this.id}`;
    const ssm = world.ssmFor(this.id);
    let read: Awaited<ReturnType<typeof readJitConfig>>;
    try {
      read = await readJitConfig({
        ssm,
        name,
        deadline: this.#at() + world.bootTimeoutSeconds(this.pool) * 1000,
        now: () => this.#at(),
        sleep: (ms) => this.#sleep(ms),
        retry: (message) => world.note({ kind: "retry", instanceId: this.id, at: this.#at(), message }),
      });
    } catch (error) {
      if (error instanceof Sigterm) return "SIGTERM before the runner started (exit 143)";
      throw error;
    }
    if (!read) return "no JIT config within the boot timeout (exit 4)";
    const { config, attempts } = read;
    world.note({ kind: "jit-read", instanceId: this.id, at: this.#at(), attempts });
    // Deleted in the background while the runner starts; awaited before the entrypoint exits.
    const deleting = this.#deleteParameter(ssm, name);
    try {
      return await this.#runner(config);
    } finally {
      await deleting;
    }
  }

  async #deleteParameter(ssm: SSMClient, name: string): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await ssm.send(new DeleteParameterCommand({ Name: name }));
        return;
      } catch (error) {
        if (this.#killed) return;
        if ((error as { name?: string }).name === "ParameterNotFound") throw error;
        await this.world.clock.sleep(attempt * 1000);
      }
    }
    this.world.note({
      kind: "retry",
      instanceId: this.id,
      at: this.#at(),
      message: `could not delete ${name}`,
    });
  }

  /** The runner: connect with the JIT config, take one job, run it. */
  async #runner(config: string): Promise<string> {
    const { world } = this;
    let connected: Awaited<ReturnType<FakeGitHub["runnerConnect"]>>;
    try {
      connected = await world.github.runnerConnect(config);
    } catch (error) {
      return `runner could not connect: ${(error as Error).message} (exit 1)`;
    }
    const runner = connected.runner;
    this.runnerId = runner.id;
    world.note({
      kind: "registered",
      instanceId: this.id,
      at: this.#at(),
      runnerId: runner.id,
      runnerName: runner.name,
      runnerGroupId: runner.runnerGroupId,
    });
    let jobId = connected.job?.id;
    world.github.onAssigned(runner.id, () => this.#sigterm.wake());
    try {
      while (jobId === undefined) {
        await this.#sleep(1000);
        const registered = world.github.registrations().find((r) => r.id === runner.id);
        if (!registered) return "runner registration deleted while idle (exit 0)";
        jobId = registered.jobId ?? undefined;
      }
    } catch (error) {
      if (!(error instanceof Sigterm)) throw error;
      world.github.runnerDisconnect(runner.id);
      return "SIGTERM while idle (exit 143)";
    }
    this.jobId = jobId;
    world.note({ kind: "job-started", instanceId: this.id, at: this.#at(), jobId, runnerName: runner.name });
    try {
      await this.#sleep(world.jobSeconds(jobId) * 1000);
    } catch (error) {
      if (!(error instanceof Sigterm)) throw error;
      if (this.#killed) return "killed";
      // "The runner has received a shutdown signal": it cancels the job, GitHub fails it.
      world.note({ kind: "job-lost", instanceId: this.id, at: this.#at(), jobId, why: "SIGTERM" });
      await world.clock.sleep(CANCEL_MS);
      world.github.runnerDisconnect(runner.id);
      if (world.github.job(jobId)?.status !== "completed") await world.github.completeJob(jobId, "failure");
      return "SIGTERM under a job (exit 143)";
    }
    await world.github.completeJob(jobId, "success");
    world.note({ kind: "job-done", instanceId: this.id, at: this.#at(), jobId, conclusion: "success" });
    return "job done (exit 0)";
  }

  /** The container exited (or never started): ECS takes the task down to STOPPED. */
  async #stopped(exit: string): Promise<void> {
    if (this.#killed) return;
    const { world } = this;
    world.note({ kind: "power-off", instanceId: this.id, at: this.#at(), why: exit });
    const steps = this.#containerStarted ? STOPPING_STEPS : STOPPING_STEPS.slice(1);
    for (const [status, ms] of steps) {
      if (ms > 0) await world.clock.sleep(ms);
      if (this.#killed) return;
      this.#setStatus(status);
    }
  }

  #setStatus(status: TaskStatus): void {
    const task = this.world.ecs.task(this.id);
    if (!task || task.lastStatus === "STOPPED" || task.lastStatus === status) return;
    this.world.ecs.setStatus(this.id, status);
  }
}
