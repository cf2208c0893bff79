#!/usr/bin/env node
// Moves versions.json to an actions/runner release: its version, when it was published, and
// the SHA-256 of the linux-x64 and linux-arm64 tarballs as the release notes publish them.
//
//   node scripts/bump-runner.mjs [x.y.z | latest] [--no-download] [--versions-file <path>]
//                                [--release-json <path>] [--allow-downgrade]
//
// The sums come from the release notes' "SHA-256 Checksums" list (what GitHub publishes for
// every runner release), and are then checked two more ways before anything is written:
//   - against the asset's `digest` field ("sha256:<hex>"), where the API gives one;
//   - against the tarball itself, downloaded and hashed (skip with --no-download).
// Any disagreement, a missing linux-x64 or linux-arm64 asset, a draft or prerelease, a
// version older than GitHub accepts for registration (2.329.0), or a step backwards from the
// pinned version stops the script with a message and exit status 1; versions.json is then
// untouched. Exit 0 both when it moved the pin and when the pin is already that release.
//
// Environment: GITHUB_API_URL (default https://api.github.com), GITHUB_TOKEN (optional;
// raises the API's rate limit). --release-json reads the API's answer from a file instead.
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ARCHES = ["x64", "arm64"];
// GitHub refuses to register runners older than this (JIT configs included).
const MINIMUM_VERSION = "2.329.0";
const VERSION = /^\d+\.\d+\.\d+$/;

export class BumpError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "BumpError";
  }
}

/** -1, 0 or 1, comparing two x.y.z versions numerically. */
export function compareVersions(a, b) {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return 0;
}

export const assetName = (arch, version) => `actions-runner-linux-${arch}-${version}.tar.gz`;

/**
 * The sums the release notes publish for each linux tarball. The notes mark each sum as
 * `<!-- BEGIN SHA linux-x64 -->hex<!-- END SHA linux-x64 -->`; a note without the markers
 * is read as lines naming the file and a 64-digit hex sum. Two different sums for one file
 * are an error, not a choice.
 */
export function sumsFromNotes(body, version) {
  const sums = {};
  for (const arch of ARCHES) {
    const found = new Set();
    const marker = new RegExp(
      `<!-- BEGIN SHA linux-${arch} -->\\s*([0-9a-fA-F]{64})\\s*<!-- END SHA linux-${arch} -->`,
      "g",
    );
    for (const m of body.matchAll(marker)) found.add(m[1].toLowerCase());
    if (found.size === 0) {
      const file = assetName(arch, version);
      for (const line of body.split(/\r?\n/)) {
        if (!line.includes(file)) continue;
        for (const m of line.matchAll(/\b[0-9a-fA-F]{64}\b/g)) found.add(m[0].toLowerCase());
      }
    }
    if (found.size > 1) {
      throw new BumpError(
        `the release notes of v${version} give ${found.size} different SHA-256 sums for linux-${arch}`,
      );
    }
    const [sum] = found;
    if (sum !== undefined) sums[arch] = sum;
  }
  return sums;
}

/**
 * What versions.json should pin for this release answer (GET /repos/actions/runner/releases/latest
 * or /releases/tags/v<version>), checked as far as it can be without downloading.
 * Returns { version, published, sha256: { x64, arm64 }, urls: { x64, arm64 } }.
 */
export function pinFromRelease(release, { expectVersion } = {}) {
  if (typeof release !== "object" || release === null || typeof release.tag_name !== "string") {
    throw new BumpError("the API answer is not a release (no tag_name)");
  }
  const version = release.tag_name.replace(/^v/, "");
  if (!VERSION.test(version)) throw new BumpError(`tag ${release.tag_name} is not v<major>.<minor>.<patch>`);
  if (expectVersion !== undefined && version !== expectVersion) {
    throw new BumpError(`asked for ${expectVersion}, the API answered with ${release.tag_name}`);
  }
  if (release.draft || release.prerelease) {
    throw new BumpError(
      `v${version} is a ${release.draft ? "draft" : "prerelease"}; only published releases are pinned`,
    );
  }
  if (compareVersions(version, MINIMUM_VERSION) < 0) {
    throw new BumpError(`v${version} is older than ${MINIMUM_VERSION}, the oldest runner GitHub registers`);
  }
  const published = release.published_at;
  if (typeof published !== "string" || Number.isNaN(Date.parse(published))) {
    throw new BumpError(`v${version} has no published_at date`);
  }

  const assets = Array.isArray(release.assets) ? release.assets : [];
  const sums = sumsFromNotes(typeof release.body === "string" ? release.body : "", version);
  const pin = { version, published, sha256: {}, urls: {} };
  for (const arch of ARCHES) {
    const name = assetName(arch, version);
    const asset = assets.find((a) => a?.name === name);
    if (!asset) throw new BumpError(`v${version} has no ${name} asset`);
    const sum = sums[arch];
    if (!sum) throw new BumpError(`the release notes of v${version} publish no SHA-256 for ${name}`);
    if (typeof asset.digest === "string" && asset.digest !== "") {
      const [algorithm, hex] = asset.digest.split(":");
      if (algorithm === "sha256" && hex?.toLowerCase() !== sum) {
        throw new BumpError(
          `checksum mismatch for ${name}: the release notes say ${sum}, the asset's digest is ${hex}`,
        );
      }
    }
    pin.sha256[arch] = sum;
    pin.urls[arch] = asset.browser_download_url;
  }
  return pin;
}

