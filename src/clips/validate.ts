/**
 * Checks a parsed clip request against the live job and the stored credentials before anything is
 * created, so the operator hears "why" and "how to fix it" instead of the Live API's bare
 * `{"error":"Invalid input value"}` (reference B9). Rules come from reference B1, B6, B8 and B10.
 */
import { registerSecret } from '../log.js';
import { type ClipDestination, type ClipField, ClipInputError, type ClipRequest } from './request.js';
import {
  type ClipTime,
  compareTimecodes,
  formatDuration,
  formatEpoch,
  formatOffset,
  formatTimecode,
  type Timecode,
  timecodeSeconds,
} from './time.js';

/**
 * The parts of a Live job (`GET /v1/jobs/{id}` → `job`, reference B6) that decide what can be clipped.
 * Field names follow the API so the Live client's parsed job can be passed as it is.
 */
export interface LiveJobInfo {
  id: string;
  state: string;
  /** ISO-8601; precedes the encoder connecting (pitfall 2). */
  created_at: string;
  /** ISO-8601, null while the job is live. */
  finished_at?: string | null;
  /** Epoch ms, newest first. */
  state_history?: { state: string; transition_timestamp: number }[];
  stream?: { created_at?: string | null; finished_at?: string | null } | null;
}

/** An item of `GET /v1/credentials` (the list uses `label`/`type`, reference B8). */
export interface LiveCredentialInfo {
  label: string;
  type?: string;
  defaultForType?: boolean;
}

export interface ValidateContext {
  /** undefined when the Live API does not know the job. */
  job: LiveJobInfo | undefined;
  /** Required when the request names `--credentials`; see `needsCredentialList`. */
  credentials?: LiveCredentialInfo[];
  now: Date;
  /** The API's `duration` maximum (reference B10). */
  maxDurationSec?: number;
  /** Clipping is possible up to 7 days after the event (reference B1). */
  retentionDays?: number;
}

const MAX_CLIP_DURATION_SEC = 172_800;
const CLIP_RETENTION_DAYS = 7;

/** The window in the one API field family it will be sent as. */
export type ResolvedWindow =
  | { kind: 'last'; durationSec: number }
  | { kind: 'stream'; startSec: number; endSec: number }
  | { kind: 'absolute'; startEpochSec: number; endEpochSec: number }
  | { kind: 'timecode'; start: string; end: string };

export interface ValidatedClip {
  jobId: string;
  window: ResolvedWindow;
  /** `--name`, or a descriptive default. */
  name: string;
  tags: string[];
  destination: ClipDestination;
  /** Things that will not fail but may surprise (truncation, a non-MP4 file name). */
  warnings: string[];
  /** The live job was still live when checked: a "last N" window then ends at the moment of sending. */
  jobLive: boolean;
}

export type ClipValidation = { ok: true; clip: ValidatedClip } | { ok: false; errors: ClipInputError[] };

export function needsCredentialList(req: ClipRequest): boolean {
  return req.destination.kind !== 'videocloud' && req.destination.credentials !== undefined;
}

const DAY_MS = 86_400_000;

function describeWindow(w: ResolvedWindow): string {
  switch (w.kind) {
    case 'last':
      return `last ${formatDuration(w.durationSec)}`;
    case 'stream':
      return `${formatOffset(w.startSec)}–${formatOffset(w.endSec)}`;
    case 'absolute':
      return `${formatEpoch(w.startEpochSec)}–${formatEpoch(w.endEpochSec)}`;
    case 'timecode':
      return `TC ${w.start}–${w.end}`;
  }
}

function defaultClipName(jobId: string, w: ResolvedWindow): string {
  return `Clip of live job ${jobId.slice(0, 8)} (${describeWindow(w)})`;
}

/** Where "stream start" is anchored: not named by the docs, so this is the inferred order from B6. */
function streamStartMs(job: LiveJobInfo): number {
  const streamCreated = job.stream?.created_at ? Date.parse(job.stream.created_at) : Number.NaN;
  if (Number.isFinite(streamCreated)) return streamCreated;
  const processing = (job.state_history ?? [])
    .filter((h) => h.state === 'processing')
    .map((h) => h.transition_timestamp);
  if (processing.length > 0) return Math.min(...processing);
  return Date.parse(job.created_at);
}

