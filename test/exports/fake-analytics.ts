/**
 * A fake `RunAnalyticsQuery` over hand-built per-(video, day, device) ground truth. It aggregates like
 * `/v1/data` (dimensions, fields, where, inclusive date bounds), refuses what the reference says an account
 * may refuse (400 with `status`, as the Brightcove client's errors carry), logs every call and can crash on
 * the N-th call or cap the item count.
 */
import type { AnalyticsQuery, AnalyticsResult, RunAnalyticsQuery } from '../../src/analytics/queries.js';

export interface TruthRow {
  account: string;
  video: string;
  name: string;
  date: string;
  device: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'other';
  /** Analytics' browser_type (default `other`) */
  browser?: string;
  views: number;
  impressions: number;
  seconds: number;
  percent: number;
  /** views still watching at 25/50/75/100 % */
  eng: [number, number, number, number];
}

export interface FakeOptions {
  threeDimensions?: boolean;
  retention?: boolean;
  /** throw a 500-like error on this call number (1-based) */
  crashOnCall?: number;
  /** at most this many items per response (item_count stays the full count) */
  itemCap?: number;
}

export class QueryRejected extends Error {
  readonly status = 400;
}

export interface FakeAnalytics {
  run: RunAnalyticsQuery;
  log: { accountId: string; q: AnalyticsQuery }[];
  calls(accountId?: string): number;
}

const SUMS = {
  video_view: (r: TruthRow) => r.views,
  video_impression: (r: TruthRow) => r.impressions,
  video_seconds_viewed: (r: TruthRow) => r.seconds,
  video_percent_viewed: (r: TruthRow) => r.percent,
  video_engagement_25: (r: TruthRow) => r.eng[0],
  video_engagement_50: (r: TruthRow) => r.eng[1],
  video_engagement_75: (r: TruthRow) => r.eng[2],
  video_engagement_100: (r: TruthRow) => r.eng[3],
} as const;

const KEY: Record<string, (r: TruthRow) => string> = {
  video: (r) => r.video,
  date: (r) => r.date,
  device_type: (r) => r.device,
  browser_type: (r) => r.browser ?? 'other',
};

export function createFakeAnalytics(truth: readonly TruthRow[], opts: FakeOptions = {}): FakeAnalytics {
  const log: FakeAnalytics['log'] = [];
  const run: RunAnalyticsQuery = async (accountId, q) => {
    log.push({ accountId, q });
    if (opts.crashOnCall === log.length) throw new Error('simulated crash');
    const dims = q.dimensions;
    if (dims.length > 2 && opts.threeDimensions === false)
      throw new QueryRejected(`unsupported dimension combination: ${dims.join(',')}`);
    const hasRetention = q.fields.some((f) => f.startsWith('video_engagement_'));
    if (hasRetention && (opts.retention === false || dims.includes('device_type')))
      throw new QueryRejected('UNSUPPORTED_FIELD_COMBINATION_ERROR video_engagement_*');
    if (dims.includes('video') && dims.includes('date') && q.fields.includes('play_rate'))
      throw new QueryRejected('UNSUPPORTED_FIELD_COMBINATION_ERROR play_rate');
    const where = new Map<string, Set<string>>();
    for (const clause of (q.where ?? '').split(';').filter(Boolean)) {
      const [k, v] = clause.split('==');
      where.set(k ?? '', new Set((v ?? '').split(',')));
    }
    const rows = truth.filter(
      (r) =>
        r.account === accountId &&
        r.date >= q.from &&
        r.date <= q.to &&
        [...where].every(([k, set]) => set.has(KEY[k]?.(r) ?? '')),
    );
    const groups = new Map<string, TruthRow[]>();
    for (const r of rows) {
      const k = dims.map((d) => KEY[d]?.(r)).join('|');
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    const items = [...groups.values()].map((g) => {
      const first = g[0] as TruthRow;
      const item: Record<string, unknown> = {};
      for (const f of q.fields) {
        const key = KEY[f];
        if (key && dims.includes(f)) item[f] = key(first);
        else if (f === 'video_name') item[f] = first.name;
        else if (f === 'engagement_score') {
          const views = g.reduce((s, r) => s + r.views, 0);
          item[f] = views ? Math.round((g.reduce((s, r) => s + r.percent, 0) / views) * 1000) / 1000 : 0;
        } else if (f in SUMS) {
          const get = SUMS[f as keyof typeof SUMS];
          item[f] = g.reduce((s, r) => s + get(r), 0);
        } else throw new QueryRejected(`unknown field ${f}`);
      }
      return item;
    });
    const result: AnalyticsResult = {
      item_count: items.length,
      items: opts.itemCap ? items.slice(0, opts.itemCap) : items,
      summary: {},
    };
    return result;
  };
  return { run, log, calls: (id) => log.filter((c) => !id || c.accountId === id).length };
}

/** Deterministic ground truth: every video gets views on some days, split over devices. */
export function generateTruth(
  accounts: readonly string[],
  videos: number,
  from: string,
  days: number,
): TruthRow[] {
  const out: TruthRow[] = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  const devices: TruthRow['device'][] = ['desktop', 'mobile', 'tablet', 'tv', 'other'];
  accounts.forEach((account, ai) => {
    for (let v = 0; v < videos; v++) {
      for (let d = 0; d < days; d++) {
        if ((v * 7 + d * 3 + ai) % 5 !== 0) continue;
        const date = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
        devices.forEach((device, di) => {
          if ((v + d + di) % 3 === 0) return;
          const views = 1 + ((v + d * 2 + di) % 9);
          out.push({
            account,
            video: `${account.slice(0, 4)}${String(v).padStart(4, '0')}`,
            name: `Video ${v} of ${account}`,
            date,
            device,
            views,
            impressions: views * 3,
            seconds: views * 40,
            percent: views * 55,
            eng: [views, Math.floor(views * 0.8), Math.floor(views * 0.5), Math.floor(views * 0.2)],
          });
        });
      }
    }
  });
  return out;
}
