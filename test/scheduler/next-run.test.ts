import { createTask } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { nextRunAfter } from '../../src/scheduler/next-run.js';
import { parseScheduleSpec } from '../../src/scheduler/spec.js';

const next = (spec: string, tz: string, after: string) =>
  nextRunAfter(parseScheduleSpec(spec), tz, new Date(after)).toISOString();

describe('nextRunAfter across DST (2026 transitions)', () => {
  it('keeps 09:00 local in Paris when clocks go forward (Mar 29)', () => {
    expect(next('daily 09:00', 'Europe/Paris', '2026-03-27T12:00:00Z')).toBe('2026-03-28T08:00:00.000Z');
    expect(next('daily 09:00', 'Europe/Paris', '2026-03-28T08:00:00Z')).toBe('2026-03-29T07:00:00.000Z');
  });

  it('keeps 09:00 local in New York when clocks go back (Nov 1)', () => {
    expect(next('daily 09:00', 'America/New_York', '2026-10-31T14:00:00Z')).toBe('2026-11-01T14:00:00.000Z');
    expect(next('weekly sun 09:00', 'America/New_York', '2026-10-26T00:00:00Z')).toBe(
      '2026-11-01T14:00:00.000Z',
    );
    expect(next('weekly sun 09:00', 'America/New_York', '2026-03-02T00:00:00Z')).toBe(
      '2026-03-08T13:00:00.000Z',
    );
  });

  it('runs a skipped wall time just after the jump instead of dropping it', () => {
    // 02:30 does not exist in Paris on 2026-03-29: runs at 03:30 CEST (01:30Z).
    expect(next('daily 02:30', 'Europe/Paris', '2026-03-28T12:00:00Z')).toBe('2026-03-29T01:30:00.000Z');
    expect(next('daily 02:30', 'Europe/Paris', '2026-03-29T01:30:00Z')).toBe('2026-03-30T00:30:00.000Z');
    expect(next('cron "30 2 * * *"', 'America/New_York', '2026-03-07T12:00:00Z')).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('runs a repeated wall time once, at its first occurrence', () => {
    // 02:30 happens twice in Paris on 2026-10-25 (00:30Z in CEST, 01:30Z in CET).
    expect(next('daily 02:30', 'Europe/Paris', '2026-10-24T12:00:00Z')).toBe('2026-10-25T00:30:00.000Z');
    expect(next('daily 02:30', 'Europe/Paris', '2026-10-25T00:30:00Z')).toBe('2026-10-26T01:30:00.000Z');
    expect(next('daily 01:30', 'America/New_York', '2026-10-31T12:00:00Z')).toBe('2026-11-01T05:30:00.000Z');
    expect(next('daily 01:30', 'America/New_York', '2026-11-01T05:30:00Z')).toBe('2026-11-02T06:30:00.000Z');
  });

  it('maps wall times to instants in both zones', () => {
    expect(next('daily 12:00', 'Europe/Paris', '2026-07-01T00:00:00Z')).toBe('2026-07-01T10:00:00.000Z');
    expect(next('daily 12:00', 'America/New_York', '2026-01-01T00:00:00Z')).toBe('2026-01-01T17:00:00.000Z');
  });
});

describe('cron expressions', () => {
  it('handles weekdays, last day of month, nth and last weekday', () => {
    expect(next('cron "0 9 * * 1-5"', 'UTC', '2026-11-20T09:00:00Z')).toBe('2026-11-23T09:00:00.000Z');
    expect(next('cron "0 6 L * *"', 'UTC', '2026-02-01T00:00:00Z')).toBe('2026-02-28T06:00:00.000Z');
    expect(next('cron "0 6 * * 5#2"', 'UTC', '2026-11-01T00:00:00Z')).toBe('2026-11-13T06:00:00.000Z');
    expect(next('cron "0 6 * * 5L"', 'UTC', '2026-11-01T00:00:00Z')).toBe('2026-11-27T06:00:00.000Z');
    expect(next('cron "*/15 * * * *"', 'UTC', '2026-11-20T09:07:30Z')).toBe('2026-11-20T09:15:00.000Z');
    // LW (last weekday of the month), which the hand-written matcher refused, runs with croner.
    expect(next('cron "0 9 LW * *"', 'UTC', '2027-01-01T00:00:00Z')).toBe('2027-01-29T09:00:00.000Z');
  });

  it.each([
    '0 9 * * 1-5',
    '*/20 7-9 * * *',
    '5 4 1,15 * *',
    '0 18 * jan,jul sun',
    '0 6 L * *',
    '0 6 * * 3#1',
  ])('agrees with node-cron on which minute matches next: %s', (expr) => {
    const tz = 'Asia/Kolkata';
    const task = createTask(expr, () => {}, { timezone: tz });
    try {
      let after = new Date('2026-01-10T03:17:00Z');
      for (let i = 0; i < 3; i++) {
        const run = nextRunAfter({ kind: 'cron', expr }, tz, after);
        expect(task.match(run)).toBe(true);
        // No earlier minute matched: spot-check the minutes in between (bounded scan).
        const stop = Math.min(run.getTime(), after.getTime() + 16 * 86_400_000);
        for (let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000; t < stop; t += 60_000) {
          if (task.match(new Date(t)))
            throw new Error(`node-cron matches earlier minute ${new Date(t).toISOString()}`);
        }
        after = run;
      }
    } finally {
      void task.destroy();
    }
  });
});
