import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { InstanceItem, InstancePatch } from "../../jobs/items.ts";
import {
  INSTANCE_TRANSITIONS,
  type InstanceTransition,
  type InstanceTransitionName,
} from "../../jobs/transitions.ts";
import { expiresAt, keys } from "../keys.ts";
import type { InstanceStore, Written } from "../ports.ts";
import { written } from "../ports.ts";
import { Expression, refusal, strip } from "./expression.ts";
import type { DynamoWarmStore } from "./warm.ts";

export class DynamoInstanceStore implements InstanceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly warm: DynamoWarmStore,
  ) {}

  async get(instanceId: string): Promise<InstanceItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.instance(instanceId) }, ConsistentRead: true }),
    );
    return strip<InstanceItem>(out.Item);
  }

  async transition(
    instanceId: string,
    name: InstanceTransitionName,
    patch: InstancePatch,
    now: Date,
  ): Promise<Written<InstanceItem>> {
    const t: InstanceTransition = INSTANCE_TRANSITIONS[name];
    const e = new Expression();
    const set = e.set({
      ...patch,
      ...(t.to === "same" ? {} : { status: t.to }),
      updatedAt: now.toISOString(),
      expiresAt: expiresAt(now, "item"),
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: keys.instance(instanceId) },
          UpdateExpression: set,
          ConditionExpression: `attribute_exists(pk) AND ${e.in("status", t.from)}`,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          ...e.attributes(),
        }),
      );
      return written;
    } catch (error) {
      const refused = refusal<Record<string, unknown>>(error);
      if (!refused) throw error;
      return { ok: false, current: strip<InstanceItem>(refused.current) };
    }
  }

  release(instanceId: string, now: Date): Promise<boolean> {
    return this.warm.release(instanceId, now);
  }

  async forget(instanceId: string): Promise<void> {
    // A slot the item holds goes back before the item goes.
    await this.release(instanceId, new Date());
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: keys.instance(instanceId) } }));
  }
}
