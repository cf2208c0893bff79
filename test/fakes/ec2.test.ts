import {
  type _InstanceType,
  CreateFleetCommand,
  type CreateFleetCommandInput,
  CreateTagsCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  paginateDescribeInstances,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EC2_RATE_LIMITS, type FakeEc2 as Ec2, FakeEc2, type FakeInstance } from "./ec2.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

function fleet(
  count: number,
  capacityType: "spot" | "on-demand",
  types: _InstanceType[] = ["m7i.large", "m6i.large"],
): CreateFleetCommandInput {
  return {
    Type: "instant",
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateId: "lt-0abc", Version: "$Latest" },
        Overrides: types.flatMap((InstanceType) =>
          ["subnet-a", "subnet-b"].map((SubnetId) => ({ InstanceType, SubnetId })),
        ),
      },
    ],
    TargetCapacitySpecification: { TotalTargetCapacity: count, DefaultTargetCapacityType: capacityType },
    SpotOptions: { AllocationStrategy: "price-capacity-optimized" },
    OnDemandOptions: { AllocationStrategy: "lowest-price" },
    TagSpecifications: [
      {
        ResourceType: "instance",
        Tags: [
          { Key: "skiff:pool", Value: "ci" },
          { Key: "skiff:job", Value: "1001" },
        ],
      },
    ],
  };
}

