// The deployed-configuration scenario: after `terraform apply` against moto, run the built zips
// with the configuration Terraform gave them, read back from moto, and drive jobs through them.
//
//   node test/e2e/run.mjs test/apply/deployed.ts <moto endpoint URL> [jobs]
//
// Each function's environment, handler and event source mappings come from moto's Lambda API;
// the zip it runs is checked against the CodeSha256 moto recorded. The functions reach moto's
// SQS, DynamoDB, EC2 and SSM through AWS_ENDPOINT_URL (added, as Lambda adds region and
// credentials); the only value replaced is SKIFF_GITHUB_API_URL, which points at FakeGitHub.
// What moto cannot do is done here the way AWS does it, and nothing else: Lambda's SQS pollers
// (batch size from the mapping, ReportBatchItemFailures), API Gateway's payload 2.0 event,
// EventBridge's EC2 state-change events to the lifecycle queue, the schedule invoking
// scale-down, and an instance's bootstrap (read and delete its JIT config, connect the runner,
// run the job, power off).
import { type ChildProcess, fork } from "node:child_process";
import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { distDir } from "../e2e/paths.ts";
import { unzip } from "../e2e/unzip.ts";
import { FakeGitHub } from "../fakes/index.ts";

const [endpointArg, jobsArg] = process.argv.slice(2);
if (!endpointArg) {
  console.error("usage: node test/e2e/run.mjs test/apply/deployed.ts <moto endpoint URL> [jobs]");
  process.exit(2);
}
const endpoint: string = endpointArg;
const JOBS = Number(jobsArg ?? "10");
const REGION = "us-east-1";
const PREFIX = "ci";
const FUNCTIONS = {
  webhook: "webhook",
  "scale-up": "scale-up",
  lifecycle: "lifecycle",
  "scale-down": "scale-down",
};
type FunctionName = keyof typeof FUNCTIONS;
const dist = distDir;

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const aws = { region: REGION, endpoint, credentials };
const sqs = new SQSClient(aws);
const ssm = new SSMClient(aws);
const ec2 = new EC2Client(aws);

