/**
 * Analytics API v1 simulator: `/v1/data` over the generated daily ground truth for the dimensions video,
 * date, device_type (and account), their pairs and the triples whose pairs are all allowed, with field
 * validation per combination, where, from/to (dates, epoch ms, now, alltime, relative), sort, limit/offset
 * (incl. `all`) and a summary whose ratios are recomputed from totals. One query per account at a time.
 */
import type { DailyViews } from '../data/types.js';
import { json, type SimRequest, type SimResponse, type SimRuntime } from './runtime.js';

const err = (status: number, code: string, message: string): SimResponse =>
  json(status, [{ error_code: code, message, request_id: `sim-${Date.now().toString(36)}` }]);

export function analyticsErrorBody(status: number): unknown {
  if (status === 429)
    return [{ error_code: 'TOO_MANY_REQUESTS', message: 'Too many concurrent requests for same query' }];
  return [{ error_code: 'SERVER_ERROR', message: 'Internal error' }];
}

const DIMENSIONS = new Set(['video', 'date', 'device_type', 'browser_type', 'account']);
const METRICS = [
  'video_view',
  'video_impression',
  'play_request',
  'play_rate',
  'video_seconds_viewed',
  'video_percent_viewed',
  'engagement_score',
];
/** fields that the reference says are missing for a combination */
const EXCLUDED: Record<string, string[]> = {
  'date,video': ['play_request', 'play_rate'],
};
const VIDEO_FIELDS = ['video_name', 'video.name', 'video.reference_id', 'video_duration'];
/** the engagement curve: reference A2 lists it for `video` and `video,date`, not with device_type */
const RETENTION_FIELDS = [1, 25, 50, 75, 100].map((p) => `video_engagement_${p}`);

/**
 * Views still watching at p % of the video, derived from the row's average percent viewed (the
 * generated ground truth has no curve): falls with p, rises with the average. Non-integer, like Brightcove's.
 */
function simRetentionShare(avgPercentViewed: number, p: number): number {
  return Math.min(1, Math.max(0, (avgPercentViewed - p) / 100 + 0.5));
}

/**
 * Dimension pairs the reference A2 table ticks (all pairs of the simulated dimensions are allowed there).
 * Listed anyway so a dimension added later has to state its pairs.
 */
const ALLOWED_PAIRS = new Set([
  'account,date',
  'account,device_type',
  'account,video',
  'date,device_type',
  'date,video',
  'device_type,video',
  // reference A2: browser_type goes with account, date, device_type and video
  'account,browser_type',
  'browser_type,date',
  'browser_type,device_type',
  'browser_type,video',
]);
const pairKey = (a: string, b: string) => [a, b].sort().join(',');

/**
 * Fake decision (reference A2: more than two dimensions are allowed "in some cases", e.g.
 * `video,date,country`, with no rule given): three dimensions are accepted when every pair of them is
 * allowed; four or more are refused. Their fields are those allowed for every pair, without
 * play_rate/play_request/video_impression, like Brightcove's `video,date,country`.
 */
export function dimensionsAllowed(dims: string[]): boolean {
  if (dims.length > 3 || new Set(dims).size !== dims.length) return false;
  for (let i = 0; i < dims.length; i++)
    for (let j = i + 1; j < dims.length; j++)
      if (!ALLOWED_PAIRS.has(pairKey(dims[i]!, dims[j]!))) return false;
  return true;
}

const THREE_DIMENSION_EXCLUDED = ['play_rate', 'play_request', 'video_impression'];

export function allowedFields(dims: string[]): Set<string> {
  if (dims.length === 3) {
    const [a, b, c] = dims as [string, string, string];
    const pairs = [allowedFields([a, b]), allowedFields([a, c]), allowedFields([b, c])];
    const out = new Set<string>(dims);
    if (dims.includes('video')) for (const f of VIDEO_FIELDS) out.add(f);
    // a metric must be offered by every pair (so no engagement curve with device_type)
    for (const f of [...METRICS, ...RETENTION_FIELDS]) if (pairs.every((p) => p.has(f))) out.add(f);
    for (const f of THREE_DIMENSION_EXCLUDED) out.delete(f);
    return out;
  }
  const key = [...dims].sort().join(',');
  const out = new Set<string>([...dims, ...METRICS]);
  if (dims.includes('video')) for (const f of VIDEO_FIELDS) out.add(f);
  if (dims.includes('video') && !dims.includes('device_type')) for (const f of RETENTION_FIELDS) out.add(f);
  for (const f of EXCLUDED[key] ?? []) out.delete(f);
  return out;
}

const UNIT: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

type Bound = { abs: number } | { rel: number } | { all: true };

function parseBound(v: string, isTo: boolean): Bound | null {
  if (v === 'now') return { abs: Number.NaN };
  if (v === 'alltime') return { all: true };
  const rel = /^([+-]?)(\d+)([mhdw])$/.exec(v);
  if (rel) return { rel: (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * UNIT[rel[3]!]! };
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    // a date `to` covers its whole day (what real output shows)
    return Number.isNaN(t) ? null : { abs: isTo ? t + 86_400_000 - 1 : t };
  }
  if (/^\d{10,}$/.test(v)) return { abs: Number(v) };
  return null;
}

