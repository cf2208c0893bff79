import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { InstanceItem, JobItem } from "../../jobs/items.ts";
import { kindOf } from "../keys.ts";
import type { Snapshot, State } from "../ports.ts";
import { strip } from "./expression.ts";
import { DynamoInstanceStore } from "./instances.ts";
import { DynamoJobStore } from "./jobs.ts";
import { DynamoMarkStore, DynamoMetaStore } from "./marks.ts";
import { DynamoPoolStore } from "./pools.ts";
import { DynamoWarmStore } from "./warm.ts";

/** skiff's state in one DynamoDB table keyed by `pk` (see ../keys.ts). */
export function dynamoState(doc: DynamoDBDocumentClient, table: string): State {
  const warm = new DynamoWarmStore(doc, table);
  return {
    jobs: new DynamoJobStore(doc, table),
    instances: new DynamoInstanceStore(doc, table, warm),
    warm,
    pools: new DynamoPoolStore(doc, table),
    marks: new DynamoMarkStore(doc, table),
    meta: new DynamoMetaStore(doc, table),
    async scan(): Promise<Snapshot> {
      const jobs: JobItem[] = [];
      const instances: InstanceItem[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        for (const item of page.Items ?? []) {
          const kind = kindOf(String(item.pk));
          if (kind === "job") jobs.push(strip<JobItem>(item) as JobItem);
          else if (kind === "instance") instances.push(strip<InstanceItem>(item) as InstanceItem);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return { jobs, instances };
    },
  };
}
