import { describe, expect, it } from 'vitest';
import { formatPlanText } from '../../src/sync/format.js';
import { mapVideoMetadata, OWNER_KEY } from '../../src/sync/metadata.js';
import { buildPlan, type PlanInput, videosNeedingMedia } from '../../src/sync/plan.js';
import type { TargetRecord, VideoMedia } from '../../src/sync/types.js';
import { mp4, video } from './helpers.js';

function rec(id: string, videoId: string | null, over: Partial<TargetRecord> = {}): TargetRecord {
  return { id, videoId, name: null, version: 1, metadata: {}, metadataVersion: 1, ...over };
}
/** A record exactly in sync with `video(id)`. */
function synced(recordId: string, videoId: string, extra: Record<string, unknown> = {}): TargetRecord {
  return rec(recordId, videoId, {
    name: `Video ${videoId}`,
    metadata: { ...mapVideoMetadata(video(videoId)).data, ...extra },
    version: 3,
    metadataVersion: 5,
  });
}
const media = (entries: [string, VideoMedia][]) => new Map(entries);

function input(over: Partial<PlanInput>): PlanInput {
  return { target: 'clarify', videos: [], records: [], media: new Map(), ...over };
}

describe('buildPlan', () => {
  it('says "N bundles gain new keys" for records that only lack keys this version writes (issue 18 item 19)', () => {
    const v1 = video('1', { reference_id: 'ref-1', duration: 60_000 });
    const v2 = video('2', { reference_id: 'ref-2', duration: 30_000, description: 'edited' });
    // As the original tool wrote them: its keys, without reference_id, duration and the owner marker.
    const original = (id: string) => {
      const {
        reference_id: _r,
        duration: _d,
        [OWNER_KEY]: _o,
        ...rest
      } = mapVideoMetadata(video(id), {
        owner: 'A1',
      }).data;
      return rec(`b${id}`, id, { name: `Video ${id}`, metadata: rest });
    };
    const plan = buildPlan(
      input({ videos: [v1, v2], records: [original('1'), original('2')], options: { owner: 'A1' } }),
    );
    expect(plan.counts).toMatchObject({ updates: 2, newKeysOnly: 1 });
    const gain = plan.updates.find((u) => u.videoId === '1')!;
    expect(gain.newKeysOnly).toBe(true);
    // (the owner marker is written with them but never compared: legacy records are adopted on update)
    expect([...gain.changedKeys].sort()).toEqual(['duration', 'reference_id']);
    // a record that also had a real edit is an ordinary update
    expect(plan.updates.find((u) => u.videoId === '2')!.newKeysOnly).toBeUndefined();
    const text = formatPlanText({ ...plan, noun: { one: 'bundle', many: 'bundles' } });
    expect(text).toMatch(
      /1 bundle gains new keys this version writes \((reference_id, duration|duration, reference_id)\); Apply writes them with the updates\./,
    );
    expect(text).toContain('== Bundles gaining new keys (1)\n~ 1  record b1  adds: ');
    expect(text).toContain('== Updates (1)\n~ 2 ');
  });

  it('plans creates, updates, deletes and skips; leaves records without a video id alone', () => {
    const plan = buildPlan(
      input({
        videos: [video('1'), video('2', { description: 'changed' }), video('3'), video('4')],
        records: [synced('a', '1'), synced('b', '2'), rec('c', '99'), rec('d', null), rec('e', null)],
        media: media([
          ['3', { sources: [mp4(720), mp4(1080)] }],
          ['4', { sources: [mp4(2160)] }],
        ]),
      }),
    );
    expect(plan.creates.map((c) => [c.videoId, c.rendition.height])).toEqual([['3', 1080]]);
    expect(plan.creates[0]?.mediaUrl).toBe('https://cdn.example/1080.mp4?token=abc');
    expect(plan.updates.map((u) => [u.videoId, u.changedKeys])).toEqual([['2', ['description']]]);
    expect(plan.deletes.map((d) => [d.videoId, d.recordId])).toEqual([['99', 'c']]);
    expect(plan.skipped).toMatchObject([{ videoId: '4', reason: 'no_suitable_rendition' }]);
    expect(plan.counts).toMatchObject({
      videos: 4,
      records: 5,
      recordsWithoutVideoId: 2,
      recordsWithVideoId: 3,
      unchanged: 1,
      creates: 1,
      updates: 1,
      deletes: 1,
      skipped: 1,
      problems: 0,
    });
  });

  it('bug §3.10 clobbering: updates carry versions and keep keys written by others', () => {
    const plan = buildPlan(
      input({
        videos: [video('2', { tags: ['new'] })],
        records: [synced('b', '2', { reviewer: 'ann', score: 4 })],
      }),
    );
    const u = plan.updates[0]!;
    expect(u).toMatchObject({ version: 3, metadataVersion: 5, changedKeys: ['tags'] });
    expect(u.metadata).toMatchObject({ reviewer: 'ann', score: 4, tags: ['new'] });
    expect(u.name).toBeUndefined();
  });

  it('bug §3.8 name never updated: a renamed video updates the record name', () => {
    const plan = buildPlan(input({ videos: [video('2')], records: [synced('b', '2', {})] }));
    expect(plan.updates).toHaveLength(0);
    const renamed = buildPlan(
      input({ videos: [video('2')], records: [{ ...synced('b', '2'), name: 'old_upload.mov' }] }),
    );
    expect(renamed.updates[0]).toMatchObject({ name: 'Video 2', changedKeys: ['(name)'] });
  });

  it('bug §3.2 frequent rewrites: an updated_at-only change plans nothing', () => {
    const plan = buildPlan(
      input({
        videos: [video('1', { updated_at: '2030-01-01T00:00:00.000Z' })],
        records: [synced('a', '1')],
      }),
    );
    expect(plan.counts).toMatchObject({ updates: 0, unchanged: 1 });
  });

  it('bug §3.11 duplicate external_ids: reported, never silently ignored; none of them updated', () => {
    const plan = buildPlan(
      input({
        videos: [video('1', { description: 'changed' })],
        records: [synced('a', '1'), synced('b', '1'), rec('x', '77'), rec('y', '77')],
      }),
    );
    expect(plan.updates).toHaveLength(0);
    expect(plan.problems).toMatchObject([
      { kind: 'duplicate_records', videoId: '1', recordIds: ['a', 'b'] },
      { kind: 'duplicate_records', videoId: '77', recordIds: ['x', 'y'] },
    ]);
    expect(plan.deletes.map((d) => d.recordId)).toEqual(['x', 'y']);
  });

  it('keepDeleted plans no deletes; videos listed twice are planned once', () => {
    const plan = buildPlan(
      input({
        videos: [video('1'), video('1')],
        records: [synced('a', '1'), rec('c', '99')],
        options: { keepDeleted: true },
      }),
    );
    expect(plan.deletes).toEqual([]);
    expect(plan.counts.videos).toBe(1);
    expect(plan.problems[0]?.kind).toBe('duplicate_video');
  });

  it('skips a new video whose media was not fetched, with the reason', () => {
    const plan = buildPlan(input({ videos: [video('5', { delivery_type: 'remote' })] }));
    expect(plan.skipped).toMatchObject([
      { videoId: '5', reason: 'media_not_fetched', message: 'asset renditions were not fetched' },
    ]);
  });

  it('says which videos need sources or asset renditions', () => {
    const need = videosNeedingMedia(
      [video('1'), video('2', { delivery_type: 'remote' }), video('3'), video('3')],
      [synced('a', '1')],
    );
    expect(need.map((n) => [n.video.id, n.need])).toEqual([
      ['2', 'assetRenditions'],
      ['3', 'sources'],
    ]);
  });

  it('has a fingerprint that ignores input order and CDN tokens but not edits', () => {
    const base = input({
      videos: [video('1'), video('3')],
      records: [synced('a', '1'), rec('c', '99')],
      media: media([['3', { sources: [mp4(720)] }]]),
    });
    const fp = buildPlan(base).fingerprint;
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    const reordered = { ...base, videos: [...base.videos].reverse(), records: [...base.records].reverse() };
    expect(buildPlan(reordered).fingerprint).toBe(fp);
    const newToken = {
      ...base,
      media: media([
        ['3', { sources: [mp4(720, 'https', { src: 'https://cdn.example/720.mp4?token=zzz' })] }],
      ]),
    };
    expect(buildPlan(newToken).fingerprint).toBe(fp);
    const edited = { ...base, videos: [video('1', { updated_at: '2030-01-01T00:00:00Z' }), video('3')] };
    expect(buildPlan(edited).fingerprint).not.toBe(fp);
    const moved = { ...base, records: [{ ...synced('a', '1'), metadataVersion: 6 }, rec('c', '99')] };
    expect(buildPlan(moved).fingerprint).not.toBe(fp);
    expect(buildPlan({ ...base, options: { maxHeight: 720 } }).fingerprint).not.toBe(fp);
  });
});

