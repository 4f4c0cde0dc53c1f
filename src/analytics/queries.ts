import { z } from 'zod';
import { type Period, periodLength, previousPeriod } from './period.js';
import { analyticsCount, analyticsId, analyticsMetric } from './values.js';

export interface AnalyticsQuery {
  dimensions: string[];
  fields: string[];
  from: string;
  to: string;
  where?: string;
  sort?: string;
  limit?: number | 'all';
}

export interface AnalyticsResult {
  item_count: number;
  items: Record<string, unknown>[];
  summary: Record<string, unknown>;
}

/**
 * One `/v1/data` call for one account. The integrator adapts the Brightcove client to this; that client keeps
 * one query in flight per account, as Brightcove serves an account's queries one at a time.
 */
export type RunAnalyticsQuery = (accountId: string, q: AnalyticsQuery) => Promise<AnalyticsResult>;

/*
 * Field lists per dimension combination (reference A2/A12): `video` alone is the only one with both
 * play/impression counts and the engagement curve (video_engagement_*), so the top list comes from it;
 * `video,date` lacks play_rate, and `video,device_type` lacks the curve. Ratios are recomputed from
 * totals, never averaged across rows.
 */
export const RETENTION_POINTS = [25, 50, 75, 100] as const;

export const VIDEO_FIELDS = [
  'video',
  'video_name',
  'video_view',
  'video_impression',
  'video_seconds_viewed',
  'video_percent_viewed',
  'engagement_score',
  ...RETENTION_POINTS.map((p) => `video_engagement_${p}`),
];

const PREVIOUS_VIDEO_FIELDS = [
  'video',
  'video_view',
  'video_impression',
  'video_seconds_viewed',
  'video_percent_viewed',
  'engagement_score',
];

const DEVICE_DAILY_FIELDS = [
  'date',
  'device_type',
  'video_view',
  'video_impression',
  'video_seconds_viewed',
  'video_percent_viewed',
];

const VIEWED_FIELDS = ['video', 'video_view'];

/** Per-video totals over a period, every video with activity (`limit=all`, never one call per video). */
function videoTotalsQuery(p: Period, fields = VIDEO_FIELDS): AnalyticsQuery {
  return { dimensions: ['video'], fields, from: p.from, to: p.to, sort: '-video_view', limit: 'all' };
}

/** Views per day and device type: the daily trend, the device split and the chart in one call. */
function deviceDailyQuery(p: Period): AnalyticsQuery {
  return {
    dimensions: ['date', 'device_type'],
    fields: DEVICE_DAILY_FIELDS,
    from: p.from,
    to: p.to,
    sort: 'date',
    limit: 'all',
  };
}

/** Which videos had any view in a window (the old pipeline's "recently viewed" list). */
function viewedInWindowQuery(p: Period): AnalyticsQuery {
  return {
    dimensions: ['video'],
    fields: VIEWED_FIELDS,
    from: p.from,
    to: p.to,
    sort: '-video_view',
    limit: 'all',
  };
}

const count = analyticsCount;
const optionalMetric = analyticsMetric;

const videoRowSchema = z.object({
  video: analyticsId,
  video_name: z.string().nullish(),
  video_view: count,
  video_impression: count,
  video_seconds_viewed: count,
  video_percent_viewed: count,
  engagement_score: optionalMetric,
  video_engagement_25: optionalMetric,
  video_engagement_50: optionalMetric,
  video_engagement_75: optionalMetric,
  video_engagement_100: optionalMetric,
});
export type VideoRow = z.output<typeof videoRowSchema>;

const deviceDayRowSchema = z.object({
  date: z.string(),
  device_type: z
    .string()
    .nullish()
    .transform((v) => v ?? 'other'),
  video_view: count,
  video_impression: count,
  video_seconds_viewed: count,
  video_percent_viewed: count,
});
export type DeviceDayRow = z.output<typeof deviceDayRowSchema>;

export interface AccountAnalytics {
  accountId: string;
  current: VideoRow[];
  previous: VideoRow[];
  deviceDaily: DeviceDayRow[];
  /** ids of videos with at least one view in the not-viewed window (when one was asked for) */
  viewedInWindow?: Set<string>;
  queries: number;
}

interface QueryPlan {
  period: Period;
  /** window for "videos not viewed in N days"; omitted: not computed */
  notViewedWindow?: Period;
}

function parseRows<S extends z.ZodType>(schema: S, result: AnalyticsResult, what: string): z.output<S>[] {
  const parsed = z.array(schema).safeParse(result.items);
  if (!parsed.success)
    throw new Error(`unexpected ${what} rows from /v1/data: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const samePeriod = (a: Period, b: Period) => a.from === b.from && a.to === b.to;

/**
 * The few queries one account needs for a report: per-video totals for the period and for the previous one,
 * views by day and device, and (only when the window differs from the period) which videos were viewed in
 * the not-viewed window. At most 4 calls whatever the library size.
 */
async function fetchAccountAnalytics(
  run: RunAnalyticsQuery,
  accountId: string,
  plan: QueryPlan,
): Promise<AccountAnalytics> {
  let queries = 0;
  const call = async (q: AnalyticsQuery) => {
    queries++;
    return run(accountId, q);
  };
  // Sequential on purpose: the account serves one query at a time anyway, and order keeps logs readable.
  const current = parseRows(videoRowSchema, await call(videoTotalsQuery(plan.period)), 'video');
  const previous = parseRows(
    videoRowSchema,
    await call(videoTotalsQuery(previousPeriod(plan.period), PREVIOUS_VIDEO_FIELDS)),
    'video',
  );
  const deviceDaily = parseRows(
    deviceDayRowSchema,
    await call(deviceDailyQuery(plan.period)),
    'date,device_type',
  );
  let viewedInWindow: Set<string> | undefined;
  if (plan.notViewedWindow) {
    const rows = samePeriod(plan.notViewedWindow, plan.period)
      ? current
      : parseRows(videoRowSchema, await call(viewedInWindowQuery(plan.notViewedWindow)), 'video');
    viewedInWindow = new Set(rows.filter((r) => r.video && r.video_view > 0).map((r) => r.video as string));
  }
  return { accountId, current, previous, deviceDaily, viewedInWindow, queries };
}

/** All accounts in parallel (the client serialises per account, not across accounts). */
export function fetchAnalytics(
  run: RunAnalyticsQuery,
  accountIds: readonly string[],
  plan: QueryPlan,
): Promise<AccountAnalytics[]> {
  if (periodLength(plan.period) < 1) throw new Error('empty period');
  return Promise.all(accountIds.map((id) => fetchAccountAnalytics(run, id, plan)));
}
