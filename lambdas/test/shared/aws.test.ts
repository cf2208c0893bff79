import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSqs } from "../../../test/fakes/index.ts";
import { jsonSender, sqsClient } from "../../src/shared/aws.ts";

describe("sqsClient()", () => {
  let sqs: FakeSqs;
  const saved = { ...process.env };
  beforeAll(async () => {
    sqs = await FakeSqs.start();
    process.env.AWS_ENDPOINT_URL_SQS = sqs.url;
    process.env.AWS_REGION = "us-east-1";
    process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "secret";
  });
  afterAll(async () => {
    process.env = saved;
    await sqs.close();
  });

  it("sends a call carrying an AWS queue URL to the endpoint the standard settings name, not to the URL's host", async () => {
    // Prepare: the queue URL Terraform hands the function is SQS's own, as in AWS.
    sqs.createQueue("ci-jobs");
    const send = jsonSender(sqsClient(), "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs");
    // Act
    await send({ kind: "job", jobId: 1 });
    // Assess: it reached the endpoint AWS_ENDPOINT_URL_SQS names (a VPC endpoint, an emulator).
    expect(sqs.count("ci-jobs").total).toBe(1);
  });
});
