import { z } from 'zod';
import { defineGrammar } from '../core/grammar.js';

/**
 * The clip grammar, declared once: the command's usage and flags, its help, the CLI's `--help`, the
 * usage hint in the parser's messages and the modal's field hints all read it.
 */

/** The ways to say which part of the stream to clip (the parser's messages quote them). */
export const CLIP_FORMS = [
  'clip <live-job-id> last <duration>',
  'clip <live-job-id> from <time> to <time>',
  'clip <live-job-id> from <time> for <duration>',
  'clip <live-job-id> to <time> for <duration>',
] as const;

const value = z.string().optional();

export const clipGrammar = defineGrammar({
  usage: [
    ...CLIP_FORMS.map((f) => `${f} [<clip options>]`),
    'clip status <clip-job-id>',
    'clip cancel <clip-job-id>',
    'clip credentials',
    'clip',
    '<clip options>: [--name "…"] [--tags a,b] [--to videocloud|s3://…|ftp://…] [--credentials <label>] [--profile <id>] [--no-wait]',
    '<duration>: 90s, 2m, 1h30m, 01:30 or 90 (seconds); whole seconds, at most 48h',
    '<time>: 00:02:00, 02:00 or 125s from stream start | 2026-11-21T10:00:00Z or 1795255200 (epoch seconds) | ' +
      '01:10:18:15 SMPTE timecode (HH:MM:SS:FF); from and to are the same kind of time',
  ],
  flags: {
    name: { description: 'video name (default: describes the window)', check: value },
    tags: { description: 'Video Cloud tags, comma-separated', check: value },
    to: {
      description: 'videocloud (the default), s3://bucket/path/clip.mp4 or ftp://host/path/clip.mp4',
      check: value,
    },
    credentials: {
      description: 'label of a stored Live credential (S3 and FTP only; `clip credentials` lists them)',
      check: value,
    },
    profile: { description: 'Video Cloud ingest profile (default: the account default)', check: value },
    'no-wait': {
      description: 'terminal only: print the clip job id and return instead of following the clip to the end',
    },
  },
});

/** A flag's description, for the modal's field hints. */
export function clipFlagHelp(name: keyof typeof clipGrammar.tokens.shape.flags.shape): string {
  return clipGrammar.flags.find((f) => f.name === name)?.description ?? '';
}

export const clipExamples: readonly string[] = [
  'clip 3ae7fa89943f4a96aa273fbbf175d527 last 90s --name "Last play"',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 00:02:00 to 00:03:00 --tags goal,highlights',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 125s for 60s',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 2026-11-21T10:00:00Z to 2026-11-21T10:05:00Z',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 from 01:10:18:15 to 01:11:08:15',
  'clip 3ae7fa89943f4a96aa273fbbf175d527 last 2m --to s3://my-bucket/clips/last.mp4 --credentials s3-clips',
];
