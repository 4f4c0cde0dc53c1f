/**
 * The time grammar of `/brightcove clip`: durations, offsets from stream start, absolute instants and
 * SMPTE timecodes. Everything resolves to whole seconds because the Live API takes integers
 * (reference B1, pitfall 5); every error says what is wrong and how to write it instead.
 */

/** A malformed time or duration. `request.ts` attaches the field it came from. */
export class TimeSyntaxError extends Error {
  override name = 'TimeSyntaxError';
}

/** Live inputs are at most 30 fps (reference B10), so frames run 00–29 unless told otherwise. */
export const DEFAULT_FRAME_RATE = 30;

export interface Timecode {
  hours: number;
  minutes: number;
  seconds: number;
  frames: number;
}

export type ClipTime =
  /** SMPTE timecode as embedded by the encoder (often wall-clock, not from stream start: pitfall 4). */
  | { kind: 'timecode'; text: string; timecode: Timecode }
  /** Seconds from the start of the live stream. */
  | { kind: 'stream'; text: string; seconds: number }
  /** An absolute instant, in epoch seconds. */
  | { kind: 'absolute'; text: string; epochSec: number };

type ClipTimeKind = ClipTime['kind'];

const DURATION_EXAMPLES = 'Write it like 90s, 2m, 1h30m, 01:30 or 90.';
const TIME_EXAMPLES =
  'Write 00:02:00 or 125s (from stream start), 2026-11-21T10:00:00Z or 1795255200 (absolute), ' +
  'or 01:10:18:15 (SMPTE timecode).';

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function formatTimecode(tc: Timecode): string {
  return `${pad2(tc.hours)}:${pad2(tc.minutes)}:${pad2(tc.seconds)}:${pad2(tc.frames)}`;
}

/** `4510` → `1:15:10`, `75` → `1:15`; used in messages and default clip names. */
export function formatOffset(totalSec: number): string {
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  return h > 0 ? `${pad2(h)}:${pad2(m)}:${pad2(s)}` : `${pad2(m)}:${pad2(s)}`;
}

/** `5400` → `1h30m`, `90` → `1m30s`. */
export function formatDuration(totalSec: number): string {
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('');
  return parts || '0s';
}

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };
const UNIT_ALIASES: Record<string, string> = {
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
};

function wholeSeconds(value: number, text: string): number {
  const rounded = Math.round(value);
  if (Math.abs(value - rounded) > 1e-9) {
    throw new TimeSyntaxError(
      `"${text}" is not a whole number of seconds; the Live API cuts clips in whole seconds. ` +
        `Use ${Math.floor(value)}s or ${Math.ceil(value)}s.`,
    );
  }
  return rounded;
}

/** `90s`, `2m`, `1h30m`, `1.5m`, `90`: seconds. Does not reject 0; callers decide what 0 means. */
function parseUnitAmount(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return wholeSeconds(Number(text), text);
  const tokens = [...text.matchAll(/(\d+(?:\.\d+)?)([a-z]+)/g)];
  if (tokens.length === 0 || tokens.map((t) => t[0]).join('') !== text) return undefined;
  let total = 0;
  let previousRank = Number.POSITIVE_INFINITY;
  for (const [, amountText, unitText] of tokens) {
    const unit = UNIT_ALIASES[unitText ?? ''];
    if (!unit) {
      throw new TimeSyntaxError(
        `Unknown unit "${unitText}" in "${text}": use h, m or s. ${DURATION_EXAMPLES}`,
      );
    }
    const rank = UNIT_SECONDS[unit] ?? 1;
    if (rank >= previousRank) {
      throw new TimeSyntaxError(
        `"${text}" repeats or reorders units; write each unit once, largest first (e.g. 1h30m, not 30m1h).`,
      );
    }
    const amount = Number(amountText);
    if (previousRank !== Number.POSITIVE_INFINITY && unit !== 'h' && amount >= 60) {
      const bigger = unit === 'm' ? 'h' : 'm';
      throw new TimeSyntaxError(
        `"${amountText}${unitText}" in "${text}" is 60 or more; carry it into ${bigger} ` +
          `(e.g. ${formatDuration(Math.round(amount * rank + total))}).`,
      );
    }
    previousRank = rank;
    total += amount * rank;
  }
  return wholeSeconds(total, text);
}

