import { describe, expect, it } from 'vitest';
import {
  describeScheduleSpec,
  formatScheduleSpec,
  parseScheduleSpec,
  ScheduleSpecError,
  splitScheduleSpec,
  validateTimeZone,
} from '../../src/scheduler/spec.js';

describe('parseScheduleSpec', () => {
  it('parses the three forms', () => {
    expect(parseScheduleSpec('daily 09:30')).toEqual({ kind: 'daily', hour: 9, minute: 30 });
    expect(parseScheduleSpec('Daily 7:05')).toEqual({ kind: 'daily', hour: 7, minute: 5 });
    expect(parseScheduleSpec('weekly Monday 08:00')).toEqual({
      kind: 'weekly',
      weekday: 1,
      hour: 8,
      minute: 0,
    });
    expect(parseScheduleSpec('weekly sun 23:59')).toEqual({
      kind: 'weekly',
      weekday: 0,
      hour: 23,
      minute: 59,
    });
    expect(parseScheduleSpec('cron "0 9 * * 1-5"')).toEqual({ kind: 'cron', expr: '0 9 * * 1-5' });
    // Slack turns straight quotes into curly ones on some clients.
    expect(parseScheduleSpec('cron “15 6  * * mon”')).toEqual({ kind: 'cron', expr: '15 6 * * mon' });
  });

  it('round-trips through formatScheduleSpec', () => {
    for (const text of ['daily 09:30', 'weekly fri 17:00', 'cron "*/15 8-18 * * 1-5"']) {
      expect(formatScheduleSpec(parseScheduleSpec(text))).toBe(text);
    }
  });

  it('splits the spec from the rest of a command line', () => {
    expect(splitScheduleSpec('weekly mon 09:00 neo --tz Europe/Paris')).toEqual({
      spec: { kind: 'weekly', weekday: 1, hour: 9, minute: 0 },
      rest: 'neo --tz Europe/Paris',
    });
    expect(splitScheduleSpec('cron "0 9 * * *" all').rest).toBe('all');
  });

  it.each([
    ['hourly 09:00', /"hourly" is not a schedule/],
    ['daily', /"daily" needs a time/],
    ['daily 9am', /"9am" is not a time: write it as HH:MM/],
    ['daily 24:00', /hours go from 00 to 23/],
    ['daily 09:60', /minutes go from 00 to 59/],
    ['weekly funday 09:00', /"funday" is not a day of the week/],
    ['weekly mon', /needs a time after the day/],
    ['cron 0 9 * * *', /put the cron expression in quotes/],
    ['cron "0 9 * *', /no closing quote/],
    ['cron "0 9 * *"', /has 4 fields; expected 5/],
    ['cron "61 9 * * *"', /minute: 61 is a invalid expression for minute/],
    ['cron "*/10 * * * * *"', /has a seconds field/],
    ['cron "0 0 31 2 *"', /impossible day of month/],
    ['cron "0 0 29 2 1#5"', /never runs/],
    ['daily 09:00 extra', /unexpected "extra" after the schedule/],
    ['', /a schedule is missing/],
  ])('rejects %j with a precise message', (text, message) => {
    expect(() => parseScheduleSpec(text)).toThrow(ScheduleSpecError);
    expect(() => parseScheduleSpec(text)).toThrow(message);
  });
});

describe('time zones and wording', () => {
  it('validates IANA zones', () => {
    expect(validateTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(() => validateTimeZone('Mars/Olympus')).toThrow(/"Mars\/Olympus" is not a time zone/);
  });

  it('describes specs for humans', () => {
    expect(describeScheduleSpec(parseScheduleSpec('weekly mon 09:00'), 'UTC')).toBe(
      'every Monday at 09:00 (UTC)',
    );
    expect(describeScheduleSpec(parseScheduleSpec('daily 18:05'), 'Europe/Paris')).toBe(
      'every day at 18:05 (Europe/Paris)',
    );
  });
});
