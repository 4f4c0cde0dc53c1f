import { TZDate } from '@date-fns/tz';

/** Whole days, `from` and `to` inclusive, as YYYY-MM-DD in the account's time zone (how /v1/data reads them). */
export interface Period {
  from: string;
  to: string;
}

const DAY = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function toUtcMs(date: string): number {
  if (!ISO_DATE.test(date)) throw new Error(`"${date}" is not a date: use YYYY-MM-DD`);
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new Error(`"${date}" is not a calendar date`);
  }
  return ms;
}

export function addDays(date: string, days: number): string {
  return new Date(toUtcMs(date) + days * DAY).toISOString().slice(0, 10);
}

export function periodLength(p: Period): number {
  return Math.round((toUtcMs(p.to) - toUtcMs(p.from)) / DAY) + 1;
}

export function datesIn(p: Period): string[] {
  const n = periodLength(p);
  return Array.from({ length: n }, (_, i) => addDays(p.from, i));
}

export function validatePeriod(p: Period): Period {
  if (toUtcMs(p.from) > toUtcMs(p.to))
    throw new Error(`the period starts (${p.from}) after it ends (${p.to})`);
  return p;
}

/** The period of equal length that ends the day before `p` starts. */
export function previousPeriod(p: Period): Period {
  const n = periodLength(p);
  return { from: addDays(p.from, -n), to: addDays(p.from, -1) };
}

/** The calendar date of an instant in a zone. */
export function localDate(instant: Date, tz: string): string {
  const d = new TZDate(instant.getTime(), tz);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * `--days N`: the N complete days ending yesterday. Today is left out because its partial figures would read
 * as a drop in every trend.
 */
export function lastDays(days: number, today: string): Period {
  if (!Number.isInteger(days) || days < 1) throw new Error(`--days must be a whole number ≥ 1 (got ${days})`);
  return { from: addDays(today, -days), to: addDays(today, -1) };
}

/** Days from this one on are provisional: Brightcove may still revise the last 3 days (reconciliation). */
export const PROVISIONAL_DAYS = 3;

export interface Freshness {
  asOf: string;
  today: string;
  provisionalFrom: string;
  /** dates of the period that may still change */
  provisionalDates: string[];
  note: string;
}

export function freshness(period: Period, today: string, now: Date): Freshness {
  const provisionalFrom = addDays(today, -(PROVISIONAL_DAYS - 1));
  const provisionalDates = datesIn(period).filter((d) => d >= provisionalFrom);
  const note =
    provisionalDates.length > 0
      ? `Figures for ${provisionalDates[0]}${provisionalDates.length > 1 ? ` to ${provisionalDates.at(-1)}` : ''} are provisional: Brightcove may revise the last ${PROVISIONAL_DAYS} days.`
      : `All days are reconciled (data older than ${PROVISIONAL_DAYS} days).`;
  return { asOf: now.toISOString(), today, provisionalFrom, provisionalDates, note };
}
