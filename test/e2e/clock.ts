/**
 * The harness's side of fast time: the same formula as clock.cjs, without touching globals (the
 * harness shares its process with vitest). `speed` virtual milliseconds pass per real millisecond.
 */
export class FastClock {
  readonly origin: number;
  constructor(readonly speed = 1) {
    if (!(speed > 0)) throw new Error(`FastClock: speed must be positive, got ${speed}`);
    this.origin = Date.now();
  }

  /** Virtual epoch milliseconds. */
  now = (): number => Math.floor(this.origin + (Date.now() - this.origin) * this.speed);

  date(): Date {
    return new Date(this.now());
  }

  /** Real milliseconds that `virtualMs` take. */
  real(virtualMs: number): number {
    return virtualMs / this.speed;
  }

  /** Waits `virtualMs` of virtual time. */
  sleep(virtualMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, this.real(virtualMs))));
  }

  /** Environment that makes a child process (with clock.cjs preloaded) share this clock. */
  env(): Record<string, string> {
    return { SKIFF_E2E_SPEED: String(this.speed), SKIFF_E2E_ORIGIN: String(this.origin) };
  }
}
