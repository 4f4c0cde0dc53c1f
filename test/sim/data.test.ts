import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { searchFilter, sorter } from '../../src/sim/brightcove/search.js';
import {
  ACCOUNT_IDS,
  generateDataset,
  sumViews,
  VIDEO_KINDS,
  videoKindOf,
  viewsByDevice,
} from '../../src/sim/data/index.js';

describe('data generator', () => {
  it('is deterministic per seed', () => {
    const a = generateDataset({ seed: 5, videosPerAccount: 20, analyticsDays: 3 });
    const b = generateDataset({ seed: 5, videosPerAccount: 20, analyticsDays: 3 });
    const c = generateDataset({ seed: 6, videosPerAccount: 20, analyticsDays: 3 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('mixes every rendition kind, incl. http and https MP4s and null heights', () => {
    const d = generateDataset({ videosPerAccount: 80, analyticsDays: 0 });
    const kinds = new Set(
      Object.values(d.videos)
        .flat()
        .map((v) => videoKindOf(d, v.id)),
    );
    expect([...kinds].sort()).toEqual([...VIDEO_KINDS].sort());
    const mp4 = Object.values(d.sources)
      .flat()
      .filter((s) => s.container === 'MP4' && s.src);
    expect(mp4.some((s) => s.src!.startsWith('http://'))).toBe(true);
    expect(mp4.some((s) => s.src!.startsWith('https://'))).toBe(true);
    expect(new Set(mp4.map((s) => s.height)).size).toBeGreaterThan(3);
  });

  it('has a master with two affiliates and known analytics totals', () => {
    const d = generateDataset({ videosPerAccount: 10, analyticsDays: 5 });
    expect(d.members[ACCOUNT_IDS.neo]).toEqual([ACCOUNT_IDS.neoNorth, ACCOUNT_IDS.neoSouth]);
    const total = sumViews(d, { account: ACCOUNT_IDS.neo });
    const split = viewsByDevice(d, { account: ACCOUNT_IDS.neo });
    expect(Object.values(split).reduce((s, n) => s + n, 0)).toBe(total);
    expect(total).toBeGreaterThan(0);
  });
});

describe('sim q search', () => {
  const d = generateDataset({ videosPerAccount: 60, analyticsDays: 0 });
  const videos = d.videos[ACCOUNT_IDS.neo]!;
  const now = new ManualClock().now().getTime();
  const ids = new Set(['subject', 'uploader', 'business_unit']);
  const run = (q: string) => videos.filter(searchFilter(q, now, ids));

  it('field:value, tags OR, +/- modifiers, custom fields, state', () => {
    expect(run('tags:news,promo')).toEqual(
      videos.filter((v) => v.tags.includes('news') || v.tags.includes('promo')),
    );
    expect(run('+tags:news -state:INACTIVE')).toEqual(
      videos.filter((v) => v.tags.includes('news') && v.state === 'ACTIVE'),
    );
    expect(run('subject:Birds')).toEqual(videos.filter((v) => v.custom_fields.subject === 'Birds'));
    expect(run(`reference_id:${videos[3]!.reference_id ?? 'none'}`).length).toBeLessThanOrEqual(1);
    expect(run(`id:${videos[5]!.id}`)).toEqual([videos[5]]);
  });

  it('date ranges with open ends and relative values', () => {
    const cut = videos[30]!.created_at;
    expect(run(`created_at:${cut}..`)).toEqual(videos.slice(30));
    expect(run('created_at:-365d..NOW').length).toBe(
      videos.filter((v) => Date.parse(v.created_at) >= now - 365 * 86400_000).length,
    );
    expect(() => run('tags:news,')).toThrow();
  });

  it('sorts by a valid field and rejects an invalid one', () => {
    const sorted = [...videos].sort(sorter('-created_at'));
    expect(sorted[0]).toBe(videos[videos.length - 1]);
    expect(() => sorter('foo')).toThrow(/invalid property/);
  });
});