export class AnalyticsSim {
  /** answer the next N `/v1/data` queries with 503 PROCESSING */
  processingNext = 0;

  constructor(readonly runtime: SimRuntime) {}

  handle = async (req: SimRequest): Promise<SimResponse> => {
    if (req.method !== 'GET') return err(405, 'METHOD_NOT_ALLOWED', 'only GET is supported');
    const alltime = /^\/v1\/alltime\/accounts\/([^/]+)\/videos\/([^/]+)$/.exec(req.path);
    const accounts = alltime ? [alltime[1]!] : (req.query.get('accounts') ?? '').split(',').filter(Boolean);
    if (accounts.some((a) => typeof this.runtime.authorize(req.headers, a) === 'string')) {
      return err(401, 'UNAUTHORIZED', 'Permission denied.');
    }
    if (alltime) {
      const views = this.runtime.data.analytics
        .filter((r) => r.account === alltime[1] && r.video === alltime[2])
        .reduce((s, r) => s + r.video_view, 0);
      return json(200, { alltime_video_views: views });
    }
    if (req.path === '/v1/data/status') {
      if (accounts.length === 0) return err(400, 'BAD_REQUEST', 'accounts is required');
      return json(200, { reconciled_from: '2011-01-01', reconciled_to: this.runtime.data.reconciledTo });
    }
    if (req.path !== '/v1/data') return err(404, 'NOT_FOUND', 'Requested resource does not exist');
    if (accounts.length === 0) return err(400, 'BAD_REQUEST', 'accounts is required');
    // one query at a time per account: a concurrent one is refused (the client must serialise)
    const inFlight = this.runtime.analyticsInFlight;
    if (this.runtime.enforceLimits && accounts.some((a) => (inFlight.get(a) ?? 0) > 0)) {
      return err(429, 'TOO_MANY_REQUESTS', 'Too many concurrent requests for same query');
    }
    for (const a of accounts) {
      const n = (inFlight.get(a) ?? 0) + 1;
      inFlight.set(a, n);
      const max = this.runtime.maxInFlight.analytics;
      max.set(a, Math.max(max.get(a) ?? 0, n));
    }
    try {
      // the work takes as long as the injected latency again, so overlapping queries really overlap
      if (this.runtime.faults.latencyMs > 0)
        await new Promise((r) => setTimeout(r, this.runtime.faults.latencyMs));
      if (this.processingNext > 0) {
        this.processingNext -= 1;
        return err(503, 'PROCESSING', 'The request is still processing; try again later');
      }
      return this.#data(req, accounts);
    } finally {
      for (const a of accounts) inFlight.set(a, Math.max(0, (inFlight.get(a) ?? 1) - 1));
    }
  };

  #data(req: SimRequest, accounts: string[]): SimResponse {
    const dims = (req.query.get('dimensions') ?? '').split(',').filter(Boolean);
    if (dims.length === 0) return err(400, 'BAD_REQUEST', 'dimensions is required');
    const badDim = dims.find((d) => !DIMENSIONS.has(d));
    if (badDim) return err(400, 'BAD_REQUEST', `unknown or unsupported dimension: ${badDim}`);
    if (!dimensionsAllowed(dims))
      return err(400, 'BAD_REQUEST', `unsupported dimension combination: ${dims.join(',')}`);
    const allowed = allowedFields(dims);
    const fields = req.query.get('fields')?.split(',').filter(Boolean) ?? [...dims, 'video_view'];
    const unsupported = fields.filter((f) => !allowed.has(f));
    if (unsupported.length > 0) {
      return err(
        400,
        'UNSUPPORTED_FIELD_COMBINATION_ERROR',
        `The following fields are not supported for dimensions ${dims.join(',')}: ${unsupported.join(',')}`,
      );
    }
    const now = this.runtime.clock.now().getTime();
    const fromRaw = parseBound(req.query.get('from') ?? '-30d', false);
    const toRaw = parseBound(req.query.get('to') ?? 'now', true);
    if (!fromRaw || !toRaw) return err(400, 'BAD_REQUEST', 'invalid from or to');
    const resolve = (b: Bound, other: Bound, fallback: number): number => {
      if ('all' in b) return 0;
      if ('abs' in b) return Number.isNaN(b.abs) ? now : b.abs;
      const base = 'abs' in other ? (Number.isNaN(other.abs) ? now : other.abs) : fallback;
      return base + b.rel;
    };
    const to = resolve(toRaw, fromRaw, now);
    const from = resolve(fromRaw, toRaw, now);
    if (from > to) return err(400, 'BAD_REQUEST', 'from must be before to');
    const fromDate = new Date(from).toISOString().slice(0, 10);
    const toDate = new Date(to).toISOString().slice(0, 10);

