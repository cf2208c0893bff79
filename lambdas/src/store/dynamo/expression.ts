import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { INSTANCE_UP } from "../../jobs/status.ts";
import { keys } from "../keys.ts";

export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];

/** Contention on one item between transactions: how often a write is tried again. */
export const ATTEMPTS = 8;

/** Builds the placeholders of one DynamoDB expression. */
export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #next = 0;

  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.#next++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `#attr IN (:a, :b)` */
  in(attribute: string, allowed: readonly string[]): string {
    return `${this.name(attribute)} IN (${allowed.map((v) => this.value(v)).join(", ")})`;
  }

  /** `SET #a = :x, #b = :y` for the defined entries of `patch`. */
  set(patch: Record<string, unknown>): string {
    const parts = Object.entries(patch)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${this.name(key)} = ${this.value(value)}`);
    return `SET ${parts.join(", ")}`;
  }

  /** The placeholders for a command, leaving out empty maps (DynamoDB refuses them). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

type Attributes = Parameters<typeof unmarshall>[0];

/** The item a refused conditional write returned (ReturnValuesOnConditionCheckFailure), when the error is a refusal. */
export function refusal<T>(error: unknown): { current: T | undefined } | undefined {
  const e = error as { name?: string; Item?: Attributes } | null;
  if (e?.name !== "ConditionalCheckFailedException") return undefined;
  return { current: e.Item ? (unmarshall(e.Item) as T) : undefined };
}

/**
 * For a cancelled transaction: which of its items refused and the item each returned;
 * undefined when the error is not a cancellation. `conflict` means another transaction
 * touched an item at the same time: try again.
 */
export function cancellation(error: unknown): { conflict: boolean; refused: Refused[] } | undefined {
  const e = error as {
    name?: string;
    CancellationReasons?: { Code?: string; Item?: Attributes }[];
  } | null;
  if (e?.name !== "TransactionCanceledException") return undefined;
  const reasons = e.CancellationReasons ?? [];
  return {
    conflict: reasons.some((r) => r.Code === "TransactionConflict"),
    refused: reasons.map((r) =>
      r.Code === "ConditionalCheckFailed" ? { current: r.Item ? unmarshall(r.Item) : undefined } : undefined,
    ),
  };
}

/** Drops the table's own attributes from an item read back. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, expiresAt: _ttl, ...rest } = item;
  return rest as T;
}

/** Per item of a cancelled transaction: whether it refused, and the item it returned. */
export type Refused = { current: Record<string, unknown> | undefined } | undefined;

/**
 * One transaction, tried again while it only met other transactions (a conflict, nothing
 * refused). A refusal is returned with, per item, the item it returned (or undefined).
 */
export async function transact(
  doc: DynamoDBDocumentClient,
  items: TransactItem[],
  what: string,
): Promise<{ ok: true } | { ok: false; refused: Refused[] }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      const cancelled = cancellation(error);
      if (!cancelled) throw error;
      if (cancelled.conflict && !cancelled.refused.some(Boolean)) continue;
      return { ok: false, refused: cancelled.refused };
    }
  }
  throw new Error(`${what}: transaction kept conflicting`);
}

/**
 * A change of a pool's item: its slot counter by `n` (within `max` when given) and, for
 * warm runners, its idle set. The version always moves, so a repair never trusts a scan
 * torn across the change.
 */
export function poolChange(
  table: string,
  pool: string,
  change: { n?: number; max?: number; idle?: { add: string } | { remove: string; required?: boolean } } = {},
): TransactItem {
  const e = new Expression();
  const n = change.n ?? 0;
  const adds = [`${e.name("version")} ${e.value(1)}`];
  if (n !== 0) adds.unshift(`active ${e.value(n)}`);
  const conditions: string[] = [];
  if (change.max !== undefined)
    conditions.push(`(attribute_not_exists(active) OR active <= ${e.value(change.max - n)})`);
  let remove = "";
  if (change.idle && "add" in change.idle) adds.push(`warmIdle ${e.value(new Set([change.idle.add]))}`);
  if (change.idle && "remove" in change.idle) {
    remove = ` DELETE warmIdle ${e.value(new Set([change.idle.remove]))}`;
    if (change.idle.required !== false) conditions.push(`contains(warmIdle, ${e.value(change.idle.remove)})`);
  }
  return {
    Update: {
      TableName: table,
      Key: { pk: keys.pool(pool) },
      UpdateExpression: `ADD ${adds.join(", ")}${remove}`,
      ...(conditions.length > 0 ? { ConditionExpression: conditions.join(" AND ") } : {}),
      ...e.attributes(),
    },
  } as TransactItem;
}

/** The item holds a slot (`holds`), or holds none: the flag never set, or false. */
export function slotCondition(e: Expression, holds: boolean): string {
  const flag = e.name("holdsSlot");
  return holds
    ? `${flag} = ${e.value(true)}`
    : `(attribute_not_exists(${flag}) OR ${flag} = ${e.value(false)})`;
}

/**
 * An instance item takes a slot, while it is not down, holds none, and is tied to the job
 * by one of `ties`: launched or set aside for it (`jobId`), or the one that ran it (`busyJobId`).
 */
export function instanceTakesSlot(
  table: string,
  instanceId: string,
  jobId: number,
  ties: readonly ("jobId" | "busyJobId")[],
  now: Date,
): TransactItem {
  const e = new Expression();
  const job = e.value(jobId);
  const tied = ties.map((tie) => `${e.name(tie)} = ${job}`).join(" OR ");
  return {
    Update: {
      TableName: table,
      Key: { pk: keys.instance(instanceId) },
      UpdateExpression: e.set({ holdsSlot: true, updatedAt: now.toISOString() }),
      ConditionExpression: `${e.in("status", INSTANCE_UP)} AND ${slotCondition(e, false)} AND (${tied})`,
      ...e.attributes(),
    },
  } as TransactItem;
}
