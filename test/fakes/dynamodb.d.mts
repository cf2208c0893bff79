/** DynamoDB on loopback: dynalite plus TransactWriteItems and ReturnValuesOnConditionCheckFailure. */
export function startDynamoDb(options?: { port?: number }): Promise<{
  endpoint: string;
  port: number;
  close(): Promise<void>;
}>;
