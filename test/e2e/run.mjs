// Runs a TypeScript entry point of the harness (the demo, the benchmarks) under plain Node 20,
// which cannot strip types itself: esbuild bundles the entry and the harness, leaving npm packages
// external, into node_modules/.cache/skiff-e2e/, from where Node resolves those packages as usual.
//   node test/e2e/run.mjs test/e2e/demo.ts [args...]
// The exit status is the entry's (process.exitCode, 1 when it throws). Once the entry has finished,
// anything it left open (a timer, a socket, a child process) would keep Node running after the work
// is done: after SKIFF_RUN_GRACE_MS (default 5000) run.mjs names what is left on stderr and exits.
import { mkdirSync, rmSync } from "node:fs";
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
// One file per run, so two runs of the same entry (make demo beside a test) never share a bundle.
const outfile = join(outDir, `${basename(entry, ".ts")}-${process.pid}.mjs`);
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
// esbuild's service process is idle from here on; stop it so it is not one of the things left open.
await esbuild.stop();
process.argv = [process.argv[0], outfile, ...args];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}

const graceMs = Number(process.env.SKIFF_RUN_GRACE_MS ?? 5000);
setTimeout(() => {
  const left = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
  process.stderr.write(
    `run.mjs: ${entry} finished ${graceMs} ms ago, but Node still has ${left.join(", ") || "work"} open; exiting with its status ${process.exitCode ?? 0}\n`,
  );
  process.exit();
}, graceMs).unref();
