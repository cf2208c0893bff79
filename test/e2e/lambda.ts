import { type ChildProcess, fork } from "node:child_process";
import { createInterface } from "node:readline";
import type { FastClock } from "./clock.ts";
import { e2eFile } from "./paths.ts";

/** One structured line a function wrote to stdout: a Powertools log entry or an EMF metric set. */
export interface LogLine {
  function: string;
  /** Virtual epoch ms when the harness read it. */
  at: number;
  entry: Record<string, unknown>;
}

export interface InvokeResult<T = unknown> {
  ok: boolean;
  value?: T;
  error?: { name: string; message: string; stack?: string };
  /** "crash" when the container died mid-invocation, "timeout" when it ran past its timeout. */
  failure?: "error" | "crash" | "timeout";
  container: number;
  /** Real milliseconds the invocation took inside the container. */
  ms: number;
}

export interface LambdaOptions {
  name: string;
  /** The unzipped bundle (holds index.js). */
  dir: string;
  env: Record<string, string>;
  clock: FastClock;
  /** Most containers running at once (Lambda concurrency). */
  concurrency: number;
  /** The function timeout, in virtual seconds. */
  timeoutSeconds: number;
  functionArn: string;
  onLine?: (line: LogLine) => void;
  /** Every line the function wrote, JSON or not, with where it came from ("scale-up#2 stderr"). */
  onText?: (source: string, text: string) => void;
  /** Echo the function's output to stderr (debugging). */
  echo?: boolean;
}

/**
 * A function's timeout runs in virtual time, but never shorter than this in real time: on a busy
 * two-core machine a cold start can take a real second, which fast time would turn into a timeout.
 */
export const MIN_REAL_TIMEOUT_MS = 15_000;

interface Pending {
  resolve: (result: InvokeResult) => void;
  timer: NodeJS.Timeout;
}

/** A Lambda execution environment: one Node child process serving one invocation at a time. */
class Container {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  busy = false;
  dead = false;
  #pending = new Map<number, Pending>();
  #ids = 0;

  constructor(
    readonly id: number,
    private readonly options: LambdaOptions,
  ) {
    const { clock } = options;
    this.child = fork(e2eFile("lambda-host.cjs"), [options.dir], {
      execArgv: ["--require", e2eFile("clock.cjs")],
      env: {
        PATH: process.env.PATH ?? "",
        ...options.env,
        ...clock.env(),
        AWS_LAMBDA_FUNCTION_NAME: options.name,
        SKIFF_E2E_TIMEOUT_MS: String(options.timeoutSeconds * 1000),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    for (const [name, stream] of [
      ["stdout", this.child.stdout],
      ["stderr", this.child.stderr],
    ] as const) {
      if (!stream) continue;
      const source = `${options.name}#${id} ${name}`;
      createInterface({ input: stream }).on("line", (text) => {
        options.onText?.(source, text);
        this.#line(text);
      });
    }
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: { type: string; error?: { message: string } }) => {
        if (message.type === "ready") resolve();
        if (message.type === "init-error") {
          reject(new Error(`${options.name}: init failed: ${message.error?.message}`));
        }
      };
      this.child.on("message", onMessage);
      this.child.once("exit", (code) => reject(new Error(`${options.name}: container exited (${code})`)));
    });
    this.ready.catch(() => {});
    this.child.on("message", (message: { type: string; id: number } & InvokeResult) => {
      if (message.type !== "result") return;
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      pending.resolve({
        ok: message.ok,
        ...(message.ok ? { value: message.value } : { error: message.error, failure: "error" as const }),
        container: this.id,
        ms: message.ms,
      });
    });
    this.child.once("exit", () => {
      this.dead = true;
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.resolve({
          ok: false,
          failure: "crash",
          error: { name: "Crash", message: "the container exited mid-invocation" },
          container: this.id,
          ms: 0,
        });
        this.#pending.delete(id);
      }
    });
  }

  #line(text: string): void {
    if (this.options.echo) process.stderr.write(`[${this.options.name}#${this.id}] ${text}\n`);
    if (!text.startsWith("{")) return;
    try {
      const entry = JSON.parse(text) as Record<string, unknown>;
      this.options.onLine?.({ function: this.options.name, at: this.options.clock.now(), entry });
    } catch {
      // not a JSON line
    }
  }

  invoke(event: unknown): Promise<InvokeResult> {
    const id = ++this.#ids;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          // Lambda ends the environment of a timed-out invocation.
          this.#pending.delete(id);
          resolve({
            ok: false,
            failure: "timeout",
            error: { name: "Timeout", message: `timed out after ${this.options.timeoutSeconds} s` },
            container: this.id,
            ms: 0,
          });
          this.kill();
        },
        Math.max(this.options.clock.real(this.options.timeoutSeconds * 1000), MIN_REAL_TIMEOUT_MS),
      );
      this.#pending.set(id, { resolve, timer });
      this.child.send({ type: "invoke", id, event, functionArn: this.options.functionArn });
    });
  }

  kill(): void {
    if (!this.dead) this.child.kill("SIGKILL");
    this.dead = true;
  }
}

