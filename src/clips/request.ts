/**
 * `/brightcove clip` arguments → a ClipRequest. This is syntax only: whether the window fits the job,
 * the credentials exist or the duration is within the API's limit is `validate.ts`'s job, because those
 * need the live job and the credential list.
 */
import { CLIP_FORMS } from './help.js';
import {
  type ClipTime,
  DEFAULT_FRAME_RATE,
  parseClipTime,
  parseDuration,
  TIME_KIND_NAMES,
  TimeSyntaxError,
} from './time.js';

/** Which input a problem belongs to, so the modal can show it on the right field. */
export type ClipField =
  | 'job'
  | 'mode'
  | 'start'
  | 'end'
  | 'duration'
  | 'name'
  | 'tags'
  | 'destination'
  | 'credentials'
  | 'profile';

export class ClipInputError extends Error {
  override name = 'ClipInputError';
  constructor(
    readonly field: ClipField,
    message: string,
  ) {
    super(message);
  }
}

type ClipWindowSpec =
  /** `last <duration>`: the last seconds up to now (live job) or up to finished_at. */
  | { mode: 'last'; durationSec: number }
  /** `from <time> to <time>`; both bounds are the same kind. */
  | { mode: 'range'; start: ClipTime; end: ClipTime }
  /** `from <time> for <duration>`. */
  | { mode: 'for'; start: ClipTime; durationSec: number }
  /** `to <time> for <duration>`: the duration that ends at a point (a goal at 01:10:18:15, the 30 s before). */
  | { mode: 'until'; end: ClipTime; durationSec: number };

export type ClipDestination =
  | { kind: 'videocloud'; profile?: string }
  | { kind: 's3' | 'ftp'; url: string; credentials?: string };

export interface ClipRequest {
  /** 32-char lowercase hex live job id. */
  jobId: string;
  window: ClipWindowSpec;
  name?: string;
  tags: string[];
  destination: ClipDestination;
}

export interface ClipFlags {
  name?: string;
  tags?: string;
  to?: string;
  credentials?: string;
  profile?: string;
}

const USAGE_HINT = `Usage: ${CLIP_FORMS.join(' | ')}`;

const JOB_ID_RE = /^[0-9a-f]{32}$/;
/** CMS limits: names 1–248 (the stricter of the two documented), tags ≤128 chars, no commas, ≤1200. */
const MAX_NAME_LENGTH = 248;
const MAX_TAG_LENGTH = 128;
const MAX_TAGS = 1200;

function time(text: string | undefined, field: 'start' | 'end', frameRate: number): ClipTime {
  const label = field === 'start' ? 'from' : 'to';
  if (text === undefined) {
    throw new ClipInputError(field, `Missing the time after "${label}". ${USAGE_HINT}`);
  }
  try {
    return parseClipTime(text, frameRate);
  } catch (err) {
    if (err instanceof TimeSyntaxError)
      throw new ClipInputError(field, `Bad "${label}" time: ${err.message}`);
    throw err;
  }
}

function duration(text: string | undefined, after: string): number {
  if (text === undefined) {
    throw new ClipInputError('duration', `Missing the duration after "${after}", e.g. ${after} 90s.`);
  }
  try {
    return parseDuration(text);
  } catch (err) {
    if (err instanceof TimeSyntaxError) throw new ClipInputError('duration', `Bad duration: ${err.message}`);
    throw err;
  }
}

function rejectExtra(rest: string[], after: string): void {
  const extra = rest[0];
  if (extra === undefined) return;
  throw new ClipInputError(
    'mode',
    `Unexpected "${rest.join(' ')}" after "${after}". A clip name goes in --name "…"; ` +
      `options start with --. ${USAGE_HINT}`,
  );
}

function parseJobId(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') {
    throw new ClipInputError('job', `Missing the live job id. ${USAGE_HINT}`);
  }
  const id = raw.trim().toLowerCase();
  if (!JOB_ID_RE.test(id)) {
    throw new ClipInputError(
      'job',
      `"${raw}" is not a live job id: ids are 32 hex characters, e.g. 3ae7fa89943f4a96aa273fbbf175d527. ` +
        'Run /brightcove clip with no arguments to pick a job.',
    );
  }
  return id;
}

