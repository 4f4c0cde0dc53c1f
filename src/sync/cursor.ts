import type { Collection, Store } from '../store/store.js';

/**
 * Where the next incremental sync of one account to one target starts. Moved forward only once the
 * changes up to it are in the target (an applied plan, or a plan with nothing to apply): a dry run
 * nobody applies must not make the next run skip its changes.
 */
export interface SyncCursor {
  /** `<account id>:<target>` */
  id: string;
  account: string;
  target: string;
  /** the start of the run the target is in step with: the next run asks for `updated_at` from here (less the overlap) */
  since: string;
  /**
   * How many live videos were created at or before `since`. The next run counts them again
   * (`created_at:..since`): fewer means deletes, which notifications must explain or a full run finds.
   */
  before: number;
  /** the start of the last full listing (the daily reconciliation counts from it) */
  fullAt: string;
  /** the plan options the target was written with: other options need every video compared again */
  options: string;
}

/**
 * A CMS `video-change` notification, reduced to what can be trusted: that someone said this video
 * changed. The app looks the video up before acting (Brightcove does not sign notifications).
 */
export interface VideoNotice {
  /** `<account id>:<video id>`: a replay or a later notification for the same video is one notice */
  id: string;
  account: string;
  videoId: string;
  receivedAt: string;
}

/** What a plan made of the pending notices, so they are dropped once the plan's work is done. */
export interface NoticeOutcome {
  /** the video exists: the plan covers it like any change (dropped when the cursor passes the plan) */
  existing: string[];
  /** the CMS answered 404 and the target has its record: a delete candidate (dropped when the deletes ran) */
  deleted: string[];
}

export class SyncCursorStore {
  constructor(
    private readonly cursors: Collection<SyncCursor>,
    private readonly notices: Collection<VideoNotice>,
    private readonly store: Store,
  ) {}

  get(account: string, target: string): SyncCursor | undefined {
    return this.cursors.get(`${account}:${target}`);
  }

  /** Moves the cursor to `next` unless it already is further (an older plan applied late). */
  advance(next: SyncCursor): Promise<boolean> {
    return this.store.transaction(() => {
      const current = this.cursors.get(next.id);
      if (current && Date.parse(current.since) > Date.parse(next.since)) return false;
      this.cursors.upsert(next);
      return true;
    });
  }

  notice(account: string, videoId: string, receivedAt: string): void {
    this.notices.upsert({ id: `${account}:${videoId}`, account, videoId, receivedAt });
  }

  pendingNotices(account: string): VideoNotice[] {
    return this.notices.find((n) => n.account === account);
  }

  /** Drops notices of these videos received up to `upTo` (a later one is news the plan did not see). */
  async dropNotices(account: string, videoIds: readonly string[], upTo: string): Promise<void> {
    const limit = Date.parse(upTo);
    await this.store.transaction(() => {
      for (const videoId of videoIds) {
        const n = this.notices.get(`${account}:${videoId}`);
        if (n && Date.parse(n.receivedAt) <= limit) this.notices.remove(n.id);
      }
    });
  }
}

/** One way of writing a time in sync messages: `2026-12-02 10:00 UTC`. */
export function utcMinute(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

interface ScanPolicy {
  enabled: boolean;
  /** `--full` */
  full: boolean;
  fullEveryMs: number;
  now: number;
  /** the plan options as the cursor records them */
  options: string;
  target: string;
}

/** Whether this run may ask only for changes, and why not when it may not. */
export function scanMode(
  cursor: SyncCursor | undefined,
  p: ScanPolicy,
): { mode: 'incremental'; reason: string } | { mode: 'full'; reason: string } {
  if (p.full) return { mode: 'full', reason: 'asked for with --full' };
  if (!p.enabled) return { mode: 'full', reason: 'incremental sync is off (sync.incremental.enabled)' };
  if (!cursor)
    return { mode: 'full', reason: `no earlier sync of this account is applied to ${p.target} yet` };
  if (cursor.options !== p.options)
    return { mode: 'full', reason: 'the sync options changed since the last applied sync' };
  const hours = Math.round(p.fullEveryMs / 3_600_000);
  if (p.now - Date.parse(cursor.fullAt) >= p.fullEveryMs)
    return {
      mode: 'full',
      reason: `reconciliation: the last full sync started ${utcMinute(cursor.fullAt)} (one every ${hours} h)`,
    };
  return {
    mode: 'incremental',
    reason: `changes since the last applied sync; the last full one started ${utcMinute(cursor.fullAt)} (one every ${hours} h)`,
  };
}
