import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// scripts/teardown.sh against a stand-in `aws` on PATH that records its calls and answers the
// describe/list calls with what each case puts in its environment.
const script = new URL("../scripts/teardown.sh", import.meta.url).pathname;
const STUB = `#!/usr/bin/env bash
echo "$*" >> "$AWS_LOG"
case "$1 $2" in
  "ec2 describe-instances") echo "$STUB_INSTANCES" ;;
  "ssm get-parameters-by-path") echo "$STUB_PARAMETERS" ;;
  "ec2 describe-images")
    if [[ "$*" == *--owners* ]]; then printf '%b\\n' "$STUB_IMAGES"; else echo "snap-0aaa"; fi ;;
esac
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-teardown-"));
  writeFileSync(join(dir, "aws"), STUB);
  chmodSync(join(dir, "aws"), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function teardown(args: string[], stub: Record<string, string> = {}) {
  const log = join(dir, "calls.log");
  writeFileSync(log, "");
  const out = spawnSync("bash", [script, ...args], {
    encoding: "utf8",
    env: {
      PATH: `${dir}:${process.env.PATH}`,
      AWS_LOG: log,
      STUB_INSTANCES: "",
      STUB_PARAMETERS: "",
      STUB_IMAGES: "",
      ...stub,
    },
  });
  return { ...out, calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
}

describe("teardown.sh <prefix> [--amis] [--yes]", () => {
  it("terminates the prefix's runner instances and deletes its JIT parameters, ten names per call", () => {
    // Prepare
    const parameters = Array.from({ length: 12 }, (_, i) => `/ci/jit/i-0${i}`).join("\t");
    // Act
    const out = teardown(["ci", "--yes"], { STUB_INSTANCES: "i-01\ti-02", STUB_PARAMETERS: parameters });
    // Assess
    expect(out.status, out.stderr).toBe(0);
    expect(out.calls[0]).toContain("Name=tag:skiff:prefix,Values=ci");
    expect(out.calls).toContain("ec2 terminate-instances --instance-ids i-01 i-02 --output text");
    expect(out.calls).toContain("ec2 wait instance-terminated --instance-ids i-01 i-02");
    expect(out.calls.filter((c) => c.startsWith("ssm get-parameters-by-path"))).toEqual([
      "ssm get-parameters-by-path --path /ci/jit/ --query Parameters[].Name --output text",
    ]);
    const deletes = out.calls.filter((c) => c.startsWith("ssm delete-parameters"));
    expect(deletes.map((c) => c.split(" --names ")[1]?.split(" ").length)).toEqual([10, 2]);
    expect(out.calls.some((c) => c.includes("describe-images"))).toBe(false);
  });

  it("deregisters skiff's AMIs and deletes their snapshots only with --amis", () => {
    const out = teardown(["ci", "--amis", "--yes"], { STUB_IMAGES: "ami-0aaa\tskiff-x64-runner-2.330.0-1" });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain("no runner instances of ci");
    expect(out.calls).toContain("ec2 deregister-image --image-id ami-0aaa");
    expect(out.calls).toContain("ec2 delete-snapshot --snapshot-id snap-0aaa");
  });

  it("deletes nothing when the answer is not yes", () => {
    const out = spawnSync("bash", ["-c", `echo n | bash ${script} ci`], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        AWS_LOG: join(dir, "calls.log"),
        STUB_INSTANCES: "i-01",
        STUB_PARAMETERS: "",
        STUB_IMAGES: "",
      },
    });
    expect(out.status).toBe(0);
    expect(readFileSync(join(dir, "calls.log"), "utf8")).not.toContain("terminate-instances");
  });

  it.each([[[]], [["CI"]], [["ci", "--force"]]])("refuses the arguments %j with a usage line", (args) => {
    const out = teardown(args);
    expect(out.status).toBe(2);
    expect(out.calls).toEqual([]);
  });
});
