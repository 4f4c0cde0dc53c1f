import type { VideoNameCache } from './names.js';
import {
  addDays,
  datesIn,
  type Freshness,
  freshness,
  type Period,
  previousPeriod,
  validatePeriod,
} from './period.js';
import {
  type AccountAnalytics,
  type DeviceDayRow,
  fetchAnalytics,
  type RETENTION_POINTS,
  type RunAnalyticsQuery,
  type VideoRow,
} from './queries.js';

/** Additive sums; ratios are derived from them so group/all figures weight every view equally. */
interface Totals {
  views: number;
  impressions: number;
  secondsViewed: number;
  percentViewed: number;
  /** Σ engagement_score × views over rows that carry a score */
  engagementWeighted: number;
  engagementViews: number;
}

interface Metrics {
  views: number;
  impressions: number;
  /** views / impressions */
  playRate: number | null;
  /** Brightcove's engagement_score, view-weighted across videos and accounts */
  engagementScore: number | null;
  minutesViewed: number;
  /** Σ video_percent_viewed / Σ views */
  avgPercentViewed: number | null;
}

export type MetricKey = keyof Metrics;
const METRIC_KEYS: MetricKey[] = [
  'views',
  'impressions',
  'playRate',
  'engagementScore',
  'minutesViewed',
  'avgPercentViewed',
];

export interface MetricChange {
  current: number | null;
  previous: number | null;
  /** current − previous */
  delta: number | null;
  /** relative change (0.25 = +25 %); null when the previous value is 0 or unknown */
  change: number | null;
}

export interface Retention {
  /** share of views still watching at 25/50/75/100 % of the video (0..1); null when Brightcove has no curve */
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p100: number | null;
}

interface TopVideo {
  accountId: string;
  videoId: string;
  name: string;
  views: number;
  previousViews: number;
  change: number | null;
  engagementScore: number | null;
  minutesViewed: number;
  retention: Retention;
}

interface DeviceShare {
  device: string;
  views: number;
  /** 0..1 of all views in the period */
  share: number;
  minutesViewed: number;
}

export interface DailyPoint {
  date: string;
  views: number;
  impressions: number;
  minutesViewed: number;
  /** device type → views */
  byDevice: Record<string, number>;
  provisional: boolean;
}

export interface VideoListing {
  id: string;
  name?: string;
  /** ISO date-time; videos created inside the window are not counted as "not viewed" */
  createdAt?: string;
}

export type ListVideos = (accountId: string) => Promise<VideoListing[]>;

interface NotViewed {
  days: number;
  window: Period;
  total: number;
  videos: Array<{ accountId: string; videoId: string; name: string }>;
}

interface AccountReport {
  accountId: string;
  current: Metrics;
  previous: Metrics;
  queries: number;
}

export interface ReportScope {
  /** what the user asked for: an alias, a group name or "all" */
  label: string;
  accountIds: string[];
}

export interface Report {
  scope: ReportScope;
  period: Period;
  previousPeriod: Period;
  current: Metrics;
  previous: Metrics;
  changes: Record<MetricKey, MetricChange>;
  topVideos: TopVideo[];
  devices: DeviceShare[];
  daily: DailyPoint[];
  notViewed?: NotViewed;
  freshness: Freshness;
  accounts: AccountReport[];
  /** /v1/data calls made, per account */
  queryCounts: Record<string, number>;
}

function emptyTotals(): Totals {
  return {
    views: 0,
    impressions: 0,
    secondsViewed: 0,
    percentViewed: 0,
    engagementWeighted: 0,
    engagementViews: 0,
  };
}

function addVideoRow(t: Totals, r: VideoRow): void {
  t.views += r.video_view;
  t.impressions += r.video_impression;
  t.secondsViewed += r.video_seconds_viewed;
  t.percentViewed += r.video_percent_viewed;
  if (r.engagement_score !== null && r.video_view > 0) {
    t.engagementWeighted += r.engagement_score * r.video_view;
    t.engagementViews += r.video_view;
  }
}

function totalsOf(rows: readonly VideoRow[]): Totals {
  const t = emptyTotals();
  for (const r of rows) addVideoRow(t, r);
  return t;
}

