import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatOffset,
  parseClipTime,
  parseDuration,
  parseTimecode,
  TimeSyntaxError,
} from '../../src/clips/time.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['90', 90],
    ['2m', 120],
    ['1h30m', 5400],
    ['1h', 3600],
    ['1h0m5s', 3605],
    ['1.5m', 90],
    ['2 '.trim(), 2],
    ['2min', 120],
    ['01:30', 90],
    ['00:01:30', 90],
    ['48h', 172800],
    ['75m', 4500],
    ['90S', 90],
  ])('%s → %i s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('throws TimeSyntaxError for garbage', () => {
    expect(() => parseDuration('abc')).toThrow(TimeSyntaxError);
    expect(() => parseDuration('')).toThrow('Missing duration. Write it like 90s');
  });
});

describe('parseClipTime', () => {
  it.each([
    ['00:02:00', { kind: 'stream', seconds: 120 }],
    ['2:00', { kind: 'stream', seconds: 120 }],
    ['125s', { kind: 'stream', seconds: 125 }],
    ['0s', { kind: 'stream', seconds: 0 }],
    ['1h30m', { kind: 'stream', seconds: 5400 }],
    ['100:00:00', { kind: 'stream', seconds: 360000 }],
    ['1795255200', { kind: 'absolute', epochSec: 1795255200 }],
    ['2026-11-21T10:00:00Z', { kind: 'absolute', epochSec: 1795255200 }],
    ['2026-11-21t10:00z', { kind: 'absolute', epochSec: 1795255200 }],
    ['2026-11-21T10:00:00.000Z', { kind: 'absolute', epochSec: 1795255200 }],
    ['2026-11-21T05:00:00-05:00', { kind: 'absolute', epochSec: 1795255200 }],
    ['2026-11-21T15:30:00+0530', { kind: 'absolute', epochSec: 1795255200 }],
    ['01:10:18:15', { kind: 'timecode', timecode: { hours: 1, minutes: 10, seconds: 18, frames: 15 } }],
    ['23:59:59:29', { kind: 'timecode', timecode: { hours: 23, minutes: 59, seconds: 59, frames: 29 } }],
  ])('%s', (text, expected) => {
    expect(parseClipTime(text)).toMatchObject(expected);
  });

  it('checks frames against the given frame rate', () => {
    expect(parseTimecode('00:00:00:29', 30).frames).toBe(29);
    expect(() => parseTimecode('00:00:00:25', 25)).toThrow(
      'Frame 25 is out of range in timecode "00:00:00:25": at 25 fps frames run 00–24.',
    );
  });

  it('rejects a date written with a trailing garbage zone', () => {
    expect(() => parseClipTime('2026-11-21T10:00:00Q')).toThrow('is not an ISO-8601 instant');
  });
});

describe('formatting', () => {
  it('formats offsets and durations for messages', () => {
    expect(formatOffset(4510)).toBe('01:15:10');
    expect(formatOffset(75)).toBe('01:15');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(90)).toBe('1m30s');
    expect(formatDuration(0)).toBe('0s');
  });
});
