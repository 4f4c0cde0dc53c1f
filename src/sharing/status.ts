/**
 * Share tracking. A 2xx on POST shares only means "accepted for processing" (reference §9.15): the record
 * goes PROCESSING → COMPLETE or ERROR/FAILED, and `error_message` must be read whatever the status, even
 * COMPLETE. The tracker polls `GET …/shares/{affiliate}` with backoff on the injected clock and emits a
 * change only when something a user would see changed.
 */
import type { Clock } from '../clock.js';
import { type Logger, silentLogger } from '../log.js';
import { describeShareErrors, parseShareErrors, type ShareErrorWords } from './share-errors.js';
import type { AffiliateRef, ShareRecord } from './types.js';

type ShareState = 'processing' | 'complete' | 'complete_with_errors' | 'failed' | 'unknown';
/** Whether the affiliate's copy is live: `pending` = waiting for the affiliate to accept (no auto-accept). */
type Acceptance = 'pending' | 'accepted' | 'inactive' | 'unknown';

export interface AcceptanceFacts {
  /** the affiliate contract's `auto_accept` */
  autoAccept?: boolean;
  /** the affiliate copy's `state` (PENDING until accepted) */
  affiliateVideoState?: string;
}

export interface ShareStatus {
  videoId: string;
  affiliate: AffiliateRef;
  state: ShareState;
  /** Brightcove's status string as received */
  apiStatus: string;
  affiliateVideoId: string | null;
  errors: ShareErrorWords[];
  /** set once the copy exists */
  acceptance: Acceptance | null;
  terminal: boolean;
  updatedAt: string | null;
}

function mapShareState(apiStatus: string, hasErrors: boolean): ShareState {
  switch (apiStatus.toUpperCase()) {
    case 'PROCESSING':
    case 'PENDING':
      return 'processing';
    case 'COMPLETE':
    case 'COMPLETED':
      return hasErrors ? 'complete_with_errors' : 'complete';
    case 'ERROR':
    case 'FAILED':
      return 'failed';
    default:
      return 'unknown';
  }
}

const isTerminalShareState = (s: ShareState) =>
  s === 'complete' || s === 'complete_with_errors' || s === 'failed';

function acceptanceOf(facts: AcceptanceFacts | undefined): Acceptance {
  const state = facts?.affiliateVideoState?.toUpperCase();
  if (state === 'PENDING') return 'pending';
  if (state === 'ACTIVE') return 'accepted';
  if (state === 'INACTIVE') return 'inactive';
  if (facts?.autoAccept === false) return 'pending';
  if (facts?.autoAccept === true) return 'accepted';
  return 'unknown';
}

export function shareStatus(
  record: ShareRecord,
  affiliate: AffiliateRef,
  facts?: AcceptanceFacts,
): ShareStatus {
  const errors = describeShareErrors(parseShareErrors(record.error_message), affiliate.name);
  const state = mapShareState(record.status, errors.length > 0);
  const affiliateVideoId = record.affiliate_video_id ?? null;
  return {
    videoId: record.video_id,
    affiliate,
    state,
    apiStatus: record.status,
    affiliateVideoId,
    errors,
    acceptance: affiliateVideoId && state !== 'failed' ? acceptanceOf(facts) : null,
    terminal: isTerminalShareState(state),
    updatedAt: record.updated_at ?? null,
  };
}

/** For `/brightcove shares <video>`: every share of a video, named. */
export function summarizeShares(
  records: ShareRecord[],
  nameOf: (affiliateId: string) => AffiliateRef,
  factsOf?: (affiliateId: string) => AcceptanceFacts | undefined,
): ShareStatus[] {
  return records
    .map((r) => shareStatus(r, nameOf(r.affiliate_id), factsOf?.(r.affiliate_id)))
    .sort((a, b) => a.affiliate.name.localeCompare(b.affiliate.name));
}

// ------------------------------------------------------------------ the poller

interface ShareBackoff {
  initialMs: number;
  factor: number;
  maxMs: number;
}
export const DEFAULT_SHARE_BACKOFF: ShareBackoff = { initialMs: 3_000, factor: 1.5, maxMs: 30_000 };

export function shareBackoffDelay(attempt: number, b: ShareBackoff): number {
  return Math.min(b.maxMs, Math.round(b.initialMs * b.factor ** attempt));
}

