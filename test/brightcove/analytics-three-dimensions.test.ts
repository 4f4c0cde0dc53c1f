import { afterEach, describe, expect, it } from 'vitest';
import { UnsupportedFieldsError, ValidationError } from '../../src/brightcove/index.js';
import { allowedFields, dimensionsAllowed } from '../../src/sim/brightcove/analytics.js';
import { ACCOUNT_IDS, viewRows } from '../../src/sim/data/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Analytics simulator: three dimensions whose pairs are all allowed (fake decision, reference A2)', () => {
  it('accepts video,date,device_type and its rows equal the ground truth per video, day and device', async () => {
    const t = await startHarness({ dataset: { videosPerAccount: 6, analyticsDays: 8 } });
    h = t;
    const res = await t.bc.analytics(t.account()).query({
      dimensions: ['video', 'date', 'device_type'],
      fields: ['video', 'date', 'device_type', 'video_view'],
      from: '2026-11-14',
      to: '2026-11-20',
      limit: 'all',
    });
    const truth = new Map<string, number>();
    for (const r of viewRows(t.sim.data, {
      account: ACCOUNT_IDS.neo,
      from: '2026-11-14',
      to: '2026-11-20',
    })) {
      const k = `${r.video}|${r.date}|${r.device_type}`;
      truth.set(k, (truth.get(k) ?? 0) + r.video_view);
    }
    expect(truth.size).toBeGreaterThan(0);
    const got = new Map(res.items.map((i) => [`${i.video}|${i.date}|${i.device_type}`, i.video_view]));
    expect(got).toEqual(truth);
    expect(res.itemCount).toBe(truth.size);
  });

  it('refuses four dimensions, and fields missing from one of the pairs', async () => {
    const t = await startHarness({ dataset: { videosPerAccount: 3, analyticsDays: 3 } });
    h = t;
    const four = await t.bc
      .analytics(t.account())
      .query({ dimensions: ['account', 'video', 'date', 'device_type'] })
      .catch((e: unknown) => e);
    expect(four).toBeInstanceOf(ValidationError);
    expect(String((four as Error).message)).toContain('unsupported dimension combination');
    // the engagement curve is not offered with device_type, so not with video,date,device_type either
    const curve = await t.bc
      .analytics(t.account())
      .query({
        dimensions: ['video', 'date', 'device_type'],
        fields: ['video', 'date', 'device_type', 'video_engagement_25'],
      })
      .catch((e: unknown) => e);
    expect(curve).toBeInstanceOf(UnsupportedFieldsError);
    expect((curve as UnsupportedFieldsError).fields).toEqual(['video_engagement_25']);
  });

  it('the rule itself: pairs all allowed, at most three, no repeats', () => {
    expect(dimensionsAllowed(['video', 'date', 'device_type'])).toBe(true);
    expect(dimensionsAllowed(['account', 'video', 'date'])).toBe(true);
    expect(dimensionsAllowed(['video', 'video', 'date'])).toBe(false);
    expect(dimensionsAllowed(['account', 'video', 'date', 'device_type'])).toBe(false);
    const fields = allowedFields(['video', 'date', 'device_type']);
    expect(fields.has('video_view')).toBe(true);
    expect(fields.has('video_name')).toBe(true);
    for (const f of ['play_rate', 'video_impression', 'video_engagement_50'])
      expect(fields.has(f)).toBe(false);
  });
});
