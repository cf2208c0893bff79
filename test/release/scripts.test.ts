// scripts/release.sh and scripts/fetch-lambdas.sh, run under bash against a release laid
// out on the local disk and fetched through a file:// URL: no network.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { functions, packageVersion, publishRelease, run, standInZips } from "./support.ts";

const tag = `v${packageVersion}`;
const fetchScript = "scripts/fetch-lambdas.sh";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "skiff-release-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** fetch-lambdas.sh run from `cwd` (the user's configuration folder). */
function fetchLambdas(args: string[], env: NodeJS.ProcessEnv, cwd = join(root, "user")) {
  mkdirSync(cwd, { recursive: true });
  return run("bash", [join(process.cwd(), fetchScript), ...args], { cwd, env });
}

describe("release.sh <version> [out]", () => {
  it("writes skiff-<function>-<version>.zip for every function and a SHA256SUMS that sha256sum -c accepts", () => {
    // Prepare
    const zips = standInZips(join(root, "built"));
    const out = join(root, "out");

    // Act
    const made = run("bash", ["scripts/release.sh", packageVersion, out], {
      env: { SKIFF_RELEASE_ZIPS: join(root, "built") },
    });

    // Assess
    expect(made.code, made.stderr).toBe(0);
    expect(functions).toEqual(["lifecycle", "scale-down", "scale-up", "webhook"]);
    const names = functions.map((name) => `skiff-${name}-${packageVersion}.zip`);
    expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", ...names].sort());
    for (const name of functions) {
      expect(readFileSync(join(out, `skiff-${name}-${packageVersion}.zip`))).toEqual(zips[name]);
    }
    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(sums.map((line) => line.split(/\s+/)[1]).sort()).toEqual([...names].sort());
    expect(run("sha256sum", ["--check", "--strict", "SHA256SUMS"], { cwd: out }).code).toBe(0);
  });

  it.each([
    ["", /usage: make release VERSION=x\.y\.z/],
    [`v${packageVersion}`, /without the v/],
    ["1.2", /must be x\.y\.z/],
    ["1.2.3.4", /must be x\.y\.z/],
    ["1.2.3-", /must be x\.y\.z/],
    ["99.0.0", /package\.json has version/],
  ])("refuses VERSION=%j and writes nothing", (version, message) => {
    // Prepare
    standInZips(join(root, "built"));
    const out = join(root, "out");

    // Act
    const made = run("bash", ["scripts/release.sh", version, out], {
      env: { SKIFF_RELEASE_ZIPS: join(root, "built") },
    });

    // Assess
    expect(made.code).not.toBe(0);
    expect(made.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

describe("fetch-lambdas.sh <tag> [dest]", () => {
  it("downloads a release over a file:// URL, checks it and installs <dest>/<function>.zip", () => {
    // Prepare
    const release = publishRelease(root);

    // Act
    const fetched = fetchLambdas([tag, "lambdas"], { SKIFF_RELEASE_URL: release.url });

    // Assess
    expect(fetched.code, fetched.stderr).toBe(0);
    const dest = join(root, "user", "lambdas");
    expect(readdirSync(dest).sort()).toEqual(functions.map((name) => `${name}.zip`).sort());
    for (const name of functions) expect(readFileSync(join(dest, `${name}.zip`))).toEqual(release.zips[name]);
    expect(fetched.stderr).toContain(`checked against SHA256SUMS and installed in lambdas`);
    expect(readdirSync(join(root, "user"))).toEqual(["lambdas"]);
  });

  it("takes the tag with or without its v, defaults dest to ./lambdas and replaces older zips there", () => {
    // Prepare
    const release = publishRelease(root);
    const dest = join(root, "user", "lambdas");
    mkdirSync(dest, { recursive: true });
    writeFileSync(join(dest, "webhook.zip"), "an older release");
    writeFileSync(join(dest, "notes.txt"), "the user's own file");

    // Act
    const fetched = fetchLambdas([packageVersion], { SKIFF_RELEASE_URL: `${release.url}/` });

    // Assess
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(readFileSync(join(dest, "webhook.zip"))).toEqual(release.zips.webhook);
    expect(readFileSync(join(dest, "notes.txt"), "utf8")).toBe("the user's own file");
  });

  it("refuses a tampered zip and installs nothing: no new folder, and an existing one unchanged", () => {
    // Prepare
    const release = publishRelease(root);
    writeFileSync(join(release.dir, `skiff-scale-up-${packageVersion}.zip`), "not what was released");
    const existing = join(root, "user", "current");
    mkdirSync(existing, { recursive: true });
    writeFileSync(join(existing, "webhook.zip"), "the deployed release");

    // Act
    const intoNew = fetchLambdas([tag, "lambdas"], { SKIFF_RELEASE_URL: release.url });
    const intoExisting = fetchLambdas([tag, "current"], { SKIFF_RELEASE_URL: release.url });

    // Assess
    for (const fetched of [intoNew, intoExisting]) {
      expect(fetched.code).not.toBe(0);
      expect(fetched.stderr).toMatch(/do not match its SHA256SUMS .*nothing was installed/);
      expect(fetched.stderr).toContain(`skiff-scale-up-${packageVersion}.zip: FAILED`);
    }
    expect(readdirSync(join(root, "user")).sort()).toEqual(["current"]);
    expect(readdirSync(existing)).toEqual(["webhook.zip"]);
    expect(readFileSync(join(existing, "webhook.zip"), "utf8")).toBe("the deployed release");
  });

  it("refuses a release whose zip or SHA256SUMS is missing, or whose SHA256SUMS it cannot read", () => {
    // Prepare
    const release = publishRelease(root);
    const sums = readFileSync(join(release.dir, "SHA256SUMS"), "utf8");
    rmSync(join(release.dir, `skiff-lifecycle-${packageVersion}.zip`));

    // Act
    const missingZip = fetchLambdas([tag], { SKIFF_RELEASE_URL: release.url });
    writeFileSync(join(release.dir, "SHA256SUMS"), `${sums}0000  ../../etc/passwd\n`);
    const oddSums = fetchLambdas([tag], { SKIFF_RELEASE_URL: release.url });
    rmSync(join(release.dir, "SHA256SUMS"));
    const missingSums = fetchLambdas([tag], { SKIFF_RELEASE_URL: release.url });

    // Assess
    expect(missingZip.code).not.toBe(0);
    expect(missingZip.stderr).toContain(
      `could not download ${release.url}/${tag}/skiff-lifecycle-${packageVersion}.zip`,
    );
    expect(oddSums.code).not.toBe(0);
    expect(oddSums.stderr).toContain("SHA256SUMS of");
    expect(missingSums.code).not.toBe(0);
    expect(missingSums.stderr).toContain(`could not download ${release.url}/${tag}/SHA256SUMS`);
    expect(readdirSync(join(root, "user"))).toEqual([]);
  });

  it.each([
    [["latest"], /the tag must look like v0\.3\.0/],
    [[], /usage: fetch-lambdas\.sh <tag/],
    [["v1.0.0", "a", "b"], /usage: fetch-lambdas\.sh <tag/],
  ])("refuses arguments %j", (args, message) => {
    const fetched = fetchLambdas(args, { SKIFF_RELEASE_URL: "file:///nowhere" });
    expect(fetched.code).not.toBe(0);
    expect(fetched.stderr).toMatch(message);
  });

  it("refuses a release URL that is neither https:// nor file://", () => {
    const fetched = fetchLambdas([tag], { SKIFF_RELEASE_URL: "http://example.com/releases" });
    expect(fetched.code).not.toBe(0);
    expect(fetched.stderr).toContain("must be an https:// or file:// URL");
  });

  it.each([
    ["https://github.com/acme/skiff.git", "https://github.com/acme/skiff/releases/download"],
    ["https://x-access-token:abc@github.com/acme/skiff", "https://github.com/acme/skiff/releases/download"],
    ["git@github.com:acme/skiff.git", "https://github.com/acme/skiff/releases/download"],
    [
      "ssh://git@ghe.example.com:2222/platform/skiff.git",
      "https://ghe.example.com/platform/skiff/releases/download",
    ],
  ])("without SKIFF_RELEASE_URL downloads from the releases of the clone's origin %s", (origin, base) => {
    // Prepare: a clone of the script with that origin, and a curl that only records its URL.
    const clone = join(root, "clone");
    mkdirSync(join(clone, "scripts"), { recursive: true });
    writeFileSync(join(clone, fetchScript), readFileSync(fetchScript));
    run("git", ["init", "-q", clone]);
    run("git", ["-C", clone, "remote", "add", "origin", origin]);
    const bin = join(root, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "curl"),
      `#!/bin/sh\nfor a; do last=$a; done\necho "$last" >>"${root}/curl.log"\nexit 22\n`,
    );
    chmodSync(join(bin, "curl"), 0o755);

    // Act
    const fetched = run("bash", [join(clone, fetchScript), tag], {
      cwd: root,
      env: { PATH: `${bin}:${process.env.PATH}`, SKIFF_RELEASE_URL: "" },
    });

    // Assess
    expect(fetched.code).not.toBe(0);
    expect(readFileSync(join(root, "curl.log"), "utf8").trim()).toBe(`${base}/${tag}/SHA256SUMS`);
  });

  it("without SKIFF_RELEASE_URL or a git origin, says to set SKIFF_RELEASE_URL", () => {
    const lone = join(root, "lone");
    mkdirSync(lone);
    writeFileSync(join(lone, "fetch-lambdas.sh"), readFileSync(fetchScript));
    const fetched = run("bash", [join(lone, "fetch-lambdas.sh"), tag], {
      cwd: root,
      env: { SKIFF_RELEASE_URL: "", GIT_CEILING_DIRECTORIES: root },
    });
    expect(fetched.code).not.toBe(0);
    expect(fetched.stderr).toContain("set SKIFF_RELEASE_URL");
  });
});
