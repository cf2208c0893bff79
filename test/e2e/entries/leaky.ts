// An entry for run.test.ts that finishes its work but leaves a timer running, and says it failed.
setInterval(() => {}, 60_000);
process.exitCode = 3;
process.stdout.write("done\n");
