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
export type ParameterTier = "Standard" | "Advanced";

/** SSM's value limits per tier, in characters (AWS Systems Manager User Guide, "Managing parameter tiers"). */
export const MAX_VALUE = { Standard: 4096, Advanced: 8192 } as const;

export interface FakeParameter {
  name: string;
  /** Always the plaintext, whatever the type. */
  value: string;
  type: ParameterType;
  keyId?: string;
  version: number;
  tier: ParameterTier;
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
  /** The instance ARN of a caller signing with `instanceCredentials`; undefined for anyone else. */
  instanceArn?: string;
  /** The `aws:userid` of a caller signing with `taskCredentials` (`<role id>:<task id>`). */
  taskUserId?: string;
}

/**
 * What an instance profile's credentials may do, as modules/runner-pool grants it: `ssm:GetParameter`
 * and `ssm:DeleteParameter` on parameters under `parameterPath` whose `tagKey` tag equals the caller's
 * own instance ARN (the policy variable `${ec2:SourceInstanceARN}`); nothing else.
 */
export interface RunnerRole {
  /** Default "/" (any parameter); e.g. "/ci/jit/". */
  parameterPath?: string;
  /** Default "skiff:instance-arn". */
  tagKey?: string;
  /** For error messages. Default "skiff-runner". */
  roleName?: string;
}

export interface FakeSsmOptions {
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  runnerRole?: RunnerRole;
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
  readonly #role: Required<RunnerRole>;
  /** Access key id of instance-profile credentials → the instance's ARN. */
  readonly #instanceKeys = new Map<string, string>();
  /** Access key id of an ECS task role's credentials → the session's `aws:userid`. */
  readonly #taskKeys = new Map<string, string>();
  #server: Listener | undefined;

  private constructor(options: FakeSsmOptions) {
    this.#now = options.now ?? Date.now;
    this.#region = options.region ?? "us-east-1";
    this.#role = {
      parameterPath: "/",
      tagKey: "skiff:instance-arn",
      roleName: "skiff-runner",
      ...options.runnerRole,
    };
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
  put(
    name: string,
    value: string,
    options: { type?: ParameterType; keyId?: string; tags?: Record<string, string> } = {},
  ): void {
    const type = options.type ?? "SecureString";
    const keyId = type === "SecureString" ? (options.keyId ?? DEFAULT_KEY) : undefined;
    const tier = value.length > MAX_VALUE.Standard ? "Advanced" : "Standard";
    this.#store(name, value, type, keyId, options.tags ?? {}, tier);
  }