describe('buildPlan: ownership in a target shared by several accounts', () => {
  const A = '1111111111001';
  const B = '2222222222001';
  const owned = (id: string, videoId: string, owner: string) => synced(id, videoId, { [OWNER_KEY]: owner });
  const check = (elsewhere: string[] = [], unchecked: string[] = []) => ({
    elsewhere: new Set(elsewhere),
    unchecked,
  });

  it("never updates or deletes another account's records, and counts them", () => {
    const plan = buildPlan(
      input({
        videos: [video('1')],
        records: [owned('a', '1', A), owned('b', '2', B), owned('c', '3', B), owned('d', '9', A)],
        options: { owner: A },
        legacy: check(),
      }),
    );
    expect(plan.deletes.map((d) => d.recordId)).toEqual(['d']);
    expect(plan.deletes[0]?.legacy).toBeUndefined();
    expect(plan.counts.otherAccounts).toBe(2);
    expect(plan.updates).toEqual([]);
  });

  it('deletes a legacy record only when no other account has its video; adopts legacy records on update', () => {
    const plan = buildPlan(
      input({
        videos: [video('1', { description: 'changed' }), video('2')],
        records: [synced('a', '1'), synced('b', '2'), rec('x', '98'), rec('y', '99')],
        options: { owner: A },
        legacy: check(['98']),
      }),
    );
    expect(plan.deletes.map((d) => [d.recordId, d.legacy])).toEqual([['y', true]]);
    expect(plan.counts.legacyKept).toBe(1);
    // The marker alone is no reason to update ('b' is unchanged); an update writes it.
    expect(plan.updates.map((u) => [u.recordId, u.metadata[OWNER_KEY], u.changedKeys])).toEqual([
      ['a', A, ['description']],
    ]);
  });

  it('keeps every legacy orphan when an account could not be asked, or when no check was made', () => {
    const records = [rec('x', '98')];
    const unchecked = buildPlan(input({ records, options: { owner: A }, legacy: check([], ['research']) }));
    expect(unchecked.deletes).toEqual([]);
    expect(unchecked.problems.map((p) => p.kind)).toContain('unchecked_accounts');
    expect(buildPlan(input({ records, options: { owner: A } })).deletes).toEqual([]);
  });

  it('sync.legacy_owner: unmarked records belong to that account, and are foreign to the others', () => {
    const records = [rec('x', '98'), synced('a', '1')];
    const asOwner = buildPlan(
      input({ records, options: { owner: A, legacyOwner: A }, legacy: check(['98']) }),
    );
    expect(asOwner.deletes.map((d) => [d.recordId, d.legacy])).toEqual([
      ['a', undefined],
      ['x', undefined],
    ]);
    const asOther = buildPlan(input({ records, options: { owner: B, legacyOwner: A }, legacy: check() }));
    expect(asOther.deletes).toEqual([]);
    expect(asOther.counts.otherAccounts).toBe(2);
  });
});