/** `HH:MM:SS` or `MM:SS`; returns undefined when the text has no colon form. */
function parseColonOffset(text: string, what: string): number | undefined {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => /^\d+$/.test(p))) return undefined;
  const nums = parts.map(Number);
  if (nums.length === 3) {
    const [h, m, s] = nums as [number, number, number];
    if (m >= 60)
      throw new TimeSyntaxError(`Minutes must be 00–59 in ${what} "${text}" (HH:MM:SS); got ${m}.`);
    if (s >= 60)
      throw new TimeSyntaxError(`Seconds must be 00–59 in ${what} "${text}" (HH:MM:SS); got ${s}.`);
    return h * 3600 + m * 60 + s;
  }
  const [m, s] = nums as [number, number];
  if (s >= 60) throw new TimeSyntaxError(`Seconds must be 00–59 in ${what} "${text}" (MM:SS); got ${s}.`);
  return m * 60 + s;
}

/** A clip length: `90s`, `2m`, `1h30m`, `1.5m`, `01:30`, `00:01:30` or a bare number of seconds. */
export function parseDuration(input: string): number {
  const text = input.trim().toLowerCase();
  if (text === '') throw new TimeSyntaxError(`Missing duration. ${DURATION_EXAMPLES}`);
  if (text.startsWith('-'))
    throw new TimeSyntaxError(`Duration "${input}" is negative. ${DURATION_EXAMPLES}`);
  const seconds = parseColonOffset(text, 'duration') ?? parseUnitAmount(text);
  if (seconds === undefined) throw new TimeSyntaxError(`"${input}" is not a duration. ${DURATION_EXAMPLES}`);
  if (seconds <= 0)
    throw new TimeSyntaxError(`Duration "${input}" is zero; a clip must be at least 1s long.`);
  return seconds;
}

/** SMPTE `HH:MM:SS:FF`. Hours wrap at 24 as in SMPTE 12M, so they run 00–23. */
export function parseTimecode(input: string, frameRate = DEFAULT_FRAME_RATE): Timecode {
  const text = input.trim();
  if (/^\d{1,2}:\d{1,2}:\d{1,2};\d{1,2}$/.test(text)) {
    throw new TimeSyntaxError(
      `"${text}" is a drop-frame timecode (";" before the frames). The Live API documents only ` +
        `HH:MM:SS:FF; write it with ":" as your encoder embeds it, e.g. ${text.replace(';', ':')}.`,
    );
  }
  const match = /^(\d{1,2}):(\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(text);
  if (!match)
    throw new TimeSyntaxError(`"${text}" is not a SMPTE timecode; write HH:MM:SS:FF, e.g. 01:10:18:15.`);
  const [hours, minutes, seconds, frames] = match.slice(1).map(Number) as [number, number, number, number];
  if (hours >= 24) throw new TimeSyntaxError(`Hours must be 00–23 in timecode "${text}"; got ${hours}.`);
  if (minutes >= 60)
    throw new TimeSyntaxError(`Minutes must be 00–59 in timecode "${text}"; got ${minutes}.`);
  if (seconds >= 60)
    throw new TimeSyntaxError(`Seconds must be 00–59 in timecode "${text}"; got ${seconds}.`);
  if (frames >= frameRate) {
    throw new TimeSyntaxError(
      `Frame ${pad2(frames)} is out of range in timecode "${text}": at ${frameRate} fps frames run ` +
        `00–${pad2(frameRate - 1)}.`,
    );
  }
  return { hours, minutes, seconds, frames };
}

/** Seconds since 00:00:00:00, ignoring frames (they stay as they are when a duration is added). */
export function timecodeSeconds(tc: Timecode): number {
  return tc.hours * 3600 + tc.minutes * 60 + tc.seconds;
}

/** Compare two timecodes; negative when a is earlier. */
export function compareTimecodes(a: Timecode, b: Timecode): number {
  return timecodeSeconds(a) - timecodeSeconds(b) || a.frames - b.frames;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})t(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(text: string): number {
  const lower = text.toLowerCase();
  if (/^\d{4}-\d{2}-\d{2}$/.test(lower)) {
    throw new TimeSyntaxError(`"${text}" has no time of day; write e.g. ${text}T10:00:00Z.`);
  }
  const m = ISO_RE.exec(lower);
  if (!m) throw new TimeSyntaxError(`"${text}" is not an ISO-8601 instant; write e.g. 2026-11-21T10:00:00Z.`);
  const [, y, mo, d, h, mi, s = '0', frac, zone] = m;
  if (!zone) {
    throw new TimeSyntaxError(
      `"${text}" has no time zone; add Z for UTC or an offset, e.g. ${text}Z or ${text}+01:00.`,
    );
  }
  if (frac && /[1-9]/.test(frac)) {
    throw new TimeSyntaxError(
      `"${text}" has a fraction of a second; the Live API takes whole seconds. Drop ".${frac}".`,
    );
  }
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as number[];
  const utc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month! - 1 ||
    back.getUTCDate() !== day ||
    hour! > 23 ||
    minute! > 59 ||
    second! > 59
  ) {
    throw new TimeSyntaxError(
      `"${text}" is not a real date and time (check the day, hours, minutes and seconds).`,
    );
  }
  let offsetMin = 0;
  if (zone !== 'z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offsetMin = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3] ?? 0));
  }
  return utc / 1000 - offsetMin * 60;
}

