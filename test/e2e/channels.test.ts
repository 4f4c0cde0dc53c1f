import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, type Harness, MEMBER, startHarness } from '../support/harness.js';

// Issue 17 item 2: chat:write.public lets the bot post in a public channel it has not joined, but a file
// upload there needs membership; a private channel it is not in is invisible to it.
const PUBLIC = 'C0PUBLIC';
const PRIVATE = 'G0PRIVATE';

describe('channels the app is not a member of', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      brightcove: { dataset: { videosPerAccount: 10, analyticsDays: 20 } },
      slack: {
        channels: { [CHANNEL]: 'video-ops', [PUBLIC]: 'announcements', [PRIVATE]: 'board' },
        privateChannels: [PRIVATE],
        botNotIn: [PUBLIC, PRIVATE],
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('in a public channel it joins (channels:join) when an upload needs membership, and the chart arrives', async () => {
    const res = await h.command('report neo --days 7', MEMBER, PUBLIC);
    expect(res.status).toBe(200);
    const chart = await h.slack.waitFor(
      () => [...h.slack.files.values()].find((f) => f.channel === PUBLIC && f.filename.endsWith('.png')),
      10_000,
      'the chart in the public channel',
    );
    const summary = h.slack.messages.find((m) => m.channel === PUBLIC && m.ts === chart.threadTs);
    expect(summary?.text).toContain('Views');
    const calls = h.slack.calls.filter((c) => c.method === 'files.completeUploadExternal');
    expect(calls.map((c) => [c.ok, c.error])).toEqual([
      [false, 'not_in_channel'],
      [true, undefined],
    ]);
    expect(h.slack.calls.filter((c) => c.method === 'conversations.join' && c.ok)).toHaveLength(1);
    expect(h.slack.botChannels.has(PUBLIC)).toBe(true);
  });

  it('in a private channel it cannot join, the requester is told how to invite it: no error id, nothing lost silently', async () => {
    const before = h.slack.ephemerals.length;
    const res = await h.command('report neo --days 7', MEMBER, PRIVATE);
    expect(res.status).toBe(200);
    const reply = await h.slack.waitFor(
      () => h.slack.ephemerals.slice(before).find((m) => m.ephemeralTo === MEMBER && /invite/i.test(m.text)),
      10_000,
      'the invite hint',
    );
    expect(reply.text).toContain('/invite @brightcove-ops');
    expect(reply.text).not.toMatch(/E-[0-9a-f]{8}/);
    expect(h.slack.messages.some((m) => m.channel === PRIVATE)).toBe(false);
  });
});