interface Collector {
  errors: ClipInputError[];
  warnings: string[];
  fail(field: ClipField, message: string): void;
}

function collector(): Collector {
  const errors: ClipInputError[] = [];
  return { errors, warnings: [], fail: (field, message) => errors.push(new ClipInputError(field, message)) };
}

const durationText = (sec: number): string => `${formatDuration(sec)} (${sec}s)`;

function mixedKinds(c: Collector): undefined {
  c.fail('end', 'The start and end are different kinds of time; use the same kind for both.');
  return undefined;
}

/** Resolves `for` forms to a pair and checks order and length; undefined when it cannot be resolved. */
function resolveWindow(req: ClipRequest, max: number, c: Collector): ResolvedWindow | undefined {
  const w = req.window;
  const tooLong = (sec: number, field: ClipField) =>
    c.fail(
      field,
      `The clip would be ${durationText(sec)}; the Live API's maximum is ${durationText(max)}. ` +
        'Shorten the window or split it into several clips.',
    );
  if (w.mode === 'last') {
    if (w.durationSec > max) tooLong(w.durationSec, 'duration');
    return { kind: 'last', durationSec: w.durationSec };
  }
  if (w.mode === 'until') return resolveUntil(w.end, w.durationSec, max, c);
  const start = w.start;
  const endField: ClipField = w.mode === 'for' ? 'duration' : 'end';
  if (start.kind === 'timecode') {
    let endTc: Timecode;
    if (w.mode === 'for') {
      const endSec = timecodeSeconds(start.timecode) + w.durationSec;
      if (endSec >= DAY_MS / 1000) {
        c.fail(
          'duration',
          `From ${formatTimecode(start.timecode)} for ${formatDuration(w.durationSec)} runs past 23:59:59; ` +
            'timecodes wrap at midnight, so split the clip at 00:00:00:00.',
        );
        return undefined;
      }
      endTc = {
        hours: Math.floor(endSec / 3600),
        minutes: Math.floor((endSec % 3600) / 60),
        seconds: endSec % 60,
        frames: start.timecode.frames,
      };
    } else {
      if (w.end.kind !== 'timecode') return mixedKinds(c);
      endTc = w.end.timecode;
      const cmp = compareTimecodes(endTc, start.timecode);
      if (cmp <= 0) {
        c.fail(
          'end',
          `${cmp === 0 ? 'The end timecode is the same as the start' : 'The end timecode is before the start'} ` +
            `(${formatTimecode(start.timecode)} → ${formatTimecode(endTc)}). Put the earlier timecode after ` +
            '"from"; a clip that crosses midnight must be split at 00:00:00:00.',
        );
        return undefined;
      }
    }
    const sec = timecodeSeconds(endTc) - timecodeSeconds(start.timecode);
    if (sec > max) tooLong(sec, endField);
    return { kind: 'timecode', start: formatTimecode(start.timecode), end: formatTimecode(endTc) };
  }
  const startValue = start.kind === 'stream' ? start.seconds : start.epochSec;
  let endValue: number;
  if (w.mode === 'for') {
    endValue = startValue + w.durationSec;
  } else {
    if (w.end.kind === 'timecode' || w.end.kind !== start.kind) return mixedKinds(c);
    endValue = w.end.kind === 'stream' ? w.end.seconds : w.end.epochSec;
    if (endValue <= startValue) {
      c.fail(
        'end',
        `${endValue === startValue ? 'The end is the same as the start' : 'The end is before the start'} ` +
          `("from ${start.text} to ${w.end.text}"). Swap them, or use "from ${start.text} for <duration>".`,
      );
      return undefined;
    }
  }
  if (endValue - startValue > max) tooLong(endValue - startValue, endField);
  return start.kind === 'stream'
    ? { kind: 'stream', startSec: startValue, endSec: endValue }
    : { kind: 'absolute', startEpochSec: startValue, endEpochSec: endValue };
}

/**
 * `to <time> for <duration>` as the pair it means: start = end − duration, in the end's kind of time.
 * Sending the pair (the API would take the end and the duration too) lets every window check run first.
 */
