// scripts/bump-runner.mjs, run as a command against a loopback stand-in for the GitHub API
// (GITHUB_API_URL) that answers with the release fixtures and serves stand-in tarballs.
// The fixtures follow the shape of GET /repos/actions/runner/releases/{latest,tags/<tag>};
// their sums are the SHA-256 of the stand-in bytes, so the download check can pass or fail.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const script = join(process.cwd(), "scripts", "bump-runner.mjs");
const fixtures = join(process.cwd(), "test", "bump-runner", "fixtures");

interface Asset {
  name: string;
  digest?: string;
  browser_download_url: string;
}
interface Release {
  tag_name: string;
  published_at: string;
  prerelease: boolean;
  draft: boolean;
  body: string;
  assets: Asset[];
}

const fixture = (name: string): Release => JSON.parse(readFileSync(join(fixtures, name), "utf8"));
/** The bytes the stand-in download serves for an asset; the fixtures' sums are of these. */
const standIn = (name: string) => `skiff test stand-in for ${name}\n`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const X64 = "actions-runner-linux-x64-2.338.0.tar.gz";
const ARM64 = "actions-runner-linux-arm64-2.338.0.tar.gz";

const PINNED = {
  runner: {
    version: "2.337.0",
    sha256: { x64: "1".repeat(64), arm64: "2".repeat(64) },
  },
  node: { major: 22 },
};

interface Api {
  url: string;
  /** Release answers by request path (/repos/actions/runner/releases/latest, .../tags/v<x>). */
  releases: Map<string, Release>;
  /** Bytes served for a download, by asset name; absent: the stand-in bytes. */
  downloads: Map<string, string>;
  requests: string[];
}

let api: Api;
let server: Server;
let dir: string;
let versionsFile: string;

