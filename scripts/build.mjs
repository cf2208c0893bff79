// Bundles each Lambda (lambdas/src/<name>/handler.ts) into dist/lambdas/<name>.zip.
// The zips are reproducible: fixed entry order, timestamps and permissions, so the
// same sources always give the same sha256.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import yazl from "yazl";

process.env.TZ = "UTC";
const root = resolve(fileURLToPath(import.meta.url), "../..");
const srcDir = join(root, "lambdas/src");
const outDir = join(root, "dist/lambdas");
const FIXED_MTIME = new Date("2020-01-01T00:00:00Z");

const only = process.argv.slice(2);
const functions = readdirSync(srcDir)
  .filter((name) => existsSync(join(srcDir, name, "handler.ts")))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

function zip(files) {
  return new Promise((done, fail) => {
    const archive = new yazl.ZipFile();
    for (const [name, contents] of files) {
      archive.addBuffer(contents, name, { mtime: FIXED_MTIME, mode: 0o100644, compressionLevel: 9 });
    }
    archive.end();
    const chunks = [];
    archive.outputStream.on("data", (chunk) => chunks.push(chunk));
    archive.outputStream.on("end", () => done(Buffer.concat(chunks)));
    archive.outputStream.on("error", fail);
  });
}

mkdirSync(outDir, { recursive: true });
const rows = [];
for (const name of functions) {
  const result = await esbuild.build({
    entryPoints: [join(srcDir, name, "handler.ts")],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    legalComments: "none",
    treeShaking: true,
    mainFields: ["module", "main"],
    write: false,
    outfile: "index.js",
    metafile: true,
    logLevel: "warning",
  });
  const code = result.outputFiles.find((f) => f.path.endsWith("index.js"));
  const archive = await zip([["index.js", Buffer.from(code.contents)]]);
  const target = join(outDir, `${name}.zip`);
  rmSync(target, { force: true });
  writeFileSync(target, archive);
  writeFileSync(join(outDir, `${name}.meta.json`), JSON.stringify(result.metafile));
  rows.push({
    name,
    bundle: code.contents.length,
    zip: statSync(target).size,
    sha256: createHash("sha256").update(archive).digest("hex"),
  });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`${"function".padEnd(12)} ${"bundle".padStart(10)} ${"zip".padStart(10)}  sha256`);
for (const r of rows) {
  console.log(`${r.name.padEnd(12)} ${kb(r.bundle).padStart(10)} ${kb(r.zip).padStart(10)}  ${r.sha256}`);
}
writeFileSync(join(outDir, "sizes.json"), `${JSON.stringify(rows, null, 2)}\n`);