/** SHA-256 of what `url` serves, streamed (the tarballs are ~200 MB). */
export async function sha256Of(url, fetchImpl = fetch) {
  const response = await fetchImpl(url, { redirect: "follow" });
  if (!response.ok || !response.body)
    throw new BumpError(`download of ${url} failed: HTTP ${response.status}`);
  const hash = createHash("sha256");
  for await (const chunk of response.body) hash.update(chunk);
  return hash.digest("hex");
}

/** Downloads both tarballs and fails on the first one whose sum is not the published one. */
export async function verifyDownloads(pin, fetchImpl = fetch) {
  for (const arch of ARCHES) {
    const url = pin.urls[arch];
    if (typeof url !== "string") throw new BumpError(`no download URL for ${assetName(arch, pin.version)}`);
    const actual = await sha256Of(url, fetchImpl);
    if (actual !== pin.sha256[arch]) {
      throw new BumpError(
        `checksum mismatch for ${assetName(arch, pin.version)}: published ${pin.sha256[arch]}, downloaded ${actual}`,
      );
    }
  }
}

/** versions.json with the runner moved to `pin`; every other key is kept as it was. */
export function applyPin(versions, pin, { allowDowngrade = false } = {}) {
  const current = versions?.runner?.version;
  if (
    typeof current === "string" &&
    VERSION.test(current) &&
    compareVersions(pin.version, current) < 0 &&
    !allowDowngrade
  ) {
    throw new BumpError(
      `v${pin.version} is older than the pinned ${current}; pass --allow-downgrade to go back`,
    );
  }
  const { version: _v, published: _p, sha256: _s, ...rest } = versions?.runner ?? {};
  return {
    ...versions,
    runner: {
      version: pin.version,
      published: pin.published,
      sha256: { x64: pin.sha256.x64, arm64: pin.sha256.arm64 },
      ...rest,
    },
  };
}

function parseArgs(argv) {
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
  const args = {
    version: "latest",
    download: true,
    allowDowngrade: false,
    versionsFile: join(repoRoot, "versions.json"),
    releaseJson: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new BumpError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--no-download") args.download = false;
    else if (arg === "--allow-downgrade") args.allowDowngrade = true;
    else if (arg === "--versions-file") args.versionsFile = resolve(value());
    else if (arg === "--release-json") args.releaseJson = resolve(value());
    else if (arg.startsWith("--")) throw new BumpError(`unknown option ${arg}`);
    else args.version = arg.replace(/^v/, "");
  }
  if (args.version !== "latest" && !VERSION.test(args.version)) {
    throw new BumpError(`the version must be x.y.z or latest, not "${args.version}"`);
  }
  return args;
}

async function fetchRelease(version, env = process.env) {
  const api = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
  const path = version === "latest" ? "releases/latest" : `releases/tags/v${version}`;
  const headers = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
  if (env.GITHUB_TOKEN) headers.authorization = `Bearer ${env.GITHUB_TOKEN}`;
  const response = await fetch(`${api}/repos/actions/runner/${path}`, { headers });
  if (response.status === 404)
    throw new BumpError(`actions/runner has no release ${version === "latest" ? "yet" : `v${version}`}`);
  if (!response.ok) throw new BumpError(`GET ${path} answered HTTP ${response.status}`);
  return response.json();
}

async function main(argv) {
  const args = parseArgs(argv);
  const release = args.releaseJson
    ? JSON.parse(readFileSync(args.releaseJson, "utf8"))
    : await fetchRelease(args.version);
  const pin = pinFromRelease(release, args.version === "latest" ? {} : { expectVersion: args.version });
  const versions = JSON.parse(readFileSync(args.versionsFile, "utf8"));
  const next = applyPin(versions, pin, { allowDowngrade: args.allowDowngrade });
  if (JSON.stringify(next) === JSON.stringify(versions)) {
    console.log(`versions.json already pins runner ${pin.version}`);
    return;
  }
  if (args.download) await verifyDownloads(pin);
  // Write then rename, so a failure never leaves a half-written versions.json.
  const temporary = `${args.versionsFile}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(temporary, args.versionsFile);
  console.log(
    `versions.json: runner ${versions.runner?.version ?? "(none)"} -> ${pin.version} (published ${pin.published})` +
      `${args.download ? ", both tarballs downloaded and checked" : ", tarballs not downloaded (--no-download)"}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`bump-runner: ${error instanceof BumpError ? error.message : error.stack}`);
    process.exit(1);
  });
}