const failures: string[] = [];
function check(condition: boolean, message: string): void {
  if (!condition) failures.push(message);
  console.log(`${condition ? "ok  " : "FAIL"} ${message}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => console.log(`     ${message}`);

// ---- what Terraform deployed, read back from moto --------------------------------------------------------

interface Deployed {
  name: string;
  arn: string;
  handler: string;
  runtime: string;
  timeout: number;
  codeSha256: string;
  environment: Record<string, string>;
}

async function lambdaApi<T>(path: string): Promise<T> {
  // moto does not check signatures; it routes by the credential scope's service name.
  const response = await fetch(`${endpoint}/2015-03-31${path}`, {
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0`,
    },
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function deployed(name: FunctionName): Promise<Deployed> {
  const out = await lambdaApi<{
    Configuration: {
      FunctionName: string;
      FunctionArn: string;
      Handler: string;
      Runtime: string;
      Timeout: number;
      CodeSha256: string;
      Environment?: { Variables?: Record<string, string> };
    };
  }>(`/functions/${PREFIX}-${name}`);
  const c = out.Configuration;
  return {
    name: c.FunctionName,
    arn: c.FunctionArn,
    handler: c.Handler,
    runtime: c.Runtime,
    timeout: c.Timeout,
    codeSha256: c.CodeSha256,
    environment: c.Environment?.Variables ?? {},
  };
}

interface Mapping {
  queueArn: string;
  functionArn: string;
  batchSize: number;
  reportsItemFailures: boolean;
  enabled: boolean;
}

async function mappings(): Promise<Mapping[]> {
  const out = await lambdaApi<{
    EventSourceMappings: {
      EventSourceArn: string;
      FunctionArn: string;
      BatchSize: number;
      FunctionResponseTypes?: string[];
      State?: string;
    }[];
  }>("/event-source-mappings/");
  return out.EventSourceMappings.map((m) => ({
    queueArn: m.EventSourceArn,
    functionArn: m.FunctionArn,
    batchSize: m.BatchSize,
    reportsItemFailures: (m.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
    enabled: m.State !== "Disabled",
  }));
}

async function queueUrl(arn: string): Promise<string> {
  const name = arn.split(":").at(-1) ?? "";
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  return out.QueueUrl ?? "";
}

// A request to a real AWS host (https://*.amazonaws.com) goes to moto instead, and is reported:
// with AWS_ENDPOINT_URL set, none should happen. They do today: the SQS client takes its host from
// the QueueUrl (the SDK's useQueueUrlAsEndpoint, default true) unless `endpoint` is given in the
// client's own configuration, and AWS_ENDPOINT_URL does not count as that.
const REDIRECT = `
  const http = require("node:http"), https = require("node:https");
  const moto = new URL(process.env.AWS_ENDPOINT_URL);
  const original = https.request;
  https.request = function (options, ...rest) {
    if (typeof options === "object" && !(options instanceof URL) && /\\.amazonaws\\.com$/.test(options.hostname || options.host || "")) {
      process.stderr.write("skiff-apply: redirected " + (options.hostname || options.host) + "\\n");
      const { agent, ...plain } = options;
      return http.request({ ...plain, protocol: "http:", hostname: moto.hostname, host: moto.hostname, port: moto.port }, ...rest);
    }
    return original.call(this, options, ...rest);
  };`;

// ---- a Lambda execution environment per function -----------------------------------------------------------

class Runtime {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (result: { ok: boolean; value?: unknown; error?: string }) => void>();
  #ids = 0;
  readonly errors: string[] = [];
  /** AWS hosts this function called directly although AWS_ENDPOINT_URL names moto. */
  readonly redirected = new Set<string>();

  constructor(
    readonly fn: Deployed,
    dir: string,
    env: Record<string, string>,
  ) {
    const [file, exported] = fn.handler.split(".");
    const host = `
      const m = require(${JSON.stringify(join(dir, `${file}.js`))});
      const handler = m[${JSON.stringify(exported)}];
      if (typeof handler !== "function") throw new Error("no handler ${fn.handler}");
      process.on("message", async ({ id, event }) => {
        const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, invokedFunctionArn: ${JSON.stringify(fn.arn)},
          awsRequestId: require("node:crypto").randomUUID(), getRemainingTimeInMillis: () => ${fn.timeout * 1000} };
        try { process.send({ id, ok: true, value: await handler(event, context) }); }
        catch (e) { process.send({ id, ok: false, error: String(e && e.stack || e) }); }
      });
      process.on("disconnect", () => process.exit(0));
      process.send({ ready: true });`;
    const hostFile = join(dir, "skiff-apply-host.cjs");
    writeFileSync(join(dir, "skiff-apply-redirect.cjs"), REDIRECT);
    writeFileSync(hostFile, host);
    this.#child = fork(hostFile, [], {
      env,
      execArgv: ["--require", join(dir, "skiff-apply-redirect.cjs")],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        if (process.env.SKIFF_APPLY_ECHO) console.log(`[${fn.name}] ${line}`);
        if (/"level":"(ERROR|CRITICAL)"/.test(line)) this.errors.push(line);
        const redirected = /^skiff-apply: redirected (\S+)/.exec(line)?.[1];
        if (redirected) this.redirected.add(redirected);
      });
    }
    this.#child.on("message", (m: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      this.#pending.get(m.id)?.({ ok: Boolean(m.ok), value: m.value, error: m.error });
      this.#pending.delete(m.id);
    });
  }

  invoke<T>(event: unknown): Promise<{ ok: boolean; value?: T; error?: string }> {
    const id = ++this.#ids;
    return new Promise((done) => {
      this.#pending.set(id, done as (r: { ok: boolean; value?: unknown; error?: string }) => void);
      this.#child.send({ id, event });
    });
  }

  stop(): void {
    this.#child.disconnect();
  }
}

