import type { Counter, Log } from "../../src/shared/observability.ts";

export interface LogEntry {
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

/** A logger that keeps every entry and prints nothing. */
export function memoryLog(): Log & { entries: LogEntry[]; text(): string } {
  const entries: LogEntry[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    entries.push({ level, message, ...(extra ? { extra } : {}) });
  };
  return {
    entries,
    text: () => JSON.stringify(entries),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}

/** A counter that keeps totals by "name" or "name|dimension=value". */
export function memoryCounter(): Counter & { totals: Map<string, number>; get(key: string): number } {
  const totals = new Map<string, number>();
  return {
    totals,
    get: (key) => totals.get(key) ?? 0,
    count(name, dimension, value = 1) {
      const key = dimension ? `${name}|${dimension.name}=${dimension.value}` : name;
      totals.set(key, (totals.get(key) ?? 0) + value);
    },
    measure(name, value) {
      totals.set(name, (totals.get(name) ?? 0) + value);
    },
  };
}
