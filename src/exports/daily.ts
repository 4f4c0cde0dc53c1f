/**
 * Daily analytics rows per video, built from a few dimensioned `/v1/data` queries per account and month
 * instead of the old pipeline's one query per video per day (reference A11).
 *
 * Per month (reference A2):
 *   1. `video,date`: views, impressions, seconds/percent viewed, engagement score and the retention points
 *      `video_engagement_25/50/75/100`. This combination has no `play_rate`, so the play rate is computed
 *      from views / impressions, as Brightcove computes it.
 *   2. `video,date,device_type` with `video_view`: the device split. Every pair of these dimensions is
 *      allowed and Brightcove's own model has three-dimension reports like `video,date,country`, but the
 *      combination table is only pairwise; an account that rejects it (400) falls back to `video,date`
 *      filtered by `device_type` (desktop, mobile, tablet, tv; "other" is the remainder): 5 calls a month.
 * Ranges are whole days on reconciled data, so the 32-day limit (date_hour, engagement endpoints,
 * reconciled=false) does not apply; months are at most 31 days anyway. A response cut by the 1,000,000-item
 * cap (fewer items than `item_count`) is fetched again as two half ranges.
 */

import { z } from 'zod';
import type { AnalyticsQuery, AnalyticsResult, RunAnalyticsQuery } from '../analytics/queries.js';
import { analyticsCount, analyticsId, analyticsMetric } from '../analytics/values.js';
import { toCsv } from '../core/csv.js';
import { addDaysTo, type DayRange, dayOf, halve } from './months.js';

export const RETENTION_FIELDS = [
  'video_engagement_25',
  'video_engagement_50',
  'video_engagement_75',
  'video_engagement_100',
] as const;

const METRIC_FIELDS = [
  'video',
  'date',
  'video_name',
  'video_view',
  'video_impression',
  'video_seconds_viewed',
  'video_percent_viewed',
  'engagement_score',
] as const;

/** Devices with their own column (the API's device_type values); other and unknown ones are `views_other`. */
const DEVICE_COLUMNS = ['desktop', 'mobile', 'tablet', 'tv'] as const;
/** Browsers with their own column (Analytics' browser_type values); others are `browser_other`. */
const BROWSER_COLUMNS = ['chrome', 'edge', 'firefox', 'ie', 'opera', 'safari'] as const;

export interface DailyRow {
  date: string;
  /** account alias */
  account: string;
  account_id: string;
  video_id: string;
  video_name: string;
  views: number;
  impressions: number;
  /** views / impressions; null without impressions */
  play_rate: number | null;
  engagement_score: number | null;
  retention_25: number | null;
  retention_50: number | null;
  retention_75: number | null;
  retention_100: number | null;
  /** Brightcove's `video_percent_viewed`: the sum over views of the percent watched */
  percent_viewed: number;
  seconds_viewed: number;
  views_desktop: number;
  views_mobile: number;
  views_tablet: number;
  views_tv: number;
  views_other: number;
  /** views by browser (the devices' views again, split the other way) */
  browser_chrome: number;
  browser_edge: number;
  browser_firefox: number;
  browser_ie: number;
  browser_opera: number;
  browser_safari: number;
  browser_other: number;
}

export const DAILY_COLUMNS: readonly (keyof DailyRow)[] = [
  'date',
  'account',
  'account_id',
  'video_id',
  'video_name',
  'views',
  'impressions',
  'play_rate',
  'engagement_score',
  'retention_25',
  'retention_50',
  'retention_75',
  'retention_100',
  'percent_viewed',
  'seconds_viewed',
  'views_desktop',
  'views_mobile',
  'views_tablet',
  'views_tv',
  'views_other',
  'browser_chrome',
  'browser_edge',
  'browser_firefox',
  'browser_ie',
  'browser_opera',
  'browser_safari',
  'browser_other',
];

/** What an account's Analytics accepts; learnt on the first rejection and kept for the rest of the run. */
export interface AccountCapabilities {
  /** `video,date,device_type` accepted (default: assumed until refused) */
  threeDimensions?: boolean;
  /** `video_engagement_*` accepted with `video,date` (default: assumed until refused) */
  retention?: boolean;
}

