import type { JobMessage } from "../jobs/messages.ts";
import type { CapacityType, Pool } from "../shared/pools.ts";

export interface PlannedJob {
  messageId: string;
  receiptHandle: string;
  receiveCount: number;
  job: JobMessage;
}

/** The jobs of one pool in one batch that share a capacity choice: one CreateFleet each. */
export interface LaunchPlan {
  pool: Pool;
  /** The first capacity type to try. */
  capacity: CapacityType;
  /** Whether a spot shortfall may be made up on-demand. */
  fallback: boolean;
  jobs: PlannedJob[];
}

/**
 * Groups a batch into launch plans: one per pool and capacity type, in the order the
 * pools first appear. Jobs flagged for on-demand (re-runs after a spot interruption)
 * form their own plan.
 */
export function planLaunches(jobs: readonly PlannedJob[], pools: ReadonlyMap<string, Pool>): LaunchPlan[] {
  const plans = new Map<string, LaunchPlan>();
  for (const planned of jobs) {
    const pool = pools.get(planned.job.pool);
    if (!pool) throw new Error(`unknown pool ${planned.job.pool}`);
    const capacity: CapacityType = planned.job.capacity === "on-demand" ? "on-demand" : pool.capacityType;
    const key = `${pool.name}/${capacity}`;
    let plan = plans.get(key);
    if (!plan) {
      plan = { pool, capacity, fallback: capacity === "spot" && pool.onDemandFallback, jobs: [] };
      plans.set(key, plan);
    }
    plan.jobs.push(planned);
  }
  return [...plans.values()];
}

/**
 * How long a job returned to the queue stays invisible: doubling from 20 s with each
 * receive, capped at SQS's 15 minutes, with ±20 % jitter so returned jobs spread out.
 */
export function backoffSeconds(receiveCount: number, random: () => number = Math.random): number {
  const base = Math.min(900, 20 * 2 ** Math.max(0, receiveCount - 1));
  const jittered = base * (0.8 + 0.4 * random());
  return Math.max(1, Math.min(900, Math.round(jittered)));
}
