import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { keys } from "../keys.ts";
import type { PoolCounter, PoolStore } from "../ports.ts";
import { refusal } from "./expression.ts";

/**
 * One counter per pool: `active` (slots held or reserved) and `version`, which every
 * change of `active` increments in the same write. A repair computed from a scan is
 * written only if the version did not move while the scan ran: then no slot of that pool
 * was taken or given back meanwhile, and the scan saw that pool's jobs as they were.
 */
export class DynamoPoolStore implements PoolStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async active(pool: string): Promise<number> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.pool(pool) }, ConsistentRead: true }),
    );
    return Number(out.Item?.active ?? 0);
  }

  async reserve(pool: string, wanted: number, max: number): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const active = Math.max(0, await this.active(pool));
      const n = Math.min(wanted, max - active);
      if (n <= 0) return 0;
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: keys.pool(pool) },
            UpdateExpression: "ADD active :n, #version :one",
            ConditionExpression: "attribute_not_exists(active) OR active <= :limit",
            ExpressionAttributeNames: { "#version": "version" },
            ExpressionAttributeValues: { ":n": n, ":one": 1, ":limit": max - n },
          }),
        );
        return n;
      } catch (error) {
        if (!refusal(error)) throw error;
      }
    }
    return 0;
  }

  async release(pool: string, n: number): Promise<void> {
    if (n <= 0) return;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: keys.pool(pool) },
          UpdateExpression: "ADD active :minus, #version :one",
          ConditionExpression: "active >= :n",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":minus": -n, ":n": n, ":one": 1 },
        }),
      );
    } catch (error) {
      // The counter already drifted low; the reconcile recomputes it from the truth.
      if (!refusal(error)) throw error;
    }
  }

  async counters(pools: readonly string[]): Promise<Map<string, PoolCounter>> {
    const counters = new Map<string, PoolCounter>(pools.map((p) => [p, { active: 0, version: 0 }]));
    for (let i = 0; i < pools.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        {
          [this.table]: {
            Keys: pools.slice(i, i + 100).map((p) => ({ pk: keys.pool(p) })),
            ConsistentRead: true,
          },
        };
      while (request && Object.keys(request).length > 0) {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.table] ?? []) {
          const name = String(item.pk).slice(keys.pool("").length);
          counters.set(name, { active: Number(item.active ?? 0), version: Number(item.version ?? 0) });
        }
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return counters;
  }

  async repair(pool: string, active: number, seen: PoolCounter): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: keys.pool(pool) },
          UpdateExpression: "SET active = :n ADD #version :one",
          // An item written before versions existed has none: then its value must not have moved.
          ConditionExpression:
            seen.version === 0
              ? "attribute_not_exists(#version) AND (attribute_not_exists(active) OR active = :was)"
              : "#version = :seen",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: {
            ":n": active,
            ":one": 1,
            ...(seen.version === 0 ? { ":was": seen.active } : { ":seen": seen.version }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (refusal(error)) return false;
      throw error;
    }
  }
}
