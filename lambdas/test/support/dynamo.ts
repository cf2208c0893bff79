import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startDynamoDb } from "../../../test/fakes/dynamodb.mjs";
import { dynamoState } from "../../src/store/dynamo/index.ts";

export const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

/** A DynamoDB on loopback (dynalite and test/fakes/dynamodb.mjs) with skiff's state table, as modules/state creates it. */
export async function startDynamo(table = "skiff-state") {
  const server = await startDynamoDb();
  const { endpoint } = server;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    }),
  );
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    table,
    doc,
    state: dynamoState(doc, table),
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
