// modules/image-pipeline/scripts/build.sh run under bash, in a temporary checkout holding a
// versions.json, against a stub AWS CLI (parameters and images in files) and a stub Packer
// that registers an image and publishes it the way the template's post-processor does.
// What is not covered here: the JMESPath queries themselves (the stub answers by the shape
// of the call) and Packer's own work.
import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const script = join(process.cwd(), "modules", "image-pipeline", "scripts", "build.sh");
const stubs = join(process.cwd(), "test", "image-pipeline", "stubs");
const NOW = Date.parse("2026-12-03T09:00:00Z") / 1000;
const DAY = 86_400;

let root: string;
let state: string;

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();
const lines = (name: string) => {
  try {
    return readFileSync(join(state, name), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};
const parameter = (name: string) => {
  try {
    return readFileSync(join(state, "parameters", name.replaceAll("/", "_")), "utf8");
  } catch {
    return undefined;
  }
};

function setParameter(name: string, value: string) {
  mkdirSync(join(state, "parameters"), { recursive: true });
  writeFileSync(join(state, "parameters", name.replaceAll("/", "_")), value);
}

/** Registers an image: id, age in days, runner version, architecture. */
function image(id: string, ageDays: number, version: string, arch = "x86_64") {
  const snap = id.replace("ami-", "snap-");
  writeFileSync(join(state, "images"), `${id} ${iso(NOW - ageDays * DAY)} ${version} ${arch} ${snap}\n`, {
    flag: "a",
  });
}

function run(env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [script],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          SKIFF_STUB_STATE: state,
          SKIFF_AWS: join(root, "bin", "aws"),
          SKIFF_PACKER: join(root, "bin", "packer"),
          SKIFF_INSTALL_PACKER: "true",
          SKIFF_NOW: String(NOW),
          SKIFF_PREFIX: "ci",
          SKIFF_ARCHES: "x86_64",
          SKIFF_PARAMETER_PREFIX: "/ci/ami",
          SKIFF_KEEP_IMAGES: "3",
          SKIFF_REBUILD_AFTER_DAYS: "7",
          AWS_REGION: "eu-west-1",
          ...env,
        },
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "skiff-image-pipeline-"));
  state = join(root, "state");
  mkdirSync(state);
  mkdirSync(join(root, "bin"));
  for (const [from, to] of [
    ["aws.sh", "aws"],
    ["packer.sh", "packer"],
  ] as const) {
    copyFileSync(join(stubs, from), join(root, "bin", to));
    chmodSync(join(root, "bin", to), 0o755);
  }
  writeFileSync(
    join(root, "versions.json"),
    JSON.stringify({ runner: { version: "2.338.0" }, node: { major: 22 } }),
  );
  writeFileSync(join(state, "images"), "");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const builds = () => lines("packer.log").filter((l) => l.startsWith("build "));