/** Epoch values below this are not plausible clip times (2001-09-09); above the next, they are milliseconds. */
const MIN_EPOCH_SEC = 1_000_000_000;
const MAX_EPOCH_SEC = 99_999_999_999;

function parseEpoch(text: string): number {
  if (text.includes('.')) {
    throw new TimeSyntaxError(`Epoch time "${text}" has a fraction; the Live API takes whole epoch seconds.`);
  }
  const value = Number(text);
  if (value > MAX_EPOCH_SEC) {
    throw new TimeSyntaxError(
      `"${text}" looks like epoch milliseconds; the Live API takes epoch seconds: use ${Math.floor(value / 1000)}.`,
    );
  }
  if (value < MIN_EPOCH_SEC) {
    throw new TimeSyntaxError(
      `"${text}" is ambiguous: write ${text}s for seconds from stream start, or a full epoch-seconds value ` +
        `(10 digits) or an ISO-8601 instant for an absolute time.`,
    );
  }
  return value;
}

/**
 * One bound of a clip window. Four colon-separated fields are a SMPTE timecode, two or three are an offset
 * from stream start, a number with units (`125s`) is an offset too; bare numbers are epoch seconds and
 * anything with a date is ISO-8601.
 */
export function parseClipTime(input: string, frameRate = DEFAULT_FRAME_RATE): ClipTime {
  const text = input.trim();
  if (text === '') throw new TimeSyntaxError(`Missing time. ${TIME_EXAMPLES}`);
  if (text.startsWith('-')) throw new TimeSyntaxError(`Time "${text}" is negative. ${TIME_EXAMPLES}`);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return { kind: 'absolute', text, epochSec: parseIso(text) };
  if (/^\d+(\.\d+)?$/.test(text)) return { kind: 'absolute', text, epochSec: parseEpoch(text) };
  const colons = text.split(/[:;]/).length - 1;
  if (colons === 3) return { kind: 'timecode', text, timecode: parseTimecode(text, frameRate) };
  if (colons > 3) {
    throw new TimeSyntaxError(`"${text}" has too many fields. ${TIME_EXAMPLES}`);
  }
  if (colons > 0) {
    if (text.includes(';')) throw new TimeSyntaxError(`"${text}" is not a time. ${TIME_EXAMPLES}`);
    const seconds = parseColonOffset(text, 'time');
    if (seconds === undefined) throw new TimeSyntaxError(`"${text}" is not a time. ${TIME_EXAMPLES}`);
    return { kind: 'stream', text, seconds };
  }
  const seconds = parseUnitAmount(text.toLowerCase());
  if (seconds === undefined) throw new TimeSyntaxError(`"${text}" is not a time. ${TIME_EXAMPLES}`);
  return { kind: 'stream', text, seconds };
}

/** How a time kind is named in messages. */
export const TIME_KIND_NAMES: Record<ClipTimeKind, string> = {
  timecode: 'a SMPTE timecode',
  stream: 'an offset from stream start',
  absolute: 'an absolute time',
};

export function formatEpoch(epochSec: number): string {
  return new Date(epochSec * 1000).toISOString().replace('.000Z', 'Z');
}
