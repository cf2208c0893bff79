// The README's Deploy section, run as written: its module block with the git source
// pointed at a local clone of this working tree (tagged with the README's ?ref=), its
// commands in order, the release fetched from a file:// URL, and `terraform apply`
// replaced by a plan under a mocked AWS provider. The blocks are read from README.md
// here, so the README and this test cannot drift apart.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageVersion, publishRelease, type Release, repoRoot, run } from "./support.ts";

const README_SOURCE = /git::https:\/\/github\.com\/<org>\/skiff\.git(\/\/modules\/runners\?ref=(v[^"]+))"/;

/** The fenced blocks of README.md's "## Deploy" section, indentation removed. */
function deployBlocks(): { lang: string; body: string }[] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf("\n## Deploy\n");
  const end = readme.indexOf("\n## ", start + 1);
  expect(start, "README.md must have a ## Deploy section").toBeGreaterThan(0);
  const section = readme.slice(start, end);
  return [...section.matchAll(/^( *)```(\w+)\n([\s\S]*?)^\1```$/gm)].map(([, indent, lang, body]) => ({
    lang: lang!,
    body: body!
      .split("\n")
      .map((line) => (line.startsWith(indent!) ? line.slice(indent!.length) : line))
      .join("\n"),
  }));
}

const oneLine = (text: string) => text.replace(/\s+/g, " ");

/** Terraform's environment: the machine's provider mirror where there is one, as the Makefile does. */
function terraformEnv(): NodeJS.ProcessEnv {
  return {
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
    ...(existsSync("/opt/tf-plugins") ? { TF_CLI_CONFIG_FILE: join(repoRoot, "terraform.rc") } : {}),
  };
}

/** This working tree (tracked and new files, as git sees them) committed into a fresh repository and tagged. */
function cloneWorkingTree(into: string, tag: string) {
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  expect(listed.code, listed.stderr).toBe(0);
  for (const path of listed.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(repoRoot, path))) continue; // deleted in the working tree
    mkdirSync(dirname(join(into, path)), { recursive: true });
    cpSync(join(repoRoot, path), join(into, path));
  }
  const git = (...args: string[]) => {
    const result = run("git", ["-C", into, ...args], {
      env: {
        GIT_AUTHOR_NAME: "skiff test",
        GIT_AUTHOR_EMAIL: "test@skiff.invalid",
        GIT_COMMITTER_NAME: "skiff test",
        GIT_COMMITTER_EMAIL: "test@skiff.invalid",
      },
    });
    expect(result.code, result.stderr).toBe(0);
  };
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "--no-verify", "-m", "skiff");
  git("tag", tag);
}

describe("README ## Deploy", () => {
  let root: string;
  let user: string;
  let release: Release;
  let commands: string[];
  let buildCommands: string[];
  let ref: string;
  const env = terraformEnv();

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "skiff-deploy-"));
    user = join(root, "user");
    mkdirSync(join(user, "tests"), { recursive: true });

    const blocks = deployBlocks();
    const hcl = blocks.filter((b) => b.lang === "hcl");
    expect(hcl, "the Deploy section must have one hcl block: the configuration").toHaveLength(1);
    const source = hcl[0]!.body.match(README_SOURCE);
    expect(
      source,
      "the module source must be git::https://github.com/<org>/skiff.git//modules/runners?ref=v…",
    ).not.toBeNull();
    ref = source![2]!;

    const clone = join(root, "skiff");
    cloneWorkingTree(clone, ref);
    writeFileSync(join(user, "main.tf"), hcl[0]!.body.replace(README_SOURCE, `git::file://${clone}$1"`));
    writeFileSync(
      join(user, "tests", "deploy.tftest.hcl"),
      readFileSync(join(repoRoot, "test/release/fixtures/deploy.tftest.hcl")),
    );

    const fetchBlock = blocks.find((b) => b.lang === "sh" && b.body.includes("fetch-lambdas.sh"));
    expect(fetchBlock, "the Deploy section must show the fetch-lambdas.sh command").toBeDefined();
    commands = fetchBlock!.body.split("\n").filter((line) => line.trim() !== "");

    const buildBlock = blocks.find((b) => b.lang === "sh" && b.body.includes("make -C"));
    expect(buildBlock, "the Deploy section must show how to build the zips from the same tag").toBeDefined();
    buildCommands = buildBlock!.body.split("\n").filter((line) => line.trim() !== "");

    release = publishRelease(root, ref.slice(1));
  }, 120_000);

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("pins the release this checkout would publish: ?ref= and the fetched tag are v<package.json version>", () => {
    expect(ref).toBe(`v${packageVersion}`);
    expect(commands).toEqual([
      "terraform init",
      `bash .terraform/modules/runners/scripts/fetch-lambdas.sh ${ref} lambdas`,
      "terraform apply",
    ]);
  });

  it("builds the zips yourself from the same tag, into the folder the configuration names", () => {
    expect(buildCommands).toEqual([
      `git clone --depth 1 --branch ${ref} https://github.com/<org>/skiff.git skiff-src`,
      "make -C skiff-src build",
      "mkdir -p lambdas && cp skiff-src/dist/lambdas/*.zip lambdas/",
    ]);
  });

  it("plans with a git source and a fetched release, and without the zips stops naming the command to fetch them", () => {
    const [init, fetchLambdas] = commands as [string, string, string];

    // terraform init, as written: the module comes from the local clone at the tag.
    const initialised = run("bash", ["-c", init], { cwd: user, env });
    expect(initialised.code, initialised.stderr + initialised.stdout).toBe(0);
    expect(existsSync(join(user, ".terraform/modules/runners/scripts/fetch-lambdas.sh"))).toBe(true);

    // Before the fetch: the plan stops, and its message is the README's own command.
    const early = run("terraform", ["test", "-no-color"], { cwd: user, env });
    expect(early.code).not.toBe(0);
    expect(oneLine(early.stdout + early.stderr)).toContain(oneLine(fetchLambdas));

    // The fetch, as written, from the release laid out on disk.
    const fetched = run("bash", ["-c", fetchLambdas], { cwd: user, env: { SKIFF_RELEASE_URL: release.url } });
    expect(fetched.code, fetched.stderr).toBe(0);
    for (const [name, zip] of Object.entries(release.zips)) {
      expect(readFileSync(join(user, "lambdas", `${name}.zip`))).toEqual(zip);
    }

    // terraform apply, as a plan under mocks.
    const planned = run("terraform", ["test", "-no-color"], { cwd: user, env });
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    expect(planned.stdout).toContain("1 passed, 0 failed");
  }, 300_000);
});
