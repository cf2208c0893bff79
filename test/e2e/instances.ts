import { DeleteParameterCommand, GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { FakeEc2, FakeGitHub, FakeInstance } from "../fakes/index.ts";
import type { FastClock } from "./clock.ts";
import { Interruptible } from "./interruptible.ts";

/**
 * How a runner's start script waits for its JIT config: read it every second while it is missing,
 * until `deadline` (virtual ms). The runner role (or a task role) answers AccessDenied for a
 * parameter not written yet, since it has no tag to match: that is waiting, not a fault; any other
 * error is retried too, and reported. Undefined when the deadline passed first.
 */
export async function readJitConfig(options: {
  ssm: SSMClient;
  name: string;
  deadline: number;
  now: () => number;
  sleep: (virtualMs: number) => Promise<void>;
  retry: (message: string) => void;
}): Promise<{ config: string; attempts: number } | undefined> {
  for (let attempts = 1; ; attempts++) {
    try {
      const out = await options.ssm.send(
        new GetParameterCommand({ Name: options.name, WithDecryption: true }),
      );
      const config = out.Parameter?.Value;
      if (config !== undefined) return { config, attempts };
    } catch (error) {
      if (!["ParameterNotFound", "AccessDeniedException"].includes((error as { name?: string }).name ?? ""))
        options.retry(String(error));
    }
    if (options.now() > options.deadline) return undefined;
    await options.sleep(1000);
  }
}

/** What a simulated instance needs of the harness. */
export interface World {
  clock: FastClock;
  ec2: FakeEc2;
  github: FakeGitHub;
  /** An SSM client signing with this instance's instance-profile credentials. */
  ssmFor(instanceId: string): SSMClient;
  prefix: string;
  /** Virtual seconds from launch until the bootstrap starts (OS boot). */
  bootSeconds(instance: FakeInstance): number;
  /** Virtual seconds the job runs. */
  jobSeconds(jobId: number): number;
  /** The pool's boot timeout: the bootstrap gives up and powers off after it. */
  bootTimeoutSeconds(pool: string): number;
  note(event: InstanceEvent): void;
}

export type InstanceEvent =
  | { kind: "running"; instanceId: string; at: number }
  | { kind: "jit-read"; instanceId: string; at: number; attempts: number }
  | {
      kind: "registered";
      instanceId: string;
      at: number;
      runnerId: number;
      runnerName: string;
      runnerGroupId: number;
    }
  | { kind: "job-started"; instanceId: string; at: number; jobId: number; runnerName: string }
  | { kind: "job-done"; instanceId: string; at: number; jobId: number; conclusion: string }
  | { kind: "job-lost"; instanceId: string; at: number; jobId: number; why: string }
  | { kind: "power-off"; instanceId: string; at: number; why: string }
  | { kind: "retry"; instanceId: string; at: number; message: string }
  | { kind: "error"; instanceId: string; at: number; message: string };

class Terminated extends Error {
  constructor() {
    super("instance terminated");
    this.name = "Terminated";
  }
}

const GONE = new Set(["shutting-down", "terminated", "stopping", "stopped"]);

/**
 * One EC2 instance running skiff's AMI, played in JS: boots, runs the bootstrap (read the JIT
 * config from SSM while it is missing, delete it), starts the runner (connects to GitHub with the
 * config), runs the one job GitHub gives it and powers off. When EC2 terminates it first (scale-down,
 * a spot interruption), whatever it was doing stops there, as on a real machine.
 */
export class SimulatedInstance {
  readonly id: string;
  readonly pool: string;
  /** Interrupted when the instance goes: whatever it was waiting on ends there. */
  readonly #alive: Interruptible;
  #poweringOff = false;
  jobId: number | undefined;
  runnerId: number | undefined;
  done: Promise<void>;

  constructor(
    private readonly world: World,
    instance: FakeInstance,
  ) {
    this.id = instance.instanceId;
    this.pool = instance.tags["skiff:pool"] ?? "";
    this.#alive = new Interruptible(world.clock, () => new Terminated());
    this.done = this.#run().catch((error: unknown) => {
      if (error instanceof Terminated) return;
      this.world.note({
        kind: "error",
        instanceId: this.id,
        at: this.world.clock.now(),
        message: String(error),
      });
    });
  }

  /** EC2 changed this instance's state. */
  stateChanged(state: string): void {
    if (GONE.has(state) && !this.#poweringOff) {
      this.#alive.interrupt();
    }
  }

  get gone(): boolean {
    return this.#alive.interrupted;
  }

  #sleep(virtualMs: number): Promise<void> {
    return this.#alive.sleep(virtualMs);
  }

  async #run(): Promise<void> {
    const { world } = this;
    const at = () => world.clock.now();
    const boot = world.bootSeconds(world.ec2.instance(this.id) as FakeInstance) * 1000;
    await this.#sleep(Math.min(3000, boot / 3));
    world.ec2.setState(this.id, "running");
    world.note({ kind: "running", instanceId: this.id, at: at() });
    await this.#sleep(boot - Math.min(3000, boot / 3));

    // The bootstrap: its JIT config, retried every second while missing, until the boot timeout.
    const name = `/${world.prefix}/jit/${this.id}`;
    const ssm = world.ssmFor(this.id);
    const read = await readJitConfig({
      ssm,
      name,
      deadline: at() + world.bootTimeoutSeconds(this.pool) * 1000,
      now: at,
      sleep: (ms) => this.#sleep(ms),
      retry: (message) => world.note({ kind: "retry", instanceId: this.id, at: at(), message }),
    });
    if (!read) return this.#powerOff("no JIT config within the boot timeout");
    const { config, attempts } = read;
    world.note({ kind: "jit-read", instanceId: this.id, at: at(), attempts });
    for (let attempt = 1; ; attempt++) {
      try {
        await ssm.send(new DeleteParameterCommand({ Name: name }));
        break;
      } catch (error) {
        if ((error as { name?: string }).name === "ParameterNotFound" || attempt >= 5) throw error;
        await this.#sleep(attempt * 1000);
      }
    }
    if (this.gone) throw new Terminated();

    // The runner: connect with the JIT config, then wait for GitHub to hand it a job.
    let connected: Awaited<ReturnType<FakeGitHub["runnerConnect"]>>;
    try {
      connected = await world.github.runnerConnect(config);
    } catch (error) {
      return this.#powerOff(`runner could not connect: ${(error as Error).message}`);
    }
    this.runnerId = connected.runner.id;
    world.note({
      kind: "registered",
      instanceId: this.id,
      at: at(),
      runnerId: connected.runner.id,
      runnerName: connected.runner.name,
      runnerGroupId: connected.runner.runnerGroupId,
    });
    let jobId = connected.job?.id;
    world.github.onAssigned(connected.runner.id, () => this.#alive.wake());
    while (jobId === undefined) {
      await this.#sleep(1000);
      const runner = world.github.registrations().find((r) => r.id === this.runnerId);
      if (!runner) return this.#powerOff("runner registration deleted while idle");
      jobId = runner.jobId ?? undefined;
    }
    this.jobId = jobId;
    world.note({
      kind: "job-started",
      instanceId: this.id,
      at: at(),
      jobId,
      runnerName: connected.runner.name,
    });

    try {
      await this.#sleep(world.jobSeconds(jobId) * 1000);
    } catch (error) {
      if (!(error instanceof Terminated)) throw error;
      // The machine died under a running job: GitHub notices the runner is gone and fails the job.
      world.note({ kind: "job-lost", instanceId: this.id, at: at(), jobId, why: "instance terminated" });
      world.github.runnerDisconnect(connected.runner.id);
      await world.clock.sleep(30_000);
      if (world.github.job(jobId)?.status !== "completed") await world.github.completeJob(jobId, "failure");
      return;
    }
    await world.github.completeJob(jobId, "success");
    world.note({ kind: "job-done", instanceId: this.id, at: at(), jobId, conclusion: "success" });
    return this.#powerOff("job done");
  }

  /** systemctl poweroff: the launch template's shutdown behaviour terminates the instance. */
  async #powerOff(why: string): Promise<void> {
    if (this.gone) return;
    this.#poweringOff = true;
    this.world.note({ kind: "power-off", instanceId: this.id, at: this.world.clock.now(), why });
    this.world.ec2.setState(this.id, "shutting-down");
    await this.world.clock.sleep(5000);
    if (this.world.ec2.instance(this.id)?.state !== "terminated")
      this.world.ec2.setState(this.id, "terminated");
    this.#alive.interrupt();
  }
}
