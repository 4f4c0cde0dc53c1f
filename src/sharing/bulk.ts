/**
 * `share --query "<CMS search>" to <affiliate>`: a capped preview of the matching videos with their
 * pre-flight results, and a summary for the confirm button. Each video is judged like a single share (any
 * blocker skips the video); the confirm click is the explicit operator decision, so it also covers the
 * warnings, which the preview lists.
 */
import PQueue from 'p-queue';
import type { CmsVideo } from '../brightcove/schemas.js';
import { UserError } from '../core/errors.js';
import { plural } from '../core/words.js';
import { decideShare, type Finding, type ShareDecisionKind } from './decide.js';
import { gatherPreflight, type PreflightDeps } from './gather.js';
import { runPreflight } from './preflight.js';
import type { AffiliateRef, PreflightReport, VideoSummary } from './types.js';

export const DEFAULT_BULK_CAP = 50;

/** Search pitfalls (reference §9.5): terms under 3 characters match everything. */
export function checkSearchQuery(query: string): string[] {
  const q = query.trim();
  if (q === '') throw new UserError('Give a CMS search after `--query`, e.g. `--query "tags:promo"`.', true);
  const warnings: string[] = [];
  const short = q
    .split(/\s+/)
    .map((t) =>
      t
        .replace(/^[+-]/, '')
        .replace(/^[a-z_.]+:/i, '')
        .replace(/^"|"$/g, ''),
    )
    .filter((t) => t.length > 0 && t.length < 3 && !/^\d+$/.test(t));
  if (short.length > 0) {
    warnings.push(
      `Search terms under 3 characters (${short.join(', ')}) match every video: make them longer or use a field (\`tags:…\`).`,
    );
  }
  return warnings;
}

interface BulkRow {
  video: VideoSummary;
  decision: ShareDecisionKind;
  blockers: Finding[];
  warnings: Finding[];
}

export interface BulkSharePlan {
  query: string;
  affiliates: AffiliateRef[];
  /** how many videos the search matched (the CMS count; an upper bound) */
  total: number;
  cap: number;
  /** videos pre-flighted and shown */
  considered: number;
  /** matches left out by the cap */
  more: number;
  rows: BulkRow[];
  /** video ids the confirm button shares: no blocker */
  shareable: string[];
  counts: { ready: number; withWarnings: number; blocked: number };
  queryWarnings: string[];
  /** one paragraph for the card */
  summary: string;
  /** the confirm button's text; null when nothing can be shared */
  confirmLabel: string | null;
}

interface BulkPlanInput {
  query: string;
  affiliates: AffiliateRef[];
  total: number;
  /** one report per matching video, in search order (extra ones beyond the cap are ignored) */
  reports: PreflightReport[];
  cap?: number;
}

export function planBulkShare(input: BulkPlanInput): BulkSharePlan {
  const cap = input.cap ?? DEFAULT_BULK_CAP;
  const reports = input.reports.slice(0, cap);
  const rows: BulkRow[] = reports.map((r) => {
    const d = decideShare(r);
    return { video: r.video, decision: d.kind, blockers: d.blockers, warnings: d.warnings };
  });
  const total = Math.max(input.total, reports.length);
  const counts = {
    ready: rows.filter((r) => r.decision === 'share_now').length,
    withWarnings: rows.filter((r) => r.decision === 'needs_confirmation').length,
    blocked: rows.filter((r) => r.decision === 'blocked').length,
  };
  const shareable = rows.filter((r) => r.decision !== 'blocked').map((r) => r.video.id);
  const more = Math.max(0, total - reports.length);
  const targets = input.affiliates.map((a) => a.name).join(', ');
  const parts = [
    `${plural(total, 'video')} ${total === 1 ? 'matches' : 'match'} \`${input.query}\`${more > 0 ? `; the first ${reports.length} are checked, ${more} more are left out (narrow the search or run it again after this batch)` : ''}.`,
    `To ${targets}: ${counts.ready} ready, ${counts.withWarnings} with warnings, ${counts.blocked} blocked.`,
  ];
  if (shareable.length > 0) {
    parts.push(
      counts.withWarnings > 0
        ? `Confirming shares the ${plural(shareable.length, 'video')} without blockers, including the ${counts.withWarnings} with warnings.`
        : `Confirming shares ${plural(shareable.length, 'video')}.`,
    );
  } else {
    parts.push('Nothing can be shared: fix the blockers first.');
  }
  return {
    query: input.query,
    affiliates: input.affiliates,
    total,
    cap,
    considered: reports.length,
    more,
    rows,
    shareable,
    counts,
    queryWarnings: checkSearchQuery(input.query),
    summary: parts.join(' '),
    confirmLabel: shareable.length > 0 ? `Share ${plural(shareable.length, 'video')} to ${targets}` : null,
  };
}

/** Caches the lookups that are the same for every video of a bulk run (channel, members, fields, contracts). */
function memoizeSharedLookups(deps: PreflightDeps): PreflightDeps {
  const cache = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = run();
      cache.set(key, p);
    }
    return p;
  };
  const getAutoAccept = deps.getAutoAccept;
  return {
    ...deps,
    getChannel: () => once('channel', () => deps.getChannel()),
    listAffiliates: () => once('members', () => deps.listAffiliates()),
    getVideoFields: (id) => once(`fields:${id}`, () => deps.getVideoFields(id)),
    ...(getAutoAccept
      ? { getAutoAccept: (id: string) => once(`accept:${id}`, () => getAutoAccept(id)) }
      : {}),
  };
}

interface BulkGatherOptions {
  videos: CmsVideo[];
  affiliates: AffiliateRef[];
  cap?: number;
  /** parallel pre-flights; the CMS client's per-account limiter still applies underneath */
  concurrency?: number;
}

/** Pre-flights the first `cap` videos, in order. */
export async function gatherBulkPreflight(
  deps: PreflightDeps,
  opts: BulkGatherOptions,
): Promise<PreflightReport[]> {
  const cached = memoizeSharedLookups(deps);
  const queue = new PQueue({ concurrency: opts.concurrency ?? 4 });
  const videos = opts.videos.slice(0, opts.cap ?? DEFAULT_BULK_CAP);
  return Promise.all(
    videos.map((video) =>
      queue.add(async () =>
        runPreflight(await gatherPreflight(cached, { video, affiliates: opts.affiliates })),
      ),
    ),
  );
}
