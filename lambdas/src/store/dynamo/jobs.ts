import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { JobItem, JobPatch, NewInstance } from "../../jobs/items.ts";
import { claimedJob } from "../../jobs/items.ts";
import type { JobMessage } from "../../jobs/messages.ts";
import { JOB_TRANSITIONS, type JobTransition } from "../../jobs/transitions.ts";
import { expiresAt, keys } from "../keys.ts";
import type { JobStore, TransitionOptions, Written } from "../ports.ts";
import { written } from "../ports.ts";
import {
  ATTEMPTS,
  cancellation,
  Expression,
  instanceTakesSlot,
  poolChange,
  refusal,
  slotCondition,
  strip,
  type TransactItem,
  transact,
} from "./expression.ts";

/** The job item that the transition `t` leads to, as an update of `patch`. */
function update(
  table: string,
  jobId: number,
  t: JobTransition,
  patch: JobPatch & { holdsSlot?: boolean },
  now: Date,
  extra: (e: Expression) => string[] = () => [],
): NonNullable<TransactItem["Update"]> {
  const e = new Expression();
  const set = e.set({
    ...patch,
    ...(t.to === "same" ? {} : { status: t.to }),
    updatedAt: now.toISOString(),
    expiresAt: expiresAt(now, "item"),
  });
  const condition = ["attribute_exists(pk)", e.in("status", t.from), ...extra(e)].join(" AND ");
  return {
    TableName: table,
    Key: { pk: keys.job(jobId) },
    UpdateExpression: set,
    ConditionExpression: condition,
    ...e.attributes(),
  } as NonNullable<TransactItem["Update"]>;
}

