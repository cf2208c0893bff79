/**
 * The one place that knows how skiff's items are keyed in its single DynamoDB table
 * (partition key `pk`) and how long each kind lives (TTL attribute `expiresAt`).
 */
export const keys = {
  job: (jobId: number) => `job#${jobId}`,
  instance: (instanceId: string) => `instance#${instanceId}`,
  pool: (pool: string) => `pool#${pool}`,
  run: (runId: number) => `run#${runId}`,
  delivery: (guid: string) => `delivery#${guid}`,
  meta: (name: string) => `meta#${name}`,
  lock: (name: string) => `lock#${name}`,
};

/** The kind of item a key names, for a scan. */
export function kindOf(pk: string): "job" | "instance" | "pool" | "other" {
  const kind = pk.slice(0, pk.indexOf("#"));
  return kind === "job" || kind === "instance" || kind === "pool" ? kind : "other";
}

const DAY = 24 * 3600;

/** How long each kind of item stays after its last change before TTL removes it. */
export const TTL_SECONDS = {
  /** Jobs and instances: finished or abandoned items. */
  item: 7 * DAY,
  /** A run marked for on-demand re-runs. */
  run: 2 * DAY,
  /** A webhook delivery asked for again (GitHub keeps deliveries three days). */
  delivery: 7 * DAY,
};

export function expiresAt(now: Date, kind: keyof typeof TTL_SECONDS): number {
  return Math.floor(now.getTime() / 1000) + TTL_SECONDS[kind];
}
