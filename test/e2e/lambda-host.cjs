// One "Lambda container": loads a function's unzipped index.js once (the cold start) and serves
// invocations from the harness over IPC, one at a time, as a Lambda execution environment does.
// Started as `node --require clock.cjs lambda-host.cjs <dir>`; stdout carries the function's own
// logs and EMF metric lines, which the harness reads.
"use strict";

const { join } = require("node:path");
const { randomUUID } = require("node:crypto");

const dir = process.argv[2];
const timeoutMs = Number(process.env.SKIFF_E2E_TIMEOUT_MS ?? "60000");
let handler;
const initStarted = performance.now();
try {
  handler = require(join(dir, "index.js")).handler;
  if (typeof handler !== "function") throw new Error(`${dir}/index.js exports no handler`);
  process.send({ type: "ready", initMs: performance.now() - initStarted });
} catch (error) {
  process.send({ type: "init-error", error: describe(error) });
  process.exitCode = 1;
}

function describe(error) {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: "Error", message: String(error) };
}

function context(request) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: "$LATEST",
    invokedFunctionArn: request.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "256",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: `e2e/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

process.on("message", async (request) => {
  if (request.type !== "invoke" || !handler) return;
  const started = performance.now();
  try {
    const value = await handler(request.event, context(request));
    process.send({ type: "result", id: request.id, ok: true, value, ms: performance.now() - started });
  } catch (error) {
    process.send({
      type: "result",
      id: request.id,
      ok: false,
      error: describe(error),
      ms: performance.now() - started,
    });
  }
});
process.on("disconnect", () => process.exit(0));