describe("FakeEc2", () => {
  let fake: Ec2;
  let ec2: EC2Client;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse("2026-01-01T00:00:00Z");
    fake = await FakeEc2.start({
      now: () => clock,
      launchTemplateIds: ["lt-0abc"],
      subnets: { "subnet-a": "us-east-1a", "subnet-b": "us-east-1b" },
    });
    ec2 = new EC2Client({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
  });

  afterEach(async () => {
    ec2.destroy();
    await fake.close();
  });

  describe("CreateFleet", () => {
    it("launches the whole target when capacity is unlimited, tagged and pending", async () => {
      const out = await ec2.send(new CreateFleetCommand(fleet(3, "spot")));

      expect(out.FleetId).toMatch(/^fleet-/);
      expect(out.Errors ?? []).toEqual([]);
      expect(out.Instances).toHaveLength(1);
      expect(out.Instances?.[0]).toMatchObject({
        Lifecycle: "spot",
        InstanceType: "m7i.large",
        LaunchTemplateAndOverrides: {
          LaunchTemplateSpecification: { LaunchTemplateId: "lt-0abc", Version: "$Latest" },
          Overrides: { InstanceType: "m7i.large", SubnetId: "subnet-a" },
        },
      });
      expect(out.Instances?.[0]?.InstanceIds).toHaveLength(3);
      expect(fake.instances().map((i) => [i.state, i.lifecycle, i.tags["skiff:job"]])).toEqual([
        ["pending", "spot", "1001"],
        ["pending", "spot", "1001"],
        ["pending", "spot", "1001"],
      ]);
    });

    it("fulfils partially and reports InsufficientInstanceCapacity in Errors for the shortfall", async () => {
      fake.setCapacity({ spot: { "m7i.large": 1, "m6i.large": 1 } });

      const out = await ec2.send(new CreateFleetCommand(fleet(4, "spot")));

      const launched = (out.Instances ?? []).flatMap((i) => i.InstanceIds ?? []);
      expect(launched).toHaveLength(2);
      expect(out.Instances?.map((i) => i.InstanceType)).toEqual(["m7i.large", "m6i.large"]);
      expect(out.Errors?.length).toBeGreaterThan(0);
      expect(out.Errors?.[0]).toMatchObject({
        ErrorCode: "InsufficientInstanceCapacity",
        Lifecycle: "spot",
        LaunchTemplateAndOverrides: { Overrides: { InstanceType: "m7i.large", SubnetId: "subnet-a" } },
      });
      expect(out.Errors?.[0]?.ErrorMessage).toBeTruthy();
    });

    it("launches nothing for a capacity type with no room, and on-demand still works", async () => {
      fake.setCapacity({ spot: { "m7i.large": 0, "m6i.large": 0 } });

      const spot = await ec2.send(new CreateFleetCommand(fleet(2, "spot")));
      const onDemand = await ec2.send(new CreateFleetCommand(fleet(2, "on-demand")));

      expect(spot.Instances ?? []).toEqual([]);
      expect(spot.Errors?.map((e) => e.ErrorCode)).toContain("InsufficientInstanceCapacity");
      expect(onDemand.Instances?.[0]?.InstanceIds).toHaveLength(2);
      expect(onDemand.Instances?.[0]?.Lifecycle).toBe("on-demand");
      expect(fake.running()).toBe(2);
    });

    it("launches on-demand on the cheapest type first with lowest-price, in the given order with prioritized", async () => {
      // Prepare: m7i.large (listed first) costs more than m6i.large.
      const lowest = fleet(1, "on-demand");
      const prioritized = {
        ...fleet(1, "on-demand"),
        OnDemandOptions: { AllocationStrategy: "prioritized" as const },
      };

      // Act
      const cheap = await ec2.send(new CreateFleetCommand(lowest));
      const first = await ec2.send(new CreateFleetCommand(prioritized));

      // Assess
      expect(cheap.Instances?.[0]?.InstanceType).toBe("m6i.large");
      expect(first.Instances?.[0]?.InstanceType).toBe("m7i.large");
    });

    it("frees a capacity slot when an instance terminates", async () => {
      fake.setCapacity({ spot: { "m7i.large": 1 } });
      const first = await ec2.send(new CreateFleetCommand(fleet(1, "spot", ["m7i.large"])));
      const id = first.Instances?.[0]?.InstanceIds?.[0] ?? "";

      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
      const second = await ec2.send(new CreateFleetCommand(fleet(1, "spot", ["m7i.large"])));

      expect(second.Instances?.[0]?.InstanceIds).toHaveLength(1);
    });

    it("throws RequestLimitExceeded as an SDK error with that name", async () => {
      fake.failNext("CreateFleet", "RequestLimitExceeded", "Request limit exceeded.");

      const error = await ec2.send(new CreateFleetCommand(fleet(1, "spot"))).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: "RequestLimitExceeded", $metadata: { httpStatusCode: 503 } });
      expect(fake.instances()).toEqual([]);
    });

    it("rejects an unknown launch template with InvalidLaunchTemplateId.NotFound", async () => {
      const input = fleet(1, "spot");
      input.LaunchTemplateConfigs![0]!.LaunchTemplateSpecification!.LaunchTemplateId = "lt-missing";

      const error = await ec2.send(new CreateFleetCommand(input)).catch((e: unknown) => e);

      expect(error).toMatchObject({
        name: "InvalidLaunchTemplateId.NotFound",
        $metadata: { httpStatusCode: 400 },
      });
    });

    it("tags each instance with its launch template and the version number $Latest, $Default or a number resolved to", async () => {
      // Prepare: version 2 is the latest, version 1 still the default.
      fake.newLaunchTemplateVersion("lt-0abc");
      const at = (Version: string) => {
        const input = fleet(1, "spot");
        input.LaunchTemplateConfigs![0]!.LaunchTemplateSpecification!.Version = Version;
        return input;
      };

      for (const version of ["$Latest", "$Default", "1"]) await ec2.send(new CreateFleetCommand(at(version)));

      expect(
        fake
          .instances()
          .map((i) => [i.tags["aws:ec2launchtemplate:id"], i.tags["aws:ec2launchtemplate:version"]]),
      ).toEqual([
        ["lt-0abc", "2"],
        ["lt-0abc", "1"],
        ["lt-0abc", "1"],
      ]);
    });

    it("rejects a version the launch template does not have with InvalidLaunchTemplateId.VersionNotFound", async () => {
      const input = fleet(1, "spot");
      input.LaunchTemplateConfigs![0]!.LaunchTemplateSpecification!.Version = "2";

      const error = await ec2.send(new CreateFleetCommand(input)).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: "InvalidLaunchTemplateId.VersionNotFound" });
      expect(fake.instances()).toEqual([]);
    });

    it("rejects an unknown launch template name with InvalidLaunchTemplateName.NotFoundException", async () => {
      const input = fleet(1, "spot");
      input.LaunchTemplateConfigs![0]!.LaunchTemplateSpecification = {
        LaunchTemplateName: "ci-x",
        Version: "1",
      };

      const error = await ec2.send(new CreateFleetCommand(input)).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: "InvalidLaunchTemplateName.NotFoundException" });
      expect(fake.instances()).toEqual([]);
    });

    it("rejects an unknown subnet with InvalidSubnetID.NotFound and launches nothing", async () => {
      const input = fleet(2, "spot");
      input.LaunchTemplateConfigs![0]!.Overrides![1]!.SubnetId = "subnet-gone";

      const error = await ec2.send(new CreateFleetCommand(input)).catch((e: unknown) => e);

      expect(error).toMatchObject({
        name: "InvalidSubnetID.NotFound",
        message: "The subnet ID 'subnet-gone' does not exist",
      });
      expect(fake.instances()).toEqual([]);
    });

    it.each([0, -1])(
      "rejects TotalTargetCapacity %i: a fleet launches at least one instance",
      async (count) => {
        const error = await ec2.send(new CreateFleetCommand(fleet(count, "spot"))).catch((e: unknown) => e);

        expect(error).toMatchObject({ name: "InvalidParameterValue", $metadata: { httpStatusCode: 400 } });
        expect(fake.instances()).toEqual([]);
      },
    );

    it("rejects two subnets of one availability zone for the same instance type with InvalidFleetConfig", async () => {
      await fake.close();
      fake = await FakeEc2.start({
        subnets: { "subnet-a": "us-east-1a", "subnet-b": "us-east-1b", "subnet-a2": "us-east-1a" },
      });
      ec2 = new EC2Client({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
      const input = fleet(1, "spot", ["m7i.large"]);
      input.LaunchTemplateConfigs![0]!.Overrides!.push({ InstanceType: "m7i.large", SubnetId: "subnet-a2" });

      const error = await ec2.send(new CreateFleetCommand(input)).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: "InvalidFleetConfig" });
      expect((error as Error).message).toContain("subnet-a and subnet-a2");
      expect(fake.instances()).toEqual([]);
    });

    it("answers a repeated ClientToken with the first fleet and launches nothing more", async () => {
      const input = { ...fleet(2, "spot"), ClientToken: "job-1001-attempt-1" };

      const first = await ec2.send(new CreateFleetCommand(input));
      const again = await ec2.send(new CreateFleetCommand(input));

      expect(again.FleetId).toBe(first.FleetId);
      expect(again.Instances?.flatMap((i) => i.InstanceIds)).toEqual(
        first.Instances?.flatMap((i) => i.InstanceIds),
      );
      expect(fake.instances()).toHaveLength(2);
    });

    it("refuses a repeated ClientToken on a different request with IdempotentParameterMismatch", async () => {
      await ec2.send(new CreateFleetCommand({ ...fleet(1, "spot"), ClientToken: "token-1" }));

      const error = await ec2
        .send(new CreateFleetCommand({ ...fleet(2, "spot"), ClientToken: "token-1" }))
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ name: "IdempotentParameterMismatch" });
      expect(fake.instances()).toHaveLength(1);
    });

    it("tells onLaunch listeners about each new instance", async () => {
      const seen: FakeInstance[] = [];
      fake.onLaunch((i) => seen.push(i));

      await ec2.send(new CreateFleetCommand(fleet(2, "on-demand")));

      expect(seen.map((i) => i.lifecycle)).toEqual(["on-demand", "on-demand"]);
      expect(fake.callCount("CreateFleet")).toBe(1);
      expect(fake.calls[0]?.params["LaunchTemplateConfigs.1.Overrides.1.InstanceType"]).toBe("m7i.large");
    });
  });

  describe("DescribeInstances", () => {
    it("paginates with MaxResults and NextToken and maps state, lifecycle, tags and placement", async () => {
      await ec2.send(new CreateFleetCommand(fleet(5, "spot")));
      const ids = fake.instances().map((i) => i.instanceId);
      fake.setState(ids[0]!, "running");

      const pages = [];
      for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 2 }, {})) pages.push(page);

      expect(pages).toHaveLength(3);
      const instances = pages.flatMap((p) => p.Reservations ?? []).flatMap((r) => r.Instances ?? []);
      expect(instances.map((i) => i.InstanceId)).toEqual(ids);
      expect(instances[0]).toMatchObject({
        InstanceType: "m7i.large",
        State: { Code: 16, Name: "running" },
        InstanceLifecycle: "spot",
        SubnetId: "subnet-a",
        Placement: { AvailabilityZone: "us-east-1a" },
        LaunchTime: new Date(clock),
      });
      expect(instances[0]?.Tags).toEqual(
        expect.arrayContaining([
          { Key: "skiff:pool", Value: "ci" },
          { Key: "skiff:job", Value: "1001" },
        ]),
      );
    });

    it("filters by tag, tag-key, state and instance id", async () => {
      await ec2.send(new CreateFleetCommand(fleet(2, "on-demand")));
      const [a, b] = fake.instances().map((i) => i.instanceId);
      await ec2.send(
        new CreateTagsCommand({ Resources: [a!], Tags: [{ Key: "skiff:pool", Value: "deploy" }] }),
      );
      fake.setState(b!, "terminated");

      const ids = async (Filters: { Name: string; Values: string[] }[], InstanceIds?: string[]) => {
        const out = await ec2.send(new DescribeInstancesCommand({ Filters, InstanceIds }));
        return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
      };

      expect(await ids([{ Name: "tag:skiff:pool", Values: ["deploy"] }])).toEqual([a]);
      expect(await ids([{ Name: "tag:skiff:pool", Values: ["c*"] }])).toEqual([b]);
      expect(await ids([{ Name: "tag-key", Values: ["skiff:job"] }])).toEqual([a, b]);
      expect(await ids([{ Name: "instance-state-name", Values: ["pending", "running"] }])).toEqual([a]);
      expect(await ids([{ Name: "instance-id", Values: [b!] }])).toEqual([b]);
      expect(await ids([], [b!])).toEqual([b]);
      expect(await ids([{ Name: "instance-lifecycle", Values: ["spot"] }])).toEqual([]);
    });

    it("fails with InvalidInstanceID.NotFound for an unknown InstanceId", async () => {
      const error = await ec2
        .send(new DescribeInstancesCommand({ InstanceIds: ["i-00000000000000bad"] }))
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ name: "InvalidInstanceID.NotFound" });
    });
  });

  describe("DescribeLaunchTemplates", () => {
    it("reports each template's default and latest version numbers by id", async () => {
      // Prepare: two new versions, the first of them made the default.
      fake.newLaunchTemplateVersion("lt-0abc", { makeDefault: true });
      fake.newLaunchTemplateVersion("lt-0abc");

      const out = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ["lt-0abc"] }));

      expect(out.LaunchTemplates).toEqual([
        expect.objectContaining({
          LaunchTemplateId: "lt-0abc",
          DefaultVersionNumber: 2,
          LatestVersionNumber: 3,
        }),
      ]);
      expect(out.LaunchTemplates?.[0]?.CreateTime).toEqual(new Date(clock));
    });

    it("fails the whole call with InvalidLaunchTemplateId.NotFound when one id is unknown", async () => {
      const error = await ec2
        .send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ["lt-0abc", "lt-missing"] }))
        .catch((e: unknown) => e);

      expect(error).toMatchObject({
        name: "InvalidLaunchTemplateId.NotFound",
        $metadata: { httpStatusCode: 400 },
      });
    });
  });

  describe("TerminateInstances", () => {
    it("reports previous and current state and notifies onTerminate", async () => {
      await ec2.send(new CreateFleetCommand(fleet(1, "spot")));
      const [id] = fake.instances().map((i) => i.instanceId);
      fake.setState(id!, "running");
      const terminated: string[] = [];
      fake.onTerminate((i) => terminated.push(i.instanceId));

      const out = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id!] }));

      expect(out.TerminatingInstances).toEqual([
        {
          InstanceId: id,
          PreviousState: { Code: 16, Name: "running" },
          CurrentState: { Code: 48, Name: "terminated" },
        },
      ]);
      expect(terminated).toEqual([id]);
      expect(fake.running()).toBe(0);
    });
  });
});

