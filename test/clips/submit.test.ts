import { describe, expect, it } from 'vitest';
import { type ClipFlags, ClipInputError, parseClipArgs } from '../../src/clips/request.js';
import { submitClip } from '../../src/clips/submit.js';
import type { VodCreateBody } from '../../src/clips/vod-body.js';
import { maskSecrets } from '../../src/log.js';
import {
  CHANNEL_ID,
  epoch,
  FINISHED_ID,
  fakeApi,
  LIVE_ID,
  NOW,
  OLD_ID,
  UNKNOWN_ID,
  WAITING_ID,
} from './fixtures.js';

const newId = () => 'fixed-id-1';
const REF = 'bcops-clip-fixed-id-1';

/** The whole path a command takes: parse, look up, validate, create. */
async function run(positionals: string[], flags: ClipFlags = {}, notificationUrl?: string) {
  const api = fakeApi();
  try {
    const req = parseClipArgs(positionals, flags);
    const result = await submitClip(req, {
      api,
      now: NOW,
      newId,
      ...(notificationUrl ? { notificationUrl } : {}),
    });
    return { api, result, stage: 'validate' as const };
  } catch (err) {
    if (!(err instanceof ClipInputError)) throw err;
    return { api, result: { ok: false as const, errors: [err] }, stage: 'parse' as const };
  }
}

const vc = (name: string, tags?: string[]) => ({
  videocloud: { video: { name, reference_id: REF, ...(tags ? { tags } : {}) } },
});

interface GoodCase {
  name: string;
  args: string[];
  flags?: ClipFlags;
  notificationUrl?: string;
  output: Record<string, unknown>;
  jobId?: string;
}

