import { describe, expect, it } from 'vitest';
import {
  type AccountCapabilities,
  dailyCsv,
  fetchDailyRows,
  fetchRecentlyViewed,
  recentlyViewedQuery,
} from '../../src/exports/daily.js';
import { createFakeAnalytics, generateTruth, type TruthRow } from './fake-analytics.js';

const row = (p: Partial<TruthRow> & Pick<TruthRow, 'video' | 'date' | 'device'>): TruthRow => ({
  account: 'A1',
  name: p.video === 'v1' ? 'Harbour seals' : 'Great "Blue", Heron',
  views: 0,
  impressions: 0,
  seconds: 0,
  percent: 0,
  eng: [0, 0, 0, 0],
  ...p,
});

/** Hand-built: two videos, three devices (tv counts as "other"), an impressions-only day, a row next month. */
const TRUTH: TruthRow[] = [
  row({
    video: 'v1',
    date: '2025-03-01',
    device: 'desktop',
    browser: 'chrome',
    views: 4,
    impressions: 10,
    seconds: 100,
    percent: 300,
    eng: [4, 3, 2, 1],
  }),
  row({
    video: 'v1',
    date: '2025-03-01',
    device: 'mobile',
    browser: 'safari',
    views: 2,
    impressions: 6,
    seconds: 50,
    percent: 100,
    eng: [2, 1, 1, 0],
  }),
  row({
    video: 'v1',
    date: '2025-03-01',
    device: 'tv',
    views: 1,
    impressions: 1,
    seconds: 10,
    percent: 50,
    eng: [1, 1, 0, 0],
  }),
  row({
    video: 'v2',
    date: '2025-03-01',
    device: 'tablet',
    browser: 'safari',
    views: 3,
    impressions: 4,
    seconds: 90,
    percent: 240,
    eng: [3, 3, 2, 2],
  }),
  row({ video: 'v1', date: '2025-03-02', device: 'other', impressions: 5 }),
  row({
    video: 'v2',
    date: '2025-04-01',
    device: 'desktop',
    views: 1,
    impressions: 2,
    seconds: 30,
    percent: 100,
    eng: [1, 1, 1, 1],
  }),
  row({ account: 'B2', video: 'v9', date: '2025-03-01', device: 'desktop', views: 50, impressions: 60 }),
];

const HEADER =
  'date,account,account_id,video_id,video_name,views,impressions,play_rate,engagement_score,retention_25,retention_50,retention_75,retention_100,percent_viewed,seconds_viewed,views_desktop,views_mobile,views_tablet,views_tv,views_other,browser_chrome,browser_edge,browser_firefox,browser_ie,browser_opera,browser_safari,browser_other';
const MARCH = [
  HEADER,
  '2025-03-01,neo,A1,v1,Harbour seals,7,17,0.4118,64.286,7,5,3,1,450,160,4,2,0,1,0,4,0,0,0,0,2,1',
  '2025-03-01,neo,A1,v2,"Great ""Blue"", Heron",3,4,0.75,80,3,3,2,2,240,90,0,0,3,0,0,0,0,0,0,0,3,0',
  '2025-03-02,neo,A1,v1,Harbour seals,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0',
  '',
].join('\n');
const MARCH_RANGE = { from: '2025-03-01', to: '2025-03-31' };
const NEO = { id: 'A1', alias: 'neo' };

