// DynamoDB on loopback: dynalite behind a small front that adds what dynalite lacks and
// skiff relies on — TransactWriteItems (all or nothing, isolated from other requests) and
// ReturnValuesOnConditionCheckFailure (a refused write returns the item as it is). Plain
// JavaScript so the end-to-end harness can run it in a child process without a loader.
import http from "node:http";
import dynalite from "dynalite";

const PREFIX = "com.amazonaws.dynamodb.v20120810#";

/**
 * A readers–writer lock: transactions run alone, everything else side by side. A waiting
 * transaction holds back new requests, so a steady stream of reads never starves it.
 */
class Gate {
  #readers = 0;
  #writer = false;
  #writersWaiting = 0;
  #waiting = [];

  async shared(work) {
    while (this.#writer || this.#writersWaiting > 0)
      await new Promise((resolve) => this.#waiting.push(resolve));
    this.#readers++;
    try {
      return await work();
    } finally {
      this.#readers--;
      this.#wake();
    }
  }

  async exclusive(work) {
    this.#writersWaiting++;
    try {
      while (this.#writer || this.#readers > 0) await new Promise((resolve) => this.#waiting.push(resolve));
    } finally {
      this.#writersWaiting--;
    }
    this.#writer = true;
    try {
      return await work();
    } finally {
      this.#writer = false;
      this.#wake();
    }
  }

  #wake() {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.0",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": "skiff-fake",
  });
  res.end(text);
}

/** Starts DynamoDB on a loopback port: `{ endpoint, close() }`. */
export async function startDynamoDb(options = {}) {
  const backend = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve) => backend.listen(0, "127.0.0.1", resolve));
  const backendPort = backend.address().port;
  const gate = new Gate();
  const keySchemas = new Map();

  /** One request to dynalite; resolves to { status, body }. */
  function call(operation, body, headers) {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: backendPort,
          method: "POST",
          path: "/",
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": `DynamoDB_20120810.${operation}`,
            authorization:
              headers.authorization ??
              "AWS4-HMAC-SHA256 Credential=fake/20260101/us-east-1/dynamodb/aws4_request",
            "x-amz-date": headers["x-amz-date"] ?? "20260101T000000Z",
            "content-length": Buffer.byteLength(text),
          },
        },
        async (res) =>
          resolve({ status: res.statusCode ?? 500, body: JSON.parse((await readBody(res)) || "{}") }),
      );
      req.on("error", reject);
      req.end(text);
    });
  }

  async function keyOf(table, item, headers) {
    if (!keySchemas.has(table)) {
      const out = await call("DescribeTable", { TableName: table }, headers);
      if (out.status !== 200) return undefined;
      keySchemas.set(
        table,
        out.body.Table.KeySchema.map((k) => k.AttributeName),
      );
    }
    return Object.fromEntries(keySchemas.get(table).map((name) => [name, item[name]]));
  }

  const isConditionFailure = (out) =>
    out.status === 400 && String(out.body.__type).endsWith("ConditionalCheckFailedException");

  /** A conditional write; a refusal carries the item when the request asked for it. */
  async function conditional(operation, request, headers) {
    const { ReturnValuesOnConditionCheckFailure: wanted, ...rest } = request;
    const out = await call(operation, rest, headers);
    if (wanted === "ALL_OLD" && isConditionFailure(out)) {
      const current = await call(
        "GetItem",
        {
          TableName: request.TableName,
          Key: request.Key ?? (await keyOf(request.TableName, request.Item, headers)),
          ConsistentRead: true,
        },
        headers,
      );
      if (current.body.Item) out.body.Item = current.body.Item;
    }
    return out;
  }

  async function transactWrite(request, headers) {
    const items = request.TransactItems ?? [];
    if (items.length === 0 || items.length > 100)
      return {
        status: 400,
        body: {
          __type: `${PREFIX}ValidationException`,
          message: "TransactItems must have between 1 and 100 items",
        },
      };
    const steps = [];
    for (const entry of items) {
      const [kind, op] = Object.entries(entry)[0];
      const key = op.Key ?? (await keyOf(op.TableName, op.Item, headers));
      steps.push({ kind, op, key, id: `${op.TableName}/${JSON.stringify(key)}` });
    }
    if (new Set(steps.map((s) => s.id)).size !== steps.length)
      return {
        status: 400,
        body: {
          __type: `${PREFIX}ValidationException`,
          message: "Transaction request cannot include multiple operations on one item",
        },
      };

    const done = [];
    const reasons = steps.map(() => ({ Code: "None" }));
    const undo = async () => {
      for (const { op, key, before } of done.reverse()) {
        if (before) await call("PutItem", { TableName: op.TableName, Item: before }, headers);
        else await call("DeleteItem", { TableName: op.TableName, Key: key }, headers);
      }
    };
    for (const [i, step] of steps.entries()) {
      const { kind, op, key } = step;
      const before = (
        await call("GetItem", { TableName: op.TableName, Key: key, ConsistentRead: true }, headers)
      ).body.Item;
      const { ReturnValuesOnConditionCheckFailure: wanted, ...plain } = op;
      let out;
      if (kind === "Put") out = await call("PutItem", plain, headers);
      else if (kind === "Update") out = await call("UpdateItem", plain, headers);
      else if (kind === "Delete") out = await call("DeleteItem", plain, headers);
      else if (kind === "ConditionCheck") {
        // A condition alone: an update that changes nothing but is refused when the condition fails.
        const { Key, TableName, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } =
          plain;
        out = await call(
          "UpdateItem",
          {
            TableName,
            Key,
            ConditionExpression,
            ExpressionAttributeNames: { ...ExpressionAttributeNames, "#skiffNoop": "skiff:noop" },
            ExpressionAttributeValues,
            UpdateExpression: "REMOVE #skiffNoop",
          },
          headers,
        );
      } else {
        await undo();
        return {
          status: 400,
          body: { __type: `${PREFIX}ValidationException`, message: `unknown transaction item ${kind}` },
        };
      }
      if (out.status === 200) {
        done.push({ op, key, before });
        continue;
      }
      await undo();
      if (!isConditionFailure(out)) return out;
      reasons[i] = {
        Code: "ConditionalCheckFailed",
        Message: "The conditional request failed",
        ...(wanted === "ALL_OLD" && before ? { Item: before } : {}),
      };
      return {
        status: 400,
        body: {
          __type: `${PREFIX}TransactionCanceledException`,
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
          CancellationReasons: reasons,
        },
      };
    }
    return { status: 200, body: {} };
  }

  const front = http.createServer(async (req, res) => {
    try {
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      const request = JSON.parse((await readBody(req)) || "{}");
      const headers = req.headers;
      let out;
      if (operation === "TransactWriteItems")
        out = await gate.exclusive(() => transactWrite(request, headers));
      else if (operation === "PutItem" || operation === "UpdateItem" || operation === "DeleteItem")
        out = await gate.shared(() => conditional(operation, request, headers));
      else out = await gate.shared(() => call(operation, request, headers));
      send(res, out.status, out.body);
    } catch (error) {
      send(res, 500, { __type: `${PREFIX}InternalServerError`, message: String(error) });
    }
  });
  await new Promise((resolve) => front.listen(options.port ?? 0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${front.address().port}`,
    port: front.address().port,
    async close() {
      await new Promise((resolve) => front.close(() => resolve()));
      await new Promise((resolve) => backend.close(() => resolve()));
    },
  };
}
