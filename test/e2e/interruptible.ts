import type { FastClock } from "./clock.ts";

/**
 * Virtual-time sleeps that a signal cuts short: once `interrupt()` is called, the sleep under way and
 * every later one throw `interruption()`. How a simulated machine is stopped wherever it is (EC2
 * terminating an instance, SIGTERM reaching a task's container).
 */
export class Interruptible {
  #interrupted = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly clock: FastClock,
    private readonly interruption: () => Error,
  ) {}

  get interrupted(): boolean {
    return this.#interrupted;
  }

  interrupt(): void {
    this.#interrupted = true;
    this.#wake?.();
  }

  /** Ends the sleep under way early, without interrupting: something it waits for happened. */
  wake(): void {
    this.#wake?.();
  }

  async sleep(virtualMs: number): Promise<void> {
    if (this.#interrupted) throw this.interruption();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.clock.real(virtualMs));
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
    if (this.#interrupted) throw this.interruption();
  }
}
