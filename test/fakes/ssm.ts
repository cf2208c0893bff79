import { createHash } from "node:crypto";
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

export type ParameterType = "String" | "StringList" | "SecureString";

export interface FakeParameter {
  name: string;
  /** Always the plaintext, whatever the type. */
  value: string;
  type: ParameterType;
  keyId?: string;
  version: number;
  /** Epoch milliseconds. */
  lastModified: number;
  tags: Record<string, string>;
}

/** One read of a parameter over the wire. */
export interface ParameterRead {
  name: string;
  operation: string;
  withDecryption: boolean;
  at: number;
}

export interface FakeSsmOptions {
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  region?: string;
  port?: number;
}

type Body = Record<string, unknown>;

class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const DEFAULT_KEY = "alias/aws/ssm";

/**
 * SSM Parameter Store over AWS JSON 1.1: PutParameter, GetParameter, GetParameters, GetParametersByPath,
 * DeleteParameter, DeleteParameters. Records every read and delete so tests can assert a secret was fetched
 * once and removed.
 */
export class FakeSsm {
  readonly calls: Call<Body>[] = [];
  readonly reads: ParameterRead[] = [];
  /** Names deleted over the wire, in order. */
  readonly deleted: string[] = [];
  readonly #parameters = new Map<string, FakeParameter>();
  readonly #faults = new FaultQueue<SsmError>();
  readonly #requests = new Counter();
  readonly #now: () => number;
  readonly #region: string;
  #server: Listener | undefined;

  private constructor(options: FakeSsmOptions) {
    this.#now = options.now ?? Date.now;
    this.#region = options.region ?? "us-east-1";
  }

  static async start(options: FakeSsmOptions = {}): Promise<FakeSsm> {
    const fake = new FakeSsm(options);
    fake.#server = await listen((request) => fake.#handle(request), options.port);
    return fake;
  }

