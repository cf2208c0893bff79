import { generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { captureOutput, FRAGMENT, SecretScanner } from "./secrets.ts";

const jit = () => randomBytes(3000).toString("base64");

describe("SecretScanner", () => {
  it("finds nothing when no output holds a secret", () => {
    const scanner = new SecretScanner().secret("JIT config", jit()).output("scale-up", '{"message":"ok"}');

    expect(scanner.leaks()).toEqual([]);
    expect(() => scanner.assertNoLeaks()).not.toThrow();
  });

  it("finds a whole secret and names the secret and the output, masking the value", () => {
    const value = jit();
    const scanner = new SecretScanner()
      .secret("JIT config of runner 3", value)
      .output("scale-up#1 stdout", JSON.stringify({ message: "runner launched", jit: value }));

    const [leak] = scanner.leaks();

    expect(leak).toMatchObject({ secret: "JIT config of runner 3", source: "scale-up#1 stdout" });
    expect(leak?.context).not.toContain(value.slice(0, FRAGMENT));
    expect(() => scanner.assertNoLeaks()).toThrow(/JIT config of runner 3 in scale-up#1 stdout/);
  });

  it("finds a truncated copy: any run of two fragments' length", () => {
    const value = jit();
    const start = 1001;
    const scanner = new SecretScanner()
      .secret("JIT config", value)
      .output("log", `error: ${value.slice(start, start + 2 * FRAGMENT)}`);

    expect(scanner.leaks()).toHaveLength(1);
  });

  it("finds a PEM private key logged inside JSON (escaped newlines) or line by line", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const oneLine = pem.split("\n")[5] as string;

    const escaped = new SecretScanner().secret("App key", pem).output("a", JSON.stringify({ key: pem }));
    const line = new SecretScanner().secret("App key", pem).output("b", `key line ${oneLine}`);

    expect(escaped.leaks()).toHaveLength(1);
    expect(line.leaks()).toHaveLength(1);
  });

  it("matches a short secret only whole, and ignores low-entropy runs", () => {
    const scanner = new SecretScanner()
      .secret("webhook secret", "e2e-webhook-secret")
      .secret("token", `ghs_${"0".repeat(36)}`)
      .output(
        "webhook",
        "reading /ci/github-app/webhook-secret; sha 0000000000000000000000000000000000000000",
      );

    expect(scanner.leaks()).toEqual([]);
    expect(
      new SecretScanner()
        .secret("webhook secret", "e2e-webhook-secret")
        .output("x", "e2e-webhook-secret")
        .leaks(),
    ).toHaveLength(1);
  });

  it("refuses to scan for a secret too short to mean anything", () => {
    expect(() => new SecretScanner().secret("pin", "1234")).toThrow(/too short/);
  });
});

describe("captureOutput()", () => {
  it("keeps what is written to stdout and stderr until stopped", () => {
    const capture = captureOutput();
    process.stdout.write("to stdout\n");
    process.stderr.write("to stderr\n");
    capture.stop();
    process.stdout.write("");

    expect(capture.text()).toContain("to stdout");
    expect(capture.text()).toContain("to stderr");
  });
});
