import { afterEach, describe, expect, it } from 'vitest';
import { buildAnalyticsParams, UnsupportedFieldsError, ValidationError } from '../../src/brightcove/index.js';
import { ACCOUNT_IDS, sumViews, viewsByDevice } from '../../src/sim/data/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

const dataset = { videosPerAccount: 8, analyticsDays: 10 };

describe('Analytics client', () => {
  it('builds the documented query string', () => {
    const p = buildAnalyticsParams(
      {
        dimensions: ['video', 'date'],
        fields: ['video', 'date', 'video_view'],
        where: { device_type: ['mobile', 'tablet'] },
        from: '-7d',
        to: 'now',
      },
      '42',
    );
    expect(Object.fromEntries(p)).toEqual({
      accounts: '42',
      dimensions: 'video,date',
      fields: 'video,date,video_view',
      where: 'device_type==mobile,tablet',
      from: '-7d',
      to: 'now',
      sort: '-video_view',
      limit: 'all',
    });
  });

  it('video,date rows with limit=all add up to the ground truth', async () => {
    h = await startHarness({ dataset });
    const from = '2026-11-15';
    const to = '2026-11-20';
    const res = await h.bc.analytics(h.account()).query({
      dimensions: ['video', 'date'],
      fields: ['video', 'date', 'video_view', 'video_seconds_viewed'],
      from,
      to,
      sort: 'date',
    });
    const truth = sumViews(h.sim.data, { account: ACCOUNT_IDS.neo, from, to });
    expect(truth).toBeGreaterThan(0);
    expect(res.items.reduce((s, r) => s + (r.video_view ?? 0), 0)).toBe(truth);
    expect(res.summary.video_view).toBe(truth);
    expect(res.itemCount).toBe(res.items.length);
    expect(res.items.every((r) => r.date! >= from && r.date! <= to)).toBe(true);
  });

  it('device_type split matches the generator’s totals', async () => {
    h = await startHarness({ dataset });
    const res = await h.bc.analytics(h.account('research')).query({
      dimensions: ['device_type'],
      fields: ['device_type', 'video_view'],
      from: '2026-11-11',
      to: '2026-11-20',
    });
    const got = Object.fromEntries(res.items.map((r) => [r.device_type, r.video_view]));
    expect(got).toEqual(
      viewsByDevice(h.sim.data, { account: ACCOUNT_IDS.research, from: '2026-11-11', to: '2026-11-20' }),
    );
  });

  it('reports unsupported field combinations by name', async () => {
    h = await startHarness({ dataset });
    const err = await h.bc
      .analytics(h.account())
      .query({ dimensions: ['video', 'date'], fields: ['video', 'play_rate', 'video_view'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedFieldsError);
    expect((err as UnsupportedFieldsError).fields).toEqual(['play_rate']);
    expect(err).toBeInstanceOf(ValidationError);
  });

  it('retries a PROCESSING answer after a pause', async () => {
    h = await startHarness({ dataset });
    h.sim.analytics.processingNext = 1;
    const res = await h.bc.analytics(h.account()).query({ dimensions: ['device_type'], from: '-3d' });
    expect(res.items.length).toBeGreaterThan(0);
    expect(h.sim.count({ api: 'analytics', path: /\/v1\/data$/ })).toBeGreaterThanOrEqual(2);
  });

  it('never has two queries in flight for one account; accounts run in parallel', async () => {
    h = await startHarness({ dataset, enforceLimits: true, latencyMs: 20 });
    const accounts = [h.account('neo'), h.account('research')];
    const q = { dimensions: ['date'], fields: ['date', 'video_view'], from: '-5d' };
    await Promise.all([
      ...Array.from({ length: 4 }, () => h.bc.analytics(accounts[0]!).query(q)),
      h.bc.analyticsForAccounts(accounts, q),
    ]);
    expect(h.sim.count({ api: 'analytics', status: 429 })).toBe(0);
    expect(h.sim.runtime.maxInFlight.analytics.get(ACCOUNT_IDS.neo)).toBe(1);
    expect(h.sim.runtime.maxInFlight.analytics.get(ACCOUNT_IDS.research)).toBe(1);
  });

  it('reads /v1/data/status and all-time views', async () => {
    h = await startHarness({ dataset });
    const a = h.bc.analytics(h.account());
    expect(await a.status({ dimensions: ['video'] })).toEqual({
      reconciled_from: '2011-01-01',
      reconciled_to: '2026-11-20',
    });
    const video = h.sim.data.analytics.find((r) => r.account === ACCOUNT_IDS.neo)!.video;
    expect(await a.alltimeViews(video)).toBe(sumViews(h.sim.data, { account: ACCOUNT_IDS.neo, video }));
  });
});
