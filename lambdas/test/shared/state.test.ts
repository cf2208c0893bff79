import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobMessage } from "../../src/shared/messages.ts";
import { startDynamo } from "../support/dynamo.ts";

const job = (jobId: number, pool = "ci"): JobMessage => ({
  kind: "job",
  jobId,
  runId: 1,
  owner: "acme",
  repository: "widgets",
  installationId: 42,
  pool,
  labels: ["ci"],
  queuedAt: "2026-11-22T10:00:00Z",
  deliveryId: `d-${jobId}`,
});

describe("StateStore on DynamoDB (dynalite)", () => {
  let db: Awaited<ReturnType<typeof startDynamo>>;
  beforeAll(async () => {
    db = await startDynamo();
  });
  afterAll(async () => {
    await db.close();
  });
  const now = new Date("2026-11-22T10:00:10Z");

  it("claim(job) lets exactly one of many concurrent messages claim a job", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => db.state.claim(job(1), `message-${i}`, now, 900)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await db.state.getJob(1))?.status).toBe("claimed");
  });

  it("claim(job) succeeds again once the job was put back as pending", async () => {
    expect(await db.state.claim(job(2), "m1", now, 900)).toBe(true);
    expect(await db.state.update(2, ["claimed"], { status: "pending" }, now, "m1")).toBe(true);
    expect(await db.state.claim(job(2), "m2", now, 900)).toBe(true);
    expect((await db.state.getJob(2))?.claimedBy).toBe("m2");
  });

  it("claim(job) takes over an expired claim but never a launched job", async () => {
    expect(await db.state.claim(job(3), "m1", now, 60)).toBe(true);
    const later = new Date(now.getTime() + 61_000);
    expect(await db.state.claim(job(3), "m2", later, 60)).toBe(true);
    await db.state.update(3, ["claimed"], { status: "launching" }, later, "m2");
    const muchLater = new Date(now.getTime() + 3_600_000);
    expect(await db.state.claim(job(3), "m3", muchLater, 60)).toBe(false);
  });

  it("update(jobId, from, patch, token) refuses a writer that lost its claim", async () => {
    await db.state.claim(job(4), "m1", now, 900);
    expect(await db.state.update(4, ["claimed"], { status: "launching" }, now, "someone-else")).toBe(false);
    expect(await db.state.update(4, ["launched"], { status: "registered" }, now)).toBe(false);
    expect(await db.state.update(4, ["claimed"], { status: "launching" }, now, "m1")).toBe(true);
  });

  it("reserve(pool, n, max) never lets 20 concurrent reservations exceed max_runners = 10", async () => {
    const granted = await Promise.all(Array.from({ length: 20 }, () => db.state.reserve("capped", 1, 10)));
    expect(granted.reduce((a, b) => a + b, 0)).toBe(10);
    expect(await db.state.activeRunners("capped")).toBe(10);
  });

  it("reserve(pool, n, max) grants part of a request when only part fits", async () => {
    expect(await db.state.reserve("partial", 7, 10)).toBe(7);
    expect(await db.state.reserve("partial", 7, 10)).toBe(3);
    expect(await db.state.reserve("partial", 1, 10)).toBe(0);
  });

  it("releaseSlot(job) gives a slot back exactly once however often it is called", async () => {
    await db.state.reserve("release", 1, 5);
    await db.state.claim(job(5, "release"), "m1", now, 900);
    await db.state.update(5, ["claimed"], { status: "launching", holdsSlot: true }, now, "m1");
    const results = await Promise.all(
      [1, 2, 3].map(() => db.state.releaseSlot(5, "release", { status: "pending" }, now)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db.state.activeRunners("release")).toBe(0);
    await db.state.release("release", 1);
    expect(await db.state.activeRunners("release")).toBe(0);
  });
});