const good: GoodCase[] = [
  {
    name: 'last <duration> on a live job',
    args: [LIVE_ID, 'last', '90s'],
    flags: { name: 'Goal 1', tags: 'goal, live,Goal' },
    output: { label: 'Goal 1', duration: 90, ...vc('Goal 1', ['goal', 'live']) },
  },
  {
    name: 'last with compound duration, default name',
    args: [LIVE_ID, 'last', '1h30m'],
    output: {
      label: `Clip of live job 3ae7fa89 (last 1h30m)`,
      duration: 5400,
      ...vc('Clip of live job 3ae7fa89 (last 1h30m)'),
    },
  },
  {
    name: 'last with a bare number of seconds on a finished job',
    args: [FINISHED_ID, 'last', '90'],
    flags: { name: 'n' },
    output: { label: 'n', duration: 90, ...vc('n') },
  },
  {
    name: 'from HH:MM:SS to HH:MM:SS (stream start)',
    args: [LIVE_ID, 'from', '00:02:00', 'to', '00:03:00'],
    flags: { name: 'n' },
    output: { label: 'n', stream_start_time: 120, stream_end_time: 180, ...vc('n') },
  },
  {
    name: 'from MM:SS to MM:SS',
    args: [LIVE_ID, 'from', '02:05', 'to', '03:10'],
    flags: { name: 'n' },
    output: { label: 'n', stream_start_time: 125, stream_end_time: 190, ...vc('n') },
  },
  {
    name: 'from 125s for 60s (stream start + duration is sent as a pair)',
    args: [LIVE_ID, 'from', '125s', 'for', '60s'],
    flags: { name: 'n' },
    output: { label: 'n', stream_start_time: 125, stream_end_time: 185, ...vc('n') },
  },
  {
    name: 'from 2m to 3m',
    args: [LIVE_ID, 'from', '2m', 'to', '3m'],
    flags: { name: 'n' },
    output: { label: 'n', stream_start_time: 120, stream_end_time: 180, ...vc('n') },
  },
  {
    name: 'from ISO to ISO (absolute)',
    args: [LIVE_ID, 'from', '2026-11-21T10:00:00Z', 'to', '2026-11-21T10:05:00Z'],
    flags: { name: 'n' },
    output: {
      label: 'n',
      start_time: epoch('2026-11-21T10:00:00Z'),
      end_time: epoch('2026-11-21T10:05:00Z'),
      ...vc('n'),
    },
  },
  {
    name: 'from ISO with offset for duration',
    args: [LIVE_ID, 'from', '2026-11-21T11:00:00+01:00', 'for', '2m'],
    flags: { name: 'n' },
    output: {
      label: 'n',
      start_time: epoch('2026-11-21T10:00:00Z'),
      end_time: epoch('2026-11-21T10:02:00Z'),
      ...vc('n'),
    },
  },
  {
    name: 'from epoch to epoch on a finished job',
    args: [
      FINISHED_ID,
      'from',
      String(epoch('2026-11-20T08:10:00Z')),
      'to',
      String(epoch('2026-11-20T08:20:00Z')),
    ],
    flags: { name: 'n' },
    output: {
      label: 'n',
      start_time: epoch('2026-11-20T08:10:00Z'),
      end_time: epoch('2026-11-20T08:20:00Z'),
      ...vc('n'),
    },
  },
  {
    name: 'from SMPTE to SMPTE',
    args: [LIVE_ID, 'from', '01:10:18:15', 'to', '01:11:08:15'],
    flags: { name: 'n' },
    output: {
      label: 'n',
      stream_start_timecode: '01:10:18:15',
      stream_end_timecode: '01:11:08:15',
      ...vc('n'),
    },
  },
  {
    name: 'from SMPTE (single-digit hour) for a duration keeps the frames',
    args: [LIVE_ID, 'from', '1:10:18:15', 'for', '50s'],
    flags: { name: 'n' },
    output: {
      label: 'n',
      stream_start_timecode: '01:10:18:15',
      stream_end_timecode: '01:11:08:15',
      ...vc('n'),
    },
  },
  {
    name: 'to SMPTE for a duration: the 30 s before a point (issue 18 item 5)',
    args: [LIVE_ID, 'to', '01:10:18:15', 'for', '30s'],
    flags: { name: 'n' },
    output: {
      label: 'n',
      stream_start_timecode: '01:09:48:15',
      stream_end_timecode: '01:10:18:15',
      ...vc('n'),
    },
  },
  {
    name: 'to a stream time for a duration',
    args: [LIVE_ID, 'to', '00:03:00', 'for', '1m'],
    flags: { name: 'n' },
    output: { label: 'n', stream_start_time: 120, stream_end_time: 180, ...vc('n') },
  },
  {
    name: 'to an instant for a duration',
    args: [LIVE_ID, 'to', '2026-11-21T10:05:00Z', 'for', '5m'],
    flags: { name: 'n' },
    output: {
      label: 'n',
      start_time: epoch('2026-11-21T10:00:00Z'),
      end_time: epoch('2026-11-21T10:05:00Z'),
      ...vc('n'),
    },
  },
  {
    name: 'Video Cloud with an ingest profile and a notification URL',
    args: [LIVE_ID, 'last', '2m'],
    flags: { name: 'n', to: 'videocloud', profile: 'multi-platform-standard-static' },
    notificationUrl: 'https://ops.example.com/hooks/live/s3cr3t',
    output: {
      label: 'n',
      duration: 120,
      videocloud: {
        video: { name: 'n', reference_id: REF },
        ingest: { profile: 'multi-platform-standard-static' },
      },
      notifications: ['https://ops.example.com/hooks/live/s3cr3t'],
    },
  },
  {
    name: 'S3 with stored credentials (no videocloud, no reference id)',
    args: [LIVE_ID, 'last', '2m'],
    flags: { name: 'n', to: 's3://my-bucket/clips/last.mp4', credentials: 's3-clips' },
    output: { label: 'n', duration: 120, url: 's3://my-bucket/clips/last.mp4', credentials: 's3-clips' },
  },
  {
    name: 'FTP with stored credentials',
    args: [LIVE_ID, 'from', '00:01:00', 'to', '00:02:00'],
    flags: { name: 'n', to: 'ftp://ftp.example.com/in/clip.mp4', credentials: 'ftp-archive' },
    output: {
      label: 'n',
      stream_start_time: 60,
      stream_end_time: 120,
      url: 'ftp://ftp.example.com/in/clip.mp4',
      credentials: 'ftp-archive',
    },
  },
  {
    name: 'uppercase job id is normalised',
    args: [LIVE_ID.toUpperCase(), 'last', '10s'],
    flags: { name: 'n' },
    output: { label: 'n', duration: 10, ...vc('n') },
    jobId: LIVE_ID,
  },
];

