import { parse } from 'node-cron';

/**
 * Day/time matching for a validated 5- (or 6-, seconds = 0) field cron expression, expanded by node-cron's
 * own parser so validation and matching agree. Like node-cron, day-of-month AND day-of-week must both
 * match (not Vixie cron's OR).
 */
export interface CronMatcher {
  /** month 1–12, day 1–31, weekday 0 (Sunday)–6 */
  matchesDay(year: number, month: number, day: number, weekday: number): boolean;
  /** wall times of a matching day, as [hour, minute] in ascending order */
  times: Array<[number, number]>;
}

const cache = new Map<string, CronMatcher>();

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isNumberList(values: Array<number | string>): values is number[] {
  return values.every((v) => typeof v === 'number');
}

/** The first token node-cron accepts but this matcher can't evaluate (e.g. `LW`, `15W`, `L-2`). */
export function unsupportedCronToken(expr: string): string | undefined {
  const f = parse(expr);
  for (const v of f.dayOfMonth) if (typeof v === 'string' && v !== 'L') return v;
  for (const v of f.dayOfWeek) if (typeof v === 'string' && !/^[0-7](#[1-5]|L)$/.test(v)) return v;
  return undefined;
}

export function cronMatcher(expr: string): CronMatcher {
  const hit = cache.get(expr);
  if (hit) return hit;
  const f = parse(expr);
  const months = new Set(f.month);
  const doms = f.dayOfMonth;
  const dows = f.dayOfWeek;
  const domSet = isNumberList(doms) ? new Set(doms) : undefined;
  const dowSet = isNumberList(dows) ? new Set(dows.map((d) => d % 7)) : undefined;
  const times: Array<[number, number]> = [];
  for (const h of [...f.hour].sort((a, b) => a - b)) {
    for (const m of [...f.minute].sort((a, b) => a - b)) times.push([h, m]);
  }
  const matcher: CronMatcher = {
    times,
    matchesDay(year, month, day, weekday) {
      if (!months.has(month)) return false;
      const last = daysInMonth(year, month);
      const domOk = domSet
        ? domSet.has(day)
        : doms.some((v) => (v === 'L' ? day === last : typeof v === 'number' && v === day));
      if (!domOk) return false;
      if (dowSet) return dowSet.has(weekday);
      return dows.some((v) => {
        if (typeof v === 'number') return v % 7 === weekday;
        const nth = /^([0-7])#([1-5])$/.exec(v);
        if (nth) return Number(nth[1]) % 7 === weekday && Math.ceil(day / 7) === Number(nth[2]);
        const lastOf = /^([0-7])L$/.exec(v);
        if (lastOf) return Number(lastOf[1]) % 7 === weekday && day + 7 > last;
        return false;
      });
    },
  };
  cache.set(expr, matcher);
  return matcher;
}

/** True when no calendar day in the next `years` matches (e.g. `0 0 31 2 *`). */
export function cronNeverRunsWithin(expr: string, years = 8, from = new Date()): boolean {
  const m = cronMatcher(expr);
  if (m.times.length === 0) return true;
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let i = 0; i < years * 366; i++) {
    const d = new Date(start + i * 86_400_000);
    if (m.matchesDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay())) return false;
  }
  return true;
}
