import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
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
});
