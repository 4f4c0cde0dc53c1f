import { describe, expect, it } from 'vitest';
import { VideoNameCache } from '../../src/analytics/names.js';
import { lastDays } from '../../src/analytics/period.js';
import { buildReport } from '../../src/analytics/report.js';
import { type Fact, fakeAnalytics, generateFacts } from './fake-analytics.js';

const NOW = new Date('2026-03-31T10:00:00Z');
const TODAY = '2026-03-31';

function truth(facts: Fact[], accounts: string[], from: string, to: string) {
  const sel = facts.filter((f) => accounts.includes(f.account) && f.date >= from && f.date <= to);
  const sum = (k: 'views' | 'impressions' | 'seconds' | 'percent') => sel.reduce((s, f) => s + f[k], 0);
  return {
    views: sum('views'),
    impressions: sum('impressions'),
    seconds: sum('seconds'),
    percent: sum('percent'),
    sel,
  };
}

describe('report figures against ground truth', () => {
  // 60 days of data: March is the period, the 30 days before it the previous period.
  const accounts = ['111', '222', '333'];
  const facts = generateFacts(accounts, 25, '2026-01-30', 60);
  const period = { from: '2026-03-01', to: '2026-03-30' };

  it.each([
    ['an account', ['222']],
    ['a group', ['111', '333']],
    ['all', accounts],
  ])('sums every figure for %s', async (_label, ids) => {
    const { run, calls } = fakeAnalytics(facts);
    const report = await buildReport({
      run,
      scope: { label: 'x', accountIds: ids },
      period,
      today: TODAY,
      now: NOW,
    });
    const cur = truth(facts, ids, period.from, period.to);
    const prev = truth(facts, ids, '2026-01-30', '2026-02-28');
    expect(report.previousPeriod).toEqual({ from: '2026-01-30', to: '2026-02-28' });
    expect(report.current.views).toBe(cur.views);
    expect(report.current.impressions).toBe(cur.impressions);
    expect(report.current.minutesViewed).toBeCloseTo(cur.seconds / 60, 9);
    expect(report.current.playRate).toBeCloseTo(cur.views / cur.impressions, 12);
    expect(report.current.avgPercentViewed).toBeCloseTo(cur.percent / cur.views, 9);
    expect(report.current.engagementScore).toBeCloseTo(cur.percent / cur.views, 9);
    expect(report.previous.views).toBe(prev.views);
    expect(report.changes.views.change).toBeCloseTo((cur.views - prev.views) / prev.views, 12);
    // Daily trend and device split add up to the same views, day by day.
    expect(report.daily).toHaveLength(30);
    for (const p of report.daily) {
      const dayViews = cur.sel.filter((f) => f.date === p.date).reduce((s, f) => s + f.views, 0);
      expect(p.views).toBe(dayViews);
      expect(Object.values(p.byDevice).reduce((s, n) => s + n, 0)).toBe(dayViews);
    }
    const deviceViews = Object.fromEntries(report.devices.map((d) => [d.device, d.views]));
    for (const device of ['desktop', 'mobile', 'tablet', 'tv']) {
      expect(deviceViews[device]).toBe(
        cur.sel.filter((f) => f.device === device).reduce((s, f) => s + f.views, 0),
      );
    }
    expect(report.devices.reduce((s, d) => s + d.share, 0)).toBeCloseTo(1, 12);
    // Top list: the 10 most viewed videos in the scope, with their own views and previous views.
    const perVideo = new Map<string, number>();
    for (const f of cur.sel) perVideo.set(f.video, (perVideo.get(f.video) ?? 0) + f.views);
    const expectedTop = [...perVideo.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    expect(report.topVideos.map((v) => v.views)).toEqual(expectedTop.map(([, n]) => n));
    for (const v of report.topVideos) {
      expect(v.views).toBe(perVideo.get(v.videoId));
      const pv = prev.sel.filter((f) => f.video === v.videoId).reduce((s, f) => s + f.views, 0);
      expect(v.previousViews).toBe(pv);
    }
    // Few queries: never one per video.
    for (const id of ids) expect(calls.filter((c) => c.accountId === id).length).toBeLessThanOrEqual(4);
    expect(report.queryCounts).toEqual(Object.fromEntries(ids.map((id) => [id, 3])));
  });
});

describe('period-over-period and details on known rows', () => {
  const base = {
    impressions: 0,
    seconds: 0,
    percent: 0,
    eng: [0, 0, 0, 0] as [number, number, number, number],
  };
  const facts: Fact[] = [
    // previous period (Mar 24–27)
    {
      ...base,
      account: 'A',
      video: 'v1',
      name: 'One',
      date: '2026-03-25',
      device: 'desktop',
      views: 50,
      impressions: 100,
    },
    {
      ...base,
      account: 'A',
      video: 'v2',
      name: 'Two',
      date: '2026-03-26',
      device: 'mobile',
      views: 10,
      impressions: 40,
    },
    // current period (Mar 28–31)
    {
      account: 'A',
      video: 'v1',
      name: 'One',
      date: '2026-03-28',
      device: 'desktop',
      views: 60,
      impressions: 120,
      seconds: 600,
      percent: 3000,
      eng: [48, 36, 24, 12],
    },
    {
      ...base,
      account: 'A',
      video: 'v2',
      date: '2026-03-30',
      device: 'mobile',
      views: 30,
      impressions: 60,
      percent: 900,
    },
    {
      ...base,
      account: 'A',
      video: 'v3',
      name: 'Three',
      date: '2026-03-31',
      device: 'tv',
      views: 0,
      impressions: 5,
    },
  ];
  const period = { from: '2026-03-28', to: '2026-03-31' };

  it('computes changes, ratios, retention and freshness', async () => {
    const { run } = fakeAnalytics(facts);
    const report = await buildReport({
      run,
      scope: { label: 'A', accountIds: ['A'] },
      period,
      today: '2026-04-01',
      now: NOW,
    });
    expect(report.current.views).toBe(90);
    expect(report.previous.views).toBe(60);
    expect(report.changes.views).toEqual({ current: 90, previous: 60, delta: 30, change: 0.5 });
    expect(report.current.playRate).toBeCloseTo(90 / 185, 12);
    expect(report.changes.playRate.previous).toBeCloseTo(60 / 140, 12);
    expect(report.current.avgPercentViewed).toBeCloseTo(3900 / 90, 12);
    expect(report.current.minutesViewed).toBe(10);
    const [first, second] = report.topVideos;
    expect(first).toMatchObject({ videoId: 'v1', name: 'One', views: 60, previousViews: 50, change: 0.2 });
    expect(first?.retention).toEqual({ p25: 0.8, p50: 0.6, p75: 0.4, p100: 0.2 });
    expect(second).toMatchObject({
      videoId: 'v2',
      name: 'v2',
      views: 30,
      previousViews: 10,
      change: 2,
      engagementScore: 30,
    });
    expect(report.topVideos).toHaveLength(2); // v3 had impressions only
    expect(report.devices.map((d) => [d.device, d.views])).toEqual([
      ['desktop', 60],
      ['mobile', 30],
      ['tv', 0],
    ]);
    expect(report.daily.map((d) => d.views)).toEqual([60, 0, 30, 0]);
    expect(report.freshness.provisionalDates).toEqual(['2026-03-30', '2026-03-31']);
    expect(report.daily.map((d) => d.provisional)).toEqual([false, false, true, true]);
  });

  it('reports no relative change when the previous period had nothing', async () => {
    const { run } = fakeAnalytics(facts.filter((f) => f.date >= '2026-03-28'));
    const report = await buildReport({
      run,
      scope: { label: 'A', accountIds: ['A'] },
      period,
      today: TODAY,
      now: NOW,
    });
    expect(report.changes.views).toEqual({ current: 90, previous: 0, delta: 90, change: null });
    expect(report.changes.playRate.change).toBeNull();
  });

  it('names unnamed top videos with cached CMS lookups of at most 10 ids', async () => {
    const many: Fact[] = Array.from({ length: 23 }, (_, i) => ({
      ...base,
      account: 'A',
      video: `id${String(i).padStart(2, '0')}`,
      date: '2026-03-29',
      device: 'desktop',
      views: 100 - i,
    }));
    const lookups: string[][] = [];
    const names = new VideoNameCache(async (_acct, ids) => {
      lookups.push(ids);
      return Object.fromEntries(ids.map((id) => [id, `Name of ${id}`]));
    });
    const { run } = fakeAnalytics(many);
    const opts = {
      run,
      scope: { label: 'A', accountIds: ['A'] },
      period,
      today: TODAY,
      now: NOW,
      topN: 12,
      names,
    };
    const report = await buildReport(opts);
    expect(report.topVideos.map((v) => v.name).slice(0, 2)).toEqual(['Name of id00', 'Name of id01']);
    expect(lookups.map((l) => l.length)).toEqual([10, 2]);
    await buildReport(opts);
    expect(lookups).toHaveLength(2); // second report served from the cache
  });

  it('lists videos not viewed in N days with one extra query at most', async () => {
    const { run, calls } = fakeAnalytics(facts);
    const report = await buildReport({
      run,
      scope: { label: 'A', accountIds: ['A'] },
      period,
      today: TODAY,
      now: NOW,
      notViewedDays: 5,
      listVideos: async () => [
        { id: 'v1', name: 'One' },
        { id: 'v2', name: 'Two' },
        { id: 'v3', name: 'Three', createdAt: '2025-01-01T00:00:00Z' },
        { id: 'v4', name: 'Four', createdAt: '2026-03-29T00:00:00Z' }, // too new to count
        { id: 'v5' },
      ],
    });
    expect(calls).toHaveLength(4);
    expect(calls[3]?.q).toMatchObject({
      dimensions: ['video'],
      from: '2026-03-26',
      to: '2026-03-30',
      limit: 'all',
    });
    expect(report.notViewed?.videos.map((v) => v.videoId)).toEqual(['v3', 'v5']);
    expect(report.notViewed?.total).toBe(2);
  });

  it('reuses the period query when the not-viewed window is the period', async () => {
    const { run, calls } = fakeAnalytics(facts);
    const report = await buildReport({
      run,
      scope: { label: 'A', accountIds: ['A'] },
      period: lastDays(4, TODAY),
      today: TODAY,
      now: NOW,
      notViewedDays: 4,
      listVideos: async () => [{ id: 'v1' }, { id: 'v3' }],
    });
    expect(calls).toHaveLength(3);
    expect(report.notViewed?.videos.map((v) => v.videoId)).toEqual(['v3']);
  });

  it('sends limit=all with an explicit sort and valid field combinations', async () => {
    const { run, calls } = fakeAnalytics(facts);
    await buildReport({ run, scope: { label: 'A', accountIds: ['A'] }, period, today: TODAY, now: NOW });
    for (const { q } of calls) {
      expect(q.limit).toBe('all');
      expect(q.sort).toBeTruthy();
      expect(q.where).toBeUndefined();
    }
    const dims = calls.map((c) => c.q.dimensions.join(','));
    expect(dims).toEqual(['video', 'video', 'date,device_type']);
    // play_rate/play_request are not valid with date dimensions; engagement curve only with `video` alone.
    const deviceDaily = calls[2]?.q.fields ?? [];
    expect(deviceDaily.some((f) => f.startsWith('video_engagement_') || f === 'play_rate')).toBe(false);
  });
});
