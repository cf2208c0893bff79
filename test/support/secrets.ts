/**
 * Secrets never leave (design invariant 6): a test registers every secret it used (JIT configs, the
 * App private key, installation tokens, webhook secrets) and every piece of output the code under test
 * wrote (a Lambda's stdout/stderr, the bootstrap's output), then asks for leaks. Any match fails.
 *
 * A leak is found even when the output holds only part of the secret or an escaped copy of it:
 * - the whole value, and its JSON-escaped form (a PEM key inside a JSON log line has `\n` escaped);
 * - every line of a multi-line secret (a PEM body line) of at least `MIN_FRAGMENT` characters;
 * - any run of `2 × FRAGMENT` characters of a long secret (a truncated log field, `slice(0, 200)`),
 *   found through fixed-size windows so scanning megabytes of logs against hundreds of 4 KB JIT
 *   configs stays linear in the size of the output.
 */

/** Window length for fragment matching; a leaked run of `2 × FRAGMENT` characters is always found. */
export const FRAGMENT = 24;
/** Shorter secrets (a webhook secret) are matched whole only. */
const MIN_FRAGMENT = 12;

export interface Leak {
  /** What the secret is, e.g. "JIT config of runner 3". */
  secret: string;
  /** Where it was found, e.g. "scale-up#2 stdout". */
  source: string;
  /** The text just before the match, then the secret's label in place of the secret. */
  context: string;
}

interface Registered {
  label: string;
  value: string;
}

export class SecretScanner {
  readonly #secrets: Registered[] = [];
  readonly #outputs: { source: string; text: string }[] = [];

  /** Registers a secret the test used; empty and very short values are refused (they would match anything). */
  secret(label: string, value: string | undefined): this {
    if (value === undefined || value === "") return this;
    if (value.length < 8) throw new Error(`SecretScanner.secret: "${label}" is too short to scan for`);
    if (!this.#secrets.some((s) => s.value === value)) this.#secrets.push({ label, value });
    return this;
  }

  /** Adds output the code under test wrote. */
  output(source: string, text: string): this {
    if (text) this.#outputs.push({ source, text });
    return this;
  }

  get secretCount(): number {
    return this.#secrets.length;
  }

  /** Every leak of every registered secret in every output (at most one per secret and source). */
  leaks(): Leak[] {
    const found: Leak[] = [];
    const seen = new Set<string>();
    const note = (secret: Registered, source: string, text: string, at: number) => {
      const key = `${secret.label}\u0000${source}`;
      if (seen.has(key)) return;
      seen.add(key);
      // Only what precedes the match: what follows a fragment may be more of the secret.
      const before = text.slice(Math.max(0, at - 60), at);
      found.push({ secret: secret.label, source, context: `${before}<${secret.label}>` });
    };

    // Needles matched whole: each secret, its JSON-escaped form and its long lines.
    const whole: { secret: Registered; needle: string }[] = [];
    // Fragments of long secrets, by their text: a window of the output equal to one is a leak.
    const fragments = new Map<string, Registered>();
    for (const secret of this.#secrets) {
      const escaped = JSON.stringify(secret.value).slice(1, -1);
      const needles = new Set([secret.value, escaped]);
      for (const line of secret.value.split(/\r?\n/)) {
        if (line.trim().length >= MIN_FRAGMENT && !/^-----(BEGIN|END) /.test(line)) needles.add(line.trim());
      }
      for (const needle of needles) whole.push({ secret, needle });
      for (const line of secret.value.split(/\r?\n/)) {
        for (let i = 0; i + FRAGMENT <= line.length; i += FRAGMENT) {
          const fragment = line.slice(i, i + FRAGMENT);
          // A run like "000…0" or "AAAA…" is not evidence of anything.
          if (new Set(fragment).size >= 8) fragments.set(fragment, secret);
        }
      }
    }

    for (const { source, text } of this.#outputs) {
      for (const { secret, needle } of whole) {
        const at = text.indexOf(needle);
        if (at >= 0) note(secret, source, text, at);
      }
      if (fragments.size === 0 || text.length < FRAGMENT) continue;
      for (let i = 0; i + FRAGMENT <= text.length; i++) {
        const secret = fragments.get(text.slice(i, i + FRAGMENT));
        if (secret) note(secret, source, text, i);
      }
    }
    return found;
  }

  /** Leaks as sentences for a test's violations list. */
  violations(): string[] {
    return this.leaks().map((l) => `secret leaked: ${l.secret} in ${l.source}: …${l.context}…`);
  }

  /** Throws, naming each leak, when any secret appears in any output. */
  assertNoLeaks(): void {
    const violations = this.violations();
    if (violations.length > 0) throw new Error(violations.join("\n"));
  }
}

/**
 * Captures what in-process code writes to process.stdout and process.stderr (Powertools' Logger writes
 * there; vitest intercepts `console.*` before it does) and still passes it on. `stop()` restores them.
 */
export function captureOutput(): { text(): string; stop(): void } {
  const chunks: string[] = [];
  const originals = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  const tap =
    (stream: "stdout" | "stderr") =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (originals[stream] as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tap("stdout") as typeof process.stdout.write;
  process.stderr.write = tap("stderr") as typeof process.stderr.write;
  return {
    text: () => chunks.join(""),
    stop: () => {
      process.stdout.write = originals.stdout as typeof process.stdout.write;
      process.stderr.write = originals.stderr as typeof process.stderr.write;
    },
  };
}
