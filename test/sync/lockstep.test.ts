import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ListStats, VideoListing } from '../../src/brightcove/index.js';
import { seededRng } from '../../src/sim/data/rng.js';
import { Lockstep } from '../../src/sync/lockstep.js';
import { mapVideoMetadata } from '../../src/sync/metadata.js';
import { collectPlan, type SyncCms } from '../../src/sync/run.js';
import type { SyncTarget, TargetPage } from '../../src/sync/target.js';
import type { SyncVideo, TargetRecord } from '../../src/sync/types.js';
import { video } from './helpers.js';

describe('Lockstep', () => {
  it('holds the side that is ahead until the other catches up, and lets it go when the other ends', async () => {
    const l = new Lockstep(100);
    l.advance('records', 500, 1000);
    l.advance('videos', 100, 1000);
    expect(l.isAhead('records')).toBe(true);
    let released = false;
    const waiting = l.wait('records').then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    l.advance('videos', 350, 1000);
    await tick();
    expect(released).toBe(false);
    l.advance('videos', 400, 1000);
    await waiting;

    l.advance('records', 900, 1000);
    const again = l.wait('records');
    l.end('videos');
    await again;
    expect(l.isAhead('records')).toBe(false);
  });

  it('compares positions as fractions of each total, so listings of different sizes keep pace', () => {
    const l = new Lockstep(100);
    l.advance('videos', 1000, 10_000);
    l.advance('records', 150, 1000); // 15% of the records vs 10% of the videos: 50 items ahead
    expect(l.isAhead('records')).toBe(false);
    l.advance('records', 250, 1000);
    expect(l.isAhead('records')).toBe(true);
    expect(l.isAhead('videos')).toBe(false);
  });

  it('never holds both sides (that would hang the sync)', () => {
    const rng = seededRng(7);
    for (let i = 0; i < 10_000; i++) {
      const l = new Lockstep(Math.floor(rng() * 50));
      const total = () => (rng() < 0.2 ? 0 : 1 + Math.floor(rng() * 5000));
      l.advance('videos', Math.floor(rng() * 5000), total());
      l.advance('records', Math.floor(rng() * 5000), total());
      expect(l.isAhead('videos') && l.isAhead('records')).toBe(false);
    }
  });
});

/** A library and a target that mirror each other, listed in the same order, one side much faster. */
function mirrored(n: number) {
  const videos: SyncVideo[] = [];
  const records: TargetRecord[] = [];
  for (let i = 0; i < n; i++) {
    const v = video(String(100_000 + i));
    videos.push(v);
    records.push({
      id: `b${i}`,
      videoId: v.id,
      name: v.name ?? null,
      version: 1,
      metadata: mapVideoMetadata(v).data,
      metadataVersion: 1,
    });
  }
  return { videos, records };
}

/** Lists in pages of 100; a slow side yields to the event loop `pause` times per page. */
function fakes(n: number, pause: { cms: number; target: number }) {
  const { videos, records } = mirrored(n);
  const seen = { videos: 0, records: 0, maxRecordsAhead: 0, maxVideosAhead: 0 };
  const waitTicks = async (count: number) => {
    for (let i = 0; i < count; i++) await tick();
  };
  const stats: ListStats = { count: n, pages: 0, unique: 0, duplicates: 0, windows: 1 };
  const cms = {
    listVideos: <T>(_opts: unknown, select: (v: SyncVideo) => T) => {
      async function* walk() {
        for (let i = 0; i < n; i += 100) {
          await waitTicks(pause.cms);
          stats.pages++;
          for (const v of videos.slice(i, i + 100)) {
            seen.videos++;
            seen.maxVideosAhead = Math.max(seen.maxVideosAhead, seen.videos - seen.records);
            yield select(v);
          }
        }
      }
      return Object.assign(walk(), { stats }) as unknown as VideoListing<T>;
    },
    getSources: async () => [],
    getRenditions: async () => [],
    getVideo: async () => ({}),
  } as unknown as SyncCms;
  const target = {
    name: 'clarify',
    async *pages(): AsyncIterable<TargetPage> {
      for (let i = 0; i < n; i += 100) {
        await waitTicks(pause.target);
        seen.records += Math.min(100, n - i);
        seen.maxRecordsAhead = Math.max(seen.maxRecordsAhead, seen.records - seen.videos);
        yield { records: records.slice(i, i + 100), total: n };
      }
    },
  } as unknown as SyncTarget;
  return { cms, target, seen };
}

describe('collectPlan keeps the two listings in step', () => {
  it('a fast target listing waits for the CMS instead of piling records up', async () => {
    const { cms, target, seen } = fakes(5000, { cms: 20, target: 0 });
    const { plan } = await collectPlan({ cms, target, listingAhead: 500 });
    expect(plan.counts).toMatchObject({
      videos: 5000,
      records: 5000,
      unchanged: 5000,
      creates: 0,
      deletes: 0,
    });
    // the limit, plus one page of records and the 100 videos between two checks
    expect(seen.maxRecordsAhead).toBeLessThanOrEqual(700);
  });

  it('without a limit the same run holds thousands of records (what the limit is for)', async () => {
    const { cms, target, seen } = fakes(5000, { cms: 20, target: 0 });
    await collectPlan({ cms, target, listingAhead: Number.POSITIVE_INFINITY });
    expect(seen.maxRecordsAhead).toBeGreaterThan(4000);
  });

  it('a fast CMS listing waits for a slow target the same way', async () => {
    const { cms, target, seen } = fakes(5000, { cms: 0, target: 20 });
    const { plan } = await collectPlan({ cms, target, listingAhead: 500 });
    expect(plan.counts.unchanged).toBe(5000);
    expect(seen.maxVideosAhead).toBeLessThanOrEqual(700);
  });
});

describe('collectPlan when one side fails', () => {
  it('stops the other listing and reports no progress after the failure', async () => {
    const { cms, target: mirror, seen } = fakes(5000, { cms: 2, target: 0 });
    const target = {
      ...mirror,
      name: 'warehouse',
      pages: (): AsyncIterable<TargetPage> => ({
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            await tick();
            throw new Error('database unreachable');
          },
        }),
      }),
    } as unknown as SyncTarget;
    let failedAt = -1;
    let reportsAfter = 0;
    const run = collectPlan({
      cms,
      target,
      onProgress: () => {
        if (failedAt >= 0) reportsAfter++;
      },
    }).catch((err: Error) => {
      failedAt = seen.videos;
      return err;
    });
    expect(((await run) as Error).message).toBe('database unreachable');
    // give a listing that kept going the time to list everything
    for (let i = 0; i < 200; i++) await tick();
    expect(reportsAfter).toBe(0);
    expect(seen.videos).toBeLessThan(5000);
  });
});