describe('daily rows', () => {
  it('equal the hand-built ground truth with three queries for the month (metrics, devices, browsers)', async () => {
    const fake = createFakeAnalytics(TRUTH);
    const rows = await fetchDailyRows(fake.run, NEO, MARCH_RANGE);
    expect(dailyCsv(rows)).toBe(MARCH);
    expect(fake.calls()).toBe(3);
    expect(fake.log.map((c) => c.q.dimensions.join(','))).toEqual([
      'video,date',
      'video,date,device_type',
      'video,date,browser_type',
    ]);
    for (const { q } of fake.log) {
      expect(q.limit).toBe('all');
      expect(q.fields).not.toContain('play_rate');
      expect([q.from, q.to]).toEqual(['2025-03-01', '2025-03-31']);
    }
  });

  it('fall back to device and browser filters when the three-dimension report is refused, learning it once', async () => {
    const fake = createFakeAnalytics(TRUTH, { threeDimensions: false });
    const caps: AccountCapabilities = {};
    const counter = { calls: 0 };
    const rows = await fetchDailyRows(fake.run, NEO, MARCH_RANGE, { capabilities: caps, counter });
    expect(dailyCsv(rows)).toBe(MARCH);
    expect(caps.threeDimensions).toBe(false);
    // metrics, the refused three-dimension query, four devices, six browsers
    expect(counter.calls).toBe(12);
    await fetchDailyRows(
      fake.run,
      NEO,
      { from: '2025-04-01', to: '2025-04-30' },
      { capabilities: caps, counter },
    );
    expect(counter.calls).toBe(12 + 11);
    expect(fake.log.filter((c) => c.q.dimensions.length > 2)).toHaveLength(1);
  });

  it("carry a video's custom fields as columns after their own (empty for a video the CMS no longer has)", async () => {
    const rows = await fetchDailyRows(createFakeAnalytics(TRUTH).run, NEO, MARCH_RANGE);
    const csv = dailyCsv(rows, true, {
      columns: ['business_unit', 'video_content_type'],
      values: new Map([['v1', ['news', 'clip']]]),
    }).split('\n');
    expect(csv[0]).toBe(`${HEADER},business_unit,video_content_type`);
    expect(csv[1]).toMatch(/^2025-03-01,neo,A1,v1,.*,news,clip$/);
    expect(csv[2]).toMatch(/^2025-03-01,neo,A1,v2,.*,,$/);
  });

  it('leave retention empty when the account refuses the engagement fields', async () => {
    const fake = createFakeAnalytics(TRUTH, { retention: false });
    const caps: AccountCapabilities = {};
    const rows = await fetchDailyRows(fake.run, NEO, MARCH_RANGE, { capabilities: caps });
    expect(dailyCsv(rows).split('\n')[1]).toBe(
      '2025-03-01,neo,A1,v1,Harbour seals,7,17,0.4118,64.286,,,,,450,160,4,2,0,1,0,4,0,0,0,0,2,1',
    );
    expect(caps.retention).toBe(false);
    expect(fake.calls()).toBe(4);
  });

  it('fetch a range cut by the item cap again as halves, losing no row', async () => {
    const truth = generateTruth(['A1'], 6, '2025-03-01', 31);
    const whole = await fetchDailyRows(createFakeAnalytics(truth).run, NEO, MARCH_RANGE);
    const capped = createFakeAnalytics(truth, { itemCap: 40 });
    const counter = { calls: 0 };
    const rows = await fetchDailyRows(capped.run, NEO, MARCH_RANGE, { counter });
    expect(rows).toEqual(whole);
    expect(counter.calls).toBeGreaterThan(2);
    expect(capped.log.every((c) => c.q.from <= c.q.to)).toBe(true);
  });

  it('refuse a single day that is still cut rather than export partial data', async () => {
    const fake = createFakeAnalytics(generateTruth(['A1'], 50, '2025-03-01', 1), { itemCap: 1 });
    await expect(fetchDailyRows(fake.run, NEO, { from: '2025-03-01', to: '2025-03-01' })).rejects.toThrow(
      /only 1 returned/,
    );
  });

  it('list recently viewed videos with one query over the window', async () => {
    const now = new Date('2025-04-10T08:00:00Z');
    expect(recentlyViewedQuery(now, 90)).toMatchObject({
      dimensions: ['video'],
      from: '2025-01-10',
      to: '2025-04-10',
      limit: 'all',
    });
    const fake = createFakeAnalytics(TRUTH);
    // only v2 has views between 2025-04-01 and 2025-04-10
    const recent = await fetchRecentlyViewed(fake.run, 'A1', now, 9);
    expect([...recent]).toEqual(['v2']);
    expect(fake.calls()).toBe(1);
  });
});