describe('clip commands → POST /v1/vods body', () => {
  it.each(good)('$name', async (c) => {
    const { api, result } = await run(c.args, c.flags, c.notificationUrl);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const expected: VodCreateBody = {
      live_job_id: c.jobId ?? (c.args[0] as string),
      outputs: [c.output as unknown as VodCreateBody['outputs'][number]],
    };
    expect(api.createVods).toHaveBeenCalledTimes(1);
    expect(api.createVods.mock.calls[0]?.[0]).toEqual(expected);
    if (result.ok) {
      expect(result.jvodId).toBe('9582606c50d84be5ad4bc104f2aa3360');
      expect(result.referenceId).toBe(c.flags?.to?.includes('://') ? undefined : REF);
    }
    // Credentials are only listed when a label must be checked.
    expect(api.listCredentials).toHaveBeenCalledTimes(c.flags?.credentials ? 1 : 0);
  });
});

interface BadCase {
  args: string[];
  flags?: ClipFlags;
  field: string;
  message: string;
  /** parse: no API call at all; validate: lookups allowed, never a create. */
  stage: 'parse' | 'validate';
}

const J = LIVE_ID;
const bad: BadCase[] = [
  {
    args: [],
    field: 'job',
    message: 'Missing the live job id. Usage: clip <live-job-id> last',
    stage: 'parse',
  },
  {
    args: ['abc', 'last', '90s'],
    field: 'job',
    message: '"abc" is not a live job id: ids are 32 hex',
    stage: 'parse',
  },
  {
    args: [J],
    field: 'mode',
    message: 'Say which part of the stream to clip: last <duration>',
    stage: 'parse',
  },
  {
    args: [J, 'between', '1', '2'],
    field: 'mode',
    message: 'Unknown "between": expected "last", "from" or "to"',
    stage: 'parse',
  },
  {
    args: [J, 'last'],
    field: 'duration',
    message: 'Missing the duration after "last", e.g. last 90s',
    stage: 'parse',
  },
  {
    args: [J, 'last', '0s'],
    field: 'duration',
    message: 'Duration "0s" is zero; a clip must be at least 1s',
    stage: 'parse',
  },
  { args: [J, 'last', '-5s'], field: 'duration', message: 'Duration "-5s" is negative', stage: 'parse' },
  {
    args: [J, 'last', '5d'],
    field: 'duration',
    message: 'Unknown unit "d" in "5d": use h, m or s',
    stage: 'parse',
  },
  {
    args: [J, 'last', '30m1h'],
    field: 'duration',
    message: 'largest first (e.g. 1h30m, not 30m1h)',
    stage: 'parse',
  },
  {
    args: [J, 'last', '1h75m'],
    field: 'duration',
    message: '"75m" in "1h75m" is 60 or more; carry it into h (e.g. 2h15m)',
    stage: 'parse',
  },
  {
    args: [J, 'last', '1m90s'],
    field: 'duration',
    message: '"90s" in "1m90s" is 60 or more; carry it into m (e.g. 2m30s)',
    stage: 'parse',
  },
  {
    args: [J, 'last', '1.5s'],
    field: 'duration',
    message: '"1.5s" is not a whole number of seconds',
    stage: 'parse',
  },
  {
    args: [J, 'last', 'soon'],
    field: 'duration',
    message: '"soon" is not a duration. Write it like 90s',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s', 'Goal'],
    field: 'mode',
    message: 'Unexpected "Goal" after "last 90s". A clip name goes in --name',
    stage: 'parse',
  },
  {
    args: [J, 'from', '00:02:00'],
    field: 'mode',
    message: '"from 00:02:00" needs an end: add "to <time>" or "for <duration>"',
    stage: 'parse',
  },
  {
    args: [J, 'from', '00:02:00', 'until', '00:03:00'],
    field: 'mode',
    message: 'Unknown "until" after "from 00:02:00"',
    stage: 'parse',
  },
  {
    args: [J, 'to', '00:02:00'],
    field: 'mode',
    message: '"to 00:02:00" needs a duration before it: add "for <duration>", e.g. to 00:02:00 for 30s.',
    stage: 'parse',
  },
  {
    args: [J, 'to', '00:02:00', 'for', '3m'],
    field: 'duration',
    message:
      '3m to 00:02:00 starts before the stream did (it is only 02:00 in). Shorten the duration to at most 2m.',
    stage: 'validate',
  },
  {
    args: [J, 'to', '00:00:10:00', 'for', '1m'],
    field: 'duration',
    message: 'starts before 00:00:00:00; timecodes wrap at midnight',
    stage: 'validate',
  },
  {
    args: [J, 'from', '00:02:00', 'to'],
    field: 'end',
    message: 'Missing the time after "to"',
    stage: 'parse',
  },
  {
    args: [J, 'from', '125s', 'for'],
    field: 'duration',
    message: 'Missing the duration after "for"',
    stage: 'parse',
  },
  {
    args: [J, 'from', '00:02:00', 'to', '00:03:00', 'extra'],
    field: 'mode',
    message: 'Unexpected "extra" after "to 00:03:00"',
    stage: 'parse',
  },
  {
    args: [J, 'from', '00:61:00', 'to', '00:62:00'],
    field: 'start',
    message: 'Bad "from" time: Minutes must be 00–59 in time "00:61:00" (HH:MM:SS); got 61.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '00:02:00', 'to', '00:02:75'],
    field: 'end',
    message: 'Bad "to" time: Seconds must be 00–59 in time "00:02:75" (HH:MM:SS); got 75.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '02:75', 'to', '03:00'],
    field: 'start',
    message: 'Seconds must be 00–59 in time "02:75" (MM:SS); got 75.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '01:10:18:30', 'to', '01:11:08:15'],
    field: 'start',
    message: 'Frame 30 is out of range in timecode "01:10:18:30": at 30 fps frames run 00–29.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '24:00:00:00', 'to', '24:00:10:00'],
    field: 'start',
    message: 'Hours must be 00–23 in timecode "24:00:00:00"; got 24.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '01:60:00:00', 'to', '01:61:00:00'],
    field: 'start',
    message: 'Minutes must be 00–59 in timecode "01:60:00:00"; got 60.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '01:00:00:00', 'to', '01:00:60:00'],
    field: 'end',
    message: 'Seconds must be 00–59 in timecode "01:00:60:00"; got 60.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '01:10:18;15', 'to', '01:11:08;15'],
    field: 'start',
    message: 'is a drop-frame timecode (";" before the frames). The Live API documents only HH:MM:SS:FF',
    stage: 'parse',
  },
  {
    args: [J, 'from', '1:2:3:4:5', 'to', '1:2:3:4:6'],
    field: 'start',
    message: '"1:2:3:4:5" has too many fields.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '90', 'to', '150'],
    field: 'start',
    message: '"90" is ambiguous: write 90s for seconds from stream start, or a full epoch-seconds value',
    stage: 'parse',
  },
  {
    args: [J, 'from', '1795255200000', 'to', '1795255260000'],
    field: 'start',
    message:
      '"1795255200000" looks like epoch milliseconds; the Live API takes epoch seconds: use 1795255200.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '1795255200.5', 'for', '60s'],
    field: 'start',
    message: 'Epoch time "1795255200.5" has a fraction',
    stage: 'parse',
  },
  {
    args: [J, 'from', '2026-11-21T10:00:00', 'to', '2026-11-21T10:01:00Z'],
    field: 'start',
    message: '"2026-11-21T10:00:00" has no time zone; add Z for UTC or an offset',
    stage: 'parse',
  },
  {
    args: [J, 'from', '2026-11-21', 'to', '2026-11-22'],
    field: 'start',
    message: '"2026-11-21" has no time of day; write e.g. 2026-11-21T10:00:00Z.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '2026-02-30T10:00:00Z', 'for', '1m'],
    field: 'start',
    message: '"2026-02-30T10:00:00Z" is not a real date and time',
    stage: 'parse',
  },
  {
    args: [J, 'from', '2026-11-21T10:00:00.5Z', 'for', '1m'],
    field: 'start',
    message: 'has a fraction of a second; the Live API takes whole seconds. Drop ".5".',
    stage: 'parse',
  },
  {
    args: [J, 'from', '2026-11-21T10:00Z+', 'for', '1m'],
    field: 'start',
    message: 'is not an ISO-8601 instant; write e.g. 2026-11-21T10:00:00Z.',
    stage: 'parse',
  },
  {
    args: [J, 'from', '00:02:00', 'to', '2026-11-21T10:03:00Z'],
    field: 'end',
    message:
      'are different kinds of time (an offset from stream start vs an absolute time); use the same kind',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { name: '  ' },
    field: 'name',
    message: '--name is empty; give the clip a name',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { name: 'x'.repeat(249) },
    field: 'name',
    message: '--name is 249 characters; Video Cloud allows at most 248',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { tags: ' , ' },
    field: 'tags',
    message: '--tags has no tags',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { tags: `ok,${'t'.repeat(129)}` },
    field: 'tags',
    message: 'is 129 characters; Video Cloud tags are at most 128',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 'http://example.com/clip.mp4' },
    field: 'destination',
    message: 'Unknown destination "http://example.com/clip.mp4": use --to videocloud, --to s3://',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 'videocloud', credentials: 'vc' },
    field: 'credentials',
    message: '--credentials only applies to s3:// and ftp:// destinations',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 's3://b/c.mp4', profile: 'p' },
    field: 'profile',
    message: '--profile is a Video Cloud ingest profile; it does not apply to s3:// or ftp://',
    stage: 'parse',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 's3://b/c.mp4', credentials: ' ' },
    field: 'credentials',
    message: '--credentials is empty',
    stage: 'parse',
  },
  // ---- validation against the job and credentials: lookups may happen, a create never does.
  {
    args: [J, 'from', '00:03:00', 'to', '00:02:00'],
    field: 'end',
    message: 'The end is before the start ("from 00:03:00 to 00:02:00"). Swap them',
    stage: 'validate',
  },
  {
    args: [J, 'from', '120s', 'to', '2m'],
    field: 'end',
    message: 'The end is the same as the start',
    stage: 'validate',
  },
  {
    args: [J, 'from', '01:11:08:15', 'to', '01:10:18:15'],
    field: 'end',
    message: 'The end timecode is before the start (01:11:08:15 → 01:10:18:15)',
    stage: 'validate',
  },
  {
    args: [J, 'from', '23:59:00:00', 'for', '2m'],
    field: 'duration',
    message: 'runs past 23:59:59; timecodes wrap at midnight, so split the clip at 00:00:00:00',
    stage: 'validate',
  },
  {
    args: [J, 'last', '49h'],
    field: 'duration',
    message: "The clip would be 49h (176400s); the Live API's maximum is 48h (172800s).",
    stage: 'validate',
  },
  {
    args: [J, 'from', '0s', 'for', '48h1s'],
    field: 'duration',
    message: "The clip would be 48h1s (172801s); the Live API's maximum is 48h (172800s)",
    stage: 'validate',
  },
  {
    args: [CHANNEL_ID, 'from', '2026-11-19T00:00:00Z', 'to', '2026-11-21T00:00:01Z'],
    field: 'end',
    message: 'maximum is 48h (172800s). Shorten the window or split it into several clips.',
    stage: 'validate',
  },
  {
    args: [UNKNOWN_ID, 'last', '90s'],
    field: 'job',
    message: `No live job ${UNKNOWN_ID} in this Brightcove Live account`,
    stage: 'validate',
  },
  {
    args: [OLD_ID, 'last', '90s'],
    field: 'job',
    message:
      'finished 2026-11-10T09:00:00Z (11 days ago); Brightcove keeps its media for clipping only 7 days',
    stage: 'validate',
  },
  {
    args: [WAITING_ID, 'last', '90s'],
    field: 'job',
    message: 'is still waiting for its encoder to connect, so there is nothing to clip yet',
    stage: 'validate',
  },
  {
    args: [J, 'from', '2026-11-21T09:59:00Z', 'to', '2026-11-21T10:01:00Z'],
    field: 'start',
    message: 'The clip starts at 2026-11-21T09:59:00Z, before live job',
    stage: 'validate',
  },
  {
    args: [J, 'from', '2026-11-21T11:59:00Z', 'to', '2026-11-21T12:01:00Z'],
    field: 'end',
    message: 'which is in the future; live job 3ae7fa89943f4a96aa273fbbf175d527 can be clipped up to now',
    stage: 'validate',
  },
  {
    args: [FINISHED_ID, 'from', '2026-11-20T08:59:00Z', 'to', '2026-11-20T09:01:00Z'],
    field: 'end',
    message: `after live job ${FINISHED_ID} finished (2026-11-20T09:00:00Z)`,
    stage: 'validate',
  },
  {
    args: [CHANNEL_ID, 'from', '2026-11-13T00:00:00Z', 'for', '1m'],
    field: 'start',
    message: 'more than 7 days ago; Brightcove keeps live media for clipping only 7 days',
    stage: 'validate',
  },
  {
    args: [FINISHED_ID, 'from', '01:00:00', 'to', '01:05:00'],
    field: 'start',
    message: 'The clip starts 01:00:00 into the stream, but the stream is only 01:00:00 long.',
    stage: 'validate',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 's3://my-bucket/clips/' },
    field: 'destination',
    message:
      's3://my-bucket/clips/ has no file name; the Live API writes the clip to exactly this URL. ' +
      'End it with the file to create, e.g. s3://my-bucket/clips/clip.mp4.',
    stage: 'validate',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 's3:///clip.mp4' },
    field: 'destination',
    message: 's3:// URL has no bucket; write e.g. s3://bucket/path/clip.mp4.',
    stage: 'validate',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 'ftp://user:hunter22@ftp.example.com' },
    field: 'destination',
    message: 'ftp://user:***@ftp.example.com has no file name',
    stage: 'validate',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 's3://b/c.mp4', credentials: 'nope' },
    field: 'credentials',
    message: 'No Live credential labelled "nope" (known labels: s3-clips, ftp-archive)',
    stage: 'validate',
  },
  {
    args: [J, 'last', '90s'],
    flags: { to: 's3://b/c.mp4', credentials: 'ftp-archive' },
    field: 'credentials',
    message:
      'Credential "ftp-archive" has type ftp, but the destination is s3://. Choose a credential of type s3.',
    stage: 'validate',
  },
];

