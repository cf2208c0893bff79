import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { expiresAt, keys } from "../keys.ts";
import type { MarkStore, MetaStore } from "../ports.ts";
import { refusal } from "./expression.ts";

async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (refusal(error)) return false;
    throw error;
  }
}

/** Marks that make a one-time action happen once: on-demand re-runs, redelivered webhooks. */
export class DynamoMarkStore implements MarkStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  markRunOnDemand(runId: number, now: Date): Promise<boolean> {
    return this.mark({ pk: keys.run(runId), runId, onDemand: true, expiresAt: expiresAt(now, "run") });
  }

  async unmarkRun(runId: number): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: keys.run(runId) } }));
  }

  async onDemandRuns(runIds: readonly number[]): Promise<Set<number>> {
    const unique = [...new Set(runIds)];
    const marked = new Set<number>();
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.table]: { Keys: unique.slice(i, i + 100).map((id) => ({ pk: keys.run(id) })) },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.table] ?? [])
          if (item.onDemand) marked.add(Number(item.runId));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return marked;
  }

  markRedelivered(guid: string, now: Date): Promise<boolean> {
    return this.mark({ pk: keys.delivery(guid), expiresAt: expiresAt(now, "delivery") });
  }

  async unmarkRedelivered(guid: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: keys.delivery(guid) } }));
  }

  private mark(item: Record<string, unknown>): Promise<boolean> {
    return conditionally(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }
}

/** Small bookkeeping records of the control plane: the listing cursor, the cycle count, locks. */
export class DynamoMetaStore implements MetaStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get<T>(name: string): Promise<T | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.meta(name) }, ConsistentRead: true }),
    );
    return out.Item?.value as T | undefined;
  }

  async put(name: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: keys.meta(name) } }));
      return;
    }
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: keys.meta(name), value } }));
  }

  async nextCycle(): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: keys.meta("reconcile") },
        // CYCLE is a DynamoDB reserved word: it must go through a name placeholder.
        UpdateExpression: "ADD #cycle :one",
        ExpressionAttributeNames: { "#cycle": "cycle" },
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(out.Attributes?.cycle ?? 1);
  }

  lock(name: string, owner: string, now: Date, until: number): Promise<boolean> {
    return conditionally(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: keys.lock(name), owner, until, expiresAt: Math.ceil(until / 1000) + 3600 },
          ConditionExpression: "attribute_not_exists(pk) OR #until < :now OR #owner = :owner",
          ExpressionAttributeNames: { "#until": "until", "#owner": "owner" },
          ExpressionAttributeValues: { ":now": now.getTime(), ":owner": owner },
        }),
      ),
    );
  }

  async unlock(name: string, owner: string): Promise<void> {
    await conditionally(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: keys.lock(name) },
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      ),
    );
  }
}
