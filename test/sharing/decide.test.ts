import { describe, expect, it } from 'vitest';
import { decideShare } from '../../src/sharing/decide.js';
import { describeDecision } from '../../src/sharing/describe.js';
import { runPreflight } from '../../src/sharing/preflight.js';
import { facts, input, NORTH, SOUTH, video } from './helpers.js';

const reshare = {
  video_id: '6301234567001',
  affiliate_id: NORTH.id,
  affiliate_video_id: '555',
  status: 'COMPLETE',
};

describe('decideShare', () => {
  it('no blockers and no warnings: share now, no click needed', () => {
    const d = decideShare(runPreflight(input()));
    expect(d).toMatchObject({ kind: 'share_now', affiliateIds: [NORTH.id], confirmRole: null });
    expect(d.warnings).toEqual([]);
    expect(describeDecision(d)).toMatch(/sharing now/);
  });

  it('warnings only: needs an operator’s “Share anyway”', () => {
    const d = decideShare(runPreflight(input({ affiliates: [facts({ existingShare: reshare })] })));
    expect(d.kind).toBe('needs_confirmation');
    expect(d.confirmRole).toBe('operator');
    expect(d.warnings.map((w) => [w.affiliate?.id, w.check.rule])).toEqual([[NORTH.id, 'already_shared']]);
    expect(describeDecision(d)).toMatch(/Share anyway/);
  });

  it('any blocker: no share, even when other affiliates are fine, and names the clear ones', () => {
    const report = runPreflight(
      input({
        affiliates: [
          facts({ existingShare: reshare }),
          facts({
            affiliate: SOUTH,
            membership: { status: 'known', value: { member: false, approved: false } },
          }),
        ],
      }),
    );
    const d = decideShare(report);
    expect(d.kind).toBe('blocked');
    expect(d.confirmRole).toBeNull();
    expect(d.blockers.map((b) => [b.affiliate?.id, b.check.rule])).toEqual([[SOUTH.id, 'channel_member']]);
    expect(d.clearAffiliates.map((a) => a.id)).toEqual([NORTH.id]);
    expect(describeDecision(d)).toMatch(/Not shared: 1 blocker\. Only Neo North could be shared to/);
  });

  it('a video-level blocker blocks everything and leaves no clear affiliate', () => {
    const d = decideShare(runPreflight(input({ video: video({ delivery_type: 'live_origin' }) })));
    expect(d.kind).toBe('blocked');
    expect(d.blockers).toHaveLength(1);
    expect(d.blockers[0]?.affiliate).toBeNull();
    expect(d.clearAffiliates).toEqual([]);
  });

  it('no affiliates at all is blocked, not an empty share', () => {
    expect(decideShare(runPreflight(input({ affiliates: [] }))).kind).toBe('blocked');
  });
});
