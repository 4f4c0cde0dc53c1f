import type { AnalyticsQuery, AnalyticsResult, RunAnalyticsQuery } from '../../src/analytics/queries.js';

/** One raw fact: a video's activity on one day from one device type. */
export interface Fact {
  account: string;
  video: string;
  name?: string;
  date: string;
  device: string;
  views: number;
  impressions: number;
  seconds: number;
  percent: number;
  /** views still watching at 25/50/75/100 % */
  eng: [number, number, number, number];
}

/**
 * A tiny /v1/data: groups facts by the requested dimensions (date range inclusive), sums counts, derives
 * engagement_score per row as Brightcove does, omits rows without activity, honours `-field` sort.
 */
export function fakeAnalytics(facts: Fact[]) {
  const calls: Array<{ accountId: string; q: AnalyticsQuery }> = [];
  const run: RunAnalyticsQuery = async (accountId, q) => {
    calls.push({ accountId, q });
    const groups = new Map<string, Record<string, number | string | null>>();
    for (const f of facts) {
      if (f.account !== accountId || f.date < q.from || f.date > q.to) continue;
      const keyParts = q.dimensions.map((d) => (d === 'video' ? f.video : d === 'date' ? f.date : f.device));
      const key = keyParts.join('|');
      let row = groups.get(key);
      if (!row) {
        row = { video_view: 0, video_impression: 0, video_seconds_viewed: 0, video_percent_viewed: 0 };
        for (const p of [25, 50, 75, 100]) row[`video_engagement_${p}`] = 0;
        q.dimensions.forEach((d, i) => {
          (row as Record<string, unknown>)[d === 'device_type' ? 'device_type' : d] = keyParts[i] ?? null;
        });
        if (q.dimensions.includes('video')) row.video_name = f.name ?? null;
        groups.set(key, row);
      }
      const add = (k: string, v: number) => {
        (row as Record<string, number>)[k] = ((row as Record<string, number>)[k] ?? 0) + v;
      };
      add('video_view', f.views);
      add('video_impression', f.impressions);
      add('video_seconds_viewed', f.seconds);
      add('video_percent_viewed', f.percent);
      for (const [i, p] of [25, 50, 75, 100].entries()) add(`video_engagement_${p}`, f.eng[i] ?? 0);
    }
    const items = [...groups.values()]
      .filter((r) => Number(r.video_view) > 0 || Number(r.video_impression) > 0)
      .map((r) => {
        const views = Number(r.video_view);
        const out: Record<string, unknown> = {
          ...r,
          engagement_score: views > 0 ? Number(r.video_percent_viewed) / views : null,
        };
        for (const k of Object.keys(out))
          if (!q.fields.includes(k) && !q.dimensions.includes(k)) delete out[k];
        return out;
      });
    if (q.sort) {
      const desc = q.sort.startsWith('-');
      const field = q.sort.replace(/^-/, '');
      items.sort((a, b) => {
        const x = a[field] as number | string;
        const y = b[field] as number | string;
        return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
      });
    }
    const result: AnalyticsResult = { item_count: items.length, items, summary: {} };
    return result;
  };
  return { run, calls };
}

/** Deterministic pseudo-random facts (no Math.random, so failures reproduce). */
export function generateFacts(
  accounts: string[],
  videosPerAccount: number,
  from: string,
  days: number,
): Fact[] {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const devices = ['desktop', 'mobile', 'tablet', 'tv'];
  const facts: Fact[] = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  for (const account of accounts) {
    for (let v = 0; v < videosPerAccount; v++) {
      for (let d = 0; d < days; d++) {
        const date = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
        for (const device of devices) {
          if (rnd() < 0.6) continue; // many (video, day, device) cells have no activity at all
          const views = Math.floor(rnd() * 20);
          const e25 = Math.floor(views * 0.8);
          facts.push({
            account,
            video: `${account}0${v}`,
            name: v % 3 === 0 ? undefined : `Video ${account}-${v}`,
            date,
            device,
            views,
            impressions: views + Math.floor(rnd() * 30),
            seconds: views * Math.floor(rnd() * 300),
            percent: views * Math.floor(rnd() * 100),
            eng: [e25, Math.floor(e25 * 0.7), Math.floor(e25 * 0.5), Math.floor(e25 * 0.3)],
          });
        }
      }
    }
  }
  return facts;
}