  /**
   * Credentials as an instance profile delivers them to the instance `instanceArn`: requests signed
   * with them are that instance's, and the runner role's tag condition decides what they may do.
   */
  instanceCredentials(instanceArn: string): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
  } {
    const id = createHash("sha256").update(instanceArn).digest("hex").slice(0, 16).toUpperCase();
    const accessKeyId = `ASIA${id}`;
    this.#instanceKeys.set(accessKeyId, instanceArn);
    return { accessKeyId, secretAccessKey: `fake-secret-${id}`, sessionToken: `fake-session-${id}` };
  }

  /**
   * Credentials as ECS delivers a task role to the task `taskId`: a session named after the task, so
   * `${aws:userid}` of its requests is `<roleId>:<taskId>`. The Fargate task role's policy (modules/
   * fargate-pool) allows `ssm:GetParameter` and `ssm:DeleteParameter` under the runner role's
   * `parameterPath` only on a parameter whose `skiff:task-userid` tag equals that user id.
   */
  taskCredentials(
    roleId: string,
    taskId: string,
  ): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    const userId = `${roleId}:${taskId}`;
    const id = createHash("sha256").update(userId).digest("hex").slice(0, 16).toUpperCase();
    const accessKeyId = `ASIA${id}`;
    this.#taskKeys.set(accessKeyId, userId);
    return { accessKeyId, secretAccessKey: `fake-secret-${id}`, sessionToken: `fake-session-${id}` };
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
      const accessKey = /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ""))?.[1];
      const instanceArn = accessKey ? this.#instanceKeys.get(accessKey) : undefined;
      const taskUserId = accessKey ? this.#taskKeys.get(accessKey) : undefined;
      if (instanceArn) this.#authorizeInstance(instanceArn, operation, body);
      if (taskUserId) this.#authorizeTask(taskUserId, operation, body);
      this.#caller = instanceArn ? { instanceArn } : taskUserId ? { taskUserId } : {};
      return json(200, this.#dispatch(operation, body), headers);
    } catch (error) {
      const e = error instanceof SsmError ? error : new SsmError("InternalServerError", String(error), 500);
      return json(e.status, { __type: e.type, message: e.message }, headers);
    }
  }

  #caller: { instanceArn?: string; taskUserId?: string } = {};

  /**
   * The runner role's policy, evaluated: Allow Get/DeleteParameter on `parameterPath` when the
   * parameter's tag equals the caller's ARN; everything else is denied. A parameter that does not exist
   * has no tag, so reading one answers AccessDeniedException, not ParameterNotFound.
   */
  #authorizeInstance(instanceArn: string, operation: string, body: Body): void {
    const account = instanceArn.split(":")[4] ?? "000000000000";
    const session = `arn:aws:sts::${account}:assumed-role/${this.#role.roleName}/${instanceArn.split("/").at(-1)}`;
    this.#authorize({ tagKey: this.#role.tagKey, value: instanceArn, session, account }, operation, body);
  }

  /** The Fargate task role's policy: the same rule on the `skiff:task-userid` tag and the caller's user id. */
  #authorizeTask(userId: string, operation: string, body: Body): void {
    const account = "000000000000";
    const session = `arn:aws:sts::${account}:assumed-role/skiff-task/${userId.split(":").at(-1)}`;
    this.#authorize({ tagKey: "skiff:task-userid", value: userId, session, account }, operation, body);
  }

  #authorize(
    caller: { tagKey: string; value: string; session: string; account: string },
    operation: string,
    body: Body,
  ): void {
    const name = typeof body.Name === "string" ? body.Name : typeof body.Path === "string" ? body.Path : "*";
    const parameter = this.#parameters.get(name);
    const allowed =
      (operation === "GetParameter" || operation === "DeleteParameter") &&
      name.startsWith(this.#role.parameterPath) &&
      parameter !== undefined &&
      parameter.tags[caller.tagKey] === caller.value;
    if (allowed) return;
    throw new SsmError(
      "AccessDeniedException",
      `User: ${caller.session} is not authorized to perform: ssm:${operation} on resource: ${this.#arn(name, caller.account)} because no identity-based policy allows the ssm:${operation} action`,
    );
  }

  #arn(name: string, account = "000000000000"): string {
    return `arn:aws:ssm:${this.#region}:${account}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
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
    checkName(name);
    const value = str(body.Value, "Value");
    const tier = chooseTier(body.Tier, value);
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
      tier,
    );
    return { Version: stored.version, Tier: stored.tier };
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
    tier: ParameterTier,
  ): FakeParameter {
    const parameter: FakeParameter = {
      name,
      value,
      type,
      tier,
      version: (this.#parameters.get(name)?.version ?? 0) + 1,
      lastModified: this.#now(),
      tags,
      ...(keyId ? { keyId } : {}),
    };
    this.#parameters.set(name, parameter);
    return parameter;
  }

  #read(parameter: FakeParameter, operation: string, withDecryption: boolean): Body {
    this.reads.push({
      name: parameter.name,
      operation,
      withDecryption,
      at: this.#now(),
      ...this.#caller,
    });
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
      ARN: this.#arn(parameter.name),
      DataType: "text",
    };
  }
}

/**
 * PutParameter's `Tier`: Standard holds values up to 4,096 characters, Advanced up to 8,192;
 * Intelligent-Tiering picks Standard when the value fits and Advanced when not. No `Tier` is the
 * account's default tier, Standard unless changed. Nothing is ever over 8,192 (the API's own limit).
 */
function chooseTier(requested: unknown, value: string): ParameterTier {
  if (value.length > MAX_VALUE.Advanced) {
    throw new SsmError(
      "ValidationException",
      `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VALUE.Advanced}`,
    );
  }
  const tier = requested ?? "Standard";
  if (tier === "Intelligent-Tiering") return value.length > MAX_VALUE.Standard ? "Advanced" : "Standard";
  if (tier === "Advanced") return "Advanced";
  if (tier !== "Standard") {
    throw new SsmError(
      "ValidationException",
      `1 validation error detected: Value '${String(tier)}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]`,
    );
  }
  if (value.length > MAX_VALUE.Standard) {
    throw new SsmError(
      "ValidationException",
      "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
    );
  }
  return "Standard";
}

/**
 * SSM's naming constraints (PutParameter API reference, "Naming Constraints"): only a-zA-Z0-9_.- and
 * "/" between levels, a name with "/" starts with "/", no "aws"/"ssm" prefix (any case), at most 15
 * levels, at most 1,011 characters.
 */
function checkName(name: string): void {
  const bare = name.replace(/^\//, "");
  const valid =
    /^[a-zA-Z0-9_.\-/]+$/.test(name) &&
    (!name.includes("/") || name.startsWith("/")) &&
    !bare.split("/").includes("") &&
    !/^(aws|ssm)/i.test(bare) &&
    name.length <= 1011;
  if (!valid) {
    throw new SsmError(
      "ValidationException",
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
  }
  if (bare.split("/").length > 15) {
    throw new SsmError(
      "HierarchyLevelLimitExceededException",
      "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the Amazon Web Services Systems Manager User Guide.",
    );
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