export interface TrackSharesOptions {
  videoId: string;
  affiliates: AffiliateRef[];
  clock: Clock;
  /** `GET /videos/{video}/shares/{affiliate}`; null when the record is gone (404) */
  getShare(affiliateId: string): Promise<ShareRecord | null>;
  /** read once per affiliate when its copy exists, to say whether it waits for acceptance */
  getAcceptance?(affiliateId: string, affiliateVideoId: string): Promise<AcceptanceFacts | undefined>;
  onChange(change: ShareStatus, all: ShareStatus[]): void | Promise<void>;
  /** the records the POST returned, so the first card shows PROCESSING without a GET */
  initial?: ShareRecord[];
  backoff?: Partial<ShareBackoff>;
  /** give up after this long (default 15 min): shares normally finish within minutes */
  maxTrackingMs?: number;
  /** stop after this many failed polls in a row (default 5) */
  maxConsecutiveErrors?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

interface TrackSharesResult {
  statuses: ShareStatus[];
  /** true when every share reached COMPLETE or ERROR */
  finished: boolean;
  /** why tracking stopped early */
  stoppedReason?: string;
}

const changeKey = (s: ShareStatus) =>
  [
    s.state,
    s.apiStatus,
    s.affiliateVideoId ?? '',
    s.acceptance ?? '',
    s.errors.map((e) => e.code).join('+'),
  ].join('|');

function goneStatus(videoId: string, affiliate: AffiliateRef, prev: ShareStatus | undefined): ShareStatus {
  return {
    videoId,
    affiliate,
    state: 'failed',
    apiStatus: 'GONE',
    affiliateVideoId: prev?.affiliateVideoId ?? null,
    errors: [
      {
        code: 'NOT_FOUND',
        words: `The share record for ${affiliate.name} is gone (someone unshared it, or the video was deleted).`,
        fix: 'Check with `/brightcove shares <video>` and share again if needed.',
        detail: null,
      },
    ],
    acceptance: null,
    terminal: true,
    updatedAt: null,
  };
}

export async function trackShares(opts: TrackSharesOptions): Promise<TrackSharesResult> {
  const backoff = { ...DEFAULT_SHARE_BACKOFF, ...opts.backoff };
  const maxMs = opts.maxTrackingMs ?? 15 * 60_000;
  const maxErrors = opts.maxConsecutiveErrors ?? 5;
  const logger = opts.logger ?? silentLogger;
  const start = opts.clock.now().getTime();
  const current = new Map<string, ShareStatus>();
  const emitted = new Map<string, string>();
  const acceptanceRead = new Set<string>();

  const all = () => opts.affiliates.flatMap((a) => current.get(a.id) ?? []);
  const publish = async (s: ShareStatus) => {
    current.set(s.affiliate.id, s);
    const key = changeKey(s);
    if (emitted.get(s.affiliate.id) === key) return false;
    emitted.set(s.affiliate.id, key);
    await opts.onChange(s, all());
    return true;
  };
  const withAcceptance = async (record: ShareRecord, affiliate: AffiliateRef): Promise<ShareStatus> => {
    let facts: AcceptanceFacts | undefined;
    const copy = record.affiliate_video_id;
    if (copy && opts.getAcceptance && !acceptanceRead.has(affiliate.id)) {
      const base = shareStatus(record, affiliate);
      if (base.terminal && base.state !== 'failed') {
        acceptanceRead.add(affiliate.id);
        facts = await opts.getAcceptance(affiliate.id, copy).catch((err: unknown) => {
          logger.debug('share acceptance lookup failed', { affiliate: affiliate.id, err: String(err) });
          return undefined;
        });
        return shareStatus(record, affiliate, facts);
      }
    }
    const prev = current.get(affiliate.id);
    const s = shareStatus(record, affiliate);
    return prev?.acceptance && s.acceptance === 'unknown' ? { ...s, acceptance: prev.acceptance } : s;
  };

  for (const affiliate of opts.affiliates) {
    const rec = opts.initial?.find((r) => r.affiliate_id === affiliate.id);
    await publish(
      rec
        ? await withAcceptance(rec, affiliate)
        : shareStatus(
            { video_id: opts.videoId, affiliate_id: affiliate.id, status: 'PROCESSING' },
            affiliate,
          ),
    );
  }

  let attempt = 0;
  let errors = 0;
  const pending = () => opts.affiliates.filter((a) => !current.get(a.id)?.terminal);
  while (pending().length > 0) {
    if (opts.signal?.aborted)
      return { statuses: all(), finished: false, stoppedReason: 'Tracking was stopped.' };
    const elapsed = opts.clock.now().getTime() - start;
    if (elapsed >= maxMs) {
      return {
        statuses: all(),
        finished: false,
        stoppedReason: `Still processing after ${Math.round(maxMs / 60_000)} min; check later with \`/brightcove shares ${opts.videoId}\`.`,
      };
    }
    await opts.clock.sleep(Math.min(shareBackoffDelay(attempt, backoff), maxMs - elapsed));
    attempt += 1;
    let changed = false;
    for (const affiliate of pending()) {
      try {
        const record = await opts.getShare(affiliate.id);
        errors = 0;
        const next = record
          ? await withAcceptance(record, affiliate)
          : goneStatus(opts.videoId, affiliate, current.get(affiliate.id));
        if (await publish(next)) changed = true;
      } catch (err) {
        errors += 1;
        logger.warn('share status poll failed', { affiliate: affiliate.id, err: String(err) });
        if (errors >= maxErrors) {
          return {
            statuses: all(),
            finished: false,
            stoppedReason: `Couldn't read the share status ${errors} times in a row (${err instanceof Error ? err.message : String(err)}).`,
          };
        }
      }
    }
    // poll briskly again after a change: the other affiliates tend to finish close together
    if (changed) attempt = 0;
  }
  return { statuses: all(), finished: true };
}
