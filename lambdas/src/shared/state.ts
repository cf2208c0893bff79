import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { JobMessage } from "./messages.ts";

/**
 * Where a job stands. `claimed` → `launching` → `launched` → `registered` → `running` →
 * `completed`; `pending` means "free to be claimed again" (the job went back to the queue);
 * `cancelled` means GitHub no longer wanted a runner for it; `failed` means skiff gave up
 * on it after bounded retries (it is in the DLQ).
 */
export type JobStatus =
  | "claimed"
  | "launching"
  | "launched"
  | "registered"
  | "running"
  | "completed"
  | "pending"
  | "cancelled"
  | "failed";

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
  deliveryId?: string;
  /** Set when a spot interruption took the instance the job ran on. */
  interrupted?: boolean;
  /** How often the reconcile put the job back after its instance failed to take it. */
  requeues?: number;
  /**
   * Set in the same write that puts the job back (`pending`) or gives up on it (`failed`),
   * cleared once its jobs-queue or DLQ message is sent: a send that failed is retried by
   * the reconcile instead of leaving the job with no message anywhere.
   */
  unsent?: boolean;
  updatedAt: string;
  /** DynamoDB TTL (epoch seconds): finished items expire on their own. */
  expiresAt: number;
}

/**
 * Where an instance stands, from events: `launched` (booting or idle), `busy` (a job is
 * in progress on it), `done` (its job completed; it powers off), `gone` (terminated).
 */
export type InstanceStatus = "launched" | "busy" | "done" | "gone";

export interface InstanceItem {
  pk: string;
  instanceId: string;
  /** The job it was launched for; the runner may take another job with the same labels. */
  jobId: number;
  pool: string;
  status: InstanceStatus;
  launchedAt: string;
  capacityType?: "spot" | "on-demand";
  /** The job in progress on it, from the in_progress webhook. */
  busyJobId?: number;
  startedAt?: string;
  doneAt?: string;
  interrupted?: boolean;
  /** Its GitHub registration, for clean-up when it never ran a job. */
  runnerId?: number;
  owner?: string;
  repository?: string;
  runnerLevel?: "org" | "repo";
  installationId?: number;
  updatedAt: string;
  expiresAt: number;
}

/** How long finished or abandoned items stay in the table before TTL removes them. */
export const ITEM_TTL_SECONDS = 7 * 24 * 3600;

