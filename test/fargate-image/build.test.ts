import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "./harness.ts";

const build = join(repoRoot, "images", "runner", "build.sh");
const versions = JSON.parse(readFileSync(join(repoRoot, "versions.json"), "utf8")) as {
  runner: { version: string; sha256: { x64: string; arm64: string } };
};
const REPOSITORY = "123456789012.dkr.ecr.eu-north-1.amazonaws.com/skiff/runner";

describe("images/runner/build.sh", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Runs build.sh with a stub docker that records its calls; returns them and the script's stdout. */
  function runBuild(args: string[]): { calls: string[]; stdout: string } {
    dir = mkdtempSync(join(tmpdir(), "skiff-image-build-"));
    const log = join(dir, "docker.log");
    const docker = join(dir, "docker");
    writeFileSync(docker, `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"${log}"\n`);
    chmodSync(docker, 0o755);
    const stdout = execFileSync("bash", [build, ...args], {
      env: { ...process.env, SKIFF_DOCKER: docker },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { calls: readFileSync(log, "utf8").trim().split("\n"), stdout };
  }

  it.each([
    ["x86_64", "linux/amd64", versions.runner.sha256.x64],
    ["arm64", "linux/arm64", versions.runner.sha256.arm64],
  ])(
    "build.sh <repo> %s builds for %s with the version and checksum from versions.json",
    (arch, platform, sha256) => {
      // Act
      const { calls, stdout } = runBuild([REPOSITORY, arch]);

      // Assess
      const tag = `${REPOSITORY}:${versions.runner.version}-${arch}`;
      expect(calls).toEqual([
        `build --platform ${platform} --build-arg RUNNER_VERSION=${versions.runner.version} --build-arg RUNNER_SHA256=${sha256} --tag ${tag} ${join(repoRoot, "images", "runner")}`,
      ]);
      expect(stdout.trim()).toBe(tag);
    },
  );

  it("build.sh <repo> --push pushes the tag it built", () => {
    // Act
    const { calls } = runBuild([REPOSITORY, "--push"]);

    // Assess
    expect(calls.at(-1)).toBe(`push ${REPOSITORY}:${versions.runner.version}-x86_64`);
  });

  it("build.sh refuses a repository that is not a private ECR repository", () => {
    expect(() => runBuild(["ghcr.io/octo-org/runner"])).toThrow(/must be a private ECR repository/);
  });
});