  /** Base URL; give it to the client as `endpoint` or `AWS_ENDPOINT_URL_SSM`. */
  get url(): string {
    if (!this.#server) throw new Error("FakeSsm is not started");
    return this.#server.url;
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  // ---- test API -------------------------------------------------------------------------------------------

  /** Creates or overwrites a parameter without going through the wire (not recorded as a call). */
  put(name: string, value: string, options: { type?: ParameterType; keyId?: string } = {}): void {
    const type = options.type ?? "SecureString";
    this.#store(name, value, type, type === "SecureString" ? (options.keyId ?? DEFAULT_KEY) : undefined, {});
  }

  get(name: string): FakeParameter | undefined {
    const parameter = this.#parameters.get(name);
    return parameter ? structuredClone(parameter) : undefined;
  }

  names(): string[] {
    return [...this.#parameters.keys()].sort();
  }

  wasRead(name: string): boolean {
    return this.reads.some((r) => r.name === name);
  }

  /** Makes the next `times` calls of `operation` (e.g. "GetParameter", or "*") fail with `__type` = `type`. */
  failNext(operation: string, type: string, message?: string, httpStatus?: number, times = 1): void {
    const status = httpStatus ?? (type === "InternalServerError" ? 500 : 400);
    this.#faults.add(operation, new SsmError(type, message ?? `Injected ${type}`, status), times);
  }

  callCount(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  // ---- wire -----------------------------------------------------------------------------------------------

  async #handle(request: FakeRequest): Promise<FakeResponse> {
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.replace(/^AmazonSSM\./, "");
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": fakeUuid(this.#requests.next()),
    };
    try {
      const body = parseJsonBody(request.body);
      this.calls.push({ operation, params: body, at: this.#now() });
      const fault = this.#faults.take(operation);
      if (fault) throw fault;
      return json(200, this.#dispatch(operation, body), headers);
    } catch (error) {
      const e = error instanceof SsmError ? error : new SsmError("InternalServerError", String(error), 500);
      return json(e.status, { __type: e.type, message: e.message }, headers);
    }
  }

  #dispatch(operation: string, body: Body): unknown {
    switch (operation) {
      case "PutParameter":
        return this.#putParameter(body);
      case "GetParameter": {
        const name = str(body.Name, "Name");
        const parameter = this.#parameters.get(name);
        if (!parameter) throw notFound(name);
        return { Parameter: this.#read(parameter, operation, body.WithDecryption === true) };
      }
      case "GetParameters": {
        const names = list(body.Names, "Names");
        const found = names.flatMap((n) => {
          const parameter = this.#parameters.get(n);
          return parameter ? [this.#read(parameter, operation, body.WithDecryption === true)] : [];
        });
        return { Parameters: found, InvalidParameters: names.filter((n) => !this.#parameters.has(n)) };
      }
      case "GetParametersByPath":
        return this.#getParametersByPath(body);
      case "DeleteParameter": {
        const name = str(body.Name, "Name");
        if (!this.#parameters.delete(name)) throw notFound(name);
        this.deleted.push(name);
        return {};
      }
      case "DeleteParameters": {
        const names = list(body.Names, "Names");
        const deleted = names.filter((n) => this.#parameters.delete(n));
        this.deleted.push(...deleted);
        return { DeletedParameters: deleted, InvalidParameters: names.filter((n) => !deleted.includes(n)) };
      }
      default:
        throw new SsmError("UnknownOperationException", `FakeSsm does not implement ${operation}`);
    }
  }

  #putParameter(body: Body): unknown {
    const name = str(body.Name, "Name");
    const value = str(body.Value, "Value");
    const existing = this.#parameters.get(name);
    const tags = Array.isArray(body.Tags) ? (body.Tags as { Key: string; Value: string }[]) : [];
    if (existing && body.Overwrite !== true) {
      throw new SsmError(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      );
    }
    if (body.Overwrite === true && tags.length > 0) {
      throw new SsmError(
        "ValidationException",
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    const type = (body.Type as ParameterType | undefined) ?? existing?.type ?? "String";
    const keyId = type === "SecureString" ? ((body.KeyId as string | undefined) ?? DEFAULT_KEY) : undefined;
    const stored = this.#store(
      name,
      value,
      type,
      keyId,
      existing?.tags ?? Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
    );
    return { Version: stored.version, Tier: "Standard" };
  }

  #getParametersByPath(body: Body): unknown {
    const path = str(body.Path, "Path");
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const max = Math.min(typeof body.MaxResults === "number" ? body.MaxResults : 10, 10);
    const start =
      typeof body.NextToken === "string" ? Number(Buffer.from(body.NextToken, "base64url").toString()) : 0;
    const matching = this.names().filter(
      (n) => n.startsWith(prefix) && (body.Recursive === true || !n.slice(prefix.length).includes("/")),
    );
    const page = matching.slice(start, start + max);
    const parameters = page.map((n) => {
      const parameter = this.#parameters.get(n) as FakeParameter;
      return this.#read(parameter, "GetParametersByPath", body.WithDecryption === true);
    });
    const next =
      start + max < matching.length ? Buffer.from(String(start + max)).toString("base64url") : undefined;
    return next ? { Parameters: parameters, NextToken: next } : { Parameters: parameters };
  }

  #store(
    name: string,
    value: string,
    type: ParameterType,
    keyId: string | undefined,
    tags: Record<string, string>,
  ): FakeParameter {
    const parameter: FakeParameter = {
      name,
      value,
      type,
      version: (this.#parameters.get(name)?.version ?? 0) + 1,
      lastModified: this.#now(),
      tags,
      ...(keyId ? { keyId } : {}),
    };
    this.#parameters.set(name, parameter);
    return parameter;
  }

  #read(parameter: FakeParameter, operation: string, withDecryption: boolean): Body {
    this.reads.push({ name: parameter.name, operation, withDecryption, at: this.#now() });
    const hidden = parameter.type === "SecureString" && !withDecryption;
    return {
      Name: parameter.name,
      Type: parameter.type,
      // Without decryption SSM returns ciphertext; an opaque digest stands in for it.
      Value: hidden
        ? `AQICAH${createHash("sha256").update(parameter.value).digest("base64")}`
        : parameter.value,
      Version: parameter.version,
      LastModifiedDate: parameter.lastModified / 1000,
      ARN: `arn:aws:ssm:${this.#region}:000000000000:parameter${parameter.name.startsWith("/") ? "" : "/"}${parameter.name}`,
      DataType: "text",
    };
  }
}

function notFound(name: string): SsmError {
  return new SsmError("ParameterNotFound", `Parameter ${name} not found.`);
}

function str(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "")
    throw new SsmError("ValidationException", `${field} is required`);
  return value;
}

function list(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new SsmError("ValidationException", `${field} must be a list of strings`);
  }
  return value as string[];
}
