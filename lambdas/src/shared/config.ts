import { ConfigError } from "./errors.ts";

/** The process environment, or any plain record standing in for it in tests. */
export type Env = Record<string, string | undefined>;

export function requireString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, "is required and must not be empty");
  return value;
}

export function optionalString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

/** A comma-separated list; empty entries are dropped. */
export function stringList(env: Env, name: string): string[] {
  return (env[name] ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function integer(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < range.min || value > range.max) {
    throw new ConfigError(name, `must be between ${range.min} and ${range.max}, got ${value}`);
  }
  return value;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError(name, `must be "true" or "false", got "${raw}"`);
}

export function json(env: Env, name: string): unknown {
  const raw = requireString(env, name);
  try {
    return JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError(name, "is not valid JSON", { cause });
  }
}

/** An http(s) URL without a trailing slash. */
export function url(env: Env, name: string, fallback?: string): string {
  const raw = env[name]?.trim() || fallback;
  if (!raw) throw new ConfigError(name, "is required and must not be empty");
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch (cause) {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`, { cause });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}
