import { z } from 'zod';
import { context, escapeEntities, escapeMrkdwn, header, section, slackDate } from '../src/core/blocks.js';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';

const outcomeIcon: Record<string, string> = { ok: '✅', refused: '⛔', failed: '❌', started: '⏳' };

const grammar = defineGrammar({
  usage: ['audit [--limit N]'],
  positionals: z.array(z.string()).max(0, 'audit takes no arguments besides --limit'),
  flags: {
    limit: {
      description: 'how many entries (1–200, default 20)',
      check: z.coerce
        .number({ message: '--limit must be a number' })
        .int('--limit must be a whole number')
        .min(1, '--limit must be at least 1')
        .max(200, '--limit can be at most 200')
        .default(20),
    },
  },
});

export const audit = defineCommand({
  name: 'audit',
  topic: 'Admin',
  summary: 'Show the latest entries of the audit log: who did what, when, and how it ended.',
  grammar,
  examples: ['audit', 'audit --limit 50'],
  mutates: false,
  args: grammar.tokens.transform((t) => ({ limit: t.flags.limit })),
  async run({ args, surface, services }) {
    const entries = services.repos.audit.latest(args.limit);
    if (entries.length === 0) {
      await surface.reply({
        text: 'The audit log is empty.',
        blocks: [section('The audit log is empty.')],
        data: [],
      });
      return;
    }
    // In Slack every stored string is escaped and the target is code: what users typed (`<!channel>`,
    // a cron's `*`) must show as typed, never as markup.
    const lit = (t: string, slack: boolean) => (slack ? escapeMrkdwn(t) : t);
    const code = (t: string, slack: boolean) => (slack ? `\`${escapeEntities(t.replace(/`/g, "'"))}\`` : t);
    const line = (e: (typeof entries)[number], slack: boolean) =>
      `${outcomeIcon[e.outcome] ?? ''} ${slack ? slackDate(new Date(e.at)) : e.at}  ${slack ? (e.actor.startsWith('cli:') ? lit(e.actor, true) : `<@${e.actor}>`) : e.actor}  ${lit(`${e.command} ${e.action}`, slack)}${e.target ? ` ${code(e.target, slack)}` : ''} → ${e.outcome}${e.errorId ? ` (${e.errorId})` : ''}${e.details ? ` — ${lit(e.details, slack)}` : ''}`;
    const lines = entries.map((e) => line(e, true));
    // Sections hold 3000 characters: split the list over several.
    const chunks: string[] = [];
    for (const l of lines) {
      const last = chunks[chunks.length - 1];
      if (last !== undefined && last.length + l.length + 1 <= 2900)
        chunks[chunks.length - 1] = `${last}\n${l}`;
      else chunks.push(l.slice(0, 2900));
    }
    await surface.reply({
      text: entries.map((e) => line(e, false)).join('\n'),
      blocks: [
        header(`Audit log: latest ${entries.length}`),
        ...chunks.slice(0, 45).map(section),
        context('Newest first.'),
      ],
      data: entries,
    });
  },
});
