import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClarifySim, startClarifySim } from '../../src/sim/clarify/index.js';
import { type ApplyDeps, applyPlan, memoryCheckpoint } from '../../src/sync/apply.js';
import { formatApplyText } from '../../src/sync/format.js';
import { mapVideoMetadata } from '../../src/sync/metadata.js';
import { buildPlan, type PlanOptions, videosNeedingMedia } from '../../src/sync/plan.js';
import { allRecords, type SyncTarget } from '../../src/sync/target.js';
import { ClarifyTarget } from '../../src/sync/targets/clarify/target.js';
import type { SyncVideo, VideoMedia } from '../../src/sync/types.js';
import { clientFor, closeAgents, instantClock, mp4, video } from './helpers.js';

const BUNDLE = { one: 'bundle', many: 'bundles' };

afterAll(closeAgents);

/** A library of `n` videos and a sim whose bundles cover some of them, some stale, some orphaned. */
function seedScenario(sim: ClarifySim, n = 60) {
  const videos: SyncVideo[] = [];
  for (let i = 0; i < n; i++) {
    const id = String(6300000000000 + i);
    videos.push(video(id, { description: i % 4 === 1 ? `edited ${i}` : `About ${id}` }));
    if (i % 4 === 0 || i % 4 === 1) {
      // In sync (i%4==0) or stale (i%4==1: the video's description changed since).
      sim.bundles.add({
        name: `Video ${id}`,
        external_id: id,
        data: { ...mapVideoMetadata(video(id)).data, reviewer: 'ann' },
      });
    }
  }
  for (let i = 0; i < 10; i++) sim.bundles.add({ name: `gone ${i}`, external_id: `55500000000${i}` });
  sim.bundles.add({ name: 'hand made, no external_id' });
  return videos;
}

async function plan(target: SyncTarget, videos: SyncVideo[], options: PlanOptions = {}) {
  const records = await allRecords(target);
  const media = new Map<string, VideoMedia>();
  for (const { video: v } of videosNeedingMedia(videos, records)) {
    media.set(v.id, { sources: [mp4(360), mp4(720, 'http'), mp4(720), mp4(1080, 'ftp')] });
  }
  return buildPlan({ target: target.name, videos, records, media, options });
}

function state(sim: ClarifySim) {
  return sim.bundles
    .all()
    .map((b) => ({
      ext: b.external_id ?? null,
      name: b.name ?? null,
      data: b.metadata.data,
      media: b.media_urls,
    }))
    .sort((a, b) => `${a.ext}${a.name}`.localeCompare(`${b.ext}${b.name}`));
}

function deps(target: SyncTarget, over: Partial<ApplyDeps> = {}): ApplyDeps {
  return {
    target,
    videoExists: async () => false,
    flags: { applyCreatesUpdates: true, applyDeletes: true },
    clock: instantClock,
    backoffMs: 0,
    ...over,
  };
}

let sim: ClarifySim;
beforeEach(async () => {
  sim = await startClarifySim({ seed: 3 });
});
afterEach(async () => {
  await sim.close();
});