describe("FakeEc2 rateLimits", () => {
  let fake: Ec2;
  let ec2: EC2Client;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse("2026-01-01T00:00:00Z");
    fake = await FakeEc2.start({ now: () => clock, rateLimits: true });
    // One attempt: the SDK would otherwise retry RequestLimitExceeded itself.
    ec2 = new EC2Client({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
  });

  afterEach(async () => {
    ec2.destroy();
    await fake.close();
  });

  const createFleet = (count = 1) =>
    ec2.send(new CreateFleetCommand(fleet(count, "spot"))).then(
      () => "ok",
      (e: { name?: string; $metadata?: { httpStatusCode?: number } }) =>
        `${e.name} ${e.$metadata?.httpStatusCode}`,
    );

  async function burst(n: number, call: () => Promise<string>): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await call());
    return out;
  }

  it("allows a mutating action's bucket of 50 CreateFleet calls, then answers RequestLimitExceeded with 503", async () => {
    const answers = await burst(51, () => createFleet());

    expect(answers.slice(0, 50).every((a) => a === "ok")).toBe(true);
    expect(answers[50]).toBe("RequestLimitExceeded 503");
    expect(fake.instances()).toHaveLength(50);
    expect(fake.throttled.map((c) => c.operation)).toEqual(["CreateFleet"]);
  });

  it("refills CreateFleet at 5 tokens a second of the fake's clock, never above the bucket's size", async () => {
    await burst(50, () => createFleet());

    clock += 999; // 4.995 tokens: still not 5
    const afterAlmostOne = await burst(5, () => createFleet());
    clock += 60_000; // would be 300 tokens; the bucket holds 50
    const afterAMinute = await burst(51, () => createFleet());

    expect(afterAlmostOne).toEqual(["ok", "ok", "ok", "ok", "RequestLimitExceeded 503"]);
    expect(fake.rateLimitHeadroom()).toEqual({
      CreateFleet: { capacity: 50, lowest: 0 },
      "instances launched": { capacity: 1000, lowest: 947 }, // 950, refilled by 2 in 999 ms, then 4 more
    });
    expect(afterAMinute.filter((a) => a === "ok")).toHaveLength(50);
    expect(afterAMinute[50]).toBe("RequestLimitExceeded 503");
  });

  it("throttles each action on its own bucket: an empty CreateFleet bucket leaves DescribeInstances alone", async () => {
    await burst(51, () => createFleet());

    const out = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "tag:skiff:pool", Values: ["ci"] }] }),
    );

    expect(out.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(50);
  });

  it("gives an unfiltered, unpaginated DescribeInstances the smaller bucket of 50, and a filtered one 100", async () => {
    const describe = (input: DescribeInstancesCommandInput) => () =>
      ec2.send(new DescribeInstancesCommand(input)).then(
        () => "ok",
        (e: { name?: string }) => String(e.name),
      );

    const unfiltered = await burst(51, describe({}));
    const paginated = await burst(1, describe({ MaxResults: 5 })); // the standard bucket: 99 left
    const filtered = await burst(
      100,
      describe({ Filters: [{ Name: "instance-state-name", Values: ["running"] }] }),
    );

    expect(unfiltered.indexOf("RequestLimitExceeded")).toBe(50);
    expect(paginated).toEqual(["ok"]);
    expect(filtered.indexOf("RequestLimitExceeded")).toBe(99);
  });

  it("launches at most 1,000 instances at once, then 2 a second: the resource bucket counts instances, not calls", async () => {
    const first = await burst(4, () => createFleet(250));
    const over = await createFleet(1);
    clock += 1000;
    const two = await createFleet(2);
    const three = await createFleet(1);

    expect(first).toEqual(["ok", "ok", "ok", "ok"]);
    expect(over).toBe("RequestLimitExceeded 503");
    expect(two).toBe("ok");
    expect(three).toBe("RequestLimitExceeded 503");
    expect(fake.instances()).toHaveLength(1002);
  });

  it("charges the launch bucket only what a partial fleet launched", async () => {
    fake.setCapacity({ spot: { "m7i.large": 300, "m6i.large": 0 } });

    const partial = await createFleet(1000); // launches 300: 700 tokens left
    fake.setCapacity({});
    const rest = await createFleet(700);
    const over = await createFleet(1);

    expect([partial, rest, over]).toEqual(["ok", "ok", "RequestLimitExceeded 503"]);
    expect(fake.instances()).toHaveLength(1000);
  });

  it("terminates at most 1,000 instances at once on the resource bucket, refilled at 20 a second", async () => {
    const limits = { ...EC2_RATE_LIMITS, instancesLaunched: { capacity: 2000, refillPerSecond: 2 } };
    await fake.close();
    fake = await FakeEc2.start({ now: () => clock, rateLimits: limits });
    ec2.destroy();
    ec2 = new EC2Client({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
    await burst(2, () => createFleet(505));
    const ids = fake.instances().map((i) => i.instanceId);
    const terminate = (from: number, to: number) => () =>
      ec2.send(new TerminateInstancesCommand({ InstanceIds: ids.slice(from, to) })).then(
        () => "ok",
        (e: { name?: string }) => String(e.name),
      );

    const thousand = await terminate(0, 1000)();
    const more = await terminate(1000, 1001)();
    clock += 500;
    const ten = await terminate(1000, 1010)();

    expect([thousand, more, ten]).toEqual(["ok", "RequestLimitExceeded", "ok"]);
    expect(fake.instances({ state: "terminated" })).toHaveLength(1010);
  });

  it("lets the SDK's own retries through once the bucket has refilled", async () => {
    await burst(50, () => createFleet());
    const retrying = new EC2Client({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 3 });
    // Time passes only once the first attempt was refused: then a token every 200 ms of the fake's clock.
    const advancing = setInterval(() => {
      if (fake.throttled.length > 0) clock += 200;
    }, 20);

    try {
      const out = await retrying.send(new CreateFleetCommand(fleet(1, "spot")));

      expect(out.Instances?.[0]?.InstanceIds).toHaveLength(1);
      expect(fake.throttled.length).toBeGreaterThanOrEqual(1);
      expect(fake.instances()).toHaveLength(51);
    } finally {
      clearInterval(advancing);
      retrying.destroy();
    }
  });

  it("is off by default: a burst of 200 CreateFleet calls all launch", async () => {
    const unlimited = await FakeEc2.start({ now: () => clock });
    const client = new EC2Client({
      region: "us-east-1",
      credentials,
      endpoint: unlimited.url,
      maxAttempts: 1,
    });
    try {
      for (let i = 0; i < 200; i++) await client.send(new CreateFleetCommand(fleet(1, "spot")));

      expect(unlimited.instances()).toHaveLength(200);
      expect(unlimited.throttled).toEqual([]);
    } finally {
      client.destroy();
      await unlimited.close();
    }
  });
});
