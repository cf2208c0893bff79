#!/usr/bin/env node
// Wall time of the bootstrap's own work, with stubs: IMDSv2 (token + two reads), one
// get-parameter, the background delete, starting a runner that exits at once, the log
// flush and the power-off call. Real AWS adds the CLI's own start-up and the network.
//   node test/bootstrap/measure.mjs [runs]    (default 9)
import { makeRoot, runBootstrap, startImds } from "./harness.mjs";

const runs = Number(process.argv[2] ?? 9);
const imds = await startImds();
const times = [];
try {
  for (let i = 0; i < runs; i++) {
    const root = makeRoot({ imdsUrl: imds.url, parameterValue: `jit-${i}` });
    try {
      const run = await runBootstrap(root.env);
      if (run.code !== 0) throw new Error(`run ${i} exited ${run.code}: ${run.stderr}`);
      times.push(run.ms);
    } finally {
      root.cleanup();
    }
  }
} finally {
  await imds.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;
console.log(
  `bootstrap with stubs, ${runs} runs: median ${fmt(median)}, min ${fmt(times[0])}, max ${fmt(times.at(-1))} (target <= 2 s)`,
);
