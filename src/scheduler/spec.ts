import { validateDetailed } from 'node-cron';
import { plural } from '../core/words.js';
import { cronProblem } from './next-run.js';

/** When a job runs, in wall-clock terms of the job's time zone. */
export type ScheduleSpec =
  | { kind: 'daily'; hour: number; minute: number }
  | { kind: 'weekly'; weekday: number; hour: number; minute: number }
  | { kind: 'cron'; expr: string };

export class ScheduleSpecError extends Error {
  override name = 'ScheduleSpecError';
}

export const SCHEDULE_USAGE =
  'daily HH:MM | weekly <day> HH:MM | cron "<minute hour day-of-month month day-of-week>"';

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const SHORT_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function parseTimeOfDay(text: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m)
    throw new ScheduleSpecError(`"${text}" is not a time: write it as HH:MM on a 24-hour clock, e.g. 09:30`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23) throw new ScheduleSpecError(`"${text}" is not a valid time: hours go from 00 to 23`);
  if (minute > 59) throw new ScheduleSpecError(`"${text}" is not a valid time: minutes go from 00 to 59`);
  return { hour, minute };
}

function parseWeekday(text: string): number {
  const t = text.toLowerCase();
  // Accept "mon", "monday" and the common "tues"/"thurs" abbreviations.
  const idx = DAY_NAMES.findIndex(
    (d, i) => d === t || SHORT_DAYS[i] === t || (t.length >= 3 && d.startsWith(t)),
  );
  if (idx < 0) {
    throw new ScheduleSpecError(
      `"${text}" is not a day of the week: use one of ${SHORT_DAYS.join(', ')} (or full names)`,
    );
  }
  return idx;
}

export function validateCronExpression(expr: string): string {
  const normalized = expr.trim().replace(/\s+/g, ' ');
  if (!normalized) throw new ScheduleSpecError('the cron expression is empty: write e.g. cron "0 9 * * 1-5"');
  const fields = normalized.split(' ');
  if (fields.length === 6 && fields[0] !== '0') {
    throw new ScheduleSpecError(
      `cron "${normalized}" has a seconds field: schedules run at most once a minute, so use 5 fields (minute hour day-of-month month day-of-week)`,
    );
  }
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ScheduleSpecError(
      `cron "${normalized}" has ${plural(fields.length, 'field')}; expected 5: minute hour day-of-month month day-of-week`,
    );
  }
  const result = validateDetailed(normalized);
  if (!result.valid) {
    const why = result.errors.map((e) => (e.field === 'expression' ? e.message : `${e.field}: ${e.message}`));
    throw new ScheduleSpecError(`cron "${normalized}" is not valid: ${why.join('; ')}`);
  }
  const problem = cronProblem(normalized);
  if (problem === 'unsupported') {
    throw new ScheduleSpecError(
      `cron "${normalized}" uses something not supported here; supported: numbers, names, ranges, lists, steps, L (last day of month), LW (last weekday), 5#2 (2nd Friday), 5L (last Friday)`,
    );
  }
  if (problem === 'never') {
    throw new ScheduleSpecError(`cron "${normalized}" never runs (no date matches it in the next 8 years)`);
  }
  return normalized;
}

const QUOTE_PAIRS: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '”': '”' };

/**
 * Parses a schedule at the start of `text` and returns what follows, so a command grammar like
 * `digest add weekly mon 09:00 neo --tz Europe/Paris` can take the spec and keep the rest.
 */
export function splitScheduleSpec(text: string): { spec: ScheduleSpec; rest: string } {
  const src = text.trimStart();
  const kindMatch = /^(\S+)\s*/.exec(src);
  const kind = kindMatch?.[1]?.toLowerCase();
  if (!kindMatch || !kind) throw new ScheduleSpecError(`a schedule is missing: use ${SCHEDULE_USAGE}`);
  let rest = src.slice(kindMatch[0].length);
  const nextWord = (what: string): string => {
    const m = /^(\S+)\s*/.exec(rest);
    if (!m?.[1]) throw new ScheduleSpecError(`"${kind}" needs ${what}: use ${SCHEDULE_USAGE}`);
    rest = rest.slice(m[0].length);
    return m[1];
  };
  switch (kind) {
    case 'daily': {
      const { hour, minute } = parseTimeOfDay(nextWord('a time (HH:MM)'));
      return { spec: { kind: 'daily', hour, minute }, rest: rest.trim() };
    }
    case 'weekly': {
      const weekday = parseWeekday(nextWord('a day and a time (e.g. weekly mon 09:00)'));
      const { hour, minute } = parseTimeOfDay(nextWord('a time after the day (e.g. weekly mon 09:00)'));
      return { spec: { kind: 'weekly', weekday, hour, minute }, rest: rest.trim() };
    }
    case 'cron': {
      const open = rest[0] ?? '';
      const close = QUOTE_PAIRS[open];
      if (!close) {
        throw new ScheduleSpecError('put the cron expression in quotes, e.g. cron "0 9 * * 1-5"');
      }
      const end = rest.indexOf(close, 1);
      if (end < 0) throw new ScheduleSpecError(`the cron expression has no closing quote (${close})`);
      const expr = validateCronExpression(rest.slice(1, end));
      return { spec: { kind: 'cron', expr }, rest: rest.slice(end + 1).trim() };
    }
    default:
      throw new ScheduleSpecError(`"${kindMatch[1]}" is not a schedule: use ${SCHEDULE_USAGE}`);
  }
}

/** Parses a whole schedule; anything left over is an error. */
export function parseScheduleSpec(text: string): ScheduleSpec {
  const { spec, rest } = splitScheduleSpec(text);
  if (rest) throw new ScheduleSpecError(`unexpected "${rest}" after the schedule: use ${SCHEDULE_USAGE}`);
  return spec;
}

/** The canonical text form; `parseScheduleSpec(formatScheduleSpec(s))` gives back `s`. */
export function formatScheduleSpec(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'daily':
      return `daily ${pad2(spec.hour)}:${pad2(spec.minute)}`;
    case 'weekly':
      return `weekly ${SHORT_DAYS[spec.weekday]} ${pad2(spec.hour)}:${pad2(spec.minute)}`;
    case 'cron':
      return `cron "${spec.expr}"`;
  }
}

/** Human wording for lists and confirmations. */
export function describeScheduleSpec(spec: ScheduleSpec, tz: string): string {
  switch (spec.kind) {
    case 'daily':
      return `every day at ${pad2(spec.hour)}:${pad2(spec.minute)} (${tz})`;
    case 'weekly': {
      const day = DAY_NAMES[spec.weekday] ?? '';
      return `every ${day[0]?.toUpperCase()}${day.slice(1)} at ${pad2(spec.hour)}:${pad2(spec.minute)} (${tz})`;
    }
    case 'cron':
      return `cron "${spec.expr}" (${tz})`;
  }
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validateTimeZone(tz: string): string {
  if (!tz || !isValidTimeZone(tz)) {
    throw new ScheduleSpecError(
      `"${tz}" is not a time zone: use an IANA name such as Europe/Paris, America/New_York or UTC`,
    );
  }
  return tz;
}
