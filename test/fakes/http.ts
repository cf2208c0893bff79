import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the fakes see it: the whole body read, headers lower-cased by Node. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Handler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** One entry of a fake's call log: the operation (or route) and what it was called with. */
export interface Call<P = Record<string, unknown>> {
  operation: string;
  params: P;
  /** The fake's clock when the call arrived, in epoch milliseconds. */
  at: number;
}

/** A running loopback HTTP server; the fakes wrap one each. */
export interface Listener {
  url: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at `port` (0 picks a free one). A handler that throws answers 500. */
export async function listen(handler: Handler, port = 0): Promise<Listener> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request: FakeRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      Promise.resolve()
        .then(() => handler(request))
        .catch((error: unknown) => ({
          status: 500,
          headers: { "content-type": "text/plain" },
          body: `fake failed: ${error instanceof Error ? error.stack : String(error)}`,
        }))
        .then((response) => {
          res.writeHead(response.status, response.headers ?? {});
          res.end(response.body ?? "");
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // SDK clients keep connections alive; drop them so close() does not wait for their idle timeout.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Queued one-shot faults keyed by operation; `"*"` matches any operation. */
export class FaultQueue<F> {
  readonly #pending: { operation: string; fault: F }[] = [];

  add(operation: string, fault: F, times = 1): void {
    for (let i = 0; i < times; i++) this.#pending.push({ operation, fault });
  }

  /** Removes and returns the first fault queued for `operation` (or for `"*"`). */
  take(operation: string): F | undefined {
    const index = this.#pending.findIndex((p) => p.operation === operation || p.operation === "*");
    if (index < 0) return undefined;
    const [entry] = this.#pending.splice(index, 1);
    return entry?.fault;
  }

  clear(): void {
    this.#pending.length = 0;
  }
}

/** A deterministic id source: `next()` returns 1, 2, 3, ... */
export class Counter {
  #value = 0;
  next(): number {
    this.#value += 1;
    return this.#value;
  }
}

/** A UUID-shaped string that is the same on every run for the same `n`. */
export function fakeUuid(n: number, prefix = "00000000"): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
  };
}

/** Parses an AWS JSON protocol body; an empty body is an empty object. */
export function parseJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("request body is not a JSON object");
  }
  return parsed as Record<string, unknown>;
}
