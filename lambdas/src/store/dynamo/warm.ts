import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { InstanceItem, JobItem, NewWarmInstance } from "../../jobs/items.ts";
import { JOB_TRANSITIONS } from "../../jobs/transitions.ts";
import { expiresAt, keys } from "../keys.ts";
import type { WarmStore, Written } from "../ports.ts";
import { written } from "../ports.ts";
import { cancellation, strip } from "./expression.ts";

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];

const ATTEMPTS = 8;

/** The pool item's idle set and counter change (version always moves). */
function poolChange(
  table: string,
  pool: string,
  change: { idle?: "add" | "remove"; instanceId: string; active?: number },
): TransactItem {
  const adds = ["#version :one"];
  const values: Record<string, unknown> = { ":one": 1, ":ids": new Set([change.instanceId]) };
  if (change.active) {
    adds.push("active :n");
    values[":n"] = change.active;
  }
  if (change.idle === "add") adds.push("warmIdle :ids");
  const expression = [`ADD ${adds.join(", ")}`, change.idle === "remove" ? "DELETE warmIdle :ids" : ""]
    .join(" ")
    .trim();
  if (change.idle === "remove") values[":id"] = change.instanceId;
  if (change.idle !== "add" && change.idle !== "remove") delete values[":ids"];
  return {
    Update: {
      TableName: table,
      Key: { pk: keys.pool(pool) },
      UpdateExpression: expression,
      ...(change.idle === "remove" ? { ConditionExpression: "contains(warmIdle, :id)" } : {}),
      ExpressionAttributeNames: { "#version": "version" },
      ExpressionAttributeValues: values,
    },
  } as TransactItem;
}

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
    await this.transact([
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
      poolChange(this.table, instance.pool, { idle: "add", instanceId: instance.instanceId }),
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
    const result = await this.transact([
      poolChange(this.table, instance.pool, { idle: "remove", instanceId }),
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
    return { ok: false, current: strip<JobItem>(result.refused[2]) };
  }

  async unadopt(instanceId: string, jobId: number, now: Date): Promise<Written<InstanceItem>> {
    const instance = await this.instance(instanceId);
    if (!instance?.warm || instance.jobId !== jobId) return { ok: false, current: instance };
    const at = now.toISOString();
    const result = await this.transact([
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
      poolChange(this.table, instance.pool, { idle: "add", instanceId }),
    ]);
    return result.ok ? written : { ok: false, current: await this.instance(instanceId) };
  }

  async take(instanceId: string, job: JobItem, now: Date): Promise<Written<InstanceItem>> {
    const instance = await this.instance(instanceId);
    if (!instance?.warm || instance.jobId !== undefined || !instance.holdsSlot)
      return { ok: false, current: instance };
    const at = now.toISOString();
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.table,
          Key: { pk: keys.instance(instanceId) },
          UpdateExpression: "SET jobId = :job, holdsSlot = :no, updatedAt = :at",
          ConditionExpression: "holdsSlot = :yes AND attribute_not_exists(jobId)",
          ExpressionAttributeValues: { ":job": job.jobId, ":no": false, ":yes": true, ":at": at },
        },
      },
    ];
    if (job.holdsSlot) {
      // The job already holds a slot (for a runner it no longer needs): this one goes back.
      items.push(poolChange(this.table, instance.pool, { idle: "remove", instanceId, active: -1 }));
    } else {
      const from = JOB_TRANSITIONS.tookOver.from;
      items.push(poolChange(this.table, instance.pool, { idle: "remove", instanceId }), {
        Update: {
          TableName: this.table,
          Key: { pk: keys.job(job.jobId) },
          UpdateExpression: "SET holdsSlot = :yes, updatedAt = :at",
          ConditionExpression: `(attribute_not_exists(holdsSlot) OR holdsSlot = :no) AND #status IN (${from.map((_, i) => `:s${i}`).join(", ")})`,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":yes": true,
            ":no": false,
            ":at": at,
            ...Object.fromEntries(from.map((s, i) => [`:s${i}`, s])),
          },
        },
      });
    }
    const result = await this.transact(items);
    return result.ok ? written : { ok: false, current: await this.instance(instanceId) };
  }

  async retire(instanceId: string, pool: string, now: Date): Promise<boolean> {
    const result = await this.transact([
      poolChange(this.table, pool, { idle: "remove", instanceId, active: -1 }),
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

  private async instance(instanceId: string): Promise<InstanceItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.instance(instanceId) }, ConsistentRead: true }),
    );
    return strip<InstanceItem>(out.Item);
  }

  /** One transaction, tried again on conflicts; `refused` holds each item's refusal (and the item it returned). */
  private async transact(
    items: TransactItem[],
  ): Promise<{ ok: true } | { ok: false; refused: (Record<string, unknown> | undefined)[] }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return { ok: true };
      } catch (error) {
        const cancelled = cancellation(error);
        if (!cancelled) throw error;
        if (cancelled.conflict && !cancelled.refused.some(Boolean)) continue;
        return { ok: false, refused: cancelled.refused.map((r) => r?.current) };
      }
    }
    throw new Error("warm runner transaction kept conflicting");
  }
}