function resolveUntil(
  end: ClipTime,
  durationSec: number,
  max: number,
  c: Collector,
): ResolvedWindow | undefined {
  if (durationSec > max) {
    c.fail(
      'duration',
      `The clip would be ${durationText(durationSec)}; the Live API's maximum is ${durationText(max)}. ` +
        'Shorten the window or split it into several clips.',
    );
  }
  if (end.kind === 'timecode') {
    const startSec = timecodeSeconds(end.timecode) - durationSec;
    if (startSec < 0) {
      c.fail(
        'duration',
        `${formatDuration(durationSec)} to ${formatTimecode(end.timecode)} starts before 00:00:00:00; ` +
          'timecodes wrap at midnight, so split the clip there.',
      );
      return undefined;
    }
    const start: Timecode = {
      hours: Math.floor(startSec / 3600),
      minutes: Math.floor((startSec % 3600) / 60),
      seconds: startSec % 60,
      frames: end.timecode.frames,
    };
    return { kind: 'timecode', start: formatTimecode(start), end: formatTimecode(end.timecode) };
  }
  if (end.kind === 'stream') {
    if (end.seconds - durationSec < 0) {
      c.fail(
        'duration',
        `${formatDuration(durationSec)} to ${end.text} starts before the stream did (it is only ${formatOffset(end.seconds)} in). ` +
          `Shorten the duration to at most ${formatDuration(end.seconds)}.`,
      );
      return undefined;
    }
    return { kind: 'stream', startSec: end.seconds - durationSec, endSec: end.seconds };
  }
  return { kind: 'absolute', startEpochSec: end.epochSec - durationSec, endEpochSec: end.epochSec };
}

function checkJob(
  jobId: string,
  job: LiveJobInfo | undefined,
  w: ResolvedWindow | undefined,
  ctx: ValidateContext,
  c: Collector,
): void {
  if (!job) {
    c.fail(
      'job',
      `No live job ${jobId} in this Brightcove Live account. Check the id, or run /brightcove clip with no ` +
        'arguments to pick from active and recent jobs.',
    );
    return;
  }
  const nowMs = ctx.now.getTime();
  const retentionDays = ctx.retentionDays ?? CLIP_RETENTION_DAYS;
  const createdMs = Date.parse(job.created_at);
  const finishedMs = job.finished_at ? Date.parse(job.finished_at) : undefined;
  if (finishedMs !== undefined && nowMs - finishedMs > retentionDays * DAY_MS) {
    const days = Math.floor((nowMs - finishedMs) / DAY_MS);
    c.fail(
      'job',
      `Live job ${jobId} finished ${formatEpoch(finishedMs / 1000)} (${days} days ago); Brightcove keeps its media ` +
        `for clipping only ${retentionDays} days after the event, so it can no longer be clipped.`,
    );
    return;
  }
  if (finishedMs === undefined && job.state === 'waiting') {
    c.fail(
      'job',
      `Live job ${jobId} is still waiting for its encoder to connect, so there is nothing to clip yet. ` +
        'Start the encoder, then try again.',
    );
    return;
  }
  if (!w) return;
  const live = finishedMs === undefined;
  const endMs = finishedMs ?? nowMs;
  const until = live ? `now (${formatEpoch(nowMs / 1000)})` : `it finished (${formatEpoch(endMs / 1000)})`;
  if (w.kind === 'absolute') {
    if (w.startEpochSec * 1000 < createdMs) {
      c.fail(
        'start',
        `The clip starts at ${formatEpoch(w.startEpochSec)}, before live job ${jobId} was created ` +
          `(${job.created_at}). Clip between ${job.created_at} and ${until}.`,
      );
    } else if (live && w.startEpochSec * 1000 < nowMs - retentionDays * DAY_MS) {
      c.fail(
        'start',
        `The clip starts at ${formatEpoch(w.startEpochSec)}, more than ${retentionDays} days ago; Brightcove keeps ` +
          `live media for clipping only ${retentionDays} days. Choose a later start.`,
      );
    }
    if (w.endEpochSec * 1000 > endMs) {
      c.fail(
        'end',
        live
          ? `The clip ends at ${formatEpoch(w.endEpochSec)}, which is in the future; live job ${jobId} can be ` +
              `clipped up to ${until}. Use an earlier end, or "last <duration>".`
          : `The clip ends at ${formatEpoch(w.endEpochSec)}, after live job ${jobId} finished ` +
              `(${formatEpoch(endMs / 1000)}). Clip between ${job.created_at} and ${formatEpoch(endMs / 1000)}.`,
      );
    }
    return;
  }
  // Stream offsets and `last` beyond the available media are truncated by the API, not rejected (B1).
  const availableSec = Math.max(0, Math.floor((endMs - streamStartMs(job)) / 1000));
  const soFar = live ? ' so far' : '';
  if (w.kind === 'stream') {
    if (w.startSec >= availableSec) {
      c.fail(
        'start',
        `The clip starts ${formatOffset(w.startSec)} into the stream, but the stream is only ` +
          `${formatOffset(availableSec)} long${soFar}. Choose a start before ${formatOffset(availableSec)}.`,
      );
    } else if (w.endSec > availableSec) {
      c.warnings.push(
        `The stream is only ${formatOffset(availableSec)} long${soFar}; the clip will end there ` +
          `(${formatOffset(w.startSec)}–${formatOffset(availableSec)}).`,
      );
    }
  } else if (w.kind === 'last' && w.durationSec > availableSec) {
    c.warnings.push(
      `The stream is only ${formatDuration(availableSec)} long${soFar}; the clip will be shorter than ` +
        `${formatDuration(w.durationSec)}.`,
    );
  }
}

