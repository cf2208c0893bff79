import { describe, expect, it } from "vitest";
import { CronError, cronMatches, isTimeZone, parseCron } from "../../src/jobs/cron.ts";

describe("parseCron(expression) and cronMatches(cron, at, timeZone)", () => {
  const weekdays = parseCron("* 7-18 * * mon-fri");
  it.each([
    ["2026-12-07T06:59:00Z", "UTC", false], // Monday 06:59
    ["2026-12-07T07:00:00Z", "UTC", true],
    ["2026-12-07T18:59:59Z", "UTC", true],
    ["2026-12-07T19:00:00Z", "UTC", false],
    ["2026-12-05T12:00:00Z", "UTC", false], // Saturday
    ["2026-12-07T06:30:00Z", "Europe/Berlin", true], // 07:30 in Berlin (UTC+1 in December)
    ["2026-12-07T18:30:00Z", "Europe/Berlin", false], // 19:30 in Berlin
    ["2026-12-07T13:30:00Z", "America/New_York", true], // 08:30 in New York
    ["2026-12-05T03:00:00Z", "America/New_York", false], // Friday 22:00 in New York
  ] as const)("`* 7-18 * * mon-fri` at %s in %s → %s", (at, zone, expected) => {
    expect(cronMatches(weekdays, new Date(at), zone)).toBe(expected);
  });

  it("reads lists, steps, names and Sunday as 0 or 7", () => {
    const cron = parseCron("0,30 */6 1 jan,jul 7");
    expect([...cron.minutes]).toEqual([0, 30]);
    expect([...cron.hours]).toEqual([0, 6, 12, 18]);
    expect([...cron.months]).toEqual([1, 7]);
    expect([...cron.weekdays]).toEqual([0]);
  });

  it("matches either day field when both are restricted, as cron does", () => {
    const cron = parseCron("* * 1 * mon");
    expect(cronMatches(cron, new Date("2026-12-01T10:00:00Z"), "UTC")).toBe(true); // the 1st, a Tuesday
    expect(cronMatches(cron, new Date("2026-12-07T10:00:00Z"), "UTC")).toBe(true); // a Monday
    expect(cronMatches(cron, new Date("2026-12-08T10:00:00Z"), "UTC")).toBe(false);
  });

  it.each([
    ["* * * *", /five fields/],
    ["60 * * * *", /minute: "60"/],
    ["* 5-2 * * *", /runs backwards/],
    ["* * * * funday", /day of week: "funday"/],
    ["*/0 * * * *", /bad step/],
  ])("refuses %j naming the field", (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronError);
    expect(() => parseCron(expression)).toThrow(message);
  });

  it("knows IANA time zones and refuses others", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
