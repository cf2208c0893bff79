import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { JobMessage } from "./messages.ts";

/**
 * Where a job stands. `claimed` → `launching` → `launched` → `registered` → `running` →
 * `completed`; `pending` means "free to be claimed again" (the job went back to the queue);
 * `cancelled` means GitHub no longer wanted a runner for it.
 */
export type JobStatus =
  | "claimed"
  | "launching"
  | "launched"
  | "registered"
  | "running"
  | "completed"
  | "pending"
  | "cancelled";

export interface JobItem {
  pk: string;
  jobId: number;
  runId: number;
  owner: string;
  repository: string;
  installationId: number;
  pool: string;
  labels: string[];
  queuedAt: string;
  status: JobStatus;
  /** Who holds the claim (an SQS message id) and until when (epoch ms). */
  claimedBy?: string;
  leaseUntil?: number;
  /** True while the job holds one of its pool's slots. */
  holdsSlot?: boolean;
  attempts: number;
  instanceId?: string;
  capacityType?: "spot" | "on-demand";
  instanceType?: string;
  launchedAt?: string;
  registeredAt?: string;
  runnerName?: string;
  runnerId?: number;
  startedAt?: string;
  completedAt?: string;
  conclusion?: string;
  forceOnDemand?: boolean;
  updatedAt: string;
  /** DynamoDB TTL (epoch seconds): finished items expire on their own. */
  expiresAt: number;
}

export interface InstanceItem {
  pk: string;
  instanceId: string;
  jobId: number;
  pool: string;
  expiresAt: number;
}

/** How long finished or abandoned items stay in the table before TTL removes them. */
export const ITEM_TTL_SECONDS = 7 * 24 * 3600;

export const jobKey = (jobId: number) => `job#${jobId}`;
export const poolKey = (pool: string) => `pool#${pool}`;
export const instanceKey = (instanceId: string) => `instance#${instanceId}`;

const epochSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | null)?.name === "ConditionalCheckFailedException"
  );
}

/** Builds an UpdateExpression SET clause from a patch object. */
function setClause(patch: Record<string, unknown>): {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    names[`#${key}`] = key;
    values[`:${key}`] = value;
    parts.push(`#${key} = :${key}`);
  }
  return { expression: `SET ${parts.join(", ")}`, names, values };
}

/**
 * skiff's state in one DynamoDB table keyed by `pk`: one item per job, one counter per
 * pool, one index item per instance. Every change that guards an invariant is a
 * conditional write.
 */
export class StateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Claims a job for one queue message. A job is claimable when it is new, was put back
   * (`pending`), or its claim lease ran out before anything was launched (the claimer
   * crashed). Returns false when someone else holds it or it is already launched.
   */
  async claim(job: JobMessage, token: string, now: Date, leaseSeconds: number): Promise<boolean> {
    const item: JobItem = {
      pk: jobKey(job.jobId),
      jobId: job.jobId,
      runId: job.runId,
      owner: job.owner,
      repository: job.repository,
      installationId: job.installationId,
      pool: job.pool,
      labels: job.labels,
      queuedAt: job.queuedAt,
      status: "claimed",
      claimedBy: token,
      leaseUntil: now.getTime() + leaseSeconds * 1000,
      attempts: 0,
      ...(job.capacity === "on-demand" ? { forceOnDemand: true } : {}),
      updatedAt: now.toISOString(),
      expiresAt: epochSeconds(now) + ITEM_TTL_SECONDS,
    };
    try {
      const previous = await this.getJob(job.jobId);
      if (previous) item.attempts = previous.attempts;
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression:
            "attribute_not_exists(pk) OR #status = :pending OR (#status = :claimed AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":pending": "pending", ":claimed": "claimed", ":now": now.getTime() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getJob(jobId: number): Promise<JobItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: jobKey(jobId) }, ConsistentRead: true }),
    );
    return out.Item as JobItem | undefined;
  }

  async getInstance(instanceId: string): Promise<InstanceItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: instanceKey(instanceId) }, ConsistentRead: true }),
    );
    return out.Item as InstanceItem | undefined;
  }

  /**
   * Changes a job's item when it is in one of `from` (and, with `token`, still claimed by
   * that message). Returns false when the condition did not hold.
   */
  async update(
    jobId: number,
    from: readonly JobStatus[],
    patch: Partial<Omit<JobItem, "pk" | "jobId">>,
    now: Date,
    token?: string,
  ): Promise<boolean> {
    const set = setClause({ ...patch, updatedAt: now.toISOString() });
    const allowed = from.map((_, i) => `:from${i}`);
    const values: Record<string, unknown> = { ...set.values };
    from.forEach((status, i) => {
      values[`:from${i}`] = status;
    });
    let condition = `#status IN (${allowed.join(", ")})`;
    if (token !== undefined) {
      condition += " AND claimedBy = :token";
      values[":token"] = token;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobKey(jobId) },
          UpdateExpression: set.expression,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeNames: { ...set.names, "#status": "status" },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Gives back the slot a job holds, at most once: the job's `holdsSlot` flag flips from
   * true to false in a conditional write, and only the writer that flipped it decrements
   * the pool's counter. `patch` is applied in the same write.
   */
  async releaseSlot(
    jobId: number,
    pool: string,
    patch: Partial<Omit<JobItem, "pk" | "jobId" | "holdsSlot">>,
    now: Date,
  ): Promise<boolean> {
    const set = setClause({ ...patch, holdsSlot: false, updatedAt: now.toISOString() });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobKey(jobId) },
          UpdateExpression: set.expression,
          ConditionExpression: "holdsSlot = :held",
          ExpressionAttributeNames: set.names,
          ExpressionAttributeValues: { ...set.values, ":held": true },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    await this.release(pool, 1);
    return true;
  }

  /** Records which job an instance serves, so EC2 events can find the job. */
  async indexInstance(instanceId: string, jobId: number, pool: string, now: Date): Promise<void> {
    const item: InstanceItem = {
      pk: instanceKey(instanceId),
      instanceId,
      jobId,
      pool,
      expiresAt: epochSeconds(now) + ITEM_TTL_SECONDS,
    };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  async activeRunners(pool: string): Promise<number> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: poolKey(pool) }, ConsistentRead: true }),
    );
    return (out.Item?.active as number | undefined) ?? 0;
  }

  /**
   * Reserves up to `wanted` slots in a pool without ever exceeding `max`: a conditional
   * update that adds n only while `active <= max - n`, retried on contention.
   */
  async reserve(pool: string, wanted: number, max: number): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const active = await this.activeRunners(pool);
      const n = Math.min(wanted, max - active);
      if (n <= 0) return 0;
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: poolKey(pool) },
            UpdateExpression: "ADD active :n",
            ConditionExpression: "attribute_not_exists(active) OR active <= :limit",
            ExpressionAttributeValues: { ":n": n, ":limit": max - n },
          }),
        );
        return n;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return 0;
  }

  /** Gives back n slots; never takes the counter below zero. */
  async release(pool: string, n: number): Promise<void> {
    if (n <= 0) return;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: poolKey(pool) },
          UpdateExpression: "ADD active :minus",
          ConditionExpression: "active >= :n",
          ExpressionAttributeValues: { ":minus": -n, ":n": n },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The counter already drifted low; the reconcile recomputes it from the truth.
    }
  }

  /** Sets a pool's counter to a value computed from the truth (used by the reconcile). */
  async setActive(pool: string, active: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: poolKey(pool) },
        UpdateExpression: "SET active = :n",
        ExpressionAttributeValues: { ":n": active },
      }),
    );
  }
}
