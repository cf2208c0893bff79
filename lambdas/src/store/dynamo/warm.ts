import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { InstanceItem, JobItem, NewWarmInstance } from "../../jobs/items.ts";
import { INSTANCE_UP, isIn } from "../../jobs/status.ts";
import { JOB_TRANSITIONS } from "../../jobs/transitions.ts";
import { expiresAt, keys } from "../keys.ts";
import type { WarmStore, Written } from "../ports.ts";
import { written } from "../ports.ts";
import {
  Expression,
  instanceTakesSlot,
  poolChange,
  slotCondition,
  strip,
  type TransactItem,
  transact,
} from "./expression.ts";

export class DynamoWarmStore implements WarmStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async idle(pool: string): Promise<string[]> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.pool(pool) }, ConsistentRead: true }),
    );
    return [...((out.Item?.warmIdle as Set<string> | undefined) ?? [])].sort();
  }

  async record(instance: NewWarmInstance, now: Date): Promise<void> {
    await this.write("record", [
      {
        Put: {
          TableName: this.table,
          Item: {
            pk: keys.instance(instance.instanceId),
            ...instance,
            warm: true,
            holdsSlot: true,
            status: "launched",
            updatedAt: now.toISOString(),
            expiresAt: expiresAt(now, "item"),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      poolChange(this.table, instance.pool, { idle: { add: instance.instanceId } }),
    ]);
  }

  async adopt(
    jobId: number,
    token: string,
    instanceId: string,
    runnerName: string,
    now: Date,
  ): Promise<Written<JobItem>> {
    const t = JOB_TRANSITIONS.adopted;
    const at = now.toISOString();
    const instance = await this.instance(instanceId);
    if (!instance) return { ok: false, current: undefined };
    const result = await this.write("adopt", [
      poolChange(this.table, instance.pool, { idle: { remove: instanceId } }),
      {
        Update: {
          TableName: this.table,
          Key: { pk: keys.instance(instanceId) },
          UpdateExpression: "SET jobId = :job, adoptedAt = :at, holdsSlot = :no, updatedAt = :at",
          ConditionExpression: "holdsSlot = :yes AND attribute_not_exists(jobId) AND #status = :launched",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":job": jobId,
            ":at": at,
            ":no": false,
            ":yes": true,
            ":launched": "launched",
          },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: { pk: keys.job(jobId) },
          UpdateExpression:
            "SET #status = :to, instanceId = :instance, runnerName = :name, registeredAt = :at, launchedAt = :at, holdsSlot = :yes, updatedAt = :at",
          ConditionExpression:
            "#status IN (:from) AND claimedBy = :token AND (attribute_not_exists(holdsSlot) OR holdsSlot = :no)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":to": t.to,
            ":from": t.from[0],
            ":token": token,
            ":instance": instanceId,
            ":name": runnerName,
            ":at": at,
            ":yes": true,
            ":no": false,
          },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        },
      },
    ]);
    if (result.ok) return written;
    return { ok: false, current: strip<JobItem>(result.refused[2]?.current) };
  }

  async unadopt(instanceId: string, jobId: number, now: Date): Promise<Written<InstanceItem>> {
    const instance = await this.instance(instanceId);
    if (!instance?.warm || instance.jobId !== jobId) return { ok: false, current: instance };
    const at = now.toISOString();
    const result = await this.write("unadopt", [
      {
        Update: {
          TableName: this.table,
          Key: { pk: keys.instance(instanceId) },
          UpdateExpression: "SET holdsSlot = :yes, updatedAt = :at REMOVE jobId, adoptedAt",
          ConditionExpression: "jobId = :job AND #status = :launched",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":yes": true, ":at": at, ":job": jobId, ":launched": "launched" },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: { pk: keys.job(jobId) },
          UpdateExpression: "SET holdsSlot = :no, updatedAt = :at",
          ConditionExpression: `holdsSlot = :yes AND instanceId = :instance AND #status IN (${JOB_TRANSITIONS.gaveBack.from.map((_, i) => `:s${i}`).join(", ")})`,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":no": false,
            ":yes": true,
            ":at": at,
            ":instance": instanceId,
            ...Object.fromEntries(JOB_TRANSITIONS.gaveBack.from.map((s, i) => [`:s${i}`, s])),
          },
        },
      },
      poolChange(this.table, instance.pool, { idle: { add: instanceId } }),
    ]);
    return result.ok ? written : { ok: false, current: await this.instance(instanceId) };
  }

  async take(instanceId: string, job: JobItem, now: Date): Promise<Written<InstanceItem>> {
    const instance = await this.instance(instanceId);
    if (!instance?.warm || instance.jobId !== undefined || !instance.holdsSlot)
      return { ok: false, current: instance };
    const at = now.toISOString();
    const leaves = poolChange(this.table, instance.pool, { idle: { remove: instanceId } });
    const takes = (keep: boolean): TransactItem => {
      const e = new Expression();
      return {
        Update: {
          TableName: this.table,
          Key: { pk: keys.instance(instanceId) },
          UpdateExpression: e.set({ jobId: job.jobId, holdsSlot: keep, updatedAt: at }),
          ConditionExpression: `${slotCondition(e, true)} AND attribute_not_exists(${e.name("jobId")})`,
          ...e.attributes(),
        },
      } as TransactItem;
    };
    if (!job.holdsSlot) {
      // The runner's slot passes to the job.
      const e = new Expression();
      const result = await this.write("take", [
        takes(false),
        leaves,
        {
          Update: {
            TableName: this.table,
            Key: { pk: keys.job(job.jobId) },
            UpdateExpression: e.set({ holdsSlot: true, updatedAt: at }),
            ConditionExpression: `${slotCondition(e, false)} AND ${e.in("status", JOB_TRANSITIONS.tookOver.from)}`,
            ...e.attributes(),
          },
        } as TransactItem,
      ]);
      return result.ok ? written : { ok: false, current: await this.instance(instanceId) };
    }
    // The job already holds a slot, for an instance launched for it that now has no job of
    // its own. Both instances are live: that one takes this runner's slot and keeps it
    // until it goes. When it is not live (not launched yet, or on its way down), this
    // runner keeps its own slot until it goes.
    const own =
      job.instanceId && job.instanceId !== instanceId ? await this.instance(job.instanceId) : undefined;
    if (own && isIn(INSTANCE_UP, own.status) && !own.holdsSlot && own.jobId === job.jobId) {
      const result = await this.write("take", [
        takes(false),
        leaves,
        instanceTakesSlot(this.table, own.instanceId, job.jobId, ["jobId"], now),
      ]);
      if (result.ok) return written;
      if (!result.refused[2]) return { ok: false, current: await this.instance(instanceId) };
    }
    const result = await this.write("take", [takes(true), leaves]);
    return result.ok ? written : { ok: false, current: await this.instance(instanceId) };
  }

  async retire(instanceId: string, pool: string, now: Date): Promise<boolean> {
    const result = await this.write("retire", [
      poolChange(this.table, pool, { n: -1, idle: { remove: instanceId } }),
      {
        Update: {
          TableName: this.table,
          Key: { pk: keys.instance(instanceId) },
          UpdateExpression: "SET holdsSlot = :no, updatedAt = :at",
          ConditionExpression: "holdsSlot = :yes AND attribute_not_exists(jobId)",
          ExpressionAttributeValues: { ":no": false, ":yes": true, ":at": now.toISOString() },
        },
      },
    ]);
    return result.ok;
  }

  /**
   * An instance that holds a slot on its own item (a warm runner, waiting or running a job
   * it kept its slot for, or an instance whose job ran elsewhere) leaves service: the slot
   * goes back to the pool, once. False when it held none.
   */
  async release(instanceId: string, now: Date): Promise<boolean> {
    const instance = await this.instance(instanceId);
    if (!instance?.holdsSlot) return false;
    const result = await this.write("release", [
      poolChange(this.table, instance.pool, { n: -1, idle: { remove: instanceId, required: false } }),
      {
        Update: {
          TableName: this.table,
          Key: { pk: keys.instance(instanceId) },
          UpdateExpression: "SET holdsSlot = :no, updatedAt = :at",
          ConditionExpression: "holdsSlot = :yes",
          ExpressionAttributeValues: { ":no": false, ":yes": true, ":at": now.toISOString() },
        },
      },
    ]);
    return result.ok;
  }

  private async instance(instanceId: string): Promise<InstanceItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.instance(instanceId) }, ConsistentRead: true }),
    );
    return strip<InstanceItem>(out.Item);
  }

  private write(what: string, items: TransactItem[]) {
    return transact(this.doc, items, `warm runner ${what}`);
  }
}
