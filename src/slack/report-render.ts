/**
 * Block Kit rendering of an analytics report: headline figures with trend arrows, a sparkline of daily
 * views, the top 10, the device split and how fresh the data is. Stays well under Slack's 50 blocks.
 */
import type { MetricChange, MetricKey, Report } from '../analytics/report.js';
import { formatChange, sparkline, trendArrow } from '../analytics/text-trend.js';
import {
  type Block,
  context,
  divider,
  escapeMrkdwn,
  fields,
  header,
  section,
  truncate,
} from '../core/blocks.js';
import type { Reply } from '../core/types.js';
import { plural } from '../core/words.js';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

const LABELS: Record<MetricKey, string> = {
  views: 'Views',
  impressions: 'Impressions',
  playRate: 'Play rate',
  engagementScore: 'Engagement score',
  minutesViewed: 'Minutes viewed',
  avgPercentViewed: 'Avg % viewed',
};

function formatMetric(key: MetricKey, v: number | null): string {
  if (v === null) return 'n/a';
  switch (key) {
    case 'playRate':
      return `${one.format(v * 100)}%`;
    case 'avgPercentViewed':
      return `${one.format(v)}%`;
    case 'engagementScore':
      return one.format(v);
    default:
      return int.format(v);
  }
}

function changeText(key: MetricKey, c: MetricChange): string {
  // Ratios read better as point changes than as a percentage of a percentage.
  if ((key === 'playRate' || key === 'avgPercentViewed') && c.delta !== null) {
    const pts = key === 'playRate' ? c.delta * 100 : c.delta;
    return `${trendArrow(c.change)} ${pts > 0 ? '+' : ''}${one.format(pts)} pts`;
  }
  return `${trendArrow(c.change)} ${formatChange(c.change)}`;
}

const monthDay = (d: string) =>
  new Date(`${d}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function periodLabel(r: Report): string {
  const { from, to } = r.period;
  return from === to
    ? `${monthDay(from)}, ${from.slice(0, 4)}`
    : `${monthDay(from)} – ${monthDay(to)}, ${to.slice(0, 4)}`;
}

const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)}`);

interface RenderOptions {
  /** e.g. "Daily digest" */
  title?: string;
  /** a line under the figures, e.g. "Chart and CSV in the thread" */
  footer?: string;
  /** account id → alias, to say which account a top video belongs to */
  accountLabels?: Record<string, string>;
}