describe("image-pipeline build.sh", () => {
  it("builds every architecture on the first run and publishes each AMI to /<prefix>/ami/<arch>", async () => {
    // Act
    const result = await run({ SKIFF_ARCHES: "x86_64 arm64" });

    // Assess
    expect(result.code).toBe(0);
    expect(lines("packer.log").filter((l) => l.startsWith("init "))).toEqual(["init packer/runner/plugins"]);
    expect(builds()).toEqual([
      "build -color=false -var region=eu-west-1 -var arch=x86_64 -var ami_name_prefix=ci -var ssm_parameter_name=/ci/ami/x86_64 -var subnet_id= -var kms_key_id= packer/runner/runner.pkr.hcl",
      "build -color=false -var region=eu-west-1 -var arch=arm64 -var ami_name_prefix=ci -var ssm_parameter_name=/ci/ami/arm64 -var subnet_id= -var kms_key_id= packer/runner/runner.pkr.hcl",
    ]);
    expect(parameter("/ci/ami/x86_64")).toMatch(/^ami-/);
    expect(parameter("/ci/ami/arm64")).toMatch(/^ami-/);
    expect(result.stderr).toContain("x86_64: building, because /ci/ami/x86_64 does not exist yet");
  });

  it("does not install or run Packer when the AMI has versions.json's runner and is younger than rebuild_after_days", async () => {
    // Prepare
    image("ami-00000000000000001", 6, "2.338.0");
    setParameter("/ci/ami/x86_64", "ami-00000000000000001");

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(0);
    expect(lines("packer.log")).toEqual([]);
    expect(result.stderr).toContain("x86_64: current");
  });

  it("rebuilds when versions.json names another runner than the AMI's skiff:runner-version tag (a merged bump)", async () => {
    // Prepare
    image("ami-00000000000000001", 1, "2.337.0");
    setParameter("/ci/ami/x86_64", "ami-00000000000000001");

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(0);
    expect(builds()).toHaveLength(1);
    expect(result.stderr).toContain("ami-00000000000000001 has runner 2.337.0, versions.json says 2.338.0");
    expect(parameter("/ci/ami/x86_64")).not.toBe("ami-00000000000000001");
  });

  it.each([
    [7, true],
    [6, false],
  ])("an AMI %i days old with rebuild_after_days = 7 is rebuilt: %s", async (age, rebuilt) => {
    // Prepare
    image("ami-00000000000000001", age, "2.338.0");
    setParameter("/ci/ami/x86_64", "ami-00000000000000001");

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(0);
    expect(builds()).toHaveLength(rebuilt ? 1 : 0);
  });

  it("rebuilds a current AMI when SKIFF_FORCE=true", async () => {
    // Prepare
    image("ami-00000000000000001", 1, "2.338.0");
    setParameter("/ci/ami/x86_64", "ami-00000000000000001");

    // Act
    const result = await run({ SKIFF_FORCE: "true" });

    // Assess
    expect(builds()).toHaveLength(1);
    expect(result.stderr).toContain("because SKIFF_FORCE=true");
  });

  it("rebuilds when the parameter names an image that no longer exists", async () => {
    // Prepare
    setParameter("/ci/ami/x86_64", "ami-0000000000000dead");

    // Act
    const result = await run();

    // Assess
    expect(builds()).toHaveLength(1);
    expect(result.stderr).toContain("names ami-0000000000000dead, which no longer exists");
  });

  it("keeps the newest keep_images images, deregisters the older ones and deletes their snapshots", async () => {
    // Prepare: four old images of x86_64, one of arm64, and a bump that makes a fifth
    image("ami-00000000000000001", 40, "2.335.0");
    image("ami-00000000000000002", 30, "2.336.0");
    image("ami-00000000000000003", 20, "2.337.0");
    image("ami-00000000000000004", 10, "2.337.0");
    image("ami-0000000000000a001", 50, "2.330.0", "arm64");
    setParameter("/ci/ami/x86_64", "ami-00000000000000004");

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(0);
    const calls = lines("calls.log").filter(
      (c) => c.startsWith("ec2 deregister-image") || c.startsWith("ec2 delete-snapshot"),
    );
    expect(calls).toEqual([
      "ec2 deregister-image --image-id ami-00000000000000002",
      "ec2 delete-snapshot --snapshot-id snap-00000000000000002",
      "ec2 deregister-image --image-id ami-00000000000000001",
      "ec2 delete-snapshot --snapshot-id snap-00000000000000001",
    ]);
    expect(lines("images").map((l) => l.split(" ")[0])).toEqual([
      "ami-00000000000000003",
      "ami-00000000000000004",
      "ami-0000000000000a001",
      "ami-00000000000000006",
    ]);
  });

  it("never deregisters the image the parameter names, however old", async () => {
    // Prepare: an operator rolled the parameter back to the oldest image
    for (const [i, age] of [
      [1, 5],
      [2, 4],
      [3, 3],
      [4, 2],
    ] as const) {
      image(`ami-0000000000000000${i}`, age, "2.338.0");
    }
    setParameter("/ci/ami/x86_64", "ami-00000000000000001");

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(0);
    expect(builds()).toEqual([]);
    expect(lines("calls.log").filter((c) => c.startsWith("ec2 deregister-image"))).toEqual([]);
  });

  it("keeps an old image that a launch template still names (a pool that read the parameter at plan time)", async () => {
    // Prepare
    for (const [i, age] of [
      [1, 30],
      [2, 20],
      [3, 10],
      [4, 5],
      [5, 1],
    ] as const) {
      image(`ami-0000000000000000${i}`, age, "2.338.0");
    }
    setParameter("/ci/ami/x86_64", "ami-00000000000000005");
    writeFileSync(
      join(state, "launch-template-images"),
      "ami-00000000000000001\nresolve:ssm:/ci/ami/arm64\n",
    );

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(0);
    expect(lines("calls.log").filter((c) => c.startsWith("ec2 deregister-image"))).toEqual([
      "ec2 deregister-image --image-id ami-00000000000000002",
    ]);
    expect(result.stderr).toContain(
      "keeping ami-00000000000000001 (created 2026-11-03T09:00:00.000Z): a launch template still names it",
    );
  });

  it("fails the run but leaves the parameter on the last good AMI when Packer fails, and still serves the other architecture", async () => {
    // Prepare
    image("ami-00000000000000001", 1, "2.337.0");
    setParameter("/ci/ami/x86_64", "ami-00000000000000001");
    writeFileSync(join(state, "packer-fails"), "");

    // Act
    const result = await run({ SKIFF_ARCHES: "x86_64 arm64" });

    // Assess
    expect(result.code).toBe(1);
    expect(builds()).toHaveLength(2);
    expect(parameter("/ci/ami/x86_64")).toBe("ami-00000000000000001");
    expect(result.stderr).toContain(
      "x86_64: packer build failed; /ci/ami/x86_64 still names the last good AMI",
    );
    expect(result.stderr).toContain("failed for: x86_64 arm64");
    expect(lines("calls.log").filter((c) => c.startsWith("ec2 deregister-image"))).toEqual([]);
  });

  it("stops without building when reading the parameter fails for another reason than its absence", async () => {
    // Prepare: a parameter the stub cannot read as a file
    mkdirSync(join(state, "parameters", "_ci_ami_x86_64"), { recursive: true });
    writeFileSync(
      join(root, "bin", "aws"),
      '#!/usr/bin/env bash\necho "An error occurred (AccessDeniedException) when calling the GetParameter operation" >&2\nexit 254\n',
    );

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(1);
    expect(builds()).toEqual([]);
    expect(result.stderr).toContain("AccessDeniedException");
  });
});

describe("modules/image-pipeline build.packer_version", () => {
  it("defaults to the Packer that packer/README.md names and the release workflow validates the template with", () => {
    const variables = readFileSync(join(process.cwd(), "modules", "image-pipeline", "variables.tf"), "utf8");
    const pipeline = variables.match(/packer_version\s*=\s*optional\(string, "(\d+\.\d+\.\d+)"\)/)?.[1];
    const named = readFileSync(join(process.cwd(), "packer", "README.md"), "utf8").match(
      /Install HashiCorp's Packer (\d+\.\d+\.\d+)/,
    )?.[1];
    expect(pipeline).toBeDefined();
    expect(pipeline).toBe(named);
  });
});
