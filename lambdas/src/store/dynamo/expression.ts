import { unmarshall } from "@aws-sdk/util-dynamodb";

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
export function cancellation(
  error: unknown,
):
  | { conflict: boolean; refused: ({ current: Record<string, unknown> | undefined } | undefined)[] }
  | undefined {
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
