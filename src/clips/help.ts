/** Usage and examples as data, so the command declaration, help text and CLI `--help` share one source. */
import { CLIP_USAGE } from './request.js';

export const clipUsage: readonly string[] = CLIP_USAGE;

export const clipTimeHelp: readonly string[] = [
  '<duration>: 90s, 2m, 1h30m, 01:30 or 90 (seconds); whole seconds, at most 48h',
  '<time>: 00:02:00, 02:00 or 125s from stream start | 2026-11-21T10:00:00Z or 1795255200 (epoch seconds) | ' +
    '01:10:18:15 SMPTE timecode (HH:MM:SS:FF, as embedded by the encoder)',
  'from and to must be the same kind of time; clips are possible up to 7 days after the event',
];

/** The clip's options, declared once: the command's flags, its help and the modal's fields use these. */
export const clipOptions = [
  { name: 'name', value: '"…"', description: 'video name (default: describes the window)' },
  { name: 'tags', value: 'a,b', description: 'Video Cloud tags' },
  {
    name: 'to',
    value: 'videocloud|s3://bucket/path/clip.mp4|ftp://host/path/clip.mp4',
    description: 'destination (default videocloud)',
  },
  { name: 'credentials', value: '<label>', description: 'stored Live credential for s3:// or ftp://' },
  {
    name: 'profile',
    value: '<id>',
    description: 'Video Cloud ingest profile (default: the account default)',
  },
] as const satisfies readonly { name: string; value: string; description: string }[];

export const clipExamples: readonly string[] = [
  'clip 3ae7fa89943f4a96aa273fbbf175d527 last 90s --name "Last play"',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 00:02:00 to 00:03:00 --tags goal,highlights',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 125s for 60s',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 2026-11-21T10:00:00Z to 2026-11-21T10:05:00Z',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 01:10:18:15 to 01:11:08:15',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 last 2m --to s3://my-bucket/clips/last.mp4 --credentials s3-clips',
];
