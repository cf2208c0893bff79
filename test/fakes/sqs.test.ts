import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeSqs } from "./sqs.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

describe("FakeSqs", () => {
  let fake: FakeSqs;
  let sqs: SQSClient;
  let clock: number;
  let jobs: string;
  let dlq: string;

  beforeEach(async () => {
    clock = Date.parse("2026-01-01T00:00:00Z");
    fake = await FakeSqs.start({ now: () => clock });
    sqs = new SQSClient({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
    dlq = fake.createQueue("ci-jobs-dlq");
    jobs = fake.createQueue("ci-jobs", {
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 2,
      deadLetterQueue: dlq,
    });
  });

  afterEach(async () => {
    sqs.destroy();
    await fake.close();
  });

  const receive = (input: { VisibilityTimeout?: number; MaxNumberOfMessages?: number } = {}) =>
    sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: jobs,
        MessageSystemAttributeNames: [
          "ApproximateReceiveCount",
          "SentTimestamp",
          "ApproximateFirstReceiveTimestamp",
        ],
        ...input,
      }),
    );

  it("resolves a queue URL by name and reports QueueDoesNotExist for an unknown one", async () => {
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: "ci-jobs" }));
    const missing = await sqs.send(new GetQueueUrlCommand({ QueueName: "nope" })).catch((e: unknown) => e);

    expect(found.QueueUrl).toBe(`${fake.url}/000000000000/ci-jobs`);
    expect(missing).toMatchObject({ name: "QueueDoesNotExist", $metadata: { httpStatusCode: 400 } });
  });

  it("round-trips a message with an MD5 the SDK accepts and the attributes asked for", async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: '{"jobId":1001}' }));
    clock += 5_000;

    const out = await receive();

    expect(out.Messages).toHaveLength(1);
    expect(out.Messages?.[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"jobId":1001}',
      Attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(Date.parse("2026-01-01T00:00:00Z")),
        ApproximateFirstReceiveTimestamp: String(clock),
      },
    });
    expect(out.Messages?.[0]?.ReceiptHandle).toBeTruthy();
  });

  it("hides a received message for its visibility timeout, then shows it again", async () => {
    fake.send(jobs, "a");
    await receive({ VisibilityTimeout: 10 });

    const hidden = await receive();
    clock += 10_000;
    const again = await receive();

    expect(hidden.Messages).toBeUndefined();
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  it("deletes by receipt handle and extends visibility with ChangeMessageVisibility", async () => {
    fake.send(jobs, "a");
    fake.send(jobs, "b");
    const first = await receive({ MaxNumberOfMessages: 2 });
    const [a, b] = first.Messages ?? [];

    await sqs.send(new DeleteMessageCommand({ QueueUrl: jobs, ReceiptHandle: a!.ReceiptHandle }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: jobs,
        ReceiptHandle: b!.ReceiptHandle,
        VisibilityTimeout: 120,
      }),
    );
    clock += 60_000;

    expect(fake.count(jobs)).toEqual({ visible: 0, inFlight: 1, delayed: 0, total: 1 });
    expect(fake.peek(jobs).map((m) => m.body)).toEqual(["b"]);
  });

  it("refuses to change the visibility of a message that is not in flight", async () => {
    fake.send(jobs, "a");
    const [m] = (await receive({ VisibilityTimeout: 1 })).Messages ?? [];
    clock += 1_000;

    const error = await sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: jobs,
          ReceiptHandle: m!.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "MessageNotInflight" });
  });

  it("moves a message to the dead-letter queue after maxReceiveCount receives", async () => {
    fake.send(jobs, "poison");
    await receive();
    clock += 30_000;
    await receive();
    clock += 30_000;

    const third = await receive();

    expect(third.Messages).toBeUndefined();
    expect(fake.count(jobs).total).toBe(0);
    expect(fake.peek(dlq).map((m) => [m.body, m.receiveCount])).toEqual([["poison", 0]]);
  });

  it("answers batch operations per entry", async () => {
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: jobs,
        Entries: [
          { Id: "1", MessageBody: "one" },
          { Id: "2", MessageBody: "two" },
        ],
      }),
    );
    const [one, two] = (await receive({ MaxNumberOfMessages: 10 })).Messages ?? [];

    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: jobs,
        Entries: [{ Id: "a", ReceiptHandle: one!.ReceiptHandle, VisibilityTimeout: 0 }],
      }),
    );
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: jobs,
        Entries: [
          { Id: "a", ReceiptHandle: two!.ReceiptHandle },
          { Id: "b", ReceiptHandle: "not-a-handle" },
        ],
      }),
    );

    expect(sent.Successful?.map((s) => s.Id)).toEqual(["1", "2"]);
    expect(changed.Successful).toEqual([{ Id: "a" }]);
    expect(deleted.Successful).toEqual([{ Id: "a" }]);
    expect(deleted.Failed).toEqual([
      expect.objectContaining({ Id: "b", Code: "ReceiptHandleIsInvalid", SenderFault: true }),
    ]);
    expect(fake.count(jobs)).toMatchObject({ visible: 1, total: 1 });
  });

  it("reports queue depth through GetQueueAttributes", async () => {
    fake.send(jobs, "a");
    fake.send(jobs, "b");
    fake.send(jobs, "c", { delaySeconds: 60 });
    fake.receive(jobs, 1, 30);

    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: jobs, AttributeNames: ["All"] }));

    expect(out.Attributes).toMatchObject({
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "1",
      ApproximateNumberOfMessagesDelayed: "1",
      VisibilityTimeout: "30",
    });
    expect(JSON.parse(out.Attributes?.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: fake.queueArn(dlq),
      maxReceiveCount: 2,
    });
  });

  it("wakes a long poll when a message arrives", async () => {
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: jobs, WaitTimeSeconds: 5 }));
    setTimeout(() => fake.send(jobs, "late"), 50);

    const out = await polling;

    expect(out.Messages?.[0]?.Body).toBe("late");
  });

  it("gives in-process consumers Lambda SQS events that delete and change visibility like the wire", async () => {
    fake.send(jobs, "a");
    fake.send(jobs, "b");

    const event = fake.receiveEvent(jobs, 10, 60);
    fake.delete(jobs, event.Records[0]!.receiptHandle);
    fake.changeVisibility(jobs, event.Records[1]!.receiptHandle, 0);

    expect(
      event.Records.map((r) => [r.body, r.eventSourceARN, r.attributes.ApproximateReceiveCount]),
    ).toEqual([
      ["a", fake.queueArn(jobs), "1"],
      ["b", fake.queueArn(jobs), "1"],
    ]);
    expect(fake.count(jobs)).toMatchObject({ visible: 1, total: 1 });
  });

  it("fails the next call as told", async () => {
    fake.failNext("SendMessage", "RequestThrottled");

    const error = await sqs
      .send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: "x" }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "RequestThrottled", $metadata: { httpStatusCode: 403 } });
    expect(fake.count(jobs).total).toBe(0);
    expect(fake.callCount("SendMessage")).toBe(1);
  });

  describe("limits SQS enforces", () => {
    const invalid = (e: unknown) => (e as { name?: string }).name === "InvalidParameterValue";

    it("refuses DelaySeconds outside 0–900 and accepts 900", async () => {
      const over = await sqs
        .send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: "x", DelaySeconds: 901 }))
        .catch((e: unknown) => e);
      const negative = await sqs
        .send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: "x", DelaySeconds: -1 }))
        .catch((e: unknown) => e);
      await sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: "ok", DelaySeconds: 900 }));

      expect(invalid(over)).toBe(true);
      expect((over as Error).message).toBe(
        "Value 901 for parameter DelaySeconds is invalid. Reason: Must be between 0 and 900, if provided.",
      );
      expect(invalid(negative)).toBe(true);
      expect(fake.peek(jobs).map((m) => m.body)).toEqual(["ok"]);
    });

    it("refuses a visibility timeout over 43,200 s on receive and on ChangeMessageVisibility", async () => {
      fake.send(jobs, "a");
      const receive = await sqs
        .send(new ReceiveMessageCommand({ QueueUrl: jobs, VisibilityTimeout: 43_201 }))
        .catch((e: unknown) => e);
      const [message] = fake.receive(jobs);
      const change = await sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: jobs,
            ReceiptHandle: message?.ReceiptHandle,
            VisibilityTimeout: 43_201,
          }),
        )
        .catch((e: unknown) => e);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: jobs,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 43_200,
        }),
      );

      expect(invalid(receive)).toBe(true);
      expect(invalid(change)).toBe(true);
      expect(fake.peek(jobs)[0]?.visibleAt).toBe(clock + 43_200_000);
    });

    it("refuses a message over 256 KiB and a batch whose total is over 256 KiB", async () => {
      const big = "x".repeat(262_145);
      const half = "y".repeat(140_000);
      const single = await sqs
        .send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: big }))
        .catch((e: unknown) => e);
      const batch = await sqs
        .send(
          new SendMessageBatchCommand({
            QueueUrl: jobs,
            Entries: [
              { Id: "1", MessageBody: half },
              { Id: "2", MessageBody: half },
            ],
          }),
        )
        .catch((e: unknown) => e);
      await sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: "x".repeat(262_144) }));

      expect(invalid(single)).toBe(true);
      expect((batch as { name?: string }).name).toBe("BatchRequestTooLong");
      expect(fake.count(jobs).total).toBe(1);
    });

    it("fails only the batch entry whose delay is out of range", async () => {
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: jobs,
          Entries: [
            { Id: "ok", MessageBody: "a", DelaySeconds: 10 },
            { Id: "bad", MessageBody: "b", DelaySeconds: 1000 },
          ],
        }),
      );

      expect(out.Successful?.map((e) => e.Id)).toEqual(["ok"]);
      expect(out.Failed).toEqual([
        expect.objectContaining({ Id: "bad", Code: "InvalidParameterValue", SenderFault: true }),
      ]);
    });

    it("refuses the same out-of-range values through the test API", () => {
      expect(() => fake.send(jobs, "x", { delaySeconds: 901 })).toThrow(/DelaySeconds/);
      expect(() => fake.receive(jobs, 1, 43_201)).toThrow(/VisibilityTimeout/);
    });
  });
});
