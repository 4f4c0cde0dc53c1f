import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/cli/plain.js';

describe('plainText: Slack mrkdwn as a terminal shows it', () => {
  it.each([
    [':warning: *Plan ready*', 'Plan ready'],
    [
      'See <https://studio.brightcove.com/x|the video> now',
      'See the video (https://studio.brightcove.com/x) now',
    ],
    ['asked by <@U0OPS> in <#C0OPS|video-ops>', 'asked by @U0OPS in #video-ops'],
    ['run `clip status 95a` next', 'run clip status 95a next'],
    ['Usage: clip &lt;live-job-id&gt; last &lt;duration&gt;', 'Usage: clip <live-job-id> last <duration>'],
    ['cron "0 9 * * 1-5"', 'cron "0 9 * * 1-5"'],
    ['field max_height_px and _italic_ and ~gone~', 'field max_height_px and italic and gone'],
    ['&lt;!channel&gt; Breaking', '<!channel> Breaking'],
    ['```a\nb```', 'a\nb'],
    ['from 00:02:00 to 00:03:00, timecode 01:10:18:15', 'from 00:02:00 to 00:03:00, timecode 01:10:18:15'],
    ['at 2026-11-21T10:00:00Z :white_check_mark: done', 'at 2026-11-21T10:00:00Z done'],
  ])('%s', (input, expected) => {
    expect(plainText(input)).toBe(expected);
  });
});
