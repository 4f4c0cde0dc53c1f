import { basename } from 'node:path';
import { z } from 'zod';
import { resolveAccount } from '../src/core/accounts.js';
import { context, escapeEntities, escapeMrkdwn, header, section, slackDate } from '../src/core/blocks.js';
import { toCsv } from '../src/core/csv.js';
import { UserError } from '../src/core/errors.js';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';
import { plural } from '../src/core/words.js';
import type { AuditEntry, AuditFilter } from '../src/store/repositories.js';
import { COMMAND_NAMES } from './lazy.js';

const outcomeIcon: Record<string, string> = { ok: '✅', refused: '⛔', failed: '❌', started: '⏳' };

/** A day (`2026-12-01`, the whole day in UTC) or an instant (`2026-12-01T09:30:00Z`). */
const when = (flag: string) =>
  z
    .string()
    .refine(
      (v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
      `--${flag} is a date such as 2026-12-01 or an instant such as 2026-12-01T09:30:00Z`,
    )
    .optional();

const grammar = defineGrammar({
  usage: [
    'audit [--limit N] [--user <user>] [--command <command>] [--account <account>] [--since <date>] [--until <date>] [--csv]',
  ],
  positionals: z.array(z.string()).max(0, 'audit takes no arguments, only flags such as --user or --since'),
  flags: {
    limit: {
      description: 'how many entries (1–200, default 20; with --csv every match)',
      check: z.coerce
        .number({ message: '--limit must be a number' })
        .int('--limit must be a whole number')
        .min(1, '--limit must be at least 1')
        .max(200, '--limit can be at most 200')
        .optional(),
    },
    user: {
      description: 'only what this person did: a Slack user id or @mention, or cli:<name> for the terminal',
      check: z.string().min(1).optional(),
    },
    command: {
      description: 'only this command (sync, share, export, …)',
      check: z.string().min(1).optional(),
    },
    account: {
      description: 'only entries that name this account (alias or id)',
      check: z.string().min(1).optional(),
    },
    since: { description: 'from this day (UTC) or instant on', check: when('since') },
    until: { description: 'up to this day (UTC, the whole day) or instant', check: when('until') },
    csv: { description: 'attach every matching entry as a CSV file (operators only)' },
  },
});

interface AuditArgs {
  limit?: number;
  user?: string;
  command?: string;
  account?: string;
  since?: string;
  until?: string;
  csv: boolean;
}

/** `<@U123|ana>` (Slack's escaped mention) and `@U123` name U123. */
function userId(raw: string): string {
  const m = /^<?@([UW][A-Z0-9]+)(\|[^>]*)?>?$/.exec(raw);
  return m?.[1] ?? raw;
}

const dayStart = (v: string) => (v.length === 10 ? `${v}T00:00:00.000Z` : new Date(v).toISOString());
const dayEnd = (v: string) => (v.length === 10 ? `${v}T23:59:59.999Z` : new Date(v).toISOString());

const CSV_COLUMNS = ['at', 'actor', 'command', 'action', 'target', 'outcome', 'details', 'errorId'] as const;

export const audit = defineCommand<AuditArgs>({
  name: 'audit',
  topic: 'Admin',
  summary: 'Show the audit log: who did what, when, and how it ended; filter it, or export it as CSV.',
  grammar,
  examples: [
    'audit',
    'audit --command sync --since 2026-12-01',
    'audit --user @ana --account neo --limit 50',
    'audit --since 2026-11-01 --until 2026-11-30 --csv',
  ],
  mutates: false,
  args: grammar.tokens
    .refine((t) => !(t.flags.since && t.flags.until && dayStart(t.flags.since) > dayEnd(t.flags.until)), {
      message: '--since is after --until',
    })
    .transform(
      (t): AuditArgs => ({
        ...(t.flags.limit !== undefined ? { limit: t.flags.limit } : {}),
        ...(t.flags.user ? { user: userId(t.flags.user) } : {}),
        ...(t.flags.command ? { command: t.flags.command.toLowerCase() } : {}),
        ...(t.flags.account ? { account: t.flags.account } : {}),
        ...(t.flags.since ? { since: dayStart(t.flags.since) } : {}),
        ...(t.flags.until ? { until: dayEnd(t.flags.until) } : {}),
        csv: t.flags.csv === true,
      }),
    ),
  async run({ args, surface, services, actor }) {
    if (args.command && !COMMAND_NAMES.includes(args.command))
      throw new UserError(`--command ${args.command}: no such command (${COMMAND_NAMES.join(', ')}).`, true);
    const account = args.account ? resolveAccount(services.config, args.account) : undefined;
    if (args.csv && !(await services.roles.isOperator(actor)))
      throw new UserError(`Only operators can export the audit log. ${services.roles.describe('operator')}`);
    const filter: AuditFilter = {
      ...(args.user ? { actor: args.user } : {}),
      ...(args.command ? { command: args.command } : {}),
      ...(account ? { account: { alias: account.alias, id: account.id } } : {}),
      ...(args.since ? { since: args.since } : {}),
      ...(args.until ? { until: args.until } : {}),
    };
    const log = services.repos.audit;
    const entries = await log.search(filter, args.csv ? Number.MAX_SAFE_INTEGER : (args.limit ?? 20));
    const filtered = Object.keys(filter).length > 0;
    // Where the entries rotated out of the state file are, when the question reaches back that far.
    const oldest = log.oldest();
    const archives = log.archives();
    const older =
      archives.length > 0 && (!args.since || (oldest !== undefined && args.since < oldest))
        ? `Entries before ${oldest ? oldest.slice(0, 16).replace('T', ' ') : 'these'} UTC are archived next to the state file, one JSON line each: audit-archive/${archives.map((a) => basename(a)).join(', ')}.`
        : '';
    if (entries.length === 0) {
      const text = `${filtered ? 'No audit entries match.' : 'The audit log is empty.'}${older ? ` ${older}` : ''}`;
      await surface.reply({ text, blocks: [section(escapeMrkdwn(text))], data: [] });
      return;
    }
    if (args.csv) {
      const csv = toCsv([CSV_COLUMNS, ...entries.map((e) => CSV_COLUMNS.map((c) => e[c] ?? ''))]);
      const name = `audit-${new Date().toISOString().slice(0, 10)}.csv`;
      await surface.upload({
        filename: name,
        content: csv,
        title: `Audit log: ${plural(entries.length, 'entry', 'entries')}`,
        snippetType: 'csv',
      });
      const text = `Audit log: ${plural(entries.length, 'entry', 'entries')} in ${name} ${surface.attachments.place}.${older ? ` ${older}` : ''}`;
      await surface.reply({
        text,
        blocks: [section(escapeMrkdwn(text))],
        data: { file: name, entries: entries.length },
      });
      return;
    }
    // In Slack every stored string is escaped and the target is code: what users typed (`<!channel>`,
    // a cron's `*`) must show as typed, never as markup.
    const lit = (t: string, slack: boolean) => (slack ? escapeMrkdwn(t) : t);
    const code = (t: string, slack: boolean) => (slack ? `\`${escapeEntities(t.replace(/`/g, "'"))}\`` : t);
    // Names where the entry has ids: a configured account as "alias (id)", a channel as Slack shows it.
    const accounts = services.config.accounts;
    const named = (t: string, slack: boolean) => {
      let out = t;
      for (const a of accounts)
        if (!out.includes(a.alias))
          out = out.replace(new RegExp(`\\b${a.id}\\b`, 'g'), `${a.alias} (${a.id})`);
      return slack ? out.replace(/\b([CG](?=[A-Z0-9]*\d)[A-Z0-9]{4,11})\b/g, '<#$1>') : out;
    };
    const line = (e: AuditEntry, slack: boolean) =>
      `${outcomeIcon[e.outcome] ?? ''} ${slack ? slackDate(new Date(e.at)) : e.at}  ${slack ? (e.actor.startsWith('cli:') ? lit(e.actor, true) : `<@${e.actor}>`) : e.actor}  ${lit(`${e.command} ${e.action}`, slack)}${e.target ? ` ${code(e.target, slack)}` : ''} → ${e.outcome}${e.errorId ? ` (${e.errorId})` : ''}${e.details ? ` — ${named(lit(e.details, slack), slack)}` : ''}`;
    const lines = entries.map((e) => line(e, true));
    // Sections hold 3000 characters: split the list over several.
    const chunks: string[] = [];
    for (const l of lines) {
      const last = chunks[chunks.length - 1];
      if (last !== undefined && last.length + l.length + 1 <= 2900)
        chunks[chunks.length - 1] = `${last}\n${l}`;
      else chunks.push(l.slice(0, 2900));
    }
    const title = filtered
      ? `Audit log: ${plural(entries.length, 'match', 'matches')}`
      : `Audit log: latest ${entries.length}`;
    await surface.reply({
      text: [...entries.map((e) => line(e, false)), ...(older ? [older] : [])].join('\n'),
      blocks: [
        header(title),
        ...chunks.slice(0, 45).map(section),
        context(escapeMrkdwn(['Newest first.', older].filter(Boolean).join(' '))),
      ],
      data: entries,
    });
  },
});