    const where = new Map<string, Set<string>>();
    for (const clause of (req.query.get('where') ?? '').split(';').filter(Boolean)) {
      const [k, v] = clause.split('==');
      if (!k || v === undefined) return err(400, 'BAD_REQUEST', `bad where clause ${clause}`);
      if (!['video', 'device_type', 'browser_type'].includes(k))
        return err(400, 'BAD_REQUEST', `unsupported filter ${k}`);
      where.set(k, new Set(v.split(',')));
    }
    const rows = this.runtime.data.analytics.filter(
      (r) =>
        accounts.includes(r.account) &&
        r.date >= fromDate &&
        r.date <= toDate &&
        [...where].every(([k, set]) => set.has(String(r[k as keyof DailyViews]))),
    );

    type Agg = { keys: Record<string, string>; sums: Record<string, number> };
    const groups = new Map<string, Agg>();
    const sumKeys = [
      'video_view',
      'video_impression',
      'play_request',
      'video_seconds_viewed',
      'video_percent_viewed',
      ...RETENTION_FIELDS,
    ];
    const rowValue = (r: DailyViews, k: string): number => {
      const p = /^video_engagement_(\d+)$/.exec(k)?.[1];
      if (p === undefined) return r[k as keyof DailyViews] as number;
      const avg = r.video_view > 0 ? r.video_percent_viewed / r.video_view : 0;
      return r.video_view * simRetentionShare(avg, Number(p));
    };
    const total: Record<string, number> = Object.fromEntries(sumKeys.map((k) => [k, 0]));
    for (const r of rows) {
      const keys = Object.fromEntries(dims.map((d) => [d, String(r[d as keyof DailyViews])]));
      const id = dims.map((d) => keys[d]).join('|');
      let g = groups.get(id);
      if (!g) {
        g = { keys, sums: Object.fromEntries(sumKeys.map((k) => [k, 0])) };
        groups.set(id, g);
      }
      for (const k of sumKeys) {
        const v = rowValue(r, k);
        g.sums[k] = (g.sums[k] ?? 0) + v;
        total[k] = (total[k] ?? 0) + v;
      }
    }
    const round = (n: number) => Math.round(n * 1000) / 1000;
    const metric = (s: Record<string, number>, f: string): number | null => {
      if (f === 'play_rate') return s.video_impression ? round(s.video_view! / s.video_impression) : 0;
      if (f === 'engagement_score') return s.video_view ? round(s.video_percent_viewed! / s.video_view) : 0;
      if (f.startsWith('video_engagement_')) return s[f] === undefined ? null : round(s[f]);
      return s[f] ?? null;
    };
    const videoName = (id: string) => {
      for (const list of Object.values(this.runtime.data.videos)) {
        const v = list.find((x) => x.id === id);
        if (v) return v;
      }
      return undefined;
    };
    const pairs = [...groups.values()].map((g) => {
      const item: Record<string, unknown> = {};
      for (const f of fields) {
        if (dims.includes(f)) item[f] = g.keys[f];
        else if (f === 'video_name' || f === 'video.name')
          item[f] = videoName(g.keys.video ?? '')?.name ?? null;
        else if (f === 'video.reference_id') item[f] = videoName(g.keys.video ?? '')?.reference_id ?? null;
        else if (f === 'video_duration') {
          const d = videoName(g.keys.video ?? '')?.duration;
          item[f] = d == null ? null : String(Math.round(d / 1000));
        } else item[f] = metric(g.sums, f);
      }
      for (const d of dims) item[d] = g.keys[d];
      return { item, g };
    });
    const sortRaw = req.query.get('sort') ?? 'video_view';
    const desc = sortRaw.startsWith('-');
    const sortField = desc ? sortRaw.slice(1) : sortRaw;
    if (!fields.includes(sortField) && !dims.includes(sortField) && sortField !== 'video_view') {
      return err(400, 'BAD_REQUEST', `invalid sort value: ${sortRaw}`);
    }
    const sortVal = (p: (typeof pairs)[number]) =>
      (p.item[sortField] ?? metric(p.g.sums, sortField)) as string | number;
    pairs.sort((a, b) => {
      const va = sortVal(a);
      const vb = sortVal(b);
      const c = va < vb ? -1 : va > vb ? 1 : 0;
      return desc ? -c : c;
    });
    let items = pairs.map((p) => p.item);
    const itemCount = items.length;
    const limitRaw = req.query.get('limit') ?? '10';
    const offset = Number(req.query.get('offset') ?? '0');
    if (limitRaw !== 'all') {
      const limit = Number(limitRaw);
      if (!Number.isInteger(limit) || limit < 1)
        return err(400, 'BAD_REQUEST', 'limit must be a positive integer or all');
      items = items.slice(offset, offset + limit);
    } else items = items.slice(offset);
    const summary: Record<string, number | null> = {};
    for (const f of fields)
      if (!dims.includes(f) && !f.startsWith('video.') && f !== 'video_name' && f !== 'video_duration')
        summary[f] = metric(total, f);
    const body: Record<string, unknown> = { item_count: itemCount, items, summary };
    if (accounts.length === 1) body.account = accounts[0];
    return json(200, body);
  }
}
