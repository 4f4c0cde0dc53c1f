import { describe, expect, it } from 'vitest';
import type { CmsVideo } from '../../src/brightcove/schemas.js';
import { UserError } from '../../src/core/errors.js';
import { checkSearchQuery, gatherBulkPreflight, planBulkShare } from '../../src/sharing/bulk.js';
import { describeBulkPlan } from '../../src/sharing/describe.js';
import type { PreflightDeps } from '../../src/sharing/gather.js';
import { runPreflight } from '../../src/sharing/preflight.js';
import { channel, facts, input, MASTER, NORTH, SUBJECT, video } from './helpers.js';

const v = (i: number, over: Partial<CmsVideo> = {}) =>
  video({
    id: `63000000${String(i).padStart(5, '0')}`,
    name: `Clip ${i}`,
    reference_id: `clip-${i}`,
    ...over,
  });

describe('planBulkShare', () => {
  it('caps the preview, counts what is left out, and only offers videos without blockers', () => {
    const reports = Array.from({ length: 60 }, (_, i) => {
      const over = i % 10 === 0 ? { complete: false } : {};
      const existing =
        i % 10 === 1
          ? { video_id: 'x', affiliate_id: NORTH.id, affiliate_video_id: 'c', status: 'COMPLETE' }
          : null;
      return runPreflight(input({ video: v(i, over), affiliates: [facts({ existingShare: existing })] }));
    });
    const plan = planBulkShare({ query: 'tags:promo', affiliates: [NORTH], total: 73, reports });
    expect(plan).toMatchObject({ total: 73, cap: 50, considered: 50, more: 23 });
    expect(plan.counts).toEqual({ ready: 40, withWarnings: 5, blocked: 5 });
    expect(plan.shareable).toHaveLength(45);
    expect(plan.shareable).not.toContain(v(0).id);
    expect(plan.shareable).toContain(v(1).id);
    expect(plan.confirmLabel).toBe('Share 45 videos to Neo North');
    expect(plan.summary).toMatch(
      /73 videos match `tags:promo`; the first 50 are checked, 23 more are left out/,
    );
    expect(plan.summary).toMatch(
      /40 ready, 5 with warnings, 5 blocked\. Confirming shares the 45 videos without blockers, including the 5 with warnings/,
    );
    const text = describeBulkPlan(plan);
    expect(text.find((l) => l.includes(v(0).id))).toMatch(/^\[block\].*still transcoding/);
  });

  it('offers no button when everything is blocked', () => {
    const reports = [runPreflight(input({ video: v(1, { delivery_type: 'live_origin' }) }))];
    const plan = planBulkShare({ query: 'live', affiliates: [NORTH], total: 1, reports });
    expect(plan.confirmLabel).toBeNull();
    expect(plan.summary).toMatch(/1 video matches `live`.*Nothing can be shared/);
  });

  it('flags short search terms (they match everything) and rejects an empty search', () => {
    expect(checkSearchQuery('tags:promo name:seals')).toEqual([]);
    expect(checkSearchQuery('+tags:ab go')[0]).toMatch(/under 3 characters \(ab, go\)/);
    expect(() => checkSearchQuery('  ')).toThrow(UserError);
  });
});

describe('gatherBulkPreflight', () => {
  it('reads the channel, members and fields once for the whole batch, and keeps search order', async () => {
    const calls: Record<string, number> = {};
    const count = (k: string) => {
      calls[k] = (calls[k] ?? 0) + 1;
    };
    const deps: PreflightDeps = {
      master: MASTER,
      getVideo: async () => null,
      getVideoByRef: async (_a, ref) => {
        count('ref');
        return ref === 'clip-3' ? v(99, { account_id: NORTH.id, reference_id: 'clip-3' }) : null;
      },
      getChannel: async () => {
        count('channel');
        return channel({ enforce_custom_fields: true });
      },
      listAffiliates: async () => {
        count('members');
        return [{ account_id: NORTH.id, account_name: 'Neo North', approved: true }];
      },
      listShares: async () => {
        count('shares');
        return [];
      },
      getVideoFields: async (id) => {
        count(`fields:${id}`);
        return { custom_fields: [SUBJECT], standard_fields: [] };
      },
      hasAccess: () => true,
      getAutoAccept: async () => {
        count('contract');
        return false;
      },
    };
    const videos = Array.from({ length: 8 }, (_, i) => v(i));
    const reports = await gatherBulkPreflight(deps, { videos, affiliates: [NORTH], cap: 6, concurrency: 3 });
    expect(reports.map((r) => r.video.id)).toEqual(videos.slice(0, 6).map((x) => x.id));
    expect(calls).toMatchObject({
      channel: 1,
      members: 1,
      [`fields:${MASTER.id}`]: 1,
      [`fields:${NORTH.id}`]: 1,
      contract: 1,
      shares: 6,
      ref: 6,
    });
    expect(reports[3]?.affiliates[0]?.checks.find((c) => c.rule === 'reference_id')?.level).toBe('blocker');
    expect(reports[2]?.level).toBe('pass');
  });
});
