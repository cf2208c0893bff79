// Preload (`node --require`) for the harness's Lambda containers: runs this process's clock
// SKIFF_E2E_SPEED times faster than real time, from the shared origin SKIFF_E2E_ORIGIN (epoch ms),
// so every process of a run agrees on "now". `Date` (now, new Date(), Date()) reads the fast clock;
// setTimeout/setInterval wait delay/SPEED real ms, so a wait the code computes from the fast clock
// (Octokit's retry-after, Bottleneck's spacing, the SDK's backoff) lasts as long in fast time.
// performance.now() and process.hrtime() stay real. Speed 1 (or unset) changes nothing.
"use strict";

const speed = Number(process.env.SKIFF_E2E_SPEED ?? "1");
if (Number.isFinite(speed) && speed > 0 && speed !== 1) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const origin = Number(process.env.SKIFF_E2E_ORIGIN ?? realNow());
  const now = () => Math.floor(origin + (realNow() - origin) * speed);

  class FastDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
    static [Symbol.hasInstance](value) {
      return value instanceof RealDate;
    }
  }
  // Date() called without `new` returns a string, as the real one does.
  globalThis.Date = new Proxy(FastDate, {
    apply: () => new RealDate(now()).toString(),
  });

  const scale = (delay) => (typeof delay === "number" && delay > 0 ? delay / speed : delay);
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;
  globalThis.setTimeout = Object.assign(
    (callback, delay, ...args) => realSetTimeout(callback, scale(delay), ...args),
    realSetTimeout,
  );
  globalThis.setInterval = Object.assign(
    (callback, delay, ...args) => realSetInterval(callback, scale(delay), ...args),
    realSetInterval,
  );
}