// ---- the scenario ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), "skiff-deployed-"));
  const runtimes: Partial<Record<FunctionName, Runtime>> = {};
  let github: FakeGitHub | undefined;
  let stopped = false;
  const loops: Promise<void>[] = [];
  try {
    // 1. The deployed configuration.
    const fns = {} as Record<FunctionName, Deployed>;
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      fns[name] = await deployed(name);
      const zip = readFileSync(join(dist, `${name}.zip`));
      const sha = createHash("sha256").update(zip).digest("base64");
      check(
        fns[name].codeSha256 === sha,
        `${fns[name].name}: moto holds the code of dist/lambdas/${name}.zip`,
      );
    }
    const maps = await mappings();
    const control = fns["scale-up"].environment;
    const webhookEnv = fns.webhook.environment;

    // 2. What the operator puts in SSM before deploying (docs/github-app.md): App key and webhook secret.
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const secret = randomUUID();
    const keyParameter = control.SKIFF_GITHUB_APP_KEY_PARAMETER ?? "";
    const secretParameter = (webhookEnv.SKIFF_WEBHOOK_SECRET_PARAMETERS ?? "").split(",")[0] ?? "";
    check(
      keyParameter !== "" && secretParameter !== "",
      "the functions name the App key and webhook secret parameters",
    );
    await ssm.send(
      new PutParameterCommand({ Name: keyParameter, Type: "SecureString", Value: pem, Overwrite: true }),
    );
    await ssm.send(
      new PutParameterCommand({
        Name: secretParameter,
        Type: "SecureString",
        Value: secret,
        Overwrite: true,
      }),
    );

    // 3. GitHub: the wire-level fake, delivering signed webhooks through "API Gateway".
    github = await FakeGitHub.start({ appId: control.SKIFF_GITHUB_APP_ID, publicKey, webhookSecret: secret });

    // 4. The functions, each with its deployed environment plus what Lambda itself adds.
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      const fn = fns[name];
      const dir = join(work, name);
      unzip(join(dist, `${name}.zip`), dir);
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? "",
        ...fn.environment,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        AWS_ENDPOINT_URL: endpoint,
      };
      if ("SKIFF_GITHUB_API_URL" in fn.environment || name !== "webhook")
        env.SKIFF_GITHUB_API_URL = github.url;
      runtimes[name] = new Runtime(fn, dir, env);
    }
    const rt = runtimes as Record<FunctionName, Runtime>;

    github.onWebhook(async (delivery) => {
      const result = await rt.webhook.invoke<{ statusCode: number }>({
        version: "2.0",
        routeKey: "POST /webhook",
        rawPath: "/webhook",
        rawQueryString: "",
        headers: Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v])),
        requestContext: {
          http: {
            method: "POST",
            path: "/webhook",
            protocol: "HTTP/1.1",
            sourceIp: "192.0.2.1",
            userAgent: "GitHub-Hookshot",
          },
          requestId: randomUUID(),
          routeKey: "POST /webhook",
          stage: "$default",
          timeEpoch: Date.now(),
        },
        body: delivery.body,
        isBase64Encoded: false,
      });
      if (!result.ok) log(`webhook failed: ${result.error}`);
      return result.ok ? result.value?.statusCode : 500;
    });

    // 5. Lambda's SQS pollers, as the deployed mappings say.
    const byArn = new Map(Object.values(rt).map((r) => [r.fn.arn, r]));
    const queueUrls: Record<string, string> = {};
    for (const m of maps) {
      const runtime = byArn.get(m.functionArn);
      check(
        runtime !== undefined && m.enabled,
        `event source mapping ${m.queueArn.split(":").at(-1)} → ${m.functionArn.split(":").at(-1)}`,
      );
      if (!runtime) continue;
      const url = await queueUrl(m.queueArn);
      queueUrls[m.queueArn] = url;
      loops.push(
        (async () => {
          while (!stopped) {
            const out = await sqs.send(
              new ReceiveMessageCommand({
                QueueUrl: url,
                MaxNumberOfMessages: m.batchSize,
                WaitTimeSeconds: 1,
                MessageSystemAttributeNames: ["All"],
              }),
            );
            const messages = out.Messages ?? [];
            if (messages.length === 0) continue;
            if (process.env.SKIFF_APPLY_ECHO) {
              for (const msg of messages)
                console.log(
                  `[poller ${runtime.fn.name}] ${msg.MessageId} receive ${msg.Attributes?.ApproximateReceiveCount} ${msg.Body?.slice(0, 80)}`,
                );
            }
            const event = {
              Records: messages.map((msg) => ({
                messageId: msg.MessageId,
                receiptHandle: msg.ReceiptHandle,
                body: msg.Body,
                attributes: msg.Attributes ?? {},
                messageAttributes: {},
                md5OfBody: msg.MD5OfBody,
                eventSource: "aws:sqs",
                eventSourceARN: m.queueArn,
                awsRegion: REGION,
              })),
            };
            const result = await runtime.invoke<{ batchItemFailures?: { itemIdentifier: string }[] }>(event);
            if (!result.ok) {
              log(`${runtime.fn.name} failed: ${result.error?.split("\n")[0]}`);
              continue;
            }
            const failed = new Set(
              m.reportsItemFailures
                ? (result.value?.batchItemFailures ?? []).map((f) => f.itemIdentifier)
                : [],
            );
            if (process.env.SKIFF_APPLY_ECHO && failed.size)
              console.log(`[poller ${runtime.fn.name}] failures ${[...failed]}`);
            const done = messages.filter((msg) => !failed.has(msg.MessageId ?? ""));
            if (done.length > 0) {
              await sqs.send(
                new DeleteMessageBatchCommand({
                  QueueUrl: url,
                  Entries: done.map((msg, i) => ({ Id: String(i), ReceiptHandle: msg.ReceiptHandle })),
                }),
              );
            }
          }
        })(),
      );
    }
    const lifecycleQueue = Object.entries(queueUrls).find(([, url]) =>
      url.endsWith(`/${PREFIX}-lifecycle`),
    )?.[1];
    check(lifecycleQueue !== undefined, "the lifecycle queue feeds a function");

    // EventBridge: an instance's state change, as the lifecycle rule's target receives it.
    const ec2Event = async (instanceId: string, state: string) => {
      if (!lifecycleQueue) return;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: lifecycleQueue,
          MessageBody: JSON.stringify({
            version: "0",
            id: randomUUID(),
            "detail-type": "EC2 Instance State-change Notification",
            source: "aws.ec2",
            account: fns.webhook.arn.split(":")[4],
            time: new Date().toISOString(),
            region: REGION,
            resources: [`arn:aws:ec2:${REGION}:${fns.webhook.arn.split(":")[4]}:instance/${instanceId}`],
            detail: { "instance-id": instanceId, state },
          }),
        }),
      );
    };

    // 6. Instances: what the AMI's bootstrap does, against moto's EC2 and SSM.
    const seen = new Map<string, { subnet?: string; template?: string; pool?: string; job?: number }>();
    const booting: Promise<void>[] = [];
    const boot = async (instanceId: string) => {
      const name = `/${PREFIX}/jit/${instanceId}`;
      let jit: string | undefined;
      for (let i = 0; i < 60 && !jit; i++) {
        try {
          const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
          jit = out.Parameter?.Value;
        } catch {
          await sleep(500);
        }
      }
      if (!jit) {
        failures.push(`${instanceId}: no JIT config at ${name}`);
        return;
      }
      await ssm.send(new DeleteParameterCommand({ Name: name }));
      const { job } = await github!.runnerConnect(jit);
      if (job) {
        const record = seen.get(instanceId);
        if (record) record.job = job.id;
        await sleep(500);
        await github!.completeJob(job.id);
      }
      // The runner exits after its one job; the instance powers off (shutdown behaviour: terminate).
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
      await ec2Event(instanceId, "shutting-down");
      await ec2Event(instanceId, "terminated");
    };
    loops.push(
      (async () => {
        while (!stopped) {
          const out = await ec2.send(
            new DescribeInstancesCommand({
              Filters: [
                { Name: "tag:skiff:prefix", Values: [PREFIX] },
                { Name: "instance-state-name", Values: ["pending", "running"] },
              ],
            }),
          );
          for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
            if (!i.InstanceId || seen.has(i.InstanceId)) continue;
            const tags = Object.fromEntries((i.Tags ?? []).map((t) => [t.Key, t.Value]));
            seen.set(i.InstanceId, {
              subnet: i.SubnetId,
              template: tags["aws:ec2launchtemplate:id"],
              pool: tags["skiff:pool"],
            });
            booting.push(boot(i.InstanceId));
          }
          await sleep(300);
        }
      })(),
    );

    // 7. The jobs, from signed webhooks.
    log(`queueing ${JOBS} jobs`);
    for (let i = 0; i < JOBS; i++) await github.queueJob({ labels: ["self-hosted", "linux"] });

    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const done = github.jobs().filter((j) => j.status === "completed").length;
      if (done === JOBS && seen.size >= JOBS) break;
      await sleep(500);
    }
    await Promise.all(booting);
    await github.settled();
    // Let the lifecycle events drain, then run the schedule's reconcile once.
    for (let i = 0; i < 60; i++) {
      const attrs = await Promise.all(
        Object.values(queueUrls).map((QueueUrl) =>
          sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] })),
        ),
      );
      const inFlight = attrs.reduce(
        (n, a) =>
          n +
          Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
          Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(a.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0),
        0,
      );
      if (inFlight === 0) break;
      await sleep(500);
    }
    const reconcile = await rt["scale-down"].invoke({
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      time: new Date().toISOString(),
      region: REGION,
      resources: [],
      detail: {},
    });
    check(reconcile.ok, `scale-down's reconcile ran${reconcile.ok ? "" : `: ${reconcile.error}`}`);

    // 8. What must hold.
    const jobs = github.jobs();
    const completed = jobs.filter((j) => j.status === "completed" && j.conclusion === "success");
    const incomplete = jobs.filter((j) => !completed.includes(j)).map((j) => `${j.id} ${j.status}`);
    check(
      completed.length === JOBS,
      `${completed.length}/${JOBS} jobs completed${incomplete.length ? ` (not: ${incomplete.join(", ")})` : ""}`,
    );
    check(
      completed.every((j) => j.runnerName?.startsWith(`${PREFIX}-i-`)),
      "every job ran on a skiff runner named after its instance",
    );
    check(seen.size === JOBS, `one instance per job (${seen.size} launched for ${JOBS} jobs)`);
    const pools = JSON.parse(control.SKIFF_POOLS ?? "[]") as {
      name: string;
      subnetIds: string[];
      launchTemplateId: string;
    }[];
    const subnets = new Set(pools.flatMap((p) => p.subnetIds));
    const records = [...seen.values()];
    check(
      records.every((r) => r.subnet !== undefined && subnets.has(r.subnet)),
      `every instance is in a subnet Terraform created (${[...new Set(records.map((r) => r.subnet))].join(", ")})`,
    );
    check(
      records.every((r) => pools.some((p) => p.name === r.pool)),
      "every instance is tagged with its pool",
    );
    const alive = (
      await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: "tag:skiff:prefix", Values: [PREFIX] }] }),
      )
    ).Reservations?.flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== "terminated");
    check((alive ?? []).length === 0, `no instance left running (${(alive ?? []).length})`);
    const jit = await ssm.send(new GetParametersByPathCommand({ Path: `/${PREFIX}/jit`, Recursive: true }));
    check((jit.Parameters ?? []).length === 0, "no JIT config left in SSM");
    check(github.registrations().length === 0, `no runner registered (${github.registrations().length})`);
    for (const [arn, url] of Object.entries(queueUrls)) {
      const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
      const left =
        Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      check(left === 0, `${arn.split(":").at(-1)} is empty`);
      const dlq = JSON.parse(a.Attributes?.RedrivePolicy ?? "{}") as { deadLetterTargetArn?: string };
      if (dlq.deadLetterTargetArn) {
        const d = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: await queueUrl(dlq.deadLetterTargetArn),
            AttributeNames: ["All"],
          }),
        );
        check(
          Number(d.Attributes?.ApproximateNumberOfMessages ?? 0) === 0,
          `${dlq.deadLetterTargetArn.split(":").at(-1)} is empty`,
        );
      }
    }
    // The standard endpoint settings must reach every client, SQS calls with a QueueUrl included.
    for (const r of Object.values(rt)) {
      check(
        r.redirected.size === 0,
        `${r.fn.name} called only the endpoint AWS_ENDPOINT_URL names${r.redirected.size ? ` (it called ${[...r.redirected].join(", ")})` : ""}`,
      );
    }
    const errors = Object.values(rt).flatMap((r) => r.errors);
    check(
      errors.length === 0,
      `no function logged an error${errors.length ? `: ${errors.slice(0, 3).join(" | ")}` : ""}`,
    );
    log(`${JOBS} jobs in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    stopped = true;
    await Promise.allSettled(loops);
    for (const r of Object.values(runtimes)) r?.stop();
    await github?.close();
    rmSync(work, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.log(`deployed-configuration scenario FAILED:\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log("deployed-configuration scenario passed");
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