export class DynamoJobStore implements JobStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(jobId: number): Promise<JobItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.job(jobId) }, ConsistentRead: true }),
    );
    return strip<JobItem>(out.Item);
  }

  async claim(message: JobMessage, token: string, now: Date, leaseUntil: number): Promise<Written<JobItem>> {
    const previous = await this.get(message.jobId);
    const e = new Expression();
    const t = JOB_TRANSITIONS.claim;
    // Claimable: new, in one of the claim's from-states, or claimed under a lease that ran out.
    const condition = `attribute_not_exists(pk) OR ${e.in("status", t.from)} OR (${e.name("status")} = ${e.value(t.to)} AND leaseUntil < ${e.value(now.getTime())})`;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: keys.job(message.jobId),
            ...claimedJob(message, previous),
            claimedBy: token,
            leaseUntil,
            updatedAt: now.toISOString(),
            expiresAt: expiresAt(now, "item"),
          },
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          ...e.attributes(),
        }),
      );
      return written;
    } catch (error) {
      return this.refused(error);
    }
  }

  async transition(
    jobId: number,
    name: Parameters<JobStore["transition"]>[1],
    patch: JobPatch,
    { now, token, keepOn }: TransitionOptions,
  ): Promise<Written<JobItem>> {
    const t: JobTransition = JOB_TRANSITIONS[name];
    if (t.slot === "release") return this.releasing(jobId, t, patch, now, keepOn ?? []);
    if (t.claimed && token === undefined) throw new Error(`transition "${name}" needs the claim token`);
    const item = update(
      this.table,
      jobId,
      t,
      t.slot === "hold" ? { ...patch, holdsSlot: true } : patch,
      now,
      (e) => [
        ...(t.claimed ? [`claimedBy = ${e.value(token)}`] : []),
        ...(t.slot === "hold" ? [slotCondition(e, false)] : []),
      ],
    );
    try {
      await this.doc.send(new UpdateCommand({ ...item, ReturnValuesOnConditionCheckFailure: "ALL_OLD" }));
      return written;
    } catch (error) {
      return this.refused(error);
    }
  }

  /**
   * A transition that gives the job's slot back: the job's flag and the pool's counter
   * change in one transaction, so the counter never disagrees with the jobs, even for a
   * moment a reader could see. A job that holds no slot just moves.
   */
  private async releasing(
    jobId: number,
    t: JobTransition,
    patch: JobPatch,
    now: Date,
    keepOn: readonly string[],
  ): Promise<Written<JobItem>> {
    let current = await this.get(jobId);
    const keepers = [...new Set(keepOn)];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (!current || !(t.from as readonly string[]).includes(current.status)) return { ok: false, current };
      const holds = current.holdsSlot === true;
      const job = update(this.table, jobId, t, { ...patch, holdsSlot: false }, now, (e) => [
        slotCondition(e, holds),
      ]);
      try {
        if (holds) {
          const items: TransactItem[] = [
            { Update: { ...job, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
          ];
          const keeper = keepers[0];
          if (keeper) items.push(this.keeps(keeper, jobId, now), poolChange(this.table, current.pool));
          else items.push(poolChange(this.table, current.pool, { n: -1 }));
          await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
        } else {
          await this.doc.send(new UpdateCommand({ ...job, ReturnValuesOnConditionCheckFailure: "ALL_OLD" }));
        }
        return written;
      } catch (error) {
        const cancelled = cancellation(error);
        const refused = refusal<JobItem>(error) ?? cancelled?.refused[0];
        if (refused) current = strip<JobItem>(refused.current as Record<string, unknown> | undefined);
        else if (cancelled?.refused[1])
          keepers.shift(); // down already, or it holds a slot: the next one, or the pool
        else if (!cancelled?.conflict) throw error;
      }
    }
    throw new Error(`job ${jobId}: could not release its slot under contention`);
  }

  /**
   * The instance item takes a slot, while it is not down, holds none, and is tied to the
   * job: launched or set aside for it (`jobId`), or the one that ran it (`busyJobId`). A
   * runner the job gave back, since set aside for another job, is not.
   */
  private keeps(instanceId: string, jobId: number, now: Date): TransactItem {
    return instanceTakesSlot(this.table, instanceId, jobId, ["jobId", "busyJobId"], now);
  }

  async launched(
    jobId: number,
    patch: JobPatch,
    instance: NewInstance,
    now: Date,
  ): Promise<Written<JobItem>> {
    const job = update(this.table, jobId, JOB_TRANSITIONS.launched, patch, now);
    const items: TransactItem[] = [
      { Update: { ...job, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
      {
        Put: {
          TableName: this.table,
          Item: {
            pk: keys.instance(instance.instanceId),
            ...instance,
            status: "launched",
            updatedAt: now.toISOString(),
            expiresAt: expiresAt(now, "item"),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
    ];
    return this.transact(items, jobId);
  }

  async handOver(from: JobItem, to: JobItem, toMax: number, now: Date): Promise<Written<JobItem>> {
    const give = update(
      this.table,
      from.jobId,
      JOB_TRANSITIONS.handedOver,
      { unsent: true, holdsSlot: false },
      now,
      (e) => [slotCondition(e, true)],
    );
    const take = update(this.table, to.jobId, JOB_TRANSITIONS.tookOver, { holdsSlot: true }, now, (e) => [
      slotCondition(e, false),
    ]);
    const items: TransactItem[] = [
      { Update: { ...give, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
      { Update: take },
    ];
    if (from.pool !== to.pool) {
      // The slot moves between pools: the pool that gains it must stay within its cap.
      items.push(
        poolChange(this.table, from.pool, { n: -1 }),
        poolChange(this.table, to.pool, { n: 1, max: toMax }),
      );
    } else {
      // Same count, other holders: the version still moves, so no repair trusts a scan torn across it.
      items.push(poolChange(this.table, from.pool));
    }
    return this.transact(items, from.jobId);
  }

  private async transact(items: TransactItem[], jobId: number): Promise<Written<JobItem>> {
    const result = await transact(this.doc, items, `job ${jobId}`);
    if (result.ok) return written;
    const first = result.refused[0];
    return { ok: false, current: first ? strip<JobItem>(first.current) : await this.get(jobId) };
  }

  private refused(error: unknown): Written<JobItem> {
    const refused = refusal<Record<string, unknown>>(error);
    if (!refused) throw error;
    return { ok: false, current: strip<JobItem>(refused.current) };
  }
}
