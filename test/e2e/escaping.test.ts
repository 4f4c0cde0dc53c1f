import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OPERATOR, startHarness } from '../support/harness.js';
import { planMessage } from '../support/sync.js';

/**
 * User and API strings reach Slack as text, never as markup (issue 14): a video named
 * `<!channel> …` must not notify the channel from a post's blocks or its `text` fallback, usage
 * placeholders like `<account>` must not become links, a cron's `*` must not turn bold.
 */
describe('escaping of what users and APIs wrote', () => {
  let h: Harness;
  const NAME = '<!channel> Breaking & <b>news</b> *bold* _it_ ~gone~';
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The mrkdwn strings of some blocks: what Slack parses for links and mentions (plain_text is literal). */
  const mrkdwnOf = (v: unknown): string[] => {
    // the Web API calls carry blocks as a JSON string (form-encoded), response_url posts as objects
    if (typeof v === 'string' && v.startsWith('[')) return mrkdwnOf(JSON.parse(v));
    if (Array.isArray(v)) return v.flatMap(mrkdwnOf);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const own = o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : [];
      return [...own, ...Object.values(o).flatMap(mrkdwnOf)];
    }
    return [];
  };

  /** Every message the app sent to Slack: `text` and blocks as Slack receives them. */
  const sent = () =>
    ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url'].flatMap((m) =>
      h.slack.callsTo(m).map((c) => c.args as { text?: string; blocks?: unknown }),
    );

  it('no message carries a raw `<!channel>`, `<b>` or `<account>`, in blocks or in the text fallback', async () => {
    const neo = h.config.accounts.find((a) => a.alias === 'neo')!.id;
    h.bc!.cms.addVideo(neo, { name: NAME, reference_id: 'esc-1', state: 'ACTIVE' });
    await planMessage(h, 'sync neo');
    const posts = h.slack.callsTo('chat.postMessage').length;
    await h.command('share ref:esc-1 to neo-north');
    await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage').length > posts, 10_000, 'the share card');
    await h.ephemeralAfter('sync <!channel>');
    await h.ephemeralAfter('help sync');
    await h.command('digest add cron "0 6 * * *" neo');
    await h.slack.waitFor(
      () => h.slack.channelMessages('C0OPS').find((m) => m.text.includes('added')),
      10_000,
      'the digest',
    );
    await h.ephemeralAfter('audit');
    await new Promise((r) => setTimeout(r, 300));
    const all = sent();
    expect(all.length).toBeGreaterThan(5);
    for (const m of all) {
      const wire = [m.text ?? '', ...mrkdwnOf(m.blocks)].join('\n');
      expect(
        wire,
        wire.slice(Math.max(0, wire.indexOf('<!channel>') - 300), wire.indexOf('<!channel>') + 50),
      ).not.toContain('<!channel>');
      expect(wire).not.toContain('<b>');
      expect(wire).not.toContain('<account>');
      // The name's markers are shown as typed, never read as bold, italic or strike-through, in what
      // people read (the blocks; the notification text keeps them as typed, its entities escaped).
      const read = mrkdwnOf(m.blocks).join('\n');
      for (const marked of ['*bold*', '_it_', '~gone~']) expect(read).not.toContain(marked);
    }
    const shown = '<!date^00000000^{_}|*>bold<!date^00000000^{_}|*> <!date^00000000^{_}|_>it';
    expect(all.some((m) => mrkdwnOf(m.blocks).some((t) => t.includes(shown)))).toBe(true);
    // The name is still there, escaped, so people read what the video is called.
    expect(all.some((m) => (m.text ?? '').includes('&lt;!channel&gt; Breaking &amp; &lt;b&gt;news'))).toBe(
      true,
    );
  });

  it("a cron expression's `*` is shown in code, not read as bold", async () => {
    const reply = h.slack.ephemerals.filter((m) => m.ephemeralTo === OPERATOR);
    const audit = reply.at(-1)!;
    expect(JSON.stringify(audit.blocks)).toContain('0 6 * * *');
    const added = h.slack.channelMessages('C0OPS').find((m) => m.text.includes('added'));
    expect(JSON.stringify(added?.blocks)).toContain('cron `0 6 * * *`');
  });
});
