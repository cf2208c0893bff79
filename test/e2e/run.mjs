// Runs a TypeScript entry point of the harness (the demo, the benchmarks) under plain Node 20,
// which cannot strip types itself: esbuild bundles the entry and the harness, leaving npm packages
// external, into node_modules/.cache/skiff-e2e/, from where Node resolves those packages as usual.
//   node test/e2e/run.mjs test/e2e/demo.ts [args...]
import { mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node test/e2e/run.mjs <entry.ts> [args...]");
  process.exit(2);
}
const root = resolve(fileURLToPath(import.meta.url), "../../..");
const outDir = join(root, "node_modules/.cache/skiff-e2e");
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${basename(entry, ".ts")}.mjs`);
await esbuild.build({
  entryPoints: [resolve(entry)],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  outfile,
  logLevel: "warning",
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
