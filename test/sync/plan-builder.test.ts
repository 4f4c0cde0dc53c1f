import { describe, expect, it } from 'vitest';
import { pick, seededRng } from '../../src/sim/data/rng.js';
import { mapVideoMetadata } from '../../src/sync/metadata.js';
import { buildPlan, PlanBuilder, type PlanInput, videosNeedingMedia } from '../../src/sync/plan.js';
import type { SyncVideo, TargetRecord, VideoMedia } from '../../src/sync/types.js';
import { mp4, video } from './helpers.js';

/** A random library and target: synced, stale, renamed, foreign-keyed, duplicated and orphan records. */
function scenario(seed: number): PlanInput {
  const rng = seededRng(seed);
  const videos: SyncVideo[] = [];
  const records: TargetRecord[] = [];
  const media = new Map<string, VideoMedia>();
  let n = 0;
  const rec = (videoId: string | null, metadata: Record<string, unknown> | null, name: string | null) =>
    records.push({ id: `r${n++}`, videoId, name, version: 1 + (n % 3), metadata, metadataVersion: 2 });
  for (let i = 0; i < 60; i++) {
    const id = String(6000 + i);
    const v = video(id, {
      description: pick(rng, ['a', 'b', 'x'.repeat(2500)]),
      tags: pick(rng, [[], ['t']]),
    });
    videos.push(v);
    if (rng() < 0.1) videos.push(v); // paging drift lists it twice
    const kind = pick(rng, ['synced', 'stale', 'renamed', 'foreign', 'twice', 'none', 'none-no-media']);
    const data = mapVideoMetadata(v).data;
    if (kind === 'synced') rec(id, data, v.name ?? null);
    if (kind === 'stale') rec(id, { ...data, description: 'old' }, v.name ?? null);
    if (kind === 'renamed') rec(id, data, 'old name');
    if (kind === 'foreign') rec(id, { ...data, reviewer: 'ann' }, v.name ?? null);
    if (kind === 'twice') {
      rec(id, data, v.name ?? null);
      rec(id, data, v.name ?? null);
    }
    if (kind === 'none') media.set(id, { sources: [mp4(pick(rng, [360, 720, 1080, 2160]))] });
  }
  for (let i = 0; i < 8; i++) rec(String(7000 + (i % 6)), {}, `gone ${i}`);
  for (let i = 0; i < 3; i++) rec(null, null, `hand made ${i}`);
  return { target: 'clarify', videos, records, media };
}

/** Feeds the builder the way two concurrent listings would: interleaved, records finishing at a random point. */
function streamed(input: PlanInput, seed: number) {
  const rng = seededRng(seed);
  const videoFirst = 0.1 + (seed % 5) * 0.2; // from records well ahead to videos well ahead
  const b = new PlanBuilder(input.target, input.options ?? {});
  const videos = [...input.videos];
  const records = [...input.records];
  while (records.length) {
    if (videos.length && rng() < videoFirst) b.addVideo(videos.shift()!);
    else b.addRecord(records.shift()!);
  }
  b.recordsComplete();
  for (const v of videos) b.addVideo(v);
  const needed = b.mediaNeeded().map((n) => n.video.id);
  return { plan: b.finish(input.media), needed };
}

const sortBy = <T>(items: T[], key: (t: T) => string) =>
  [...items].sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe('PlanBuilder', () => {
  it('makes the same plan whether videos arrive before, during or after the record listing', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const input = scenario(seed);
      const whole = buildPlan(input);
      const { plan, needed } = streamed(input, seed * 7);
      expect(plan.fingerprint).toBe(whole.fingerprint);
      expect(plan.counts).toEqual(whole.counts);
      expect(plan.creates).toEqual(whole.creates);
      expect(plan.deletes).toEqual(whole.deletes);
      expect(sortBy(plan.updates, (u) => u.key)).toEqual(sortBy(whole.updates, (u) => u.key));
      expect(sortBy(plan.skipped, (s) => s.videoId)).toEqual(sortBy(whole.skipped, (s) => s.videoId));
      expect(sortBy(plan.problems, (p) => p.message)).toEqual(sortBy(whole.problems, (p) => p.message));
      expect(needed).toEqual(videosNeedingMedia(input.videos, input.records).map((n) => n.video.id));
    }
  });

  it('compares long values through digests: equal means unchanged, one character differs means an update', () => {
    const long = video('1', { long_description: 'y'.repeat(1999) });
    const data = mapVideoMetadata(long).data;
    const record = (d: Record<string, unknown>): TargetRecord => ({
      id: 'b',
      videoId: '1',
      name: 'Video 1',
      version: 1,
      metadata: d,
      metadataVersion: 1,
    });
    const same = buildPlan({ target: 'clarify', videos: [long], records: [record(data)], media: new Map() });
    expect(same.counts).toMatchObject({ unchanged: 1, updates: 0 });
    const edited = { ...data, long_description: `${'y'.repeat(1998)}z` };
    const plan = buildPlan({
      target: 'clarify',
      videos: [long],
      records: [record(edited)],
      media: new Map(),
    });
    expect(plan.updates[0]?.changedKeys).toEqual(['long_description']);
  });

  it('keeps keys written by others through to the update, from its compact record', () => {
    const v = video('1', { description: 'new' });
    const plan = buildPlan({
      target: 'clarify',
      videos: [v],
      records: [
        {
          id: 'b',
          videoId: '1',
          name: 'Video 1',
          version: 4,
          metadata: { ...mapVideoMetadata(video('1')).data, reviewer: 'ann', score: [1, 2] },
          metadataVersion: 9,
        },
      ],
      media: new Map(),
    });
    expect(plan.updates[0]).toMatchObject({
      version: 4,
      metadataVersion: 9,
      changedKeys: ['description'],
      metadata: { description: 'new', reviewer: 'ann', score: [1, 2] },
    });
  });

  it('refuses calls out of order', () => {
    const b = new PlanBuilder('clarify');
    expect(() => b.mediaNeeded()).toThrow(/before recordsComplete/);
    expect(() => b.finish(new Map())).toThrow(/before recordsComplete/);
    b.recordsComplete();
    expect(() =>
      b.addRecord({ id: 'x', videoId: '1', name: null, version: 1, metadata: null, metadataVersion: null }),
    ).toThrow(/after recordsComplete/);
  });
});