interface ExportAccountRef {
  id: string;
  alias: string;
}

const count = analyticsCount;
const metric = analyticsMetric;
const id = analyticsId;

const metricRowSchema = z.object({
  video: id,
  date: z.string(),
  video_name: z.string().nullish(),
  video_view: count,
  video_impression: count,
  video_seconds_viewed: count,
  video_percent_viewed: count,
  engagement_score: metric,
  video_engagement_25: metric,
  video_engagement_50: metric,
  video_engagement_75: metric,
  video_engagement_100: metric,
});
/** A row of a split: views of a video on a day, for one value of the split's dimension (absent when filtered). */
const splitRowSchema = z.object({
  video: id,
  date: z.string(),
  device_type: z.string().nullish(),
  browser_type: z.string().nullish(),
  video_view: count,
});
const viewedRowSchema = z.object({ video: id, video_view: count });

function parseItems<S extends z.ZodType>(schema: S, result: AnalyticsResult, what: string): z.output<S>[] {
  const parsed = z.array(schema).safeParse(result.items);
  if (!parsed.success)
    throw new Error(`unexpected ${what} rows from /v1/data: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function metricsQuery(range: DayRange, retention: boolean): AnalyticsQuery {
  return {
    dimensions: ['video', 'date'],
    fields: [...METRIC_FIELDS, ...(retention ? RETENTION_FIELDS : [])],
    from: range.from,
    to: range.to,
    sort: 'date',
    limit: 'all',
  };
}

/** Views per video, day and `split` (device_type or browser_type): one query for a month. */
function splitQuery(split: 'device_type' | 'browser_type', range: DayRange): AnalyticsQuery {
  return {
    dimensions: ['video', 'date', split],
    fields: ['video', 'date', split, 'video_view'],
    from: range.from,
    to: range.to,
    sort: 'date',
    limit: 'all',
  };
}

/** The same for one value of `split`, where an account refuses three dimensions. */
function splitFilterQuery(
  split: 'device_type' | 'browser_type',
  range: DayRange,
  value: string,
): AnalyticsQuery {
  return {
    dimensions: ['video', 'date'],
    fields: ['video', 'date', 'video_view'],
    where: `${split}==${value}`,
    from: range.from,
    to: range.to,
    sort: 'date',
    limit: 'all',
  };
}

/** Videos with at least one view in the last `days` days (the old pipeline's "recently viewed" cache). */
export function recentlyViewedQuery(now: Date, days: number): AnalyticsQuery {
  const today = dayOf(now);
  return {
    dimensions: ['video'],
    fields: ['video', 'video_view'],
    from: addDaysTo(today, -days),
    to: today,
    sort: '-video_view',
    limit: 'all',
  };
}

/** A query the account refused as invalid (400): the Brightcove client's errors carry `status`. */
function isRejectedQuery(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'status' in err && err.status === 400;
}

export interface QueryCounter {
  calls: number;
}

/** Run a query; if the response was cut by the item cap, fetch the two halves of the range instead. */
async function fetchComplete(
  run: RunAnalyticsQuery,
  accountId: string,
  make: (r: DayRange) => AnalyticsQuery,
  range: DayRange,
  counter: QueryCounter,
): Promise<AnalyticsResult['items']> {
  counter.calls++;
  const res = await run(accountId, make(range));
  if (res.items.length >= res.item_count) return res.items;
  if (range.from === range.to) {
    throw new Error(
      `account ${accountId}: ${res.item_count} rows for ${range.from} but only ${res.items.length} returned`,
    );
  }
  const [a, b] = halve(range);
  return [
    ...(await fetchComplete(run, accountId, make, a, counter)),
    ...(await fetchComplete(run, accountId, make, b, counter)),
  ];
}

export async function fetchRecentlyViewed(
  run: RunAnalyticsQuery,
  accountId: string,
  now: Date,
  days: number,
  counter: QueryCounter = { calls: 0 },
): Promise<Set<string>> {
  counter.calls++;
  const rows = parseItems(viewedRowSchema, await run(accountId, recentlyViewedQuery(now, days)), 'video');
  return new Set(rows.filter((r) => r.video && r.video_view > 0).map((r) => r.video as string));
}

/** The columns of a row that count views. */
type ViewsColumn = { [K in keyof DailyRow]: DailyRow[K] extends number ? K : never }[keyof DailyRow];

/**
 * One way a row's views are split into columns: by Analytics' `dimension`, a column `<prefix><value>`
 * for each of `values`, and `<prefix>other` for the rest.
 */
interface ViewsSplit {
  dimension: 'device_type' | 'browser_type';
  values: readonly string[];
  prefix: 'views_' | 'browser_';
}

const DEVICE_SPLIT: ViewsSplit = { dimension: 'device_type', values: DEVICE_COLUMNS, prefix: 'views_' };
const BROWSER_SPLIT: ViewsSplit = { dimension: 'browser_type', values: BROWSER_COLUMNS, prefix: 'browser_' };

function splitColumn(split: ViewsSplit, value: string | null | undefined): ViewsColumn {
  return `${split.prefix}${split.values.includes(value ?? '') ? value : 'other'}` as ViewsColumn;
}

function emptyRow(account: ExportAccountRef, video: string, date: string): DailyRow {
  return {
    date,
    account: account.alias,
    account_id: account.id,
    video_id: video,
    video_name: '',
    views: 0,
    impressions: 0,
    play_rate: null,
    engagement_score: null,
    retention_25: null,
    retention_50: null,
    retention_75: null,
    retention_100: null,
    percent_viewed: 0,
    seconds_viewed: 0,
    views_desktop: 0,
    views_mobile: 0,
    views_tablet: 0,
    views_tv: 0,
    views_other: 0,
    browser_chrome: 0,
    browser_edge: 0,
    browser_firefox: 0,
    browser_ie: 0,
    browser_opera: 0,
    browser_safari: 0,
    browser_other: 0,
  };
}

interface MonthFetchOptions {
  capabilities?: AccountCapabilities;
  counter?: QueryCounter;
  /** current CMS names, used when the analytics row has no recorded name */
  names?: ReadonlyMap<string, string>;
}

/**
 * Daily rows of one account for a range (normally one month), sorted by date then video id. `capabilities`
 * is updated in place when the account refuses a query shape, so later months don't ask again.
 */
export async function fetchDailyRows(
  run: RunAnalyticsQuery,
  account: ExportAccountRef,
  range: DayRange,
  opts: MonthFetchOptions = {},
): Promise<DailyRow[]> {
  const caps = opts.capabilities ?? {};
  const counter = opts.counter ?? { calls: 0 };
  const fetch = (make: (r: DayRange) => AnalyticsQuery) =>
    fetchComplete(run, account.id, make, range, counter);

  let metricItems: AnalyticsResult['items'];
  try {
    metricItems = await fetch((r) => metricsQuery(r, caps.retention !== false));
  } catch (err) {
    if (caps.retention === false || !isRejectedQuery(err)) throw err;
    caps.retention = false;
    metricItems = await fetch((r) => metricsQuery(r, false));
  }
  if (caps.retention === undefined) caps.retention = true;

  const rows = new Map<string, DailyRow>();
  const rowFor = (video: string, date: string) => {
    const key = `${date}|${video}`;
    let row = rows.get(key);
    if (!row) {
      row = emptyRow(account, video, date);
      rows.set(key, row);
    }
    return row;
  };
  for (const m of parseItems(
    metricRowSchema,
    { item_count: 0, items: metricItems, summary: {} },
    'video,date',
  )) {
    if (!m.video) continue;
    const row = rowFor(m.video, m.date);
    row.video_name = m.video_name ?? '';
    row.views = m.video_view;
    row.impressions = m.video_impression;
    row.seconds_viewed = m.video_seconds_viewed;
    row.percent_viewed = m.video_percent_viewed;
    row.engagement_score = m.engagement_score;
    row.retention_25 = m.video_engagement_25;
    row.retention_50 = m.video_engagement_50;
    row.retention_75 = m.video_engagement_75;
    row.retention_100 = m.video_engagement_100;
  }

  // Devices, then browsers: one three-dimension query each, or (where the account refuses three
  // dimensions, learnt once) one filtered query per value with the rest as `other`.
  for (const split of [DEVICE_SPLIT, BROWSER_SPLIT]) {
    let items: AnalyticsResult['items'] | null = null;
    if (caps.threeDimensions !== false) {
      try {
        items = await fetch((r) => splitQuery(split.dimension, r));
        caps.threeDimensions = true;
      } catch (err) {
        if (!isRejectedQuery(err)) throw err;
        caps.threeDimensions = false;
      }
    }
    if (items) {
      for (const d of parseItems(splitRowSchema, { item_count: 0, items, summary: {} }, split.dimension))
        if (d.video) rowFor(d.video, d.date)[splitColumn(split, d[split.dimension])] += d.video_view;
      continue;
    }
    for (const value of split.values) {
      const filtered = await fetch((r) => splitFilterQuery(split.dimension, r, value));
      for (const d of parseItems(splitRowSchema, { item_count: 0, items: filtered, summary: {} }, value))
        if (d.video) rowFor(d.video, d.date)[splitColumn(split, value)] += d.video_view;
    }
    for (const row of rows.values()) {
      const named = split.values.reduce((sum, v) => sum + row[splitColumn(split, v)], 0);
      row[splitColumn(split, 'other')] = Math.max(0, row.views - named);
    }
  }

  for (const row of rows.values()) {
    if (!row.video_name) row.video_name = opts.names?.get(row.video_id) ?? '';
    row.play_rate = row.impressions > 0 ? Math.round((row.views / row.impressions) * 10_000) / 10_000 : null;
  }
  return [...rows.values()].sort((a, b) =>
    a.date === b.date ? a.video_id.localeCompare(b.video_id) : a.date < b.date ? -1 : 1,
  );
}

function dailyCsvRecords(rows: readonly DailyRow[]): (string | number)[][] {
  return rows.map((r) => DAILY_COLUMNS.map((c) => r[c] ?? ''));
}

/** Catalogue columns a daily file carries after its own: each video's value of some custom fields. */
export interface VideoFieldColumns {
  columns: readonly string[];
  /** video id → its values, in `columns` order (absent: an unknown video, empty cells) */
  values: ReadonlyMap<string, readonly string[]>;
}

/**
 * The old analytics pipeline's column names (`exports.columns: pipeline`), for files its reports read:
 * Analytics' own field names where the pipeline used them.
 */
export const PIPELINE_COLUMN_NAMES: Partial<Record<keyof DailyRow, string>> = {
  views: 'video_view',
  impressions: 'video_impression',
  retention_25: 'video_engagement_25',
  retention_50: 'video_engagement_50',
  retention_75: 'video_engagement_75',
  retention_100: 'video_engagement_100',
  percent_viewed: 'video_percent_viewed',
  seconds_viewed: 'video_seconds_viewed',
};

/** CSV with header; nulls (not processed yet, or not offered by the account) are empty cells. */
export function dailyCsv(
  rows: readonly DailyRow[],
  header = true,
  fields?: VideoFieldColumns,
  /** other names for the columns in the header (PIPELINE_COLUMN_NAMES) */
  names: Partial<Record<keyof DailyRow, string>> = {},
): string {
  const records = dailyCsvRecords(rows);
  const withFields = fields
    ? records.map((r, i) => [
        ...r,
        ...(fields.values.get(rows[i]?.video_id ?? '') ?? fields.columns.map(() => '')),
      ])
    : records;
  const head = [...DAILY_COLUMNS.map((c) => names[c] ?? c), ...(fields?.columns ?? [])];
  return toCsv(header ? [head, ...withFields] : withFields);
}
