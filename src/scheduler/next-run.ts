/**
 * When a schedule runs next, by croner (time zones and DST): a wall time skipped when clocks go forward
 * runs just after the jump (02:30 → 03:30), one repeated when they go back runs once, at its first
 * occurrence. Day-of-month and day-of-week must both match (AND), as node-cron — which validates the
 * expressions and drives the minute ticker — reads them; croner's default is Vixie cron's OR.
 */
import { Cron } from 'croner';
import type { ScheduleSpec } from './spec.js';

/** The spec as one cron expression: daily and weekly are cron expressions with one time. */
function cronExpression(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'daily':
      return `${spec.minute} ${spec.hour} * * *`;
    case 'weekly':
      return `${spec.minute} ${spec.hour} * * ${spec.weekday}`;
    case 'cron':
      return spec.expr;
  }
}

const schedules = new Map<string, Cron>();

function cronFor(expr: string, tz: string): Cron {
  const key = `${tz}\0${expr}`;
  let cron = schedules.get(key);
  if (!cron) {
    cron = new Cron(expr, { timezone: tz, paused: true, domAndDow: true });
    schedules.set(key, cron);
  }
  return cron;
}

/** The first run strictly after `after` (minute precision), in the job's time zone. */
export function nextRunAfter(spec: ScheduleSpec, tz: string, after: Date): Date {
  const next = cronFor(cronExpression(spec), tz).nextRun(after);
  if (!next) throw new Error(`schedule "${cronExpression(spec)}" has no next run`);
  return next;
}

/**
 * Why croner cannot run a cron expression node-cron accepted, or that no date matches it in the next
 * 8 years (`0 0 31 2 *`); undefined when it runs.
 */
export function cronProblem(expr: string, from = new Date()): 'unsupported' | 'never' | undefined {
  let next: Date | null;
  try {
    next = cronFor(expr, 'UTC').nextRun(from);
  } catch {
    return 'unsupported';
  }
  // A first run more than 8 years away (29 February on a 5th Monday) is a typo in practice.
  return next && next.getTime() - from.getTime() <= NEVER_HORIZON_MS ? undefined : 'never';
}

const NEVER_HORIZON_MS = 8 * 366 * 86_400_000;
