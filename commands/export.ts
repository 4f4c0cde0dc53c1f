import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { newErrorId, UserError } from '../src/core/errors.js';
import type { Actor, PostedMessage, Services, Surface } from '../src/core/types.js';
import { defineCommand } from '../src/core/types.js';
import type { Destination } from '../src/exports/destination.js';
import { assertDay, monthsBetween } from '../src/exports/months.js';
import { ExportFailedError, type ExportProgress, type ExportSpec, runExport } from '../src/exports/run.js';
import {
  consolidatedFolder,
  EXPORT_KIND,
  type ExportSchedule,
  type ExportsConfig,
  ExportsConfigError,
  exportAccounts,
  exportDeps,
  exportScheduleJobs,
  FORMATS,
  folderOf,
  lastDaysRange,
  parseExportsConfig,
} from '../src/exports/service.js';
import {
  type ExportSummaryView,
  renderExportFailure,
  renderExportProgress,
  renderExportSummary,
} from '../src/slack/export-render.js';

const MAX_DAYS = 1100;

export type ExportArgs = {
  kind: 'catalog' | 'analytics';
  scope?: string;
  dest?: string;
  years?: number[];
  active: boolean;
  formats: ('csv' | 'json')[];
  from?: string;
  to?: string;
  days?: number;
  recent?: number;
  consolidate: boolean;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const positiveInt = (flag: string, max: number) =>
  z.coerce
    .number({ message: `--${flag} must be a number` })
    .int(`--${flag} must be a whole number`)
    .min(1, `--${flag} must be at least 1`)
    .max(max, `--${flag} can be at most ${max}`)
    .optional();

const exportArgs = z
  .object({
    positionals: z.array(z.string()),
    flags: z.object({
      years: z.string().optional(),
      active: z.literal(true).optional(),
      format: z.string().optional(),
      from: z.string().optional(),
      to: z.string().optional(),
      dest: z.string().optional(),
      days: positiveInt('days', MAX_DAYS),
      recent: positiveInt('recent', 365),
      consolidate: z.literal(true).optional(),
    }),
  })
  .transform((t, ctx): ExportArgs => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    const [what, ...rest] = t.positionals;
    const kind = what?.toLowerCase();
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
      kind: kind as ExportArgs['kind'],
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

function exportsConfig(services: Services): ExportsConfig {
  try {
    return parseExportsConfig(services.config.exports, services.config);
  } catch (err) {
    if (err instanceof ExportsConfigError) throw new UserError(err.message);
    throw err;
  }
}

/** What one run does, whoever asked (a user or a schedule). */
interface ExportPlan {
  title: string;
  scopeLabel: string;
  spec: ExportSpec;
  destination?: { name: string; folder: string };
  /** attach the files in the message's thread (Slack) or write them to the CLI's output folder */
  attach: boolean;
  /** the temporary folder of an upload-only run, removed afterwards */
  tmp?: string;
  /** for the failure message */
  retry: string;
}

async function planExport(
  services: Services,
  cfg: ExportsConfig,
  args: ExportArgs,
  attach: boolean,
): Promise<ExportPlan> {
  const { label, accounts } = exportAccounts(services, args.scope);
  let dest: Destination;
  let consolidated: Destination | undefined;
  let destination: ExportPlan['destination'];
  let tmp: string | undefined;
  if (args.dest) {
    const d = Object.hasOwn(cfg.destinations, args.dest) ? cfg.destinations[args.dest] : undefined;
    if (!d) {
      const names = Object.keys(cfg.destinations);
      throw new UserError(
        names.length
          ? `No destination \`${args.dest}\`. Configured destinations: ${names.join(', ')}.`
          : 'No destinations are configured: add them under `exports.destinations` in brightcove-ops.yml.',
      );
    }
    dest = folderOf(d);
    destination = { name: args.dest, folder: d.path };
    if (args.consolidate) {
      try {
        consolidated = consolidatedFolder(args.dest, d);
      } catch (err) {
        throw new UserError((err as Error).message);
      }
    }
  } else {
    tmp = await mkdtemp(join(tmpdir(), 'bcops-export-'));
    dest = { kind: 'folder', path: join(tmp, 'files') };
    if (args.consolidate) consolidated = { kind: 'folder', path: join(tmp, 'consolidated') };
  }
  const common = { accounts, destination: dest };
  let spec: ExportSpec;
  let title: string;
  let retry: string;
  const destFlag = args.dest ? ` --dest ${args.dest}` : '';
  if (args.kind === 'catalog') {
    spec = {
      kind: 'catalog',
      ...common,
      customFields: cfg.custom_fields,
      ...(args.years ? { publishedYears: args.years } : {}),
      activeOnly: args.active,
      formats: args.formats,
    };
    const filters = [args.years ? `published ${args.years.join(', ')}` : '', args.active ? 'active' : '']
      .filter(Boolean)
      .join(', ');
    title = `Catalogue export ${label}${filters ? ` (${filters})` : ''}`;
    retry = `/brightcove export catalog ${label}${destFlag}`;
  } else {
    const range = args.days
      ? lastDaysRange(services.clock.now(), args.days)
      : { from: args.from as string, to: args.to ?? lastDaysRange(services.clock.now(), 1).to };
    if (range.from > range.to)
      throw new UserError(`--from (${range.from}) is after the last day exported (${range.to}).`);
    if (monthsBetween(range.from, range.to).length * accounts.length > 2000)
      throw new UserError('That is more than 2,000 account-months: split the range or the scope.');
    spec = {
      kind: 'analytics',
      ...common,
      from: range.from,
      to: range.to,
      ...(args.recent ? { recentDays: args.recent } : {}),
      ...(consolidated ? { consolidate: { destination: consolidated } } : {}),
    };
    title = `Analytics export ${label} ${range.from}..${range.to}${args.recent ? ` (videos viewed in the last ${args.recent} days)` : ''}`;
    retry = `/brightcove export analytics ${label} --from ${range.from} --to ${range.to}${destFlag}${args.consolidate ? ' --consolidate' : ''}`;
  }
  return {
    title,
    scopeLabel: label,
    spec,
    ...(destination ? { destination } : {}),
    attach,
    ...(tmp ? { tmp } : {}),
    retry,
  };
}

function progressSink(surface: Surface, message: PostedMessage, title: string) {
  // A surface with a bar of its own (a terminal) gets it; Slack (and a piped CLI) get the message updated.
  const bar = surface.progressBar?.(title);
  if (bar) {
    return {
      onProgress: (p: ExportProgress) =>
        bar.update(p.done, p.total, p.month ? `${p.account} ${p.month}` : p.account),
      stop: () => bar.stop(),
    };
  }
  return {
    onProgress: (p: ExportProgress) =>
      message.update(
        renderExportProgress({
          title,
          done: p.done,
          total: p.total,
          item: p.month ? `${p.account} ${p.month}` : p.account,
        }),
      ),
    stop: () => undefined,
  };
}

/**
 * Destination exports running in this app, by destination, account and month: two runs writing the same
 * files (and checkpoints) at once would race each other, so the second is refused with the first's title.
 */
const writing = new WeakMap<Services, Map<string, string>>();

function claimDestination(services: Services, plan: ExportPlan): { busy: string } | { release: () => void } {
  if (!plan.destination) return { release: () => undefined };
  const dest = plan.destination.name;
  const spec = plan.spec;
  const months =
    spec.kind === 'analytics' ? monthsBetween(spec.from, spec.to).map((m) => m.month) : ['catalog'];
  const keys = spec.accounts.flatMap((a) => months.map((m) => `${dest}\0${spec.kind}\0${a.id}\0${m}`));
  const held = writing.get(services) ?? new Map<string, string>();
  writing.set(services, held);
  const busy = keys.map((k) => held.get(k)).find((t) => t !== undefined);
  if (busy !== undefined) return { busy };
  for (const k of keys) held.set(k, plan.title);
  return {
    release: () => {
      for (const k of keys) held.delete(k);
    },
  };
}

/** Runs a planned export with one progress message, then its summary (files in the thread) or its failure. */
async function executeExport(
  services: Services,
  surface: Surface,
  cfg: ExportsConfig,
  plan: ExportPlan,
  actor: string,
  action: string,
): Promise<boolean> {
  const audit = (outcome: 'ok' | 'failed' | 'refused', details: string, errorId?: string) =>
    services.repos.audit.append({
      actor,
      command: 'export',
      action,
      target: plan.scopeLabel,
      outcome,
      details,
      ...(errorId ? { errorId } : {}),
    });
  const claim = claimDestination(services, plan);
  if ('busy' in claim) {
    const why = `${claim.busy} is still writing the same months to \`${plan.destination?.name}\`.`;
    audit('refused', why);
    await surface.post(
      renderExportFailure(plan.title, why, `Wait for it to finish, then run it again: \`${plan.retry}\`.`),
    );
    return false;
  }
  const message = await surface.post(renderExportProgress({ title: plan.title, done: 0, total: 0 }));
  const progress = progressSink(surface, message, plan.title);
  try {
    let result: Awaited<ReturnType<typeof runExport>>;
    try {
      result = await runExport(plan.spec, exportDeps(services, cfg, progress.onProgress));
    } finally {
      progress.stop();
    }
    // upload-only analytics with --consolidate: the consolidated files say it all
    const consolidated = result.files.some((f) => f.kind === 'consolidated');
    const shown = result.files.filter((f) => !(plan.tmp && consolidated && f.kind === 'month'));
    const files = await Promise.all(
      shown.map(async (f) => ({
        name: basename(f.path),
        rows: f.rows,
        bytes: (await stat(f.path)).size,
        path: f.path,
      })),
    );
    const limit = surface.attachments.maxBytes;
    const attachable = plan.attach ? files.filter((f) => f.bytes <= limit) : [];
    const tooBig = plan.attach ? files.filter((f) => f.bytes > limit).map((f) => f.name) : [];
    const toAttach = attachable.slice(0, surface.attachments.maxCount);
    for (const f of attachable.slice(toAttach.length)) tooBig.push(f.name);
    const summary: ExportSummaryView = {
      title: plan.title,
      files,
      rows: result.rows,
      ...(plan.spec.kind === 'analytics' ? { calls: result.calls } : {}),
      monthsFromCheckpoint: result.monthsFromCheckpoint,
      totalMs: result.timings.totalMs,
      ...(plan.destination ? { destination: plan.destination } : {}),
      tooBig,
      uploaded: toAttach.length > 0,
      // Who asked is shown where others see the summary (a channel), not in one's own terminal.
      ...(actor !== 'scheduler' && surface.channelId !== undefined ? { by: actor } : {}),
    };
    // audited before anyone can see the summary
    audit(
      'ok',
      `${plan.title}: ${files.length} file(s), ${result.rows} rows${plan.destination ? ` → ${plan.destination.name}` : ''}`,
    );
    message.update(renderExportSummary(summary));
    await message.flush();
    for (const f of toAttach) {
      await message.upload({ filename: f.name, content: await readFile(f.path), title: f.name });
    }
    return true;
  } catch (err) {
    const resumable =
      plan.spec.kind === 'analytics'
        ? ' Months already fetched are checkpointed and will not be fetched again.'
        : '';
    const advice = `Check the accounts' credentials and the destination, then run it again: \`${plan.retry}\`.${resumable}`;
    if (err instanceof ExportFailedError || err instanceof UserError) {
      audit('failed', err.message);
      message.update(renderExportFailure(plan.title, err.message, advice));
      await message.flush();
      return false;
    }
    const errorId = newErrorId();
    services.logger.error('export failed', { errorId, title: plan.title, err });
    const reason =
      err instanceof Error && err.name === 'TemplateError' ? err.message : 'an unexpected error.';
    audit('failed', reason, errorId);
    message.update(renderExportFailure(plan.title, reason, advice, errorId));
    await message.flush();
    return false;
  } finally {
    claim.release();
    if (plan.tmp) await rm(plan.tmp, { recursive: true, force: true });
  }
}

/** A scheduled export from `exports.schedules`: written to its destination, told in its channel. */
export async function runScheduledExport(
  services: Services,
  surface: Surface,
  s: ExportSchedule,
): Promise<boolean> {
  const cfg = exportsConfig(services);
  const args: ExportArgs = {
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
    plan = await planExport(services, cfg, args, false);
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
  return executeExport(services, surface, cfg, plan, 'scheduler', 'scheduled');
}

const who = (a: Actor) => a.userId;

export const exportCommand = defineCommand<ExportArgs>({
  name: 'export',
  summary: 'Catalogue and daily-analytics CSV exports, uploaded here or written to a configured destination.',
  usage: [
    'export catalog [<account|group|all>] [--years 2024,2025] [--active] [--format csv|json|both] [--to <destination>]',
    'export analytics [<account|group|all>] --from YYYY-MM-DD [--to YYYY-MM-DD] [--recent N] [--consolidate] [--dest <destination>]',
    'export analytics [<account|group|all>] --days N [--recent N] [--consolidate] [--dest <destination>]',
  ],
  examples: [
    'export catalog all --years 2024,2025 --active --format both',
    'export catalog neo --to share',
    'export analytics neo --from 2025-01-01 --to 2025-03-31',
    'export analytics news --from 2023-01-01 --to 2025-12-31 --consolidate --dest share',
    'export analytics all --days 7 --recent 30',
  ],
  flags: [
    { name: 'years', value: 'Y,Y', description: 'catalog: only videos published in these years' },
    { name: 'active', description: 'catalog: only ACTIVE videos' },
    { name: 'format', value: 'csv|json|both', description: 'catalog: file format (default csv)' },
    { name: 'from', value: 'YYYY-MM-DD', description: 'analytics: first day' },
    {
      name: 'to',
      value: 'YYYY-MM-DD | destination',
      description: 'analytics: last day (default yesterday); catalog: the configured destination to write to',
    },
    { name: 'days', value: 'N', description: 'analytics: the last N days, ending yesterday' },
    { name: 'recent', value: 'N', description: 'analytics: only videos viewed in the last N days' },
    { name: 'consolidate', description: 'analytics: one file per group for the whole range' },
    {
      name: 'dest',
      value: 'destination',
      description: 'write to this configured destination (exports.destinations) instead of uploading',
      aliases: ['destination'],
    },
  ],
  // Reading and uploading changes nothing; writing to a shared destination does (operators only, audited).
  mutates: (args) => args.dest !== undefined,
  args: exportArgs,
  async run({ args, surface, services, actor }) {
    const cfg = exportsConfig(services);
    const plan = await planExport(services, cfg, args, !args.dest);
    await executeExport(services, surface, cfg, plan, who(actor), args.kind);
  },
  start(services, host) {
    const cfg = parseExportsConfig(services.config.exports, services.config);
    services.schedules.register(EXPORT_KIND, async (job) => {
      const s = job.data as ExportSchedule;
      await runScheduledExport(services, host.channel(s.channel), s);
    });
    for (const job of exportScheduleJobs(cfg, services.config.timezone)) services.schedules.add(job);
  },
});