describe('applyPlan against the Clarify simulator', () => {
  it('a run taken over by another replica starts no more items (not even the deletes) and says so', async () => {
    const videos = seedScenario(sim);
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos);
    const lost = new AbortController();
    let started = 0;
    const err = await applyPlan(
      p,
      deps(target, {
        concurrency: 1,
        signal: lost.signal,
        onItem: () => {
          if (++started === 3) lost.abort(); // the heartbeat found another replica's lease
        },
      }),
    ).catch((e: unknown) => e);
    expect((err as Error).name).toBe('WorkTakenOverError');
    expect(started).toBe(3);
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });

  it('creates, updates and deletes; a second plan is empty', async () => {
    const videos = seedScenario(sim);
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos);
    expect(p.counts).toMatchObject({
      creates: 30,
      updates: 15,
      deletes: 10,
      unchanged: 15,
      recordsWithoutVideoId: 1,
    });
    const progress: number[] = [];
    const summary = await applyPlan(p, deps(target, { onProgress: (c) => progress.push(c.done) }));
    expect(summary.created).toHaveLength(30);
    expect(summary.updated).toHaveLength(15);
    expect(summary.deleted).toHaveLength(10);
    expect(summary.failed).toEqual([]);
    expect(progress.at(-1)).toBe(55);
    const created = sim.bundles.byExternalId('6300000000002')[0]!;
    expect(created.media_urls).toEqual(['https://cdn.example/720.mp4?token=abc']);
    expect(created.name).toBe('Video 6300000000002');
    // Updated bundles keep what others wrote.
    const updated = sim.bundles.byExternalId('6300000000001')[0]!;
    expect(updated.metadata.data).toMatchObject({ description: 'edited 1', reviewer: 'ann' });
    expect(sim.bundles.all().filter((b) => !b.external_id)).toHaveLength(1);
    expect(formatApplyText(summary, BUNDLE)).toContain('total:   60');

    const again = await plan(target, videos);
    expect(again.counts).toMatchObject({ creates: 0, updates: 0, deletes: 0, unchanged: 60 });
  });

  it('does not delete a bundle whose video still exists (paging drift), and reports it', async () => {
    const videos = seedScenario(sim, 8);
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos.slice(0, 4)); // the listing "missed" videos 4..7
    const listed = new Set(videos.map((v) => v.id));
    const asked: string[] = [];
    const summary = await applyPlan(
      p,
      deps(target, {
        flags: { applyCreatesUpdates: false, applyDeletes: true },
        videoExists: async (id) => {
          asked.push(id);
          return listed.has(id);
        },
      }),
    );
    expect(p.deletes.map((d) => d.videoId)).toContain('6300000000004');
    expect(summary.notDeletedVideoExists.map((n) => n.videoId).sort()).toEqual([
      '6300000000004',
      '6300000000005',
    ]);
    expect(summary.deleted).toHaveLength(10);
    expect(sim.bundles.byExternalId('6300000000004')).toHaveLength(1);
    expect(asked).toHaveLength(12);
    expect(summary.notApplied).toEqual({ creates: p.creates.length, updates: p.updates.length, deletes: 0 });
    expect(formatApplyText(summary, BUNDLE)).toContain('Not deleted, video still exists (2)');
  });

  it('applies creates and updates only when deletes are not approved', async () => {
    const videos = seedScenario(sim, 8);
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos);
    let asked = 0;
    const summary = await applyPlan(
      p,
      deps(target, {
        flags: { applyCreatesUpdates: true, applyDeletes: false },
        videoExists: async () => {
          asked++;
          return false;
        },
      }),
    );
    expect(asked).toBe(0);
    expect(summary.deleted).toEqual([]);
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(summary.created).toHaveLength(4);
  });

  it('bug §3.10 N+1 metadata GETs / §3.17 dry-run reads: planning lists pages only, applying sends only writes', async () => {
    const videos = seedScenario(sim, 400); // 200 + 10 + 1 bundles: 3 pages
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('GET /v1/bundles'));
    sim.requests.length = 0;
    await applyPlan(p, deps(target, { concurrency: 8 }));
    const gets = sim.requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(0);
    const puts = sim.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(p.updates.length);
  });

  it('bug §3.9 limits not enforced: oversized videos are trimmed and land without a 400', async () => {
    const big = video('1', {
      long_description: 'L'.repeat(5000),
      description: 'D'.repeat(2500),
      tags: Array.from({ length: 80 }, (_, i) => `${'t'.repeat(120)}${i}`),
      name: 'N'.repeat(250),
      custom_fields: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, `value ${i}`])),
    });
    const customFields = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, `f${i}`]));
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, [big], { customFields });
    expect(p.creates[0]?.trims.length).toBeGreaterThan(3);
    const summary = await applyPlan(p, deps(target));
    expect(summary.failed).toEqual([]);
    expect(sim.bundles.byExternalId('1')[0]?.name).toHaveLength(128);
  });

  it('reports an update that someone else changed since the plan, without overwriting it', async () => {
    const videos = seedScenario(sim, 2);
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos);
    const stale = sim.bundles.byExternalId('6300000000001')[0]!;
    stale.metadata.data = { reviewer: 'bob' };
    stale.metadata.version++;
    const summary = await applyPlan(p, deps(target));
    expect(summary.failed).toMatchObject([{ videoId: '6300000000001' }]);
    expect(summary.failed[0]?.reason).toContain('changed by someone else');
    expect(stale.metadata.data).toEqual({ reviewer: 'bob' });
  });

  it('resumes after a crash between a create and its checkpoint without a duplicate bundle', async () => {
    const videos = seedScenario(sim, 12);
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos);
    const checkpoint = memoryCheckpoint();
    let creates = 0;
    // The process "dies" right after the third POST succeeded, before recording it.
    const crashing: SyncTarget = {
      ...target,
      name: target.name,
      pages: () => target.pages(),
      findByVideoId: (id) => target.findByVideoId(id),
      update: (r) => target.update(r),
      delete: (r) => target.delete(r),
      create: async (r) => {
        const out = await target.create(r);
        if (++creates === 3) throw new Error('process killed');
        return out;
      },
    };
    const first = await applyPlan(p, deps(crashing, { checkpoint, concurrency: 1 }));
    expect(first.failed).toHaveLength(1);
    const second = await applyPlan(p, deps(target, { checkpoint, concurrency: 1 }));
    expect(second.resumed.length).toBeGreaterThan(0);
    expect(second.created.filter((c) => c.recovered)).toHaveLength(1);
    for (const v of videos) expect(sim.bundles.byExternalId(v.id)).toHaveLength(1);
    const third = await plan(target, videos);
    expect(third.counts).toMatchObject({ creates: 0, updates: 0, deletes: 0 });
  });

  it('counts what an earlier run did only after looking it up in the target', async () => {
    const videos = seedScenario(sim, 12);
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, videos);
    const checkpoint = memoryCheckpoint();
    const first = await applyPlan(p, deps(target, { checkpoint }));
    expect(first.created.length).toBeGreaterThan(1);
    // Between the runs someone removes one created record and brings back one deleted record.
    const lost = first.created[0]!;
    sim.bundles.delete(lost.recordId);
    const revived = p.deletes[0]!;
    sim.bundles.add({ id: revived.recordId, name: 'back again', external_id: revived.videoId });
    const lookups = () => sim.requests.filter((r) => r.method === 'GET' && r.path === '/v1/search').length;
    const before = lookups();
    const second = await applyPlan(p, deps(target, { checkpoint }));
    expect(lookups() - before).toBeGreaterThanOrEqual(p.creates.length + p.updates.length + p.deletes.length);
    expect(second.created.map((c) => c.videoId)).toEqual([lost.videoId]);
    expect(second.deleted.map((d) => d.videoId)).toEqual([revived.videoId]);
    expect(second.resumed).toHaveLength(p.creates.length + p.updates.length + p.deletes.length - 2);
    for (const v of videos) expect(sim.bundles.byExternalId(v.id)).toHaveLength(1);
    expect(sim.bundles.byExternalId(revived.videoId)).toHaveLength(0);
  });

  it('does not duplicate a create whose 5xx came after Clarify had stored it', async () => {
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, [video('1')]);
    sim.faults.failNext(1, 503, { afterProcessing: true });
    const summary = await applyPlan(p, deps(target));
    expect(summary.created).toMatchObject([{ videoId: '1', recovered: true }]);
    expect(sim.bundles.byExternalId('1')).toHaveLength(1);
  });

  it('re-fetches sources at apply time and skips a video that lost its rendition', async () => {
    const target = new ClarifyTarget(clientFor(sim));
    const p = await plan(target, [video('1'), video('2')]);
    const summary = await applyPlan(
      p,
      deps(target, {
        fetchSources: async (id) => ({ sources: id === '1' ? [mp4(540)] : [mp4(2160)] }),
      }),
    );
    expect(sim.bundles.byExternalId('1')[0]?.media_urls).toEqual(['https://cdn.example/540.mp4?token=abc']);
    expect(summary.skipped).toMatchObject([{ videoId: '2' }]);
    expect(sim.bundles.byExternalId('2')).toHaveLength(0);
  });
});

