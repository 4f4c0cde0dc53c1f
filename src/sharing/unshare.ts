/**
 * `/brightcove unshare <video> from <affiliate>` deletes the affiliate's copy (reference §7.1), so the
 * command persists an `UnsharePlan` and executes it only on an approver's click. Execution re-reads the share
 * first: a share that is already gone counts as done (double clicks, retries), and a copy that changed since
 * the plan (a new affiliate video id after un-share + share, or a copy made since a plan that had none) is
 * refused so the approver sees what goes.
 */
import { UserError } from '../core/errors.js';
import type { AffiliateRef, ShareRecord } from './types.js';

export interface UnshareDeps {
  /** `GET /videos/{video}/shares/{affiliate}`; null on 404 */
  getShare(videoId: string, affiliateId: string): Promise<ShareRecord | null>;
  /** `DELETE /videos/{video}/shares/{affiliate}` (any 2xx) */
  unshare(videoId: string, affiliateId: string): Promise<void>;
}

export interface UnsharePlan {
  videoId: string;
  affiliate: AffiliateRef;
  /** the copy that will be deleted */
  affiliateVideoId: string | null;
  status: string;
  /** what the approver is asked to approve, in one sentence */
  summary: string;
}

export type UnshareOutcome =
  | { outcome: 'unshared'; affiliateVideoId: string | null }
  | { outcome: 'already_gone' }
  | { outcome: 'changed'; reason: string };

export async function planUnshare(
  deps: Pick<UnshareDeps, 'getShare'>,
  videoId: string,
  affiliate: AffiliateRef,
): Promise<UnsharePlan> {
  const share = await deps.getShare(videoId, affiliate.id);
  if (!share) throw new UserError(`Video ${videoId} isn't shared to ${affiliate.name}: nothing to unshare.`);
  const copy = share.affiliate_video_id ?? null;
  const summary = copy
    ? `Unsharing deletes ${affiliate.name}'s copy ${copy} of video ${videoId}, with their edits to it; sharing again later creates a new video id.`
    : `Unsharing removes the ${share.status.toLowerCase()} share of video ${videoId} to ${affiliate.name} (no copy exists yet).`;
  return { videoId, affiliate, affiliateVideoId: copy, status: share.status, summary };
}

/** Runs an approved plan at most once in effect; safe to call again. */
export async function executeUnshare(deps: UnshareDeps, plan: UnsharePlan): Promise<UnshareOutcome> {
  const now = await deps.getShare(plan.videoId, plan.affiliate.id);
  if (!now) return { outcome: 'already_gone' };
  const copy = now.affiliate_video_id ?? null;
  if (copy && copy !== plan.affiliateVideoId) {
    // The approver approved deleting a given copy, or a share with no copy yet: never a copy they did not see.
    return {
      outcome: 'changed',
      reason: plan.affiliateVideoId
        ? `${plan.affiliate.name}'s copy is now ${copy}, not ${plan.affiliateVideoId} as approved: run unshare again.`
        : `${plan.affiliate.name} has a copy now (${copy}); the approval was for a share with no copy yet: run unshare again.`,
    };
  }
  await deps.unshare(plan.videoId, plan.affiliate.id);
  return { outcome: 'unshared', affiliateVideoId: copy };
}
