// An entry for run.test.ts: one job through the harness with the schedule set far out (as the
// benchmark's reconcile measurement does), then stop(). Node must exit on its own afterwards.
import { Harness } from "../harness.ts";

const h = await Harness.start({
  speed: 20,
  pools: [{ name: "ci", labels: ["ci"], instanceTypes: ["m7i.large"], maxRunners: 2 }],
  reconcileEverySeconds: 365 * 86_400,
  jobSeconds: [5, 5],
  bootSeconds: [1, 1],
});
try {
  await h.queueJobs(1, { labels: ["self-hosted", "ci"] });
  await h.waitForJobs(600);
} finally {
  await h.stop();
}
process.stdout.write("done\n");