/**
 * A function: up to `concurrency` containers, each started on demand (a cold start) and reused
 * while it lives, as Lambda does. An invocation waits for a free container when all are busy.
 */
export class LambdaFunction {
  readonly #containers: Container[] = [];
  readonly #waiting: (() => void)[] = [];
  #ids = 0;
  coldStarts = 0;
  invocations = 0;
  readonly failures: InvokeResult[] = [];
  #closed = false;

  constructor(readonly options: LambdaOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Containers that are running an invocation now. */
  busy(): number {
    return this.#containers.filter((c) => c.busy && !c.dead).length;
  }

  async invoke<T = unknown>(event: unknown): Promise<InvokeResult<T>> {
    const container = await this.#acquire();
    this.invocations += 1;
    try {
      await container.ready;
    } catch (error) {
      this.#drop(container);
      const result: InvokeResult<T> = {
        ok: false,
        failure: "crash",
        error: { name: "InitError", message: (error as Error).message },
        container: container.id,
        ms: 0,
      };
      this.failures.push(result);
      this.#release(container);
      return result;
    }
    const result = (await container.invoke(event)) as InvokeResult<T>;
    if (!result.ok) this.failures.push(result);
    if (container.dead) this.#drop(container);
    this.#release(container);
    return result;
  }

  /** Starts `n` containers and waits for their cold starts, as provisioned concurrency would. */
  async warm(n = this.options.concurrency): Promise<void> {
    const started: Container[] = [];
    while (this.#containers.filter((c) => !c.dead).length < Math.min(n, this.options.concurrency)) {
      const container = new Container(++this.#ids, this.options);
      this.coldStarts += 1;
      this.#containers.push(container);
      started.push(container);
    }
    await Promise.all(started.map((c) => c.ready));
  }

  /** Kills every container that is running an invocation now (a crash mid-batch); returns how many. */
  crashBusy(): number {
    const busy = this.#containers.filter((c) => c.busy && !c.dead);
    for (const c of busy) c.kill();
    return busy.length;
  }

  async #acquire(): Promise<Container> {
    for (;;) {
      if (this.#closed) throw new Error(`${this.name} is closed`);
      const idle = this.#containers.find((c) => !c.busy && !c.dead);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      const live = this.#containers.filter((c) => !c.dead).length;
      if (live < this.options.concurrency) {
        const container = new Container(++this.#ids, this.options);
        this.coldStarts += 1;
        container.busy = true;
        this.#containers.push(container);
        return container;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  #release(container: Container): void {
    container.busy = false;
    this.#waiting.shift()?.();
  }

  #drop(container: Container): void {
    container.kill();
    const index = this.#containers.indexOf(container);
    if (index >= 0) this.#containers.splice(index, 1);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const resolve of this.#waiting.splice(0)) resolve();
    await Promise.all(
      this.#containers.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.dead || c.child.exitCode !== null) return resolve();
            c.child.once("exit", () => resolve());
            c.kill();
          }),
      ),
    );
    this.#containers.length = 0;
  }
}
