import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import type { ShareRecord } from '../../src/sharing/types.js';
import { executeUnshare, planUnshare, type UnshareDeps } from '../../src/sharing/unshare.js';
import { NORTH } from './helpers.js';

function fakeCms(initial: ShareRecord | null) {
  let share = initial;
  const deletes: string[] = [];
  const deps: UnshareDeps = {
    getShare: async () => share,
    unshare: async (video, affiliate) => {
      deletes.push(`${video}/${affiliate}`);
      share = null;
    },
  };
  return {
    deps,
    deletes,
    set: (s: ShareRecord | null) => {
      share = s;
    },
  };
}

const rec = (copy: string | null, status = 'COMPLETE'): ShareRecord => ({
  video_id: 'v1',
  affiliate_id: NORTH.id,
  affiliate_video_id: copy,
  status,
});

describe('unshare', () => {
  it('plans with the copy that will be deleted, and executes once even if clicked twice', async () => {
    const cms = fakeCms(rec('c1'));
    const plan = await planUnshare(cms.deps, 'v1', NORTH);
    expect(plan.summary).toMatch(/deletes Neo North's copy c1 of video v1.*new video id/);
    expect(await executeUnshare(cms.deps, plan)).toEqual({ outcome: 'unshared', affiliateVideoId: 'c1' });
    expect(await executeUnshare(cms.deps, plan)).toEqual({ outcome: 'already_gone' });
    expect(cms.deletes).toEqual([`v1/${NORTH.id}`]);
  });

  it('refuses when the copy changed since the plan (un-share + share gives a new id)', async () => {
    const cms = fakeCms(rec('c1'));
    const plan = await planUnshare(cms.deps, 'v1', NORTH);
    cms.set(rec('c2'));
    const out = await executeUnshare(cms.deps, plan);
    expect(out).toMatchObject({ outcome: 'changed' });
    expect(cms.deletes).toEqual([]);
  });

  it('refuses when a copy appeared after a plan approved with none (the approver never saw it)', async () => {
    const cms = fakeCms(rec(null, 'PROCESSING'));
    const plan = await planUnshare(cms.deps, 'v1', NORTH);
    cms.set(rec('c9'));
    expect(await executeUnshare(cms.deps, plan)).toMatchObject({
      outcome: 'changed',
      reason: expect.stringMatching(/has a copy now \(c9\)/),
    });
    expect(cms.deletes).toEqual([]);
    cms.set(rec(null, 'PROCESSING'));
    expect(await executeUnshare(cms.deps, plan)).toEqual({ outcome: 'unshared', affiliateVideoId: null });
  });

  it('says so when the video is not shared to the affiliate', async () => {
    await expect(planUnshare(fakeCms(null).deps, 'v1', NORTH)).rejects.toThrow(UserError);
    const plan = await planUnshare(fakeCms(rec(null, 'PROCESSING')).deps, 'v1', NORTH);
    expect(plan.summary).toMatch(/removes the processing share .*no copy exists yet/);
  });
});