export const jobKey = (jobId: number) => `job#${jobId}`;
export const poolKey = (pool: string) => `pool#${pool}`;
export const instanceKey = (instanceId: string) => `instance#${instanceId}`;
export const runKey = (runId: number) => `run#${runId}`;

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
      deliveryId: job.deliveryId,
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
      if (previous) {
        item.attempts = previous.attempts;
        if (previous.requeues) item.requeues = previous.requeues;
      }
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

  /** Sends a conditional write; false when its condition did not hold. */
  private async conditionally(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
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
    return this.conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobKey(jobId) },
          UpdateExpression: set.expression,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeNames: { ...set.names, "#status": "status" },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Gives back the slot a job holds, at most once: the job's `holdsSlot` flag flips from
   * true to false in a conditional write, and only the writer that flipped it decrements
   * the pool's counter. `patch` is applied in the same write. With `handOver`, the counter
   * is left as it is: the slot passes to another job. With `from`, only while the job's
   * status is one of those (a decision made on an older read must not undo a newer state).
   */
  async releaseSlot(
    jobId: number,
    pool: string,
    patch: Partial<Omit<JobItem, "pk" | "jobId" | "holdsSlot">>,
    now: Date,
    handOver = false,
    from?: readonly JobStatus[],
  ): Promise<boolean> {
    const set = setClause({ ...patch, holdsSlot: false, updatedAt: now.toISOString() });
    const names: Record<string, string> = { ...set.names };
    const values: Record<string, unknown> = { ...set.values, ":held": true };
    let condition = "holdsSlot = :held";
    if (from) {
      names["#status"] = "status";
      const allowed = from.map((status, i) => {
        values[`:from${i}`] = status;
        return `:from${i}`;
      });
      condition += ` AND #status IN (${allowed.join(", ")})`;
    }
    const released = await this.conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobKey(jobId) },
          UpdateExpression: set.expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (!released) return false;
    if (!handOver) await this.release(pool, 1);
    return true;
  }

  /** Records a launched instance and the job it was launched for. */
  async putInstance(
    item: Omit<InstanceItem, "pk" | "updatedAt" | "expiresAt" | "status">,
    now: Date,
  ): Promise<void> {
    const full: InstanceItem = {
      ...item,
      pk: instanceKey(item.instanceId),
      status: "launched",
      updatedAt: now.toISOString(),
      expiresAt: epochSeconds(now) + ITEM_TTL_SECONDS,
    };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: full }));
  }

  /**
   * Changes an instance's item (creating it if `create` is set and it does not exist).
   * With `from`, only when its status is one of those. Returns false when the condition
   * did not hold.
   */
  async updateInstance(
    instanceId: string,
    patch: Partial<Omit<InstanceItem, "pk" | "instanceId">>,
    now: Date,
    options: { from?: readonly InstanceStatus[]; mustExist?: boolean } = {},
  ): Promise<boolean> {
    const set = setClause({
      ...patch,
      instanceId,
      updatedAt: now.toISOString(),
      expiresAt: epochSeconds(now) + ITEM_TTL_SECONDS,
    });
    const conditions: string[] = [];
    const values: Record<string, unknown> = { ...set.values };
    const names: Record<string, string> = { ...set.names };
    if (options.mustExist) conditions.push("attribute_exists(pk)");
    if (options.from) {
      names["#status"] = "status";
      const allowed = options.from.map((status, i) => {
        values[`:from${i}`] = status;
        return `:from${i}`;
      });
      conditions.push(`(attribute_not_exists(#status) OR #status IN (${allowed.join(", ")}))`);
    }
    return this.conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: instanceKey(instanceId) },
          UpdateExpression: set.expression,
          ...(conditions.length > 0 ? { ConditionExpression: conditions.join(" AND ") } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /** Every item, page by page (the reconcile's view; the table holds only live work plus TTL'd history). */
  async scanAll(): Promise<{ jobs: JobItem[]; instances: InstanceItem[]; counters: Map<string, number> }> {
    const jobs: JobItem[] = [];
    const instances: InstanceItem[] = [];
    const counters = new Map<string, number>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({ TableName: this.table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const pk = String(item.pk);
        if (pk.startsWith("job#")) jobs.push(item as JobItem);
        else if (pk.startsWith("instance#")) instances.push(item as InstanceItem);
        else if (pk.startsWith("pool#")) counters.set(pk.slice(5), Number(item.active ?? 0));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { jobs, instances, counters };
  }

  /**
   * Marks a workflow run whose jobs should launch on-demand (a re-run after a spot
   * interruption). Returns false when the run was already marked: re-run it only once.
   */
  async markRunOnDemand(runId: number, now: Date): Promise<boolean> {
    return this.conditionally(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: runKey(runId), runId, onDemand: true, expiresAt: epochSeconds(now) + 2 * 24 * 3600 },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  /** The run ids among `runIds` marked for on-demand capacity (one BatchGet per 100). */
  async onDemandRuns(runIds: readonly number[]): Promise<Set<number>> {
    const unique = [...new Set(runIds)];
    const marked = new Set<number>();
    for (let i = 0; i < unique.length; i += 100) {
      const keys = unique.slice(i, i + 100).map((id) => ({ pk: runKey(id) }));
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.table]: { Keys: keys },
      };
      while (request && Object.keys(request).length > 0) {
        const out: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: request }),
        );
        for (const item of out.Responses?.[this.table] ?? [])
          if (item.onDemand) marked.add(Number(item.runId));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return marked;
  }

  /** Remembers a webhook delivery asked for again; false if it already was (never twice). */
  async markRedelivered(deliveryGuid: string, now: Date): Promise<boolean> {
    return this.conditionally(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `delivery#${deliveryGuid}`, expiresAt: epochSeconds(now) + 7 * 24 * 3600 },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  async deleteItem(pk: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk } }));
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

  /**
   * Sets a pool's counter to a value computed from the truth, only if it still holds the
   * value the computation saw (`was`), so a reservation made meanwhile is never lost.
   */
  async setActive(pool: string, active: number, was: number): Promise<boolean> {
    return this.conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: poolKey(pool) },
          UpdateExpression: "SET active = :n",
          ConditionExpression: was === 0 ? "attribute_not_exists(active) OR active = :was" : "active = :was",
          ExpressionAttributeValues: { ":n": active, ":was": was },
        }),
      ),
    );
  }

  /** Reads a small bookkeeping record of the control plane (e.g. the listing cursor). */
  async getMeta<T>(name: string): Promise<T | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `meta#${name}` }, ConsistentRead: true }),
    );
    return out.Item?.value as T | undefined;
  }

  /** Writes (or, with undefined, deletes) a bookkeeping record. */
  async putMeta(name: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await this.deleteItem(`meta#${name}`);
      return;
    }
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `meta#${name}`, value } }));
  }

  /** Counts reconcile cycles, so work done every N cycles can be scheduled. */
  async nextCycle(): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: "meta#reconcile" },
        // CYCLE is a DynamoDB reserved word: it must go through a name placeholder.
        UpdateExpression: "ADD #cycle :one",
        ExpressionAttributeNames: { "#cycle": "cycle" },
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(out.Attributes?.cycle ?? 1);
  }
}
