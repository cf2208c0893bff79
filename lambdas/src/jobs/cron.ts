/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) as time windows:
 * a window is open during every minute the expression matches, in its time zone.
 * `* 7-18 * * mon-fri` is open from 07:00 to 18:59 on weekdays.
 */
export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Day-of-month and day-of-week both restricted: either may match (cron's rule). */
  eitherDay: boolean;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, base: 1 },
  { name: "day of week", min: 0, max: 7, names: WEEKDAYS, base: 0 },
] as const;

export class CronError extends Error {
  override name = "CronError";
}

function value(text: string, field: (typeof FIELDS)[number]): number {
  const names: readonly string[] | undefined = "names" in field ? field.names : undefined;
  const named = names?.indexOf(text.toLowerCase()) ?? -1;
  const n =
    named >= 0 && "base" in field ? named + field.base : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < field.min || n > field.max)
    throw new CronError(`${field.name}: "${text}" is not from ${field.min} to ${field.max}`);
  return n;
}

function parseField(text: string, field: (typeof FIELDS)[number]): { set: Set<number>; any: boolean } {
  const set = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`${field.name}: bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = field.min;
      to = field.max;
    } else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      from = value(a, field);
      to = value(b, field);
      if (to < from) throw new CronError(`${field.name}: range "${range}" runs backwards`);
    } else {
      from = value(range, field);
      to = stepText === undefined ? from : field.max;
    }
    for (let n = from; n <= to; n += step) set.add(field.name === "day of week" && n === 7 ? 0 : n);
  }
  return { set, any: text === "*" };
}

/** Parses a five-field cron expression; throws CronError naming the bad field. */
export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new CronError(`"${expression}" must have five fields: minute hour day month weekday`);
  const [minute, hour, day, month, weekday] = parts.map((p, i) =>
    parseField(p, FIELDS[i] as (typeof FIELDS)[number]),
  );
  return {
    minutes: (minute as { set: Set<number> }).set,
    hours: (hour as { set: Set<number> }).set,
    days: (day as { set: Set<number> }).set,
    months: (month as { set: Set<number> }).set,
    weekdays: (weekday as { set: Set<number> }).set,
    eitherDay: !(day as { any: boolean }).any && !(weekday as { any: boolean }).any,
  };
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of `at` in `timeZone` (an IANA name such as "Europe/Berlin"). */
function wallClock(at: Date, timeZone: string) {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      minute: "numeric",
      hour: "numeric",
      day: "numeric",
      month: "numeric",
      weekday: "short",
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toLowerCase()),
  };
}

/** Whether `timeZone` is a zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Whether the minute that contains `at` matches `cron` in `timeZone`. */
export function cronMatches(cron: Cron, at: Date, timeZone: string): boolean {
  const t = wallClock(at, timeZone);
  const day = cron.days.has(t.day);
  const weekday = cron.weekdays.has(t.weekday);
  return (
    cron.minutes.has(t.minute) &&
    cron.hours.has(t.hour) &&
    cron.months.has(t.month) &&
    (cron.eitherDay ? day || weekday : day && weekday)
  );
}
