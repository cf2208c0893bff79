import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnvironment, FakeEc2, FakeSqs, FakeSsm } from "./index.ts";

const run = promisify(execFile);

// What a bundled Lambda does: build clients with no endpoint and let the SDK read AWS_ENDPOINT_URL_<SERVICE>.
const SCRIPT = `
import { EC2Client, DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";
import { SQSClient, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
const ec2 = await new EC2Client({}).send(new DescribeInstancesCommand({}));
const ssm = await new SSMClient({}).send(new GetParameterCommand({ Name: "/ci/x", WithDecryption: true }));
const sqs = await new SQSClient({}).send(new GetQueueUrlCommand({ QueueName: "jobs" }));
console.log(JSON.stringify({ reservations: ec2.Reservations.length, value: ssm.Parameter.Value, url: sqs.QueueUrl }));
`;

describe("awsEnvironment(fakes)", () => {
  let ec2: FakeEc2;
  let ssm: FakeSsm;
  let sqs: FakeSqs;

  beforeAll(async () => {
    [ec2, ssm, sqs] = await Promise.all([FakeEc2.start(), FakeSsm.start(), FakeSqs.start()]);
  });

  afterAll(async () => {
    await Promise.all([ec2.close(), ssm.close(), sqs.close()]);
  });

  it("points an unconfigured SDK client in a child process at the fakes", async () => {
    ssm.put("/ci/x", "hello");
    const queueUrl = sqs.createQueue("jobs");

    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent", ...awsEnvironment({ ec2, ssm, sqs }) },
    });

    expect(JSON.parse(stdout)).toEqual({ reservations: 0, value: "hello", url: queueUrl });
    expect([
      ec2.callCount("DescribeInstances"),
      ssm.callCount("GetParameter"),
      sqs.callCount("GetQueueUrl"),
    ]).toEqual([1, 1, 1]);
  });
});
