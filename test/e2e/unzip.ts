import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { inflateRawSync } from "node:zlib";
import { assertFreshBundles } from "./fresh.ts";

/**
 * Extracts a zip (stored or deflated entries, as `make build` writes them) into `target`. Reads the
 * central directory, so it needs nothing installed; zip64 and encryption are not supported.
 */
export function unzip(zipPath: string, target: string): string[] {
  const zip = readFileSync(zipPath);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${zipPath}: no end of central directory`);
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry`);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    const path = normalize(name);
    if (path.startsWith("..") || path.startsWith("/")) throw new Error(`${zipPath}: unsafe entry ${name}`);
    if (name.endsWith("/")) continue;
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    const contents = method === 0 ? data : method === 8 ? inflateRawSync(data) : undefined;
    if (!contents) throw new Error(`${zipPath}: entry ${name} uses compression method ${method}`);
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), contents);
    names.push(path);
  }
  return names;
}

/**
 * Unzips each dist/lambdas/<name>.zip into a fresh temporary directory; returns name → directory.
 * Refuses zips older than what they were built from (fresh.ts), so nothing runs stale bundles.
 */
export function unzipBundles(distDir: string, names: readonly string[]): Record<string, string> {
  assertFreshBundles(distDir, names);
  const root = mkdtempSync(join(tmpdir(), "skiff-e2e-"));
  const dirs: Record<string, string> = {};
  for (const name of names) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    const files = unzip(join(distDir, `${name}.zip`), dir);
    if (!files.includes("index.js")) throw new Error(`${name}.zip has no index.js`);
    dirs[name] = dir;
  }
  return dirs;
}
