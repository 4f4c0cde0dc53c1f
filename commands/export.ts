import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import { formValue, submitAsCommand, word } from '../src/core/forms.js';
import { defineGrammar } from '../src/core/grammar.js';
import type { Actor, PostedMessage, Services, Surface, ViewContext, ViewResult } from '../src/core/types.js';
import { defineCommand } from '../src/core/types.js';
import { assertDay } from '../src/exports/months.js';
import {
  EXPORT_KIND,
  type ExportPlan,
  type ExportRequest,
  type ExportSchedule,
  type ExportView,
  exportScheduleJobs,
  FORMATS,
  parseExportsConfig,
} from '../src/exports/service.js';
import {
  renderExportFailure,
  renderExportProgress,
  renderExportSummary,
} from '../src/slack/export-render.js';
import { renderExportForm } from '../src/slack/form-render.js';

const MAX_DAYS = 1100;

/** `export` alone: the form (in Slack), the usage (in a terminal) */
type ExportArgs = ExportRequest | { kind: 'form' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const positiveInt = (flag: string, max: number) =>
  z.coerce
    .number({ message: `--${flag} must be a number` })
    .int(`--${flag} must be a whole number`)
    .min(1, `--${flag} must be at least 1`)
    .max(max, `--${flag} can be at most ${max}`)
    .optional();

const grammar = defineGrammar({
  usage: [
    'export catalog [<account|group|all>] [--years 2024,2025] [--active] [--format csv|json|both] [--to <destination>]',
    'export analytics [<account|group|all>] --from YYYY-MM-DD [--to YYYY-MM-DD] [--recent N] [--consolidate] [--dest <destination>]',
    'export analytics [<account|group|all>] --days N [--recent N] [--consolidate] [--dest <destination>]',
  ],
  flags: {
    years: { description: 'catalog: only videos published in these years', check: z.string().optional() },
    active: { description: 'catalog: only ACTIVE videos' },
    format: { description: 'catalog: file format (default csv)', check: z.string().optional() },
    from: { description: 'analytics: first day', check: z.string().optional() },
    to: {
      description: 'analytics: last day (default yesterday); catalog: the configured destination to write to',
      check: z.string().optional(),
    },
    days: {
      description: 'analytics: the last N days, ending yesterday',
      check: positiveInt('days', MAX_DAYS),
    },
    recent: {
      description: 'analytics: only videos viewed in the last N days',
      check: positiveInt('recent', 365),
    },
    consolidate: { description: 'analytics: one file per group for the whole range' },
    dest: {
      description: 'write to this configured destination (exports.destinations) instead of uploading',
      aliases: ['destination'],
      check: z.string().optional(),
    },
  },
});

const exportArgs = grammar.tokens.transform((t, ctx): ExportArgs => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const [what, ...rest] = t.positionals;
  const kind = what?.toLowerCase();
  const anyFlag = Object.values(t.flags).some((v) => v !== undefined);
  if (kind === undefined && !anyFlag) return { kind: 'form' };
  if (kind === undefined) return fail('say what to export: export catalog or export analytics');
  if (kind !== 'catalog' && kind !== 'analytics')
    return fail(`"${what}" is not an export: use export catalog or export analytics`);
  if (rest.length > 1) return fail(`give at most one account, group or \`all\` (got "${rest.join(' ')}")`);
  const f = t.flags;
  const only = (flags: (keyof typeof f)[], owner: string) => {
    const bad = flags.find((k) => f[k] !== undefined);
    return bad ? fail(`--${bad} only goes with export ${owner}`) : undefined;
  };
  const base = {
    kind: kind as ExportRequest['kind'],
    ...(rest[0] ? { scope: rest[0] } : {}),
    active: false,
    formats: ['csv'] as ('csv' | 'json')[],
    consolidate: false,
  };
  if (kind === 'catalog') {
    only(['from', 'days', 'recent', 'consolidate'], 'analytics');
    if (f.dest !== undefined && f.to !== undefined && f.dest !== f.to)
      return fail('give the destination once: --to <destination> (or --dest)');
    const dest = f.dest ?? f.to;
    let years: number[] | undefined;
    if (f.years !== undefined) {
      const parts = f.years.split(',').map((y) => y.trim());
      if (parts.some((y) => !/^\d{4}$/.test(y)))
        return fail(`--years takes years separated by commas, such as 2024,2025 (got "${f.years}")`);
      years = parts.map(Number);
    }
    const format = (f.format ?? 'csv').toLowerCase();
    if (!(FORMATS as readonly string[]).includes(format))
      return fail(`--format must be csv, json or both (got "${f.format}")`);
    return {
      ...base,
      ...(dest ? { dest } : {}),
      ...(years ? { years } : {}),
      active: f.active === true,
      formats: format === 'both' ? ['csv', 'json'] : [format as 'csv' | 'json'],
    };
  }
  only(['years', 'active', 'format'], 'catalog');
  // In an analytics export --to is the last day; the destination is --dest.
  if (f.to !== undefined && !DAY.test(f.to))
    return fail(
      `--to in an analytics export is the last day, YYYY-MM-DD (got "${f.to}"); to write to a configured destination use --dest ${f.to}`,
    );
  if (f.days !== undefined && (f.from !== undefined || f.to !== undefined))
    return fail('give either --days N or --from/--to, not both');
  if (f.days === undefined && f.from === undefined)
    return fail('say which days: --from YYYY-MM-DD [--to YYYY-MM-DD] or --days N');
  if (f.from !== undefined) {
    try {
      assertDay(f.from, '--from');
      if (f.to !== undefined) assertDay(f.to, '--to');
    } catch (err) {
      return fail((err as Error).message);
    }
    if (f.to !== undefined && f.from > f.to) return fail(`--from (${f.from}) is after --to (${f.to})`);
  }
  return {
    ...base,
    ...(f.dest ? { dest: f.dest } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.days ? { days: f.days } : {}),
    ...(f.recent ? { recent: f.recent } : {}),
    consolidate: f.consolidate === true,
  };
});