describe('bad clip input: specific message, no create call', () => {
  it('has at least 30 cases', () => {
    expect(bad.length).toBeGreaterThanOrEqual(30);
  });

  it.each(bad)('$args $flags → $field', async (c) => {
    const { api, result, stage } = await run(c.args, c.flags);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(stage).toBe(c.stage);
    const messages = result.errors.map((e) => `${e.field}: ${e.message}`);
    expect(
      messages.some((m) => m.startsWith(`${c.field}: `) && m.includes(c.message)),
      messages.join('\n'),
    ).toBe(true);
    expect(api.createVods).not.toHaveBeenCalled();
    if (stage === 'parse') {
      expect(api.getLiveJob).not.toHaveBeenCalled();
      expect(api.listCredentials).not.toHaveBeenCalled();
    }
  });
});

describe('warnings that do not block', () => {
  it('a window past the stream end is truncated by the API, so it only warns', async () => {
    const { result } = await run([FINISHED_ID, 'from', '00:50:00', 'to', '01:10:00'], { name: 'n' });
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.warnings).toEqual([
        'The stream is only 01:00:00 long; the clip will end there (50:00–01:00:00).',
      ]);
  });

  it('last longer than the stream so far warns about a shorter clip', async () => {
    const { result } = await run([LIVE_ID, 'last', '3h'], { name: 'n' });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.warnings).toEqual([
        'The stream is only 1h59m30s long so far; the clip will be shorter than 3h.',
      ]);
    }
  });

  it('an FTP password in the URL is masked in logs and the operator is told to use credentials', async () => {
    const { result } = await run([LIVE_ID, 'last', '90s'], {
      to: 'ftp://user:pa55word@ftp.example.com/in/clip.mov',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      'The FTP password is written in the URL; store it as a Live credential and use --credentials <label> instead.',
      'Clips are always MP4 files, but the file name "clip.mov" does not end in .mp4.',
    ]);
    expect(maskSecrets('url=ftp://user:pa55word@ftp.example.com/in/clip.mov')).not.toContain('pa55word');
  });

  it('a validation error reports every problem at once, for the modal fields', async () => {
    const { result } = await run(
      [FINISHED_ID, 'from', '2026-11-20T07:00:00Z', 'to', '2026-11-20T10:00:00Z'],
      {
        to: 's3://bucket/',
      },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual(['start', 'end', 'destination']);
  });
});