function mergeTotals(list: readonly Totals[]): Totals {
  const t = emptyTotals();
  for (const x of list) {
    t.views += x.views;
    t.impressions += x.impressions;
    t.secondsViewed += x.secondsViewed;
    t.percentViewed += x.percentViewed;
    t.engagementWeighted += x.engagementWeighted;
    t.engagementViews += x.engagementViews;
  }
  return t;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function metricsOf(t: Totals): Metrics {
  return {
    views: t.views,
    impressions: t.impressions,
    playRate: ratio(t.views, t.impressions),
    // Without per-row scores, Brightcove's own definition (percent viewed per view) stands in.
    engagementScore:
      t.engagementViews > 0 ? t.engagementWeighted / t.engagementViews : ratio(t.percentViewed, t.views),
    minutesViewed: t.secondsViewed / 60,
    avgPercentViewed: ratio(t.percentViewed, t.views),
  };
}

function changeOf(current: number | null, previous: number | null): MetricChange {
  if (current === null || previous === null) return { current, previous, delta: null, change: null };
  return {
    current,
    previous,
    delta: current - previous,
    change: previous !== 0 ? (current - previous) / previous : null,
  };
}

function compareMetrics(current: Metrics, previous: Metrics): Record<MetricKey, MetricChange> {
  const out = {} as Record<MetricKey, MetricChange>;
  for (const k of METRIC_KEYS) out[k] = changeOf(current[k], previous[k]);
  return out;
}

function retentionOf(r: VideoRow): Retention {
  const at = (p: (typeof RETENTION_POINTS)[number]): number | null => {
    const v = r[`video_engagement_${p}`];
    return v === null || r.video_view <= 0 ? null : v / r.video_view;
  };
  return { p25: at(25), p50: at(50), p75: at(75), p100: at(100) };
}

export function topVideos(data: readonly AccountAnalytics[], n: number): Array<{ row: VideoRow } & TopVideo> {
  const all: Array<{ row: VideoRow } & TopVideo> = [];
  for (const a of data) {
    const prev = new Map<string, number>();
    for (const r of a.previous) if (r.video) prev.set(r.video, (prev.get(r.video) ?? 0) + r.video_view);
    for (const r of a.current) {
      if (!r.video || r.video_view <= 0) continue;
      const previousViews = prev.get(r.video) ?? 0;
      all.push({
        row: r,
        accountId: a.accountId,
        videoId: r.video,
        name: r.video_name || r.video,
        views: r.video_view,
        previousViews,
        change: changeOf(r.video_view, previousViews).change,
        engagementScore: r.engagement_score ?? ratio(r.video_percent_viewed, r.video_view),
        minutesViewed: r.video_seconds_viewed / 60,
        retention: retentionOf(r),
      });
    }
  }
  all.sort(
    (x, y) =>
      y.views - x.views || x.accountId.localeCompare(y.accountId) || x.videoId.localeCompare(y.videoId),
  );
  return all.slice(0, n);
}

function deviceSplit(rows: readonly DeviceDayRow[]): DeviceShare[] {
  const by = new Map<string, { views: number; seconds: number }>();
  let total = 0;
  for (const r of rows) {
    const d = by.get(r.device_type) ?? { views: 0, seconds: 0 };
    d.views += r.video_view;
    d.seconds += r.video_seconds_viewed;
    by.set(r.device_type, d);
    total += r.video_view;
  }
  return [...by.entries()]
    .map(([device, d]) => ({
      device,
      views: d.views,
      share: total > 0 ? d.views / total : 0,
      minutesViewed: d.seconds / 60,
    }))
    .sort((a, b) => b.views - a.views || a.device.localeCompare(b.device));
}

function dailyTrend(rows: readonly DeviceDayRow[], period: Period, provisionalFrom: string): DailyPoint[] {
  const points = new Map<string, DailyPoint>(
    datesIn(period).map((date) => [
      date,
      {
        date,
        views: 0,
        impressions: 0,
        minutesViewed: 0,
        byDevice: {},
        provisional: date >= provisionalFrom,
      },
    ]),
  );
  for (const r of rows) {
    const p = points.get(r.date.slice(0, 10));
    if (!p) continue;
    p.views += r.video_view;
    p.impressions += r.video_impression;
    p.minutesViewed += r.video_seconds_viewed / 60;
    p.byDevice[r.device_type] = (p.byDevice[r.device_type] ?? 0) + r.video_view;
  }
  return [...points.values()];
}

interface BuildReportOptions {
  run: RunAnalyticsQuery;
  scope: ReportScope;
  period: Period;
  /** today's date (YYYY-MM-DD) in the zone the report is read in; drives the freshness note */
  today: string;
  now: Date;
  topN?: number;
  /** list videos not viewed in this many days (ending yesterday); needs `listVideos` */
  notViewedDays?: number;
  listVideos?: ListVideos;
  /** names for videos whose analytics rows carry no `video_name` */
  names?: VideoNameCache;
}

/** Queries every account of the scope (in parallel) and assembles the report. */
export async function buildReport(opts: BuildReportOptions): Promise<Report> {
  validatePeriod(opts.period);
  const notViewedWindow =
    opts.notViewedDays && opts.listVideos
      ? { from: addDays(opts.today, -opts.notViewedDays), to: addDays(opts.today, -1) }
      : undefined;
  const data = await fetchAnalytics(opts.run, opts.scope.accountIds, {
    period: opts.period,
    notViewedWindow,
  });
  const report = assembleReport(data, {
    scope: opts.scope,
    period: opts.period,
    today: opts.today,
    now: opts.now,
    topN: opts.topN,
  });
  await nameTopVideos(report, opts.names);
  if (notViewedWindow && opts.listVideos && opts.notViewedDays) {
    report.notViewed = await notViewedVideos(data, opts.listVideos, opts.notViewedDays, notViewedWindow);
  }
  return report;
}

/** Pure part of the report: figures from already-fetched rows. */
export function assembleReport(
  data: readonly AccountAnalytics[],
  opts: { scope: ReportScope; period: Period; today: string; now: Date; topN?: number },
): Report {
  const fresh = freshness(opts.period, opts.today, opts.now);
  const accounts: AccountReport[] = [];
  const currentTotals: Totals[] = [];
  const previousTotals: Totals[] = [];
  const deviceRows: DeviceDayRow[] = [];
  for (const a of data) {
    const cur = totalsOf(a.current);
    const prev = totalsOf(a.previous);
    currentTotals.push(cur);
    previousTotals.push(prev);
    deviceRows.push(...a.deviceDaily);
    accounts.push({
      accountId: a.accountId,
      current: metricsOf(cur),
      previous: metricsOf(prev),
      queries: a.queries,
    });
  }
  const current = metricsOf(mergeTotals(currentTotals));
  const previous = metricsOf(mergeTotals(previousTotals));
  return {
    scope: opts.scope,
    period: opts.period,
    previousPeriod: previousPeriod(opts.period),
    current,
    previous,
    changes: compareMetrics(current, previous),
    topVideos: topVideos(data, opts.topN ?? 10).map(({ row: _row, ...v }) => v),
    devices: deviceSplit(deviceRows),
    daily: dailyTrend(deviceRows, opts.period, fresh.provisionalFrom),
    freshness: fresh,
    accounts,
    queryCounts: Object.fromEntries(data.map((a) => [a.accountId, a.queries])),
  };
}

async function nameTopVideos(report: Report, names: VideoNameCache | undefined): Promise<void> {
  if (!names) return;
  const unnamed = new Map<string, string[]>();
  for (const v of report.topVideos) {
    if (v.name !== v.videoId) names.remember(v.accountId, v.videoId, v.name);
    else unnamed.set(v.accountId, [...(unnamed.get(v.accountId) ?? []), v.videoId]);
  }
  await Promise.all(
    [...unnamed.entries()].map(async ([accountId, ids]) => {
      const found = await names.names(accountId, ids);
      for (const v of report.topVideos) {
        if (v.accountId === accountId) v.name = found.get(v.videoId) ?? v.name;
      }
    }),
  );
}

async function notViewedVideos(
  data: readonly AccountAnalytics[],
  listVideos: ListVideos,
  days: number,
  window: Period,
): Promise<NotViewed> {
  const lists = await Promise.all(data.map(async (a) => ({ a, videos: await listVideos(a.accountId) })));
  const videos: NotViewed['videos'] = [];
  for (const { a, videos: list } of lists) {
    const viewed = a.viewedInWindow ?? new Set<string>();
    for (const v of list) {
      if (viewed.has(v.id)) continue;
      // A video published inside the window hasn't had N days to be viewed.
      if (v.createdAt && v.createdAt.slice(0, 10) >= window.from) continue;
      videos.push({ accountId: a.accountId, videoId: v.id, name: v.name || v.id });
    }
  }
  videos.sort((x, y) => x.name.localeCompare(y.name) || x.videoId.localeCompare(y.videoId));
  return { days, window, total: videos.length, videos };
}