/**
 * Shows a run in a surface: one progress message (or the terminal's bar), then its summary or failure.
 * A run resumed by another replica goes on on its own message (`existing`).
 */
function exportView(surface: Surface, existing?: PostedMessage): ExportView {
  return {
    attachments: surface.attachments,
    prefix: surface.prefix,
    // Who asked is shown where others see the summary (a channel), not in one's own terminal.
    showRequester: surface.channelId !== undefined,
    async refused(title, why, advice) {
      await surface.post(renderExportFailure(title, why, advice));
    },
    async started(title) {
      const first = renderExportProgress({ title, done: 0, total: 0 });
      const message = existing ?? (await surface.post(first));
      if (existing) existing.update(first);
      const bar = surface.progressBar?.(title);
      return {
        ...(message.channel && message.ts ? { where: { channel: message.channel, ts: message.ts } } : {}),
        progress: (p) => {
          const item = p.month ? `${p.account} ${p.month}` : p.account;
          if (bar) bar.update(p.done, p.total, item);
          else message.update(renderExportProgress({ title, done: p.done, total: p.total, item }));
        },
        async done(summary, attach) {
          bar?.stop();
          message.update(renderExportSummary(summary));
          await message.flush();
          for (const f of attach) {
            await message.upload({ filename: f.name, content: await readFile(f.path), title: f.name });
          }
        },
        async failed(reason, advice, errorId) {
          bar?.stop();
          message.update(renderExportFailure(title, reason, advice, errorId));
          await message.flush();
        },
      };
    },
  };
}