function parseWindow(words: string[], frameRate: number): ClipWindowSpec {
  const [keyword, ...rest] = words;
  const word = keyword?.toLowerCase();
  if (word === undefined) {
    throw new ClipInputError(
      'mode',
      'Say which part of the stream to clip: last <duration>, from <time> to <time>, ' +
        'from <time> for <duration>, or to <time> for <duration>.',
    );
  }
  if (word === 'last') {
    const durationSec = duration(rest[0], 'last');
    rejectExtra(rest.slice(1), `last ${rest[0]}`);
    return { mode: 'last', durationSec };
  }
  if (word === 'to') {
    const end = time(rest[0], 'end', frameRate);
    if (rest[1]?.toLowerCase() !== 'for') {
      throw new ClipInputError(
        'mode',
        `"to ${rest[0] ?? ''}" needs a duration before it: add "for <duration>", e.g. to ${rest[0] ?? '01:10:18:15'} for 30s.`,
      );
    }
    const durationSec = duration(rest[2], 'for');
    rejectExtra(rest.slice(3), `for ${rest[2]}`);
    return { mode: 'until', end, durationSec };
  }
  if (word !== 'from') {
    throw new ClipInputError('mode', `Unknown "${keyword}": expected "last", "from" or "to". ${USAGE_HINT}`);
  }
  const start = time(rest[0], 'start', frameRate);
  const connector = rest[1]?.toLowerCase();
  if (connector === undefined) {
    throw new ClipInputError('mode', `"from ${rest[0]}" needs an end: add "to <time>" or "for <duration>".`);
  }
  if (connector === 'for') {
    const durationSec = duration(rest[2], 'for');
    rejectExtra(rest.slice(3), `for ${rest[2]}`);
    return { mode: 'for', start, durationSec };
  }
  if (connector !== 'to') {
    throw new ClipInputError(
      'mode',
      `Unknown "${rest[1]}" after "from ${rest[0]}": expected "to <time>" or "for <duration>".`,
    );
  }
  const end = time(rest[2], 'end', frameRate);
  rejectExtra(rest.slice(3), `to ${rest[2]}`);
  if (start.kind !== end.kind) {
    // The API has three separate field families; no source documents mixing them (reference B1).
    throw new ClipInputError(
      'end',
      `"from ${start.text}" and "to ${end.text}" are different kinds of time (${TIME_KIND_NAMES[start.kind]} vs ` +
        `${TIME_KIND_NAMES[end.kind]}); ` +
        'use the same kind for both, e.g. from 00:02:00 to 00:03:00, or from 2026-11-21T10:00:00Z to ' +
        '2026-11-21T10:01:00Z.',
    );
  }
  return { mode: 'range', start, end };
}

function parseName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = raw.trim();
  if (name === '')
    throw new ClipInputError('name', '--name is empty; give the clip a name, e.g. --name "Goal 1".');
  if (name.length > MAX_NAME_LENGTH) {
    throw new ClipInputError(
      'name',
      `--name is ${name.length} characters; Video Cloud allows at most ${MAX_NAME_LENGTH}. Shorten it.`,
    );
  }
  return name;
}

function parseTags(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const part of raw.split(',')) {
    const tag = part.trim();
    if (tag === '') continue;
    if (tag.length > MAX_TAG_LENGTH) {
      throw new ClipInputError(
        'tags',
        `Tag "${tag.slice(0, 20)}…" is ${tag.length} characters; Video Cloud tags are at most ${MAX_TAG_LENGTH}.`,
      );
    }
    // Video Cloud merges tags that differ only in case; sending both would just be noise.
    const key = tag.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  if (tags.length === 0) {
    throw new ClipInputError(
      'tags',
      '--tags has no tags; write them comma-separated, e.g. --tags goal,highlights.',
    );
  }
  if (tags.length > MAX_TAGS) {
    throw new ClipInputError(
      'tags',
      `--tags has ${tags.length} tags; Video Cloud allows at most ${MAX_TAGS}.`,
    );
  }
  return tags;
}

function parseDestination(flags: ClipFlags): ClipDestination {
  const raw = flags.to?.trim();
  const credentials = flags.credentials?.trim();
  const profile = flags.profile?.trim();
  if (credentials === '') {
    throw new ClipInputError(
      'credentials',
      '--credentials is empty; give the label of a stored Live credential.',
    );
  }
  if (profile === '') {
    throw new ClipInputError('profile', '--profile is empty; give an ingest profile id, or omit it.');
  }
  if (raw === undefined || raw === '' || raw.toLowerCase() === 'videocloud') {
    if (credentials !== undefined) {
      // Pitfall 7: credentials must not be sent for the Video Cloud account linked to the Live account.
      throw new ClipInputError(
        'credentials',
        '--credentials only applies to s3:// and ftp:// destinations; Video Cloud clips go to the account ' +
          'linked to the Live account. Remove --credentials.',
      );
    }
    return profile === undefined ? { kind: 'videocloud' } : { kind: 'videocloud', profile };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== 's3' && scheme !== 'ftp') {
    throw new ClipInputError(
      'destination',
      `Unknown destination "${raw}": use --to videocloud, --to s3://bucket/path/clip.mp4 or ` +
        '--to ftp://host/path/clip.mp4.',
    );
  }
  if (profile !== undefined) {
    throw new ClipInputError(
      'profile',
      '--profile is a Video Cloud ingest profile; it does not apply to s3:// or ftp:// destinations. Remove it.',
    );
  }
  return credentials === undefined ? { kind: scheme, url: raw } : { kind: scheme, url: raw, credentials };
}

/**
 * Parse the words after `clip` (already tokenized, quotes removed) and the option flags.
 * Throws ClipInputError naming the field at fault.
 */
export function parseClipArgs(
  positionals: string[],
  flags: ClipFlags,
  opts: { frameRate?: number } = {},
): ClipRequest {
  const jobId = parseJobId(positionals[0]);
  const window = parseWindow(positionals.slice(1), opts.frameRate ?? DEFAULT_FRAME_RATE);
  const name = parseName(flags.name);
  const tags = parseTags(flags.tags);
  const destination = parseDestination(flags);
  return name === undefined
    ? { jobId, window, tags, destination }
    : { jobId, window, name, tags, destination };
}
