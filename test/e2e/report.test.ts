import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/analytics/report.js';
import { ACCOUNT_IDS, sumViews, viewRows, viewsByDevice } from '../../src/sim/data/index.js';
import type { DailyViews } from '../../src/sim/data/types.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { CHANNEL, type Harness, MEMBER, startHarness } from '../support/harness.js';

// ManualClock starts 2026-11-21T12:00Z; Europe/London is UTC in November, so --days 7 is Nov 14–20.
const CUR = { from: '2026-11-14', to: '2026-11-20' };
const PREV = { from: '2026-11-07', to: '2026-11-13' };
const NEO_GROUP = [ACCOUNT_IDS.neo, ACCOUNT_IDS.neoNorth, ACCOUNT_IDS.neoSouth];
const ALL = [...NEO_GROUP, ACCOUNT_IDS.research];

function truth(h: Harness, accounts: string[], p: { from: string; to: string }) {
  const rows = accounts.flatMap((account) => viewRows(h.bc!.data, { account, ...p }));
  const sum = (k: keyof DailyViews) => rows.reduce((s, r) => s + (r[k] as number), 0);
  const devices: Record<string, number> = {};
  for (const account of accounts) {
    for (const [d, v] of Object.entries(viewsByDevice(h.bc!.data, { account, ...p })))
      devices[d] = (devices[d] ?? 0) + v;
  }
  const perVideo = new Map<string, number>();
  for (const r of rows) perVideo.set(r.video, (perVideo.get(r.video) ?? 0) + r.video_view);
  return {
    views: sum('video_view'),
    impressions: sum('video_impression'),
    seconds: sum('video_seconds_viewed'),
    percent: sum('video_percent_viewed'),
    devices,
    perVideo,
  };
}

function checkAgainstTruth(h: Harness, r: Report, accounts: string[]) {
  const cur = truth(h, accounts, CUR);
  const prev = truth(h, accounts, PREV);
  expect(cur.views).toBeGreaterThan(0);
  expect(r.current.views).toBe(cur.views);
  expect(r.current.views).toBe(
    accounts.reduce((s, account) => s + sumViews(h.bc!.data, { account, ...CUR }), 0),
  );
  expect(r.current.impressions).toBe(cur.impressions);
  expect(r.current.minutesViewed).toBeCloseTo(cur.seconds / 60, 6);
  expect(r.current.playRate).toBeCloseTo(cur.views / cur.impressions, 9);
  expect(r.current.avgPercentViewed).toBeCloseTo(cur.percent / cur.views, 9);
  // per-video scores are rounded to 3 decimals by the API, then view-weighted
  expect(r.current.engagementScore).toBeCloseTo(cur.percent / cur.views, 2);
  expect(r.previous.views).toBe(prev.views);
  expect(r.changes.views.change).toBeCloseTo((cur.views - prev.views) / prev.views, 12);
  expect(Object.fromEntries(r.devices.map((d) => [d.device, d.views]))).toEqual(cur.devices);
  expect(r.daily.map((d) => d.date)).toEqual([
    '2026-11-14',
    '2026-11-15',
    '2026-11-16',
    '2026-11-17',
    '2026-11-18',
    '2026-11-19',
    '2026-11-20',
  ]);
  expect(r.daily.reduce((s, d) => s + d.views, 0)).toBe(cur.views);
  const top = [...cur.perVideo.values()].sort((a, b) => b - a).slice(0, 10);
  expect(r.topVideos.map((v) => v.views)).toEqual(top);
  for (const v of r.topVideos) {
    const video = Object.values(h.bc!.data.videos)
      .flat()
      .find((x) => x.id === v.videoId);
    expect(v.name).toBe(video?.name);
    expect(v.retention.p25).not.toBeNull();
    expect(v.retention.p25!).toBeGreaterThanOrEqual(v.retention.p100!);
  }
  for (const id of accounts) expect(r.queryCounts[id]).toBeLessThanOrEqual(4);
}

