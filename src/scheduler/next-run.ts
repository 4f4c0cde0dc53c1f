import { TZDate, tzOffset } from '@date-fns/tz';
import { cronMatcher } from './cron-match.js';
import type { ScheduleSpec } from './spec.js';

export interface WallParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday */
  weekday: number;
}

export function wallParts(instant: Date, tz: string): WallParts {
  const d = new TZDate(instant.getTime(), tz);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    weekday: d.getDay(),
  };
}

const DAY = 86_400_000;

/**
 * The instant a wall-clock time happens in `tz`. A time that occurs twice (clocks going back) maps to its
 * first occurrence; a time skipped by clocks going forward maps to the same distance past the jump
 * (02:30 → 03:30), so a job is never silently dropped on a DST day. TZDate alone is not used for this
 * because its choice for repeated times differs between zones.
 */
export function wallTimeToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  tz: string,
): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const offsetBefore = tzOffset(tz, new Date(asUtc - 2 * DAY));
  const offsetAfter = tzOffset(tz, new Date(asUtc + 2 * DAY));
  const candidates = [...new Set([offsetBefore, offsetAfter, tzOffset(tz, new Date(asUtc))])]
    .map((off) => asUtc - off * 60_000)
    .filter((t) => {
      const p = wallParts(new Date(t), tz);
      return p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute;
    })
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return new Date(first);
  // In a gap: the offset in force before the jump lands the right distance after it.
  return new Date(asUtc - offsetBefore * 60_000);
}

function wallTimesOn(spec: ScheduleSpec, p: { year: number; month: number; day: number; weekday: number }) {
  switch (spec.kind) {
    case 'daily':
      return [[spec.hour, spec.minute] as [number, number]];
    case 'weekly':
      return p.weekday === spec.weekday ? [[spec.hour, spec.minute] as [number, number]] : [];
    case 'cron': {
      const m = cronMatcher(spec.expr);
      return m.matchesDay(p.year, p.month, p.day, p.weekday) ? m.times : [];
    }
  }
}

/** The first run strictly after `after` (minute precision), in the job's time zone. */
export function nextRunAfter(spec: ScheduleSpec, tz: string, after: Date, horizonDays = 8 * 366): Date {
  const start = wallParts(new Date(after.getTime() - DAY), tz);
  const base = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i <= horizonDays; i++) {
    const cal = new Date(base + i * DAY);
    const p = {
      year: cal.getUTCFullYear(),
      month: cal.getUTCMonth() + 1,
      day: cal.getUTCDate(),
      weekday: cal.getUTCDay(),
    };
    const instants = wallTimesOn(spec, p)
      .map(([h, m]) => wallTimeToInstant(p.year, p.month, p.day, h, m, tz).getTime())
      .filter((t) => t > after.getTime())
      .sort((a, b) => a - b);
    const first = instants[0];
    if (first !== undefined) return new Date(first);
  }
  throw new Error(`schedule has no run in the next ${horizonDays} days`);
}