/** A scheduled export from `exports.schedules`: written to its destination, told in its channel. */
async function runScheduledExport(services: Services, surface: Surface, s: ExportSchedule): Promise<boolean> {
  const exports = services.exports;
  const cfg = exports.config();
  const args: ExportRequest = {
    kind: s.kind,
    scope: s.scope,
    dest: s.destination,
    ...(s.years ? { years: s.years } : {}),
    active: s.active,
    formats: s.format === 'both' ? ['csv', 'json'] : [s.format],
    days: s.days,
    ...(s.recent ? { recent: s.recent } : {}),
    consolidate: s.consolidate,
  };
  let plan: ExportPlan;
  try {
    plan = await exports.plan(args, false, cfg);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    await surface.post(
      renderExportFailure(
        `Scheduled ${s.kind} export of ${s.scope}`,
        why,
        'Fix `exports.schedules` in brightcove-ops.yml and restart.',
      ),
    );
    services.repos.audit.append({
      actor: 'scheduler',
      command: 'export',
      action: 'scheduled',
      target: s.scope,
      outcome: 'failed',
      details: why,
    });
    return false;
  }
  plan.title = `Scheduled ${plan.title.charAt(0).toLowerCase()}${plan.title.slice(1)}`;
  return exports.execute(plan, exportView(surface), 'scheduler', 'scheduled', cfg);
}

/** The form sent: `export <kind> <scope> [--from D --to D] [--dest D]`, checked, then run as typed. */
async function submitExportForm(ctx: ViewContext): Promise<ViewResult> {
  const v = (f: string) => formValue(ctx.values, f);
  const kind = v('kind') ?? 'analytics';
  const dest = v('dest');
  const where = dest && dest !== 'here' ? ` ${kind === 'catalog' ? '--to' : '--dest'} ${word(dest)}` : '';
  const days =
    kind === 'analytics'
      ? `${v('from') ? ` --from ${v('from')}` : ''}${v('to') ? ` --to ${v('to')}` : ''}`
      : '';
  const text = `export ${kind} ${word(v('scope') ?? 'all')}${days}${where}`;
  return submitAsCommand(ctx, text, (problem) =>
    /which days|--from/i.test(problem)
      ? 'from'
      : /--to|last day/i.test(problem)
        ? 'to'
        : /destination/i.test(problem)
          ? 'dest'
          : 'scope',
  );
}

const who = (a: Actor) => a.userId;

export const exportCommand = defineCommand<ExportArgs>({
  name: 'export',
  topic: 'Analytics',
  summary: 'Catalogue and daily-analytics CSV exports, uploaded here or written to a configured destination.',
  grammar,
  examples: [
    'export catalog all --years 2024,2025 --active --format both',
    'export catalog neo --to share',
    'export analytics neo --from 2025-01-01 --to 2025-03-31',
    'export analytics news --from 2023-01-01 --to 2025-12-31 --consolidate --dest share',
    'export analytics all --days 7 --recent 30',
  ],
  // Reading and uploading changes nothing; writing to a shared destination does (operators only, audited).
  mutates: (args) => args.kind !== 'form' && args.dest !== undefined,
  args: exportArgs,
  async run({ args, surface, services, actor }) {
    if (args.kind === 'form') {
      if (!surface.buttons)
        throw new UserError('Say what to export: export catalog or export analytics.', true);
      const destinations = Object.keys(services.exports.config().destinations);
      await surface.openModal(renderExportForm(services.config, destinations, surface.channelId));
      return;
    }
    const cfg = services.exports.config();
    const plan = await services.exports.plan(args, !args.dest, cfg);
    await services.exports.execute(plan, exportView(surface), who(actor), args.kind, cfg);
  },
  views: { form: submitExportForm },
  start(services, host) {
    const cfg = parseExportsConfig(services.config.exports, services.config);
    services.schedules.register(EXPORT_KIND, async (job) => {
      const s = job.data as ExportSchedule;
      await runScheduledExport(services, host.channel(s.channel), s);
    });
    for (const job of exportScheduleJobs(cfg, services.config.timezone)) services.schedules.add(job);
    // A run whose replica died is finished by this one, on the message it was shown on.
    services.exports.watch((run) => {
      const surface = host.channel(run.channel ?? '');
      return exportView(surface, run.ts ? surface.message(run.channel ?? '', run.ts) : undefined);
    });
  },
});
