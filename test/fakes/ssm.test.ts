import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  paginateGetParametersByPath,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeSsm } from "./ssm.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

describe("FakeSsm", () => {
  let fake: FakeSsm;
  let ssm: SSMClient;

  beforeEach(async () => {
    fake = await FakeSsm.start({ now: () => Date.parse("2026-01-01T00:00:00Z") });
    ssm = new SSMClient({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
  });

  afterEach(async () => {
    ssm.destroy();
    await fake.close();
  });

  it("stores a SecureString with its key and returns the plaintext only with decryption", async () => {
    await ssm.send(
      new PutParameterCommand({
        Name: "/ci/jit/i-1",
        Value: "jit-secret",
        Type: "SecureString",
        KeyId: "alias/ci",
        Tags: [{ Key: "skiff:instance", Value: "i-1" }],
      }),
    );

    const plain = await ssm.send(new GetParameterCommand({ Name: "/ci/jit/i-1", WithDecryption: true }));
    const cipher = await ssm.send(new GetParameterCommand({ Name: "/ci/jit/i-1" }));

    expect(plain.Parameter).toMatchObject({
      Name: "/ci/jit/i-1",
      Type: "SecureString",
      Value: "jit-secret",
      Version: 1,
    });
    expect(plain.Parameter?.LastModifiedDate).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(cipher.Parameter?.Value).not.toContain("jit-secret");
    expect(fake.get("/ci/jit/i-1")).toMatchObject({ keyId: "alias/ci", tags: { "skiff:instance": "i-1" } });
    expect(fake.reads.map((r) => [r.name, r.withDecryption])).toEqual([
      ["/ci/jit/i-1", true],
      ["/ci/jit/i-1", false],
    ]);
  });

  it("refuses to overwrite without Overwrite and bumps the version with it", async () => {
    fake.put("/ci/key", "v1", { type: "String" });

    const error = await ssm
      .send(new PutParameterCommand({ Name: "/ci/key", Value: "v2", Type: "String" }))
      .catch((e: unknown) => e);
    const out = await ssm.send(new PutParameterCommand({ Name: "/ci/key", Value: "v2", Overwrite: true }));

    expect(error).toMatchObject({ name: "ParameterAlreadyExists", $metadata: { httpStatusCode: 400 } });
    expect(out.Version).toBe(2);
    expect(fake.get("/ci/key")?.value).toBe("v2");
  });

  it("deletes a parameter once and then reports ParameterNotFound", async () => {
    fake.put("/ci/jit/i-2", "secret");

    await ssm.send(new DeleteParameterCommand({ Name: "/ci/jit/i-2" }));
    const again = await ssm
      .send(new DeleteParameterCommand({ Name: "/ci/jit/i-2" }))
      .catch((e: unknown) => e);
    const read = await ssm.send(new GetParameterCommand({ Name: "/ci/jit/i-2" })).catch((e: unknown) => e);

    expect(again).toMatchObject({ name: "ParameterNotFound" });
    expect(read).toMatchObject({ name: "ParameterNotFound" });
    expect(fake.deleted).toEqual(["/ci/jit/i-2"]);
    expect(fake.names()).toEqual([]);
  });

  it("lists missing names as InvalidParameters in GetParameters and DeleteParameters", async () => {
    fake.put("/a", "1");

    const got = await ssm.send(new GetParametersCommand({ Names: ["/a", "/b"], WithDecryption: true }));
    const deleted = await ssm.send(new DeleteParametersCommand({ Names: ["/a", "/b"] }));

    expect(got.Parameters?.map((p) => p.Value)).toEqual(["1"]);
    expect(got.InvalidParameters).toEqual(["/b"]);
    expect(deleted).toMatchObject({ DeletedParameters: ["/a"], InvalidParameters: ["/b"] });
  });

  it("pages GetParametersByPath and honours Recursive", async () => {
    for (let i = 0; i < 12; i++) fake.put(`/ci/jit/i-${String(i).padStart(2, "0")}`, `v${i}`);
    fake.put("/ci/jit/deep/x", "deep");
    fake.put("/other/y", "other");

    const names = async (Recursive: boolean) => {
      const found: string[] = [];
      const pages = paginateGetParametersByPath(
        { client: ssm },
        { Path: "/ci/jit", Recursive, WithDecryption: true },
      );
      for await (const page of pages) found.push(...(page.Parameters ?? []).map((p) => p.Name ?? ""));
      return found;
    };

    expect(await names(false)).toHaveLength(12);
    expect(await names(true)).toHaveLength(13);
    expect(fake.callCount("GetParametersByPath")).toBe(4);
  });

  it("fails the next call as told", async () => {
    fake.put("/a", "1");
    fake.failNext("GetParameter", "ThrottlingException", "Rate exceeded");

    const error = await ssm.send(new GetParameterCommand({ Name: "/a" })).catch((e: unknown) => e);
    const ok = await ssm.send(new GetParameterCommand({ Name: "/a" }));

    expect(error).toMatchObject({ name: "ThrottlingException", message: "Rate exceeded" });
    expect(ok.Parameter?.Value).toBeDefined();
  });

  describe("limits SSM enforces", () => {
    const put = (Name: string, Value: string, Tier?: "Standard" | "Advanced" | "Intelligent-Tiering") =>
      ssm.send(new PutParameterCommand({ Name, Value, Type: "SecureString", ...(Tier ? { Tier } : {}) }));
    const jitSized = "x".repeat(4300);

    it("refuses a Standard value over 4,096 characters, with or without Tier, as SSM does", async () => {
      const implicit = await put("/ci/jit/i-1", jitSized).catch((e: unknown) => e);
      const explicit = await put("/ci/jit/i-2", jitSized, "Standard").catch((e: unknown) => e);
      const fits = await put("/ci/jit/i-3", "x".repeat(4096));

      expect(implicit).toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
      expect((implicit as Error).message).toMatch(
        /^Standard tier parameters support a maximum parameter value of 4096/,
      );
      expect(explicit).toMatchObject({ name: "ValidationException" });
      expect(fits.Tier).toBe("Standard");
      expect(fake.names()).toEqual(["/ci/jit/i-3"]);
    });

    it("stores a value up to 8,192 characters as Advanced, and refuses anything longer in every tier", async () => {
      const advanced = await put("/ci/a", "x".repeat(8192), "Advanced");
      const tooLong = await Promise.all(
        (["Advanced", "Intelligent-Tiering"] as const).map((tier) =>
          put(`/ci/b-${tier}`, "x".repeat(8193), tier).catch((e: unknown) => e),
        ),
      );

      expect(advanced.Tier).toBe("Advanced");
      expect(tooLong.map((e) => (e as { name: string }).name)).toEqual([
        "ValidationException",
        "ValidationException",
      ]);
      expect(fake.names()).toEqual(["/ci/a"]);
    });

    it("Intelligent-Tiering picks Standard when the value fits and Advanced when it does not", async () => {
      const small = await put("/ci/small", "x".repeat(100), "Intelligent-Tiering");
      const large = await put("/ci/large", jitSized, "Intelligent-Tiering");

      expect([small.Tier, large.Tier]).toEqual(["Standard", "Advanced"]);
      expect([fake.get("/ci/small")?.tier, fake.get("/ci/large")?.tier]).toEqual(["Standard", "Advanced"]);
    });

    it.each([
      ["a reserved prefix", "/aws/x", "ValidationException"],
      ["a reserved prefix in any case", "SSM-thing", "ValidationException"],
      ["a space", "/ci/jit/i 1", "ValidationException"],
      ["a character outside a-zA-Z0-9_.-/", "/ci/jit/i-1*", "ValidationException"],
      ["a path without the leading slash", "ci/jit/i-1", "ValidationException"],
      ["an empty level", "/ci//i-1", "ValidationException"],
      ["more than 1,011 characters", `/${"a".repeat(1011)}`, "ValidationException"],
      [
        "16 levels",
        `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join("/")}`,
        "HierarchyLevelLimitExceededException",
      ],
    ])("refuses a name with %s", async (_, name, error) => {
      await expect(put(name, "v")).rejects.toMatchObject({ name: error });
      expect(fake.names()).toEqual([]);
    });
  });

  describe("instance profile credentials (the runner role's tag condition)", () => {
    const arn = (id: string) => `arn:aws:ec2:us-east-1:123456789012:instance/${id}`;
    let instance: SSMClient;

    beforeEach(async () => {
      await fake.close();
      fake = await FakeSsm.start({ runnerRole: { parameterPath: "/ci/jit/" } });
      ssm.destroy();
      ssm = new SSMClient({ region: "us-east-1", credentials, endpoint: fake.url, maxAttempts: 1 });
      for (const id of ["i-1", "i-2"]) {
        await ssm.send(
          new PutParameterCommand({
            Name: `/ci/jit/${id}`,
            Value: `jit-of-${id}`,
            Type: "SecureString",
            Tags: [{ Key: "skiff:instance-arn", Value: arn(id) }],
          }),
        );
      }
      fake.put("/ci/other", "not a JIT config", { tags: { "skiff:instance-arn": arn("i-1") } });
      instance = new SSMClient({
        region: "us-east-1",
        credentials: fake.instanceCredentials(arn("i-1")),
        endpoint: fake.url,
        maxAttempts: 1,
      });
    });
    afterEach(() => instance.destroy());

    const denied = (e: unknown) => (e as { name?: string }).name === "AccessDeniedException";

    it("lets an instance read and delete its own JIT config", async () => {
      const own = await instance.send(new GetParameterCommand({ Name: "/ci/jit/i-1", WithDecryption: true }));
      await instance.send(new DeleteParameterCommand({ Name: "/ci/jit/i-1" }));

      expect(own.Parameter?.Value).toBe("jit-of-i-1");
      expect(fake.reads).toEqual([expect.objectContaining({ name: "/ci/jit/i-1", instanceArn: arn("i-1") })]);
      expect(fake.names()).not.toContain("/ci/jit/i-1");
    });

    it("denies an instance another instance's JIT config, reading or deleting", async () => {
      const read = await instance
        .send(new GetParameterCommand({ Name: "/ci/jit/i-2", WithDecryption: true }))
        .catch((e: unknown) => e);
      const remove = await instance
        .send(new DeleteParameterCommand({ Name: "/ci/jit/i-2" }))
        .catch((e: unknown) => e);

      expect(denied(read)).toBe(true);
      expect((read as Error).message).toContain(
        "assumed-role/skiff-runner/i-1 is not authorized to perform: ssm:GetParameter",
      );
      expect(denied(remove)).toBe(true);
      expect(fake.get("/ci/jit/i-2")?.value).toBe("jit-of-i-2");
      expect(fake.reads).toEqual([]);
    });

    it("answers AccessDenied, not ParameterNotFound, for its own parameter before it exists", async () => {
      const early = await instance
        .send(new GetParameterCommand({ Name: "/ci/jit/i-9" }))
        .catch((e: unknown) => e);

      expect(denied(early)).toBe(true);
    });

    it("denies listing, batch reads, writes and parameters outside the JIT path, even tagged with its ARN", async () => {
      const attempts = await Promise.all(
        [
          instance.send(new GetParametersByPathCommand({ Path: "/ci/jit", WithDecryption: true })),
          instance.send(new GetParametersCommand({ Names: ["/ci/jit/i-1"], WithDecryption: true })),
          instance.send(new PutParameterCommand({ Name: "/ci/jit/i-1", Value: "x", Overwrite: true })),
          instance.send(new GetParameterCommand({ Name: "/ci/other" })),
        ].map((p) => p.catch((e: unknown) => e)),
      );

      expect(attempts.every(denied)).toBe(true);
      expect(fake.get("/ci/jit/i-1")?.value).toBe("jit-of-i-1");
    });

    it("still lets the control plane (other credentials) read anything", async () => {
      const out = await ssm.send(new GetParameterCommand({ Name: "/ci/jit/i-2", WithDecryption: true }));

      expect(out.Parameter?.Value).toBe("jit-of-i-2");
    });
  });

  describe("a Fargate task role's credentials", () => {
    const ROLE = "AROAEXAMPLETASKROLE";
    const TASK = `${"0".repeat(31)}1`;
    const OTHER = `${"0".repeat(31)}2`;
    let task: SSMClient;

    beforeEach(async () => {
      await fake.close();
      fake = await FakeSsm.start({ runnerRole: { parameterPath: "/ci/jit/" } });
      for (const id of [TASK, OTHER])
        fake.put(`/ci/jit/${id}`, `jit-of-${id}`, { tags: { "skiff:task-userid": `${ROLE}:${id}` } });
      // Tagged with the task's id as an instance would be, not with its user id: not the task's.
      fake.put("/ci/jit/untagged", "x", { tags: { "skiff:instance-arn": TASK } });
      task = new SSMClient({
        region: "us-east-1",
        credentials: fake.taskCredentials(ROLE, TASK),
        endpoint: fake.url,
        maxAttempts: 1,
      });
    });
    afterEach(() => task.destroy());

    const denied = (e: unknown) => (e as { name?: string }).name === "AccessDeniedException";

    it("reads and deletes only the parameter tagged with its own user id", async () => {
      const own = await task.send(new GetParameterCommand({ Name: `/ci/jit/${TASK}`, WithDecryption: true }));
      const attempts = await Promise.all(
        [
          task.send(new GetParameterCommand({ Name: `/ci/jit/${OTHER}`, WithDecryption: true })),
          task.send(new DeleteParameterCommand({ Name: `/ci/jit/${OTHER}` })),
          task.send(new GetParameterCommand({ Name: "/ci/jit/untagged" })),
          task.send(new GetParametersByPathCommand({ Path: "/ci/jit", WithDecryption: true })),
        ].map((p) => p.catch((e: unknown) => e)),
      );
      await task.send(new DeleteParameterCommand({ Name: `/ci/jit/${TASK}` }));

      expect(own.Parameter?.Value).toBe(`jit-of-${TASK}`);
      expect(attempts.every(denied)).toBe(true);
      expect((attempts[0] as Error).message).toContain(`assumed-role/skiff-task/${TASK} is not authorized`);
      expect(fake.reads).toEqual([
        expect.objectContaining({ name: `/ci/jit/${TASK}`, taskUserId: `${ROLE}:${TASK}` }),
      ]);
      expect(fake.names()).toEqual([`/ci/jit/${OTHER}`, "/ci/jit/untagged"]);
    });

    it("answers AccessDenied for its own parameter before it exists", async () => {
      const early = await task
        .send(new GetParameterCommand({ Name: `/ci/jit/${"0".repeat(31)}9` }))
        .catch((e: unknown) => e);

      expect(denied(early)).toBe(true);
    });
  });
});