function checkDestination(d: ClipDestination, ctx: ValidateContext, c: Collector): void {
  if (d.kind === 'videocloud') return;
  let url: URL;
  try {
    url = new URL(d.url);
  } catch {
    c.fail('destination', `"${d.url}" is not a valid URL; write e.g. ${d.kind}://host/path/clip.mp4.`);
    return;
  }
  if (url.password) {
    registerSecret(decodeURIComponent(url.password));
    c.warnings.push(
      'The FTP password is written in the URL; store it as a Live credential and use --credentials <label> instead.',
    );
  }
  const where = d.kind === 's3' ? 'bucket' : 'host';
  if (url.hostname === '') {
    c.fail('destination', `${d.kind}:// URL has no ${where}; write e.g. ${d.kind}://${where}/path/clip.mp4.`);
    return;
  }
  const path = url.pathname;
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  if (fileName === '') {
    const base = `${d.kind}://${url.host}${path.endsWith('/') ? path : `${path}/`}`;
    c.fail(
      'destination',
      `${redactUrl(d.url)} has no file name; the Live API writes the clip to exactly this URL. ` +
        `End it with the file to create, e.g. ${base}clip.mp4.`,
    );
    return;
  }
  if (!/\.mp4$/i.test(fileName)) {
    c.warnings.push(`Clips are always MP4 files, but the file name "${fileName}" does not end in .mp4.`);
  }
  if (d.credentials === undefined) return;
  if (!ctx.credentials) {
    throw new Error('validateClip: the request names --credentials but no credential list was given');
  }
  const found = ctx.credentials.find((cred) => cred.label === d.credentials);
  if (!found) {
    const known = ctx.credentials.map((cred) => cred.label);
    const list = known.length === 0 ? 'none are stored' : `known labels: ${known.slice(0, 10).join(', ')}`;
    c.fail(
      'credentials',
      `No Live credential labelled "${d.credentials}" (${list}). Check the label, or store one with ` +
        'POST /v1/credentials.',
    );
    return;
  }
  if (found.type !== undefined && found.type !== d.kind) {
    c.fail(
      'credentials',
      `Credential "${found.label}" has type ${found.type}, but the destination is ${d.kind}://. ` +
        `Choose a credential of type ${d.kind}.`,
    );
  }
}

/** Replaces a password in a URL with *** for messages. */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^@/]*@/i, '$1:***@');
}

export function validateClip(req: ClipRequest, ctx: ValidateContext): ClipValidation {
  const c = collector();
  const window = resolveWindow(req, ctx.maxDurationSec ?? MAX_CLIP_DURATION_SEC, c);
  checkJob(req.jobId, ctx.job, window, ctx, c);
  checkDestination(req.destination, ctx, c);
  if (c.errors.length > 0 || !window) {
    return { ok: false, errors: c.errors };
  }
  const clip: ValidatedClip = {
    jobId: req.jobId,
    window,
    name: req.name ?? defaultClipName(req.jobId, window),
    tags: req.tags,
    destination: req.destination,
    warnings: c.warnings,
    jobLive: !ctx.job?.finished_at,
  };
  return { ok: true, clip };
}