describe('faults', () => {
  it('with 10% 429/5xx injected, the plan and the applied result equal a clean run', async () => {
    const clean = await startClarifySim({ seed: 9 });
    const faulty = await startClarifySim({ seed: 9 });
    try {
      const videos = seedScenario(clean, 80);
      seedScenario(faulty, 80);
      faulty.faults.setRate(0.1, { seed: 1234, statuses: [429, 500, 502, 503] });
      const run = async (s: ClarifySim) => {
        const target = new ClarifyTarget(clientFor(s, { maxAttempts: 8 }));
        const p = await plan(target, videos);
        const summary = await applyPlan(p, deps(target, { attempts: 8, concurrency: 6 }));
        return { p, summary };
      };
      const a = await run(clean);
      const b = await run(faulty);
      expect(faulty.faults.injected).toBeGreaterThan(5);
      expect(b.p.fingerprint).toBe(a.p.fingerprint);
      expect(b.summary.failed).toEqual([]);
      const counts = (x: typeof a) => [
        x.summary.created.length,
        x.summary.updated.length,
        x.summary.deleted.length,
      ];
      expect(counts(b)).toEqual(counts(a));
      expect(state(faulty)).toEqual(state(clean));
    } finally {
      await clean.close();
      await faulty.close();
    }
  });
});
