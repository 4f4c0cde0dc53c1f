import { describe, expect, it } from 'vitest';
import { dailyRowsCsv } from '../../src/analytics/csv.js';
import { assembleReport } from '../../src/analytics/report.js';
import { formatChange, sparkline, trendArrow } from '../../src/analytics/text-trend.js';

describe('text trend helpers', () => {
  it('draws sparklines from the lowest to the highest bar', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5])).toBe('▄▄▄');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('picks arrows and formats changes', () => {
    expect([trendArrow(0.5), trendArrow(-0.1), trendArrow(0.01), trendArrow(null)]).toEqual([
      '↑',
      '↓',
      '→',
      '·',
    ]);
    expect([formatChange(0.5), formatChange(-0.123), formatChange(0), formatChange(null)]).toEqual([
      '+50.0%',
      '-12.3%',
      '0.0%',
      'n/a',
    ]);
  });
});

describe('daily CSV', () => {
  it('writes one row per day with device columns', () => {
    const report = assembleReport(
      [
        {
          accountId: 'A',
          current: [],
          previous: [],
          queries: 3,
          deviceDaily: [
            {
              date: '2026-03-01',
              device_type: 'desktop',
              video_view: 6,
              video_impression: 10,
              video_seconds_viewed: 120,
              video_percent_viewed: 0,
            },
            {
              date: '2026-03-01',
              device_type: 'mobile',
              video_view: 4,
              video_impression: 10,
              video_seconds_viewed: 60,
              video_percent_viewed: 0,
            },
            {
              date: '2026-03-02',
              device_type: 'mobile',
              video_view: 1,
              video_impression: 0,
              video_seconds_viewed: 0,
              video_percent_viewed: 0,
            },
          ],
        },
      ],
      {
        scope: { label: 'neo, "main"', accountIds: ['A'] },
        period: { from: '2026-03-01', to: '2026-03-03' },
        today: '2026-03-04',
        now: new Date('2026-03-04T00:00:00Z'),
      },
    );
    expect(dailyRowsCsv(report).split('\n')).toEqual([
      'date,scope,views,impressions,play_rate,minutes_viewed,views_desktop,views_mobile,provisional',
      '2026-03-01,"neo, ""main""",10,20,0.5000,3.00,6,4,no',
      '2026-03-02,"neo, ""main""",1,0,,0.00,0,1,yes',
      '2026-03-03,"neo, ""main""",0,0,,0.00,0,0,yes',
      '',
    ]);
  });
});
