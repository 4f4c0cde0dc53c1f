import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/cli/plain.js';
import { blocksToText, escapeEntities, escapeMrkdwn, section, truncate } from '../../src/core/blocks.js';

const token = (m: string) => `<!date^00000000^{_}|${m}>`;

describe('escapeMrkdwn: what users and APIs wrote, shown as written (issue 17)', () => {
  it('escapes &, < and > as entities and the markers * _ ~ that could format', () => {
    expect(escapeMrkdwn('<!channel> & <b>')).toBe('&lt;!channel&gt; &amp; &lt;b&gt;');
    expect(escapeMrkdwn('*urgent* _draft_ ~old~')).toBe(
      `${token('*')}urgent${token('*')} ${token('_')}draft${token('_')} ${token('~')}old${token('~')}`,
    );
    expect(escapeMrkdwn('*/5 * * * *')).not.toMatch(/(^|[^|])\*/);
  });

  it('inside a `code` span, where Slack formats nothing, escapes entities only', () => {
    expect(escapeMrkdwn('Unknown account `*x* <y>` and *z*')).toBe(
      `Unknown account \`*x* &lt;y&gt;\` and ${token('*')}z${token('*')}`,
    );
  });

  it('leaves markers inside a word alone: Slack does not format there, and ids stay copyable', () => {
    expect(escapeMrkdwn('seal_0042_final a*b file~2 Straße_Ü')).toBe('seal_0042_final a*b file~2 Straße_Ü');
  });

  it('is idempotent: escaped text escaped again is unchanged', () => {
    for (const s of ['<!here> *x*', '&amp; _y_', 'a & b', '`code *c*` ~z~', '***', '_', 'un`paired *'])
      expect(escapeMrkdwn(escapeMrkdwn(s))).toBe(escapeMrkdwn(s));
  });

  it('reads back as typed in the terminal and in notification texts', () => {
    for (const s of ['*urgent* please', '_draft_ & <final>', 'cron */5 * * * *', 'a ~b~ c', 'x_y'])
      expect(plainText(escapeMrkdwn(s))).toBe(s);
    // in a notification text the user's asterisks are theirs again (the surface escapes entities only)
    expect(blocksToText([section(`*Reason:* ${escapeMrkdwn('*urgent* <b>')}`)])).toBe(
      '*Reason:* *urgent* <b>',
    );
    // the terminal drops the app's bold and keeps the user's asterisks
    expect(plainText(`*Reason:* ${escapeMrkdwn('*urgent*')}`)).toBe('Reason: *urgent*');
  });

  it('escapeEntities (for code spans, where Slack formats nothing) keeps the markers', () => {
    expect(escapeEntities('0 6 * * * <id> &')).toBe('0 6 * * * &lt;id&gt; &amp;');
  });
});

describe('truncate', () => {
  it('never cuts inside Slack markup (a half token would show raw)', () => {
    const text = `${'a'.repeat(10)}${token('*')}tail`;
    const cut = truncate(text, 20);
    expect(cut).toBe(`${'a'.repeat(10)}…`);
    expect(truncate('short', 20)).toBe('short');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
  });
});
