import { createHash } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import {
  type Call,
  Counter,
  type FakeRequest,
  type FakeResponse,
  FaultQueue,
  fakeUuid,
  json,
  type Listener,
  listen,
  parseJsonBody,
} from "./http.ts";

const ACCOUNT = "000000000000";

/**
 * SQS's quotas (Amazon SQS Developer Guide, "Amazon SQS message quotas"): a message, and a whole batch,
 * is at most 256 KiB; a delay 0–900 s; a visibility timeout 0–43,200 s (12 h); a long poll 0–20 s.
 */
export const SQS_LIMITS = {
  maxMessageBytes: 262_144,
  maxDelaySeconds: 900,
  maxVisibilitySeconds: 43_200,
  maxWaitSeconds: 20,
} as const;

export interface QueueOptions {
  /** Default 30. */
  visibilityTimeoutSeconds?: number;
  /** With `deadLetterQueue`: a message received this many times moves there when it next becomes visible. */
  maxReceiveCount?: number;
  /** Name or URL of a queue created earlier. */
  deadLetterQueue?: string;
}

export interface FakeSqsOptions {
  /** Clock in epoch milliseconds, for visibility, delays and timestamps; default `Date.now`. */
  now?: () => number;
  region?: string;
  port?: number;
}

/** A message as `ReceiveMessage` returns it. */
export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  Attributes: Record<string, string>;
  MessageAttributes?: Record<string, unknown>;
}

/** A stored message, for inspection. */
export interface FakeMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  /** Epoch ms. */
  sentAt: number;
  firstReceivedAt: number | undefined;
  visibleAt: number;
  inFlight: boolean;
  messageAttributes: Record<string, unknown>;
}

interface Message extends Omit<FakeMessage, "inFlight"> {
  md5: string;
  /** Messages delayed on send are not in flight while invisible. */
  received: boolean;
  /** The receipt handle of the latest receive; older handles may still delete, as in SQS. */
  handles: Set<string>;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number | undefined;
  deadLetterQueue: string | undefined;
  createdAt: number;
  messages: Message[];
}

type Body = Record<string, unknown>;