/** The channel message. `text` is a complete plain summary (notifications, the CLI). */
export function renderReport(r: Report, opts: RenderOptions = {}): Reply {
  const title = `${opts.title ?? 'Video analytics'}: ${r.scope.label} · ${periodLabel(r)}`;
  const prev = `${r.previousPeriod.from} to ${r.previousPeriod.to}`;
  const blocks: Block[] = [header(title)];
  const metricLines = (Object.keys(LABELS) as MetricKey[]).map((k) => ({
    k,
    value: formatMetric(k, r.current[k]),
    change: changeText(k, r.changes[k]),
  }));
  blocks.push(fields(metricLines.map((m) => `*${LABELS[m.k]}*\n${m.value}  ${m.change}`)));
  blocks.push(context(`Changes compare with the previous ${plural(r.daily.length, 'day')}: ${prev}.`));

  const views = r.daily.map((d) => d.views);
  const peak = r.daily.reduce((best, d) => (d.views > (best?.views ?? -1) ? d : best), r.daily[0]);
  const low = r.daily.reduce(
    (min, d) => (d.views < (min?.views ?? Number.POSITIVE_INFINITY) ? d : min),
    r.daily[0],
  );
  blocks.push(
    section(
      `*Daily views*  \`${sparkline(views)}\`\n${r.daily[0]?.date ?? ''} → ${r.daily.at(-1)?.date ?? ''}` +
        (peak && low
          ? ` · low ${int.format(low.views)} on ${low.date} · peak ${int.format(peak.views)} on ${peak.date}`
          : ''),
    ),
  );

  blocks.push(divider());
  if (r.topVideos.length === 0) blocks.push(section('*Top videos*\nNo views in this period.'));
  else {
    const lines = r.topVideos.map((v, i) => {
      const name = escapeMrkdwn(truncate(v.name, 60));
      const ret = v.retention;
      const retention =
        ret.p25 === null
          ? ''
          : ` · retention ${pct(ret.p25)}/${pct(ret.p50)}/${pct(ret.p75)}/${pct(ret.p100)}%`;
      const eng = v.engagementScore === null ? '' : ` · eng ${one.format(v.engagementScore)}`;
      const acct =
        r.scope.accountIds.length > 1
          ? ` _(${escapeMrkdwn(opts.accountLabels?.[v.accountId] ?? v.accountId)})_`
          : '';
      return `${i + 1}. *${name}*${acct} — ${int.format(v.views)} views ${trendArrow(v.change)} ${formatChange(v.change)}${eng}${retention}`;
    });
    blocks.push(section(`*Top ${r.topVideos.length} videos*\n${lines.join('\n')}`));
    blocks.push(context('Retention: share of views still watching at 25/50/75/100 % of the video.'));
  }

  if (r.devices.length > 0) {
    const split = r.devices
      .map((d) => `${d.device} ${one.format(d.share * 100)}% (${int.format(d.views)})`)
      .join(' · ');
    blocks.push(section(`*Devices*  ${split}`));
  }

  if (r.notViewed) {
    const nv = r.notViewed;
    const sample = nv.videos
      .slice(0, 10)
      .map((v) => escapeMrkdwn(truncate(v.name, 50)))
      .join(', ');
    blocks.push(
      section(
        `*Not viewed in ${nv.days} days:* ${int.format(nv.total)} ${nv.total === 1 ? 'video' : 'videos'}${sample ? `\n${sample}${nv.total > 10 ? ', …' : ''}` : ''}`,
      ),
    );
  }

  blocks.push(divider());
  const calls = Object.values(r.queryCounts).reduce((s, n) => s + n, 0);
  blocks.push(
    context(
      `:hourglass_flowing_sand: ${r.freshness.note} Data as of ${r.freshness.asOf.slice(0, 16).replace('T', ' ')} UTC.`,
      `${plural(r.scope.accountIds.length, 'account')} · ${plural(calls, 'Analytics query', 'Analytics queries')}${opts.footer ? ` · ${opts.footer}` : ''}`,
    ),
  );
  return { text: reportText(r, title), blocks, data: reportData(r) };
}

function reportText(r: Report, title = `Video analytics: ${r.scope.label} · ${periodLabel(r)}`): string {
  const lines = [title];
  for (const k of Object.keys(LABELS) as MetricKey[]) {
    lines.push(`${LABELS[k]}: ${formatMetric(k, r.current[k])} (${changeText(k, r.changes[k])})`);
  }
  lines.push(`Daily views: ${sparkline(r.daily.map((d) => d.views))}`);
  r.topVideos.forEach((v, i) => {
    lines.push(`${i + 1}. ${v.name}: ${int.format(v.views)} views (${formatChange(v.change)})`);
  });
  if (r.devices.length) {
    lines.push(`Devices: ${r.devices.map((d) => `${d.device} ${one.format(d.share * 100)}%`).join(', ')}`);
  }
  if (r.notViewed)
    lines.push(`Not viewed in ${r.notViewed.days} days: ${plural(r.notViewed.total, 'video')}`);
  lines.push(r.freshness.note);
  return lines.join('\n');
}

/** The CLI's --json: the figures, without the per-day device maps' verbosity trimmed (they're small). */
function reportData(r: Report) {
  return {
    scope: r.scope,
    period: r.period,
    previousPeriod: r.previousPeriod,
    current: r.current,
    previous: r.previous,
    changes: r.changes,
    topVideos: r.topVideos,
    devices: r.devices,
    daily: r.daily,
    notViewed: r.notViewed ? { days: r.notViewed.days, total: r.notViewed.total } : undefined,
    freshness: r.freshness,
    queryCounts: r.queryCounts,
  };
}

/** What a failed report or digest says: what went wrong and what to do about it. */
export function failureText(what: string, reason: string, advice: string, errorId?: string): Reply {
  const text = `${what} failed: ${reason} ${advice}${errorId ? ` (error id ${errorId})` : ''}`;
  return { text, blocks: [section(`:x: ${escapeMrkdwn(text)}`)], data: { error: reason, errorId } };
}