/** The release as the API would answer it, with its downloads pointed at the stand-in server. */
function served(release: Release): Release {
  return {
    ...release,
    assets: release.assets.map((a) => ({ ...a, browser_download_url: `${api.url}/download/${a.name}` })),
  };
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args, "--versions-file", versionsFile],
      { env: { PATH: process.env.PATH ?? "", GITHUB_API_URL: api.url } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const versionsNow = () => JSON.parse(readFileSync(versionsFile, "utf8"));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-bump-"));
  versionsFile = join(dir, "versions.json");
  writeFileSync(versionsFile, `${JSON.stringify(PINNED, null, 2)}\n`);
  const releases = new Map<string, Release>();
  const downloads = new Map<string, string>();
  const requests: string[] = [];
  server = createServer((req, res) => {
    const path = req.url ?? "";
    requests.push(path);
    const release = releases.get(path);
    if (release) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served(release)));
      return;
    }
    if (path.startsWith("/download/")) {
      const name = path.slice("/download/".length);
      res.writeHead(200, { "content-type": "application/gzip" }).end(downloads.get(name) ?? standIn(name));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  api = { url: `http://127.0.0.1:${port}`, releases, downloads, requests };
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("bump-runner.mjs [version | latest]", () => {
  it("pins the latest release's version, publish date and linux x64/arm64 sums after downloading and hashing both tarballs", async () => {
    // Prepare
    api.releases.set("/repos/actions/runner/releases/latest", fixture("release-2.338.0.json"));

    // Act
    const result = await run([]);

    // Assess
    expect(result.code).toBe(0);
    expect(versionsNow()).toEqual({
      runner: {
        version: "2.338.0",
        published: "2026-11-18T14:05:37Z",
        sha256: { x64: sha256(standIn(X64)), arm64: sha256(standIn(ARM64)) },
      },
      node: { major: 22 },
    });
    expect(api.requests).toEqual([
      "/repos/actions/runner/releases/latest",
      `/download/${X64}`,
      `/download/${ARM64}`,
    ]);
    expect(result.stdout).toContain("runner 2.337.0 -> 2.338.0");
  });

  it("asks for /releases/tags/v<version> when given a version, and takes the sums from the notes' checksum list", async () => {
    // Prepare
    const release = fixture("release-2.338.0.json");
    api.releases.set("/repos/actions/runner/releases/tags/v2.338.0", release);

    // Act
    const result = await run(["2.338.0", "--no-download"]);

    // Assess
    expect(result.code).toBe(0);
    expect(api.requests).toEqual(["/repos/actions/runner/releases/tags/v2.338.0"]);
    expect(release.body).toContain(
      `<!-- BEGIN SHA linux-arm64 -->${versionsNow().runner.sha256.arm64}<!-- END SHA`,
    );
    expect(versionsNow().runner.sha256.x64).not.toBe(versionsNow().runner.sha256.arm64);
  });

  it("fails and leaves versions.json alone when the release has no linux-arm64 tarball", async () => {
    // Prepare
    api.releases.set("/repos/actions/runner/releases/latest", fixture("release-2.339.0-no-arm64.json"));

    // Act
    const result = await run([]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("v2.339.0 has no actions-runner-linux-arm64-2.339.0.tar.gz asset");
    expect(versionsNow()).toEqual(PINNED);
  });

  it("fails on a checksum mismatch between the notes and the asset's digest field, before downloading", async () => {
    // Prepare
    const release = fixture("release-2.338.0.json");
    const arm64 = release.assets.find((a) => a.name === ARM64)!;
    arm64.digest = `sha256:${"e".repeat(64)}`;
    api.releases.set("/repos/actions/runner/releases/latest", release);

    // Act
    const result = await run([]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`checksum mismatch for ${ARM64}`);
    expect(api.requests.filter((p) => p.startsWith("/download/"))).toEqual([]);
    expect(versionsNow()).toEqual(PINNED);
  });

  it("fails on a checksum mismatch between the notes and the downloaded tarball", async () => {
    // Prepare: a release without digest fields, and an x64 tarball that is not what the notes hash
    api.releases.set("/repos/actions/runner/releases/latest", {
      ...fixture("release-2.338.0.json"),
      assets: fixture("release-2.338.0.json").assets.map(({ digest: _, ...a }) => a),
    });
    api.downloads.set(X64, "tampered bytes\n");

    // Act
    const result = await run([]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `checksum mismatch for ${X64}: published ${sha256(standIn(X64))}, downloaded ${sha256("tampered bytes\n")}`,
    );
    expect(versionsNow()).toEqual(PINNED);
  });

  it("fails when the notes give two different sums for one tarball", async () => {
    // Prepare
    const release = fixture("release-2.338.0.json");
    release.body += `\r\n- ${X64} <!-- BEGIN SHA linux-x64 -->${"f".repeat(64)}<!-- END SHA linux-x64 -->\r\n`;
    api.releases.set("/repos/actions/runner/releases/latest", release);

    // Act
    const result = await run(["--no-download"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("2 different SHA-256 sums for linux-x64");
    expect(versionsNow()).toEqual(PINNED);
  });

  it("fails when the notes publish no sum for a tarball", async () => {
    // Prepare
    const release = fixture("release-2.338.0.json");
    release.body = release.body.replace(/- actions-runner-linux-x64-[^\r\n]*/, "");
    api.releases.set("/repos/actions/runner/releases/latest", release);

    // Act
    const result = await run(["--no-download"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`publish no SHA-256 for ${X64}`);
  });

  it.each([
    ["a prerelease", { prerelease: true }, "is a prerelease"],
    ["a draft", { draft: true }, "is a draft"],
    ["a version older than GitHub registers", { tag_name: "v2.328.0" }, "older than 2.329.0"],
  ])("refuses %s", async (_, change, message) => {
    // Prepare
    api.releases.set("/repos/actions/runner/releases/latest", {
      ...fixture("release-2.338.0.json"),
      ...change,
    });

    // Act
    const result = await run(["--no-download"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(versionsNow()).toEqual(PINNED);
  });

  it("refuses to move back to an older release unless --allow-downgrade is given", async () => {
    // Prepare
    writeFileSync(
      versionsFile,
      JSON.stringify({ ...PINNED, runner: { ...PINNED.runner, version: "2.340.0" } }),
    );
    api.releases.set("/repos/actions/runner/releases/latest", fixture("release-2.338.0.json"));

    // Act
    const refused = await run(["--no-download"]);
    const allowed = await run(["--no-download", "--allow-downgrade"]);

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("older than the pinned 2.340.0");
    expect(allowed.code).toBe(0);
    expect(versionsNow().runner.version).toBe("2.338.0");
  });

  it("changes nothing and downloads nothing when versions.json already pins the release", async () => {
    // Prepare
    api.releases.set("/repos/actions/runner/releases/latest", fixture("release-2.338.0.json"));
    await run([]);
    const before = readFileSync(versionsFile, "utf8");
    api.requests.length = 0;

    // Act
    const result = await run([]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("already pins runner 2.338.0");
    expect(readFileSync(versionsFile, "utf8")).toBe(before);
    expect(api.requests).toEqual(["/repos/actions/runner/releases/latest"]);
  });

  it("says which release is missing when the API answers 404", async () => {
    // Act
    const result = await run(["9.9.9"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("actions/runner has no release v9.9.9");
  });

  it("rejects a version that is not x.y.z", async () => {
    // Act
    const result = await run(["2.338"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the version must be x.y.z or latest, not "2.338"');
    expect(api.requests).toEqual([]);
  });
});
