import { z } from 'zod';
import { dailyRowsCsv } from '../src/analytics/csv.js';
import type { Period } from '../src/analytics/period.js';
import type { Report, ReportScope } from '../src/analytics/report.js';
import {
  explainFailure,
  MAX_REPORT_DAYS,
  type PeriodArgs,
  periodFromArgs,
} from '../src/analytics/service.js';
import { newErrorId, RefusalError } from '../src/core/errors.js';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand, type Services, type Surface } from '../src/core/types.js';
import { failureText, periodLabel, renderReport } from '../src/slack/report-render.js';

interface DeliverOptions {
  scope: ReportScope;
  period: Period;
  /** zone "today" is read in */
  tz?: string;
  csv?: boolean;
  notViewedDays?: number;
  /** "Video analytics" (report) or "Daily digest" */
  title?: string;
  /** what the failure message calls this run, e.g. "The report" or "Digest dg_1" */
  what?: string;
  /** advice added when a run fails (a digest says how to rerun it) */
  retryHint?: string;
}

type DeliverResult = { ok: true; report: Report } | { ok: false; reason: string; errorId?: string };

/**
 * Posts one channel message and fills it in: progress, then the summary; the chart (and the CSV) go in its
 * thread. Failures replace the message with what went wrong and what to do. Shared by report and digest.
 */
export async function deliverReport(
  services: Services,
  surface: Surface,
  opts: DeliverOptions,
): Promise<DeliverResult> {
  const label = `${opts.scope.label} · ${opts.period.from} to ${opts.period.to}`;
  const message = await surface.post({
    text: `:hourglass_flowing_sand: Building ${opts.title?.toLowerCase() ?? 'the report'} for ${label}…`,
  });
  let report: Report;
  try {
    report = await services.reports.build(opts.scope, opts.period, {
      ...(opts.tz ? { tz: opts.tz } : {}),
      ...(opts.notViewedDays ? { notViewedDays: opts.notViewedDays } : {}),
    });
  } catch (err) {
    const why = explainFailure(err);
    const errorId = why.unexpected ? newErrorId() : undefined;
    if (errorId) services.logger.error('report failed', { errorId, scope: opts.scope.label, err });
    else services.logger.warn('report failed', { scope: opts.scope.label, reason: why.reason });
    const advice = [why.advice, opts.retryHint].filter(Boolean).join(' ');
    message.update(failureText(opts.what ?? 'The report', why.reason, advice, errorId));
    await message.flush();
    return { ok: false, reason: why.reason, ...(errorId ? { errorId } : {}) };
  }
  const chartTitle = `Daily views by device: ${report.scope.label}, ${periodLabel(report)}`;
  message.update(
    renderReport(report, {
      ...(opts.title ? { title: opts.title } : {}),
      footer: `${opts.csv ? 'chart and CSV' : 'chart'} ${surface.attachments.place}`,
      accountLabels: Object.fromEntries(services.config.accounts.map((a) => [a.id, a.alias])),
    }),
  );
  await message.flush();
  const base = `views-${report.scope.label}-${report.period.from}-${report.period.to}`.replace(
    /[^\w.-]+/g,
    '_',
  );
  try {
    // vega, vega-lite and resvg load only when a chart is drawn (the CLI's start stays small).
    const { renderTrendPng } = await import('../src/analytics/chart.js');
    const png = await renderTrendPng(report.daily, { title: chartTitle });
    await message.upload({
      filename: `${base}.png`,
      content: png,
      title: chartTitle,
      altText: `Line chart of daily views by device type for ${report.scope.label}, ${periodLabel(report)}`,
    });
  } catch (err) {
    // A refusal (the app cannot share files here) says what to do; anything else gets an error id.
    if (err instanceof RefusalError) {
      await message.reply({ text: `${err.message} The figures above stand.` });
    } else {
      const errorId = newErrorId();
      services.logger.error('chart upload failed', { errorId, err });
      await message.reply({
        text: `The chart could not be attached (error id ${errorId}); the figures above stand.`,
      });
    }
  }
  if (opts.csv) {
    await message.upload({
      filename: `${base}.csv`,
      content: dailyRowsCsv(report),
      title: `Daily rows: ${report.scope.label}, ${periodLabel(report)}`,
      snippetType: 'csv',
    });
  }
  return { ok: true, report };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const dateFlag = (flag: string) =>
  z
    .string()
    .regex(DATE, `${flag} must be a date written YYYY-MM-DD, e.g. 2026-11-01`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    }, `${flag} is not a calendar date`)
    .optional();

const wholeNumber = (flag: string, max: number) =>
  z.coerce
    .number({ message: `${flag} must be a number` })
    .int(`${flag} must be a whole number`)
    .min(1, `${flag} must be at least 1`)
    .max(max, `${flag} can be at most ${max}`)
    .optional();

const grammar = defineGrammar({
  usage: [
    'report [<account|group|all>] [--days N | --from YYYY-MM-DD [--to YYYY-MM-DD]] [--csv] [--not-viewed N]',
  ],
  positionals: z
    .array(z.string())
    .max(1, 'report takes at most one account, group or `all` (then options like --days 7)'),
  flags: {
    days: {
      description: `the last N complete days (default 7, at most ${MAX_REPORT_DAYS})`,
      check: wholeNumber('--days', MAX_REPORT_DAYS),
    },
    from: { description: 'first day of the period (inclusive)', check: dateFlag('--from') },
    to: {
      description: 'last day of the period (inclusive; default yesterday)',
      check: dateFlag('--to'),
    },
    csv: { description: 'attach the daily rows as CSV' },
    'not-viewed': {
      description: 'also count videos with no views in the last N days',
      check: wholeNumber('--not-viewed', 365),
    },
  },
});

const reportArgs = grammar.tokens
  .superRefine((t, ctx) => {
    const { days, from, to } = t.flags;
    if (days !== undefined && (from !== undefined || to !== undefined))
      ctx.addIssue({ code: 'custom', message: 'use either --days N or --from/--to, not both' });
    else if (to !== undefined && from === undefined)
      ctx.addIssue({ code: 'custom', message: '--to needs --from: give the first day of the period too' });
    else if (from !== undefined && to !== undefined && from > to)
      ctx.addIssue({ code: 'custom', message: `--from ${from} is after --to ${to}` });
  })
  .transform((t) => ({
    scope: t.positionals[0],
    period: {
      ...(t.flags.days !== undefined ? { days: t.flags.days } : {}),
      ...(t.flags.from !== undefined ? { from: t.flags.from } : {}),
      ...(t.flags.to !== undefined ? { to: t.flags.to } : {}),
    } as PeriodArgs,
    csv: t.flags.csv === true,
    notViewedDays: t.flags['not-viewed'],
  }));

export const report = defineCommand({
  name: 'report',
  topic: 'Analytics',
  summary:
    'Views, play rate, engagement and minutes for an account, a group or all, with the change against the previous period, the top 10 videos, the device split and a chart.',
  grammar,
  examples: ['report neo', 'report all --days 30', 'report news --from 2026-10-01 --to 2026-10-31 --csv'],
  mutates: false,
  args: reportArgs,
  async run({ args, surface, services }) {
    const svc = services.reports;
    const scope = svc.scope(args.scope);
    const period = periodFromArgs(args.period, svc.today());
    await deliverReport(services, surface, {
      scope,
      period,
      csv: args.csv,
      ...(args.notViewedDays ? { notViewedDays: args.notViewedDays } : {}),
    });
  },
});
