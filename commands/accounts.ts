import { z } from 'zod';
import { context, fields, header, section } from '../src/core/blocks.js';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';

const grammar = defineGrammar({
  usage: ['accounts'],
  positionals: z.array(z.string()).max(0, 'accounts takes no arguments'),
});

export const accounts = defineCommand({
  name: 'accounts',
  topic: 'Admin',
  summary: 'Show the configured Brightcove accounts, their groups and which APIs have credentials.',
  grammar,
  examples: ['accounts'],
  mutates: false,
  args: grammar.tokens,
  async run({ surface, services }) {
    const { config } = services;
    const rows = config.accounts.map((a) => ({
      alias: a.alias,
      id: a.id,
      businessUnit: a.businessUnit ?? null,
      groups: Object.entries(config.groups)
        .filter(([, members]) => members.includes(a.alias))
        .map(([g]) => g),
      apis: {
        cms: Boolean(a.credentials),
        analytics: Boolean(a.credentials),
        live: Boolean(config.liveApiKey),
        clarify: Boolean(config.clarifyApiKey),
      },
    }));
    if (rows.length === 0) {
      const text =
        'No accounts configured. Set BRIGHTCOVE_ACCOUNT_ID, BRIGHTCOVE_CLIENT_ID and BRIGHTCOVE_CLIENT_SECRET, or add `accounts:` to brightcove-ops.yml.';
      await surface.reply({ text, blocks: [section(text)], data: [] });
      return;
    }
    const mark = (ok: boolean) => (ok ? '✓' : '✗');
    const blocks = [header(`Brightcove accounts (${rows.length})`)];
    for (const r of rows.slice(0, 20)) {
      blocks.push(
        fields([
          `*${r.alias}*\n\`${r.id}\``,
          `*Business unit*\n${r.businessUnit ?? '—'}`,
          `*Groups*\n${r.groups.join(', ') || '—'}`,
          `*APIs*\nCMS ${mark(r.apis.cms)}  Analytics ${mark(r.apis.analytics)}  Live ${mark(r.apis.live)}  Clarify ${mark(r.apis.clarify)}`,
        ]),
      );
    }
    if (rows.length > 20)
      blocks.push(context(`…and ${rows.length - 20} more (see the CLI: brightcove-ops accounts)`));
    blocks.push(context('Use an alias, an id, a group or `all` wherever a command takes an account.'));
    const text = rows
      .map(
        (r) =>
          `${r.alias}  ${r.id}  bu=${r.businessUnit ?? '-'}  groups=${r.groups.join(',') || '-'}  cms=${mark(r.apis.cms)} analytics=${mark(r.apis.analytics)} live=${mark(r.apis.live)} clarify=${mark(r.apis.clarify)}`,
      )
      .join('\n');
    await surface.reply({ text, blocks, data: rows });
  },
});