describe('report end to end against the Brightcove simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ brightcove: { dataset: { videosPerAccount: 25, analyticsDays: 30 } } });
  });
  afterAll(async () => {
    await h.close();
  });

  const summaryAfter = async (text: string, user = MEMBER): Promise<SimMessage> => {
    const before = h.slack.messages.length;
    const res = await h.command(text, user);
    expect(res.status).toBe(200);
    return h.slack.waitFor(
      () =>
        h.slack.messages
          .slice(before)
          .find(
            (m) => m.channel === CHANNEL && !m.threadTs && /Views/.test(m.text) && !/Building/.test(m.text),
          ),
      10_000,
      `report for "${text}"`,
    );
  };

  it('posts a summary for one account whose figures are the ground truth, with the chart in the thread', async () => {
    const filesBefore = h.slack.files.size;
    const msg = await summaryAfter('report neo --days 7');
    const t = truth(h, [ACCOUNT_IDS.neo], CUR);
    expect(msg.text).toContain(`Views: ${t.views.toLocaleString('en-US')}`);
    expect(msg.text).toContain('provisional');
    const blocksJson = JSON.stringify(msg.blocks);
    expect(blocksJson).toMatch(/[▁▂▃▄▅▆▇█]{7}/);
    expect(blocksJson).toContain('Top 10 videos');
    expect(msg.blocks.length).toBeLessThan(50);
    const png = await h.slack.waitFor(
      () => [...h.slack.files.values()].slice(filesBefore).find((f) => f.filename.endsWith('.png')),
      10_000,
      'chart upload',
    );
    expect(png.threadTs).toBe(msg.ts);
    expect(png.channel).toBe(CHANNEL);
    expect(png.content.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.content.length).toBeGreaterThan(20_000);
    expect(h.slack.calls.some((c) => c.method === 'files.completeUploadExternal' && c.ok)).toBe(true);
    // no reconciled=true (latest figures), limit=all, no per-video queries
    const analytics = h.bc!.requests.filter(
      (r) => r.api === 'analytics' && r.query.accounts === ACCOUNT_IDS.neo,
    );
    expect(analytics.length).toBeLessThanOrEqual(4);
    for (const q of analytics) {
      expect(q.query.reconciled).toBeUndefined();
      expect(q.query.limit).toBe('all');
      expect(q.status).toBe(200);
    }
  });

  it('one account, a group and all equal the ground truth', async () => {
    const svc = h.app.services.reports;
    for (const [name, ids] of [
      ['neo', [ACCOUNT_IDS.neo]],
      ['neo-group', NEO_GROUP],
      ['all', ALL],
    ] as const) {
      const scope = svc.scope(name);
      expect([...scope.accountIds].sort()).toEqual([...ids].sort());
      const r = await svc.build(scope, CUR);
      checkAgainstTruth(h, r, [...ids]);
    }
  });

  it('a group report in the channel shows the group total', async () => {
    const msg = await summaryAfter('report neo-group --from 2026-11-14 --to 2026-11-20');
    const t = truth(h, NEO_GROUP, CUR);
    expect(msg.text).toContain('neo-group');
    expect(msg.text).toContain(`Views: ${t.views.toLocaleString('en-US')}`);
  });

  it('--csv attaches the daily rows, which add up to the ground truth', async () => {
    const filesBefore = h.slack.files.size;
    const msg = await summaryAfter('report all --days 7 --csv');
    const csv = await h.slack.waitFor(
      () => [...h.slack.files.values()].slice(filesBefore).find((f) => f.filename.endsWith('.csv')),
      10_000,
      'csv upload',
    );
    expect(csv.threadTs).toBe(msg.ts);
    const lines = csv.content.toString('utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^date,scope,views,impressions/);
    expect(lines).toHaveLength(8);
    const views = lines.slice(1).reduce((s, l) => s + Number(l.split(',')[2]), 0);
    expect(views).toBe(truth(h, ALL, CUR).views);
  });

  it('--not-viewed N lists videos with no views in the last N days (older than the window)', async () => {
    const window = { from: '2026-11-19', to: '2026-11-20' };
    const viewed = new Set(
      viewRows(h.bc!.data, { account: ACCOUNT_IDS.neo, ...window })
        .filter((r) => r.video_view > 0)
        .map((r) => r.video),
    );
    const expected = (h.bc!.data.videos[ACCOUNT_IDS.neo] ?? []).filter(
      (v) => !viewed.has(v.id) && v.created_at.slice(0, 10) < window.from,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(25);
    const msg = await summaryAfter('report neo --days 7 --not-viewed 2');
    expect(msg.text).toContain(
      `Not viewed in 2 days: ${expected.length} ${expected.length === 1 ? 'video' : 'videos'}`,
    );
    const svc = h.app.services.reports;
    const r = await svc.build(svc.scope('neo'), CUR, { notViewedDays: 2 });
    expect(r.notViewed?.window).toEqual(window);
    expect(r.notViewed?.videos.map((v) => v.videoId).sort()).toEqual(expected.map((v) => v.id).sort());
    expect(r.queryCounts[ACCOUNT_IDS.neo]).toBe(4);
  });

  it('a failed report replaces its message with what went wrong and what to do', async () => {
    const before = h.slack.messages.length;
    h.bc!.faults.errorRate = 1;
    try {
      await h.command('report research --days 7', MEMBER);
      const failed = await h.slack.waitFor(
        () =>
          h.slack.messages
            .slice(before)
            .find((m) => m.channel === CHANNEL && m.text.startsWith('The report failed')),
        10_000,
        'failure message',
      );
      expect(failed.text).toContain('503');
      expect(failed.text).toContain('try again in a few minutes');
      expect(h.slack.messages.slice(before).some((m) => m.text.includes('Views:'))).toBe(false);
    } finally {
      h.bc!.faults.errorRate = 0;
    }
  });

  it('usage errors are precise', async () => {
    const cases: Array<[string, string]> = [
      ['report neo --days 7 --from 2026-11-01', 'Use either --days N or --from/--to, not both'],
      ['report neo --from 2026-11-10 --to 2026-11-01', '--from 2026-11-10 is after --to 2026-11-01'],
      ['report neo --from 2026-13-01', '--from is not a calendar date'],
      ['report neo --from 11/01/2026', '--from must be a date written YYYY-MM-DD'],
      ['report neo --to 2026-11-10', '--to needs --from'],
      ['report neo --days 0', '--days must be at least 1'],
      ['report neo --days lots', '--days must be a number'],
      ['report neo --from 2026-11-25 --to 2026-11-30', 'is not in the past'],
      ['report neo research', 'at most one account'],
      ['report nosuch', 'Unknown account or group `nosuch`'],
    ];
    for (const [text, expected] of cases) {
      const reply = await h.ephemeralAfter(text, MEMBER);
      expect(reply, text).toContain(expected);
    }
  });

  it('period-over-period changes on known data', async () => {
    const data = h.bc!.data;
    const saved = data.analytics;
    const row = (
      date: string,
      video: string,
      device: DailyViews['device_type'],
      views: number,
    ): DailyViews => ({
      account: ACCOUNT_IDS.research,
      video,
      date,
      device_type: device,
      browser_type: 'chrome',
      video_view: views,
      video_impression: views * 2,
      play_request: views,
      video_seconds_viewed: views * 60,
      video_percent_viewed: views * 50,
    });
    const [a, b] = (data.videos[ACCOUNT_IDS.research] ?? []).map((v) => v.id);
    data.analytics = [
      // previous period: 100 views (a 80, b 20), impressions 200
      row('2026-11-08', a!, 'desktop', 80),
      row('2026-11-09', b!, 'mobile', 20),
      // current: 150 views (a 60, b 90), impressions 400 → play rate 0.5 → 0.375
      row('2026-11-15', a!, 'desktop', 60),
      row('2026-11-16', b!, 'mobile', 90),
      { ...row('2026-11-17', b!, 'tablet', 0), video_impression: 100 },
    ];
    try {
      const svc = h.app.services.reports;
      const r = await svc.build(svc.scope('research'), CUR);
      expect(r.current.views).toBe(150);
      expect(r.previous.views).toBe(100);
      expect(r.changes.views.change).toBeCloseTo(0.5, 12);
      expect(r.changes.views.delta).toBe(50);
      expect(r.changes.impressions.change).toBeCloseTo(1, 12);
      expect(r.changes.playRate.current).toBeCloseTo(0.375, 12);
      expect(r.changes.playRate.previous).toBeCloseTo(0.5, 12);
      expect(r.changes.minutesViewed.change).toBeCloseTo(0.5, 12);
      expect(r.topVideos.map((v) => [v.videoId, v.views, v.previousViews])).toEqual([
        [b, 90, 20],
        [a, 60, 80],
      ]);
      expect(r.topVideos[0]?.change).toBeCloseTo(3.5, 12);
      expect(r.topVideos[1]?.change).toBeCloseTo(-0.25, 12);
      expect(r.devices.map((d) => [d.device, d.views, d.share])).toEqual([
        ['mobile', 90, 0.6],
        ['desktop', 60, 0.4],
        ['tablet', 0, 0],
      ]);
      const msg = await summaryAfter('report research --days 7');
      expect(msg.text).toContain('Views: 150 (↑ +50.0%)');
      expect(msg.text).toContain('Play rate: 37.5% (↓ -12.5 pts)');
    } finally {
      data.analytics = saved;
    }
  });
});