/** The awsQueryError codes the SDK maps back to its modeled exceptions, with their HTTP status. */
const QUERY_ERRORS: Record<string, [string, number]> = {
  QueueDoesNotExist: ["AWS.SimpleQueueService.NonExistentQueue", 400],
  ReceiptHandleIsInvalid: ["ReceiptHandleIsInvalid", 404],
  MessageNotInflight: ["AWS.SimpleQueueService.MessageNotInflight", 400],
  EmptyBatchRequest: ["AWS.SimpleQueueService.EmptyBatchRequest", 400],
  TooManyEntriesInBatchRequest: ["AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400],
  BatchEntryIdsNotDistinct: ["AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400],
  RequestThrottled: ["RequestThrottled", 403],
  OverLimit: ["OverLimit", 403],
  InvalidParameterValue: ["InvalidParameterValue", 400],
  BatchRequestTooLong: ["AWS.SimpleQueueService.BatchRequestTooLong", 400],
  InvalidSecurity: ["InvalidSecurity", 403],
  InternalError: ["InternalError", 500],
  ServiceUnavailable: ["ServiceUnavailable", 503],
};

export class SqsError extends Error {
  readonly status: number;
  readonly queryCode: string;
  constructor(
    readonly type: string,
    message: string,
    status?: number,
  ) {
    super(message);
    this.name = type;
    const known = QUERY_ERRORS[type];
    this.queryCode = known?.[0] ?? type;
    this.status = status ?? known?.[1] ?? 400;
  }
}

/**
 * SQS standard queues over AWS JSON 1.0 (with the query-compatible error header the SDK expects).
 * Long polling is honoured by polling the fake's own state every 20 ms of real time.
 */
export class FakeSqs {
  readonly calls: Call<Body>[] = [];
  readonly #queues = new Map<string, Queue>();
  readonly #faults = new FaultQueue<SqsError>();
  readonly #ids = { message: new Counter(), handle: new Counter(), request: new Counter() };
  readonly #now: () => number;
  readonly #region: string;
  #server: Listener | undefined;
  #closed = false;

  private constructor(options: FakeSqsOptions) {
    this.#now = options.now ?? Date.now;
    this.#region = options.region ?? "us-east-1";
  }

  static async start(options: FakeSqsOptions = {}): Promise<FakeSqs> {
    const fake = new FakeSqs(options);
    fake.#server = await listen((request) => fake.#handle(request), options.port);
    return fake;
  }

  /** Base URL; give it to the client as `endpoint` or `AWS_ENDPOINT_URL_SQS`. */
  get url(): string {
    if (!this.#server) throw new Error("FakeSqs is not started");
    return this.#server.url;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#server?.close();
  }

  // ---- test API -------------------------------------------------------------------------------------------

  /** Creates a queue and returns its URL, `http://127.0.0.1:<port>/000000000000/<name>`. */
  createQueue(name: string, options: QueueOptions = {}): string {
    const dlq = options.deadLetterQueue ? this.#queue(options.deadLetterQueue).name : undefined;
    const queue: Queue = {
      name,
      url: `${this.url}/${ACCOUNT}/${name}`,
      arn: `arn:aws:sqs:${this.#region}:${ACCOUNT}:${name}`,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
      maxReceiveCount: options.maxReceiveCount,
      deadLetterQueue: dlq,
      createdAt: this.#now(),
      messages: [],
    };
    this.#queues.set(name, queue);
    return queue.url;
  }

  queueArn(queue: string): string {
    return this.#queue(queue).arn;
  }

  /** Sends a message in-process; returns its MessageId. */
  send(queue: string, body: string, options: { delaySeconds?: number } = {}): string {
    return this.#send(this.#queue(queue), body, options.delaySeconds ?? 0, {}).messageId;
  }

  /** Receives as ReceiveMessage does, with every system attribute. Throws SqsError like the wire would. */
  receive(queue: string, max = 1, visibilitySeconds?: number): ReceivedMessage[] {
    return this.#receive(this.#queue(queue), max, visibilitySeconds, ["All"], []);
  }

  /** Receives up to `max` messages as the event Lambda's SQS event source mapping would deliver them. */
  receiveEvent(queue: string, max = 10, visibilitySeconds?: number): SQSEvent {
    const q = this.#queue(queue);
    const records = this.#receive(q, max, visibilitySeconds, ["All"], []).map(
      (m): SQSRecord => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: m.Attributes as unknown as SQSRecord["attributes"],
        messageAttributes: {},
        md5OfBody: m.MD5OfBody,
        eventSource: "aws:sqs",
        eventSourceARN: q.arn,
        awsRegion: this.#region,
      }),
    );
    return { Records: records };
  }

  delete(queue: string, receiptHandle: string): void {
    this.#delete(this.#queue(queue), receiptHandle);
  }

  changeVisibility(queue: string, receiptHandle: string, visibilitySeconds: number): void {
    this.#changeVisibility(this.#queue(queue), receiptHandle, visibilitySeconds);
  }

  /** Every message in the queue, visible or not, oldest first. */
  peek(queue: string): FakeMessage[] {
    const q = this.#queue(queue);
    this.#redrive();
    const now = this.#now();
    return q.messages.map((m) => ({
      messageId: m.messageId,
      body: m.body,
      receiveCount: m.receiveCount,
      sentAt: m.sentAt,
      firstReceivedAt: m.firstReceivedAt,
      visibleAt: m.visibleAt,
      inFlight: m.received && m.visibleAt > now,
      messageAttributes: structuredClone(m.messageAttributes),
    }));
  }

  count(queue: string): { visible: number; inFlight: number; delayed: number; total: number } {
    const q = this.#queue(queue);
    this.#redrive();
    const now = this.#now();
    const inFlight = q.messages.filter((m) => m.received && m.visibleAt > now).length;
    const delayed = q.messages.filter((m) => !m.received && m.visibleAt > now).length;
    return { visible: q.messages.length - inFlight - delayed, inFlight, delayed, total: q.messages.length };
  }

  /** Makes the next `times` calls of `operation` (or `"*"`) fail with `type`, e.g. "QueueDoesNotExist". */
  failNext(operation: string, type: string, message?: string, httpStatus?: number, times = 1): void {
    this.#faults.add(operation, new SqsError(type, message ?? `Injected ${type}`, httpStatus), times);
  }

  callCount(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  // ---- wire -----------------------------------------------------------------------------------------------

  async #handle(request: FakeRequest): Promise<FakeResponse> {
    const operation = String(request.headers["x-amz-target"] ?? "").replace(/^AmazonSQS\./, "");
    const headers = {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": fakeUuid(this.#ids.request.next()),
    };
    try {
      const body = parseJsonBody(request.body);
      this.calls.push({ operation, params: body, at: this.#now() });
      const fault = this.#faults.take(operation);
      if (fault) throw fault;
      return json(200, await this.#dispatch(operation, body), headers);
    } catch (error) {
      const e = error instanceof SqsError ? error : new SqsError("InternalError", String(error));
      return json(
        e.status,
        { __type: `com.amazonaws.sqs#${e.type}`, message: e.message },
        { ...headers, "x-amzn-query-error": `${e.queryCode};${e.status >= 500 ? "Receiver" : "Sender"}` },
      );
    }
  }

  async #dispatch(operation: string, body: Body): Promise<unknown> {
    switch (operation) {
      case "GetQueueUrl": {
        const queue = this.#queues.get(String(body.QueueName));
        if (!queue) throw nonExistent();
        return { QueueUrl: queue.url };
      }
      case "SendMessage": {
        const queue = this.#queue(String(body.QueueUrl));
        const message = this.#send(
          queue,
          requireString(body.MessageBody, "MessageBody"),
          num(body.DelaySeconds, 0),
          body,
        );
        return { MessageId: message.messageId, MD5OfMessageBody: message.md5 };
      }
      case "SendMessageBatch": {
        const queue = this.#queue(String(body.QueueUrl));
        const total = Array.isArray(body.Entries)
          ? (body.Entries as Body[]).reduce((sum, e) => sum + messageBytes(String(e.MessageBody ?? ""), e), 0)
          : 0;
        if (total > SQS_LIMITS.maxMessageBytes) {
          throw new SqsError(
            "BatchRequestTooLong",
            `Batch requests cannot be longer than ${SQS_LIMITS.maxMessageBytes} bytes. You have sent ${total} bytes.`,
          );
        }
        return this.#batch(body.Entries, (entry) => {
          const message = this.#send(
            queue,
            requireString(entry.MessageBody, "MessageBody"),
            num(entry.DelaySeconds, 0),
            entry,
          );
          return { MessageId: message.messageId, MD5OfMessageBody: message.md5 };
        });
      }
      case "ReceiveMessage":
        return this.#receiveWire(body);
      case "DeleteMessage":
        this.#delete(this.#queue(String(body.QueueUrl)), String(body.ReceiptHandle));
        return {};
      case "DeleteMessageBatch": {
        const queue = this.#queue(String(body.QueueUrl));
        return this.#batch(body.Entries, (entry) => {
          this.#delete(queue, String(entry.ReceiptHandle));
          return {};
        });
      }
      case "ChangeMessageVisibility":
        this.#changeVisibility(
          this.#queue(String(body.QueueUrl)),
          String(body.ReceiptHandle),
          num(body.VisibilityTimeout, 0),
        );
        return {};
      case "ChangeMessageVisibilityBatch": {
        const queue = this.#queue(String(body.QueueUrl));
        return this.#batch(body.Entries, (entry) => {
          this.#changeVisibility(queue, String(entry.ReceiptHandle), num(entry.VisibilityTimeout, 0));
          return {};
        });
      }
      case "GetQueueAttributes":
        return {
          Attributes: this.#attributes(this.#queue(String(body.QueueUrl)), strings(body.AttributeNames)),
        };
      default:
        throw new SqsError("UnsupportedOperation", `FakeSqs does not implement ${operation}`);
    }
  }

  async #receiveWire(body: Body): Promise<unknown> {
    const queue = this.#queue(String(body.QueueUrl));
    const max = num(body.MaxNumberOfMessages, 1);
    if (max < 1 || max > 10)
      throw new SqsError("InvalidParameterValue", "MaxNumberOfMessages must be between 1 and 10");
    const names = [...strings(body.AttributeNames), ...strings(body.MessageSystemAttributeNames)];
    const visibility = body.VisibilityTimeout === undefined ? undefined : num(body.VisibilityTimeout, 0);
    const wait = num(body.WaitTimeSeconds, 0);
    checkRange("WaitTimeSeconds", wait, SQS_LIMITS.maxWaitSeconds);
    const deadline = performance.now() + wait * 1000;
    for (;;) {
      const messages = this.#receive(queue, max, visibility, names, strings(body.MessageAttributeNames));
      if (messages.length > 0 || this.#closed || performance.now() >= deadline) {
        return messages.length > 0 ? { Messages: messages } : {};
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #batch(entries: unknown, apply: (entry: Body) => Body): unknown {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new SqsError("EmptyBatchRequest", "There should be at least one entry in the request.");
    }
    if (entries.length > 10) {
      throw new SqsError(
        "TooManyEntriesInBatchRequest",
        `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      );
    }
    const ids = entries.map((e: Body) => String(e.Id));
    if (new Set(ids).size !== ids.length)
      throw new SqsError("BatchEntryIdsNotDistinct", "Id values must be distinct.");
    const Successful: Body[] = [];
    const Failed: Body[] = [];
    for (const entry of entries as Body[]) {
      try {
        Successful.push({ Id: entry.Id, ...apply(entry) });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({
          Id: entry.Id,
          SenderFault: error.status < 500,
          Code: error.queryCode,
          Message: error.message,
        });
      }
    }
    return { Successful, Failed };
  }

  #queue(queueUrlOrName: string): Queue {
    const name = queueUrlOrName.split("/").at(-1) ?? "";
    const queue = this.#queues.get(name);
    if (!queue) throw nonExistent();
    return queue;
  }

  #send(queue: Queue, body: string, delaySeconds: number, request: Body): Message {
    checkRange("DelaySeconds", delaySeconds, SQS_LIMITS.maxDelaySeconds);
    const bytes = messageBytes(body, request);
    if (bytes > SQS_LIMITS.maxMessageBytes) {
      throw new SqsError(
        "InvalidParameterValue",
        `One or more parameters are invalid. Reason: Message must be shorter than ${SQS_LIMITS.maxMessageBytes} bytes.`,
      );
    }
    const now = this.#now();
    const message: Message = {
      messageId: fakeUuid(this.#ids.message.next(), "5a5a5a5a"),
      body,
      md5: createHash("md5").update(body, "utf8").digest("hex"),
      receiveCount: 0,
      sentAt: now,
      firstReceivedAt: undefined,
      visibleAt: now + delaySeconds * 1000,
      received: false,
      handles: new Set(),
      messageAttributes: (request.MessageAttributes as Record<string, unknown> | undefined) ?? {},
    };
    queue.messages.push(message);
    return message;
  }

  #receive(
    queue: Queue,
    max: number,
    visibilitySeconds: number | undefined,
    attributeNames: string[],
    messageAttributeNames: string[],
  ): ReceivedMessage[] {
    if (visibilitySeconds !== undefined) {
      checkRange("VisibilityTimeout", visibilitySeconds, SQS_LIMITS.maxVisibilitySeconds);
    }
    this.#redrive();
    const now = this.#now();
    const visible = queue.messages.filter((m) => m.visibleAt <= now).slice(0, max);
    return visible.map((m) => {
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.received = true;
      m.visibleAt = now + (visibilitySeconds ?? queue.visibilityTimeoutSeconds) * 1000;
      const handle = `AQEB${Buffer.from(`${queue.name}/${m.messageId}/${this.#ids.handle.next()}`).toString("base64")}`;
      m.handles.add(handle);
      const all: Record<string, string> = {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        SenderId: "AIDAFAKESENDER",
      };
      const wantAll = attributeNames.includes("All");
      const attributes = Object.fromEntries(
        Object.entries(all).filter(([k]) => wantAll || attributeNames.includes(k)),
      );
      const wantAllMessageAttributes = messageAttributeNames.some((n) => n === "All" || n === ".*");
      const messageAttributes = Object.fromEntries(
        Object.entries(m.messageAttributes).filter(
          ([k]) => wantAllMessageAttributes || messageAttributeNames.includes(k),
        ),
      );
      return {
        MessageId: m.messageId,
        ReceiptHandle: handle,
        Body: m.body,
        MD5OfBody: m.md5,
        Attributes: attributes,
        ...(Object.keys(messageAttributes).length > 0 ? { MessageAttributes: messageAttributes } : {}),
      };
    });
  }

  #find(queue: Queue, receiptHandle: string): Message | undefined {
    const decoded = receiptHandle.startsWith("AQEB")
      ? Buffer.from(receiptHandle.slice(4), "base64").toString("utf8").split("/")
      : [];
    if (decoded.length !== 3)
      throw new SqsError(
        "ReceiptHandleIsInvalid",
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    return queue.messages.find((m) => m.handles.has(receiptHandle));
  }

  #delete(queue: Queue, receiptHandle: string): void {
    const message = this.#find(queue, receiptHandle);
    // Deleting an already deleted message succeeds, as in SQS.
    if (message) queue.messages.splice(queue.messages.indexOf(message), 1);
  }

  #changeVisibility(queue: Queue, receiptHandle: string, visibilitySeconds: number): void {
    checkRange("VisibilityTimeout", visibilitySeconds, SQS_LIMITS.maxVisibilitySeconds);
    const message = this.#find(queue, receiptHandle);
    const now = this.#now();
    if (!message || message.visibleAt <= now) {
      throw new SqsError("MessageNotInflight", "The message referred to isn't in flight.");
    }
    message.visibleAt = now + visibilitySeconds * 1000;
  }

  /** Moves messages that have used up their receives to the dead-letter queue once they are visible again. */
  #redrive(): void {
    const now = this.#now();
    for (const queue of this.#queues.values()) {
      const dlq = queue.deadLetterQueue ? this.#queues.get(queue.deadLetterQueue) : undefined;
      const max = queue.maxReceiveCount;
      if (!dlq || max === undefined) continue;
      const expired = queue.messages.filter((m) => m.visibleAt <= now && m.receiveCount >= max);
      for (const message of expired) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        dlq.messages.push({
          ...message,
          receiveCount: 0,
          firstReceivedAt: undefined,
          received: false,
          visibleAt: now,
          handles: new Set(),
        });
      }
    }
  }

  #attributes(queue: Queue, names: string[]): Record<string, string> {
    const counts = this.count(queue.name);
    const all: Record<string, string> = {
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      QueueArn: queue.arn,
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      DelaySeconds: "0",
      ...(queue.deadLetterQueue && queue.maxReceiveCount !== undefined
        ? {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: this.#queue(queue.deadLetterQueue).arn,
              maxReceiveCount: queue.maxReceiveCount,
            }),
          }
        : {}),
    };
    const wantAll = names.includes("All");
    return Object.fromEntries(Object.entries(all).filter(([k]) => wantAll || names.includes(k)));
  }
}

/** SQS's answer to a number out of its range, e.g. DelaySeconds 901. */
function checkRange(parameter: string, value: number, max: number): void {
  if (Number.isInteger(value) && value >= 0 && value <= max) return;
  throw new SqsError(
    "InvalidParameterValue",
    `Value ${value} for parameter ${parameter} is invalid. Reason: Must be between 0 and ${max}, if provided.`,
  );
}

/** A message's size as SQS counts it: the body's UTF-8 bytes plus each attribute's name, type and value. */
function messageBytes(body: string, request: Body): number {
  let bytes = Buffer.byteLength(body, "utf8");
  const attributes = (request.MessageAttributes ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, attribute] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(String(attribute.DataType ?? ""));
    bytes += Buffer.byteLength(String(attribute.StringValue ?? attribute.BinaryValue ?? ""));
  }
  return bytes;
}

function nonExistent(): SqsError {
  return new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "")
    throw new SqsError("MissingParameter", `The request must contain the parameter ${field}.`);
  return value;
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
