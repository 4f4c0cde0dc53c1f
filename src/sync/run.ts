import PQueue from 'p-queue';
import { NotFoundError } from '../brightcove/errors.js';
import type { CmsClient, ListStats, ListVideosOptions } from '../brightcove/index.js';
import type { Clock } from '../clock.js';
import { plural } from '../core/words.js';
import { type Logger, silentLogger } from '../log.js';
import { type ApplyCounts, type ApplyEvent, type ApplySummary, applyPlan, type Checkpoint } from './apply.js';
import { type NoticeOutcome, type SyncCursor, utcMinute } from './cursor.js';
import { Lockstep } from './lockstep.js';
import { type LegacyCheck, PlanBuilder, type PlanOptions, type SyncPlan } from './plan.js';
import type { SyncTarget } from './target.js';
import type { SyncVideo, VideoMedia } from './types.js';

/**
 * The CMS calls a sync makes: one listing (or a count and a search for changes), media of new
 * videos, what changed before Apply, a lookup before each delete.
 */
export type SyncCms = Pick<
  CmsClient,
  'listVideos' | 'countVideos' | 'getSources' | 'getRenditions' | 'getVideo' | 'getVideos'
>;

export interface CollectProgress {
  phase: 'listing' | 'media' | 'planned';
  videos: number;
  /** the CMS count (an upper bound); 0 until known */
  videoCount: number;
  records: number;
  recordTotal: number;
  media: number;
  mediaTotal: number;
}

interface CollectOptions {
  cms: SyncCms;
  target: SyncTarget;
  options?: PlanOptions;
  /** paging of the video listing (default: Brightcove's recipe, pages of 100 by created_at) */
  listOptions?: ListVideosOptions;
  onProgress?(p: CollectProgress): void;
  /** media requests queued at once (the CMS limiter decides how many are in flight) */
  mediaConcurrency?: number;
  /** how many items one listing may run ahead of the other (see Lockstep; default 2,000) */
  listingAhead?: number;
  /**
   * Asks the other accounts that share the target which of these video ids they still have (the
   * legacy records' owners). Without it, legacy records are never planned as deletes.
   */
  otherAccounts?: OtherAccounts;
  /** count the listed videos created up to this time (ISO): the next incremental run's count check */
  countCreatedUpTo?: string;
  logger?: Logger;
}

/** The other configured accounts sharing one target, as a sync of one account sees them. */
export interface OtherAccounts {
  /** Which of `videoIds` some other account has (multi-id lookups); `unchecked` names accounts that can't be asked. */
  have(videoIds: readonly string[]): Promise<LegacyCheck>;
}

interface CollectResult {
  plan: SyncPlan;
  listing: ListStats;
  /** videos whose media lookup failed (404: deleted while we listed; or errors after retries) */
  mediaFailures: { videoId: string; reason: string }[];
  /** how many listed videos were created at or before `countCreatedUpTo` (0 without it) */
  createdUpTo: number;
}

/** Target lookups in flight at once (one per changed video in an incremental plan). */
const RECORD_LOOKUPS = 20;

/** Enough for jitter (20 CMS pages, 2 s at Brightcove's rate); 2,000 waiting items are ~1 MB. */
const LISTING_AHEAD = 2_000;

/** Only what the plan reads: a 100,000-video library must not keep images, cue points and text tracks. */
function slim(v: SyncVideo): SyncVideo {
  const out: SyncVideo = { id: v.id };
  if (v.name != null) out.name = v.name;
  if (v.description != null) out.description = v.description;
  if (v.long_description != null) out.long_description = v.long_description;
  if (v.tags?.length) out.tags = v.tags;
  if (v.created_at != null) out.created_at = v.created_at;
  if (v.updated_at != null) out.updated_at = v.updated_at;
  if (v.state != null) out.state = v.state;
  if (v.reference_id != null) out.reference_id = v.reference_id;
  if (v.duration != null) out.duration = v.duration;
  if (v.custom_fields && Object.keys(v.custom_fields).length) out.custom_fields = v.custom_fields;
  if (v.delivery_type != null) out.delivery_type = v.delivery_type;
  if (v.remote_url != null) out.remote_url = v.remote_url;
  return out;
}

/**
 * Lists the library and the target side by side, fetches media only for videos the target lacks,
 * and builds the plan. Reads only: the plan is what a human approves.
 */
export async function collectPlan(opts: CollectOptions): Promise<CollectResult> {
  const log = (opts.logger ?? silentLogger).child({ component: 'sync-run', target: opts.target.name });
  const progress: CollectProgress = {
    phase: 'listing',
    videos: 0,
    videoCount: 0,
    records: 0,
    recordTotal: 0,
    media: 0,
    mediaTotal: 0,
  };
  // When one listing fails the plan fails: the other stops at its next item and reports nothing more
  // (a late "in progress" must not overwrite the failure the user was shown).
  let failed = false;
  const report = () => {
    if (!failed) opts.onProgress?.({ ...progress });
  };
  report();

  const builder = new PlanBuilder(opts.target.name, opts.options ?? {});
  const lockstep = new Lockstep(opts.listingAhead ?? LISTING_AHEAD);
  const listing = opts.cms.listVideos(opts.listOptions ?? {}, slim);
  const upTo = opts.countCreatedUpTo ? Date.parse(opts.countCreatedUpTo) : Number.NEGATIVE_INFINITY;
  let createdUpTo = 0;
  const listVideos = async () => {
    try {
      for await (const v of listing) {
        if (failed) return;
        builder.addVideo(v);
        if (createdIn(v, Number.NEGATIVE_INFINITY, upTo)) createdUpTo++;
        progress.videos++;
        progress.videoCount = listing.stats.count;
        if (progress.videos % 100 === 0) {
          report();
          lockstep.advance('videos', progress.videos, progress.videoCount);
          await lockstep.wait('videos');
        }
      }
    } finally {
      lockstep.end('videos');
    }
    progress.videoCount = listing.stats.count;
    report();
  };
  const listRecords = async () => {
    try {
      for await (const page of opts.target.pages(opts.options?.owner)) {
        if (failed) return;
        for (const r of page.records) builder.addRecord(r);
        progress.records += page.records.length;
        progress.recordTotal = page.total;
        report();
        lockstep.advance('records', progress.records, progress.recordTotal);
        await lockstep.wait('records');
      }
    } finally {
      lockstep.end('records');
    }
    // From here on each video is decided as it arrives instead of waiting in memory.
    builder.recordsComplete();
  };
  const side = (list: () => Promise<void>) =>
    list().catch((err: unknown) => {
      failed = true;
      throw err;
    });
  await Promise.all([side(listVideos), side(listRecords)]);
  const legacyOrphans = builder.legacyOrphanVideoIds();
  const legacy = opts.otherAccounts ? await opts.otherAccounts.have(legacyOrphans) : undefined;

  progress.phase = 'media';
  const { media, mediaFailures } = await resolveMedia(builder, opts, progress, report, log);
  const plan = builder.finish(media, legacy);
  progress.phase = 'planned';
  report();
  return { plan, listing: { ...listing.stats }, mediaFailures, createdUpTo };
}

/**
 * Fetches the media of the videos the target lacks, through the CMS limiter like the pages (queued
 * `mediaConcurrency` at a time, never one after another). A failed lookup skips its video with the reason.
 */
async function resolveMedia(
  builder: PlanBuilder,
  opts: Pick<CollectOptions, 'cms' | 'mediaConcurrency'>,
  progress: CollectProgress,
  report: () => void,
  log: Logger,
): Promise<{ media: Map<string, VideoMedia>; mediaFailures: CollectResult['mediaFailures'] }> {
  const needed = builder.mediaNeeded();
  progress.mediaTotal = needed.length;
  report();
  const media = new Map<string, VideoMedia>();
  const mediaFailures: CollectResult['mediaFailures'] = [];
  const fetchMedia = mediaFetcher(opts.cms);
  const queue = new PQueue({ concurrency: Math.max(1, opts.mediaConcurrency ?? 20) });
  await queue.addAll(
    needed.map(({ video, need }) => async () => {
      try {
        media.set(video.id, await fetchMedia(video.id, need));
      } catch (err) {
        // One video's media must not sink the whole plan: it is skipped with the reason.
        const reason = err instanceof NotFoundError ? 'video deleted while listing' : errorText(err);
        if (!(err instanceof NotFoundError)) log.warn('media lookup failed', { videoId: video.id, err });
        mediaFailures.push({ videoId: video.id, reason });
      } finally {
        progress.media++;
        if (progress.media % 20 === 0) report();
      }
    }),
  );
  return { media, mediaFailures };
}

/** Whether a video was created in `(after, upTo]` (ISO strings of one clock: the CMS's `created_at`). */
function createdIn(v: SyncVideo, after: number, upTo: number): boolean {
  const t = v.created_at ? Date.parse(v.created_at) : Number.NaN;
  return t > after && t <= upTo;
}

interface ChangesOptions extends Omit<CollectOptions, 'listOptions' | 'listingAhead'> {
  cursor: SyncCursor;
  /** how far before the cursor the search starts: clock skew and Brightcove's search indexing lag */
  overlapMs: number;
  /** videos named by pending notifications */
  notices: readonly string[];
  /** this run's start (the next cursor): videos created up to it are counted for the next count check */
  startedAt: string;
}

type ChangesResult =
  | (CollectResult & { notices: NoticeOutcome; changedSince: string })
  | { fullNeeded: string };

/**
 * The incremental plan: only what changed since the cursor, and records only for those videos.
 * Costs one count, the pages of changes (one when nothing changed), one multi-id lookup per 10
 * notified videos, a target lookup per changed video, and media for the new ones. Says instead that a
 * full run is needed when fewer videos created before the cursor exist than notifications explain:
 * something was deleted that no notification named.
 */
export async function collectChanges(opts: ChangesOptions): Promise<ChangesResult> {
  const log = (opts.logger ?? silentLogger).child({ component: 'sync-run', target: opts.target.name });
  const { cms, target, cursor } = opts;
  const since = Date.parse(cursor.since);
  const upTo = Date.parse(opts.startedAt);
  const progress: CollectProgress = {
    phase: 'listing',
    videos: 0,
    videoCount: 0,
    records: 0,
    recordTotal: 0,
    media: 0,
    mediaTotal: 0,
  };
  const report = () => opts.onProgress?.({ ...progress });
  report();

  const [stillThere, countBefore] = await Promise.all([
    opts.notices.length ? cms.getVideos([...opts.notices]) : Promise.resolve([]),
    cms.countVideos(`+created_at:..${cursor.since}`),
  ]);
  const notified = new Map(stillThere.map((v) => [v.id, slim(v)]));
  const gone = opts.notices.filter((id) => !notified.has(id));
  const lost = cursor.before - countBefore;
  const sinceText = utcMinute(cursor.since);
  if (lost < 0)
    return {
      fullNeeded: `the CMS counts ${plural(-lost, 'more video', 'more videos')} created before ${sinceText} than the last sync saw`,
    };
  if (lost > gone.length)
    return {
      fullNeeded: `${plural(lost, 'video')} created before ${sinceText} ${lost === 1 ? 'is' : 'are'} gone and notifications name ${gone.length}`,
    };

  const builder = new PlanBuilder(target.name, opts.options ?? {});
  const lookups = new PQueue({ concurrency: RECORD_LOOKUPS });
  let createdUpTo = countBefore;
  const lookUp = (videoId: string) =>
    lookups.add(async () => {
      const records = await target.findByVideoId(videoId);
      for (const r of records) builder.addRecord(r);
      progress.records += records.length;
    });
  const add = (v: SyncVideo) => {
    builder.addVideo(v);
    progress.videos++;
    if (createdIn(v, since, upTo)) createdUpTo++;
    void lookUp(v.id);
  };
  const changedSince = new Date(since - opts.overlapMs).toISOString();
  // Newest first: a video edited during the walk moves to the front, which repeats an item (dropped
  // as a duplicate) instead of shifting one past the walk ("run again sorted by last-modified descending").
  const listOnce = async (seen: Set<string>) => {
    const listing = cms.listVideos({ q: `+updated_at:${changedSince}..`, sort: '-updated_at' }, slim);
    for await (const v of listing) {
      progress.videoCount = listing.stats.count;
      if (seen.has(v.id)) continue;
      seen.add(v.id);
      add(v);
      if (progress.videos % 100 === 0) report();
    }
    return listing.stats;
  };
  const seen = new Set<string>();
  const listing = await listOnce(seen);
  // Fewer than counted: a delete (or an edit) during the walk may have shifted a video past it; once more.
  if (listing.unique < listing.count) await listOnce(seen);
  // Notified videos the search has not indexed yet (its lag) are changes too.
  for (const v of notified.values()) if (!seen.has(v.id)) add(v);
  for (const id of gone) void lookUp(id);
  await lookups.onIdle();
  builder.recordsComplete();
  report();
  const legacyOrphans = builder.legacyOrphanVideoIds();
  const legacy = opts.otherAccounts ? await opts.otherAccounts.have(legacyOrphans) : undefined;
  progress.phase = 'media';
  const { media, mediaFailures } = await resolveMedia(builder, opts, progress, report, log);
  const plan = builder.finish(media, legacy);
  progress.phase = 'planned';
  report();
  const deleted = new Set(plan.deletes.map((d) => d.videoId));
  return {
    plan,
    listing,
    mediaFailures,
    createdUpTo,
    changedSince,
    notices: { existing: [...notified.keys()], deleted: gone.filter((id) => deleted.has(id)) },
  };
}

function mediaFetcher(cms: SyncCms) {
  return async (videoId: string, need: 'sources' | 'assetRenditions'): Promise<VideoMedia> =>
    need === 'sources'
      ? { sources: await cms.getSources(videoId) }
      : { assetRenditions: await cms.getRenditions(videoId) };
}

/**
 * The safety rule: a delete needs the CMS to answer 404 for the video right now. A legacy record
 * (no owner marker) needs every other account sharing the target to answer that too.
 */
function videoExistsVia(cms: SyncCms, others?: OtherAccounts) {
  return async (videoId: string, legacy = false): Promise<boolean> => {
    try {
      await cms.getVideo(videoId);
      return true;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (!legacy) return false;
    // No way to ask the others is no proof the video is gone everywhere: keep the record.
    if (!others) return true;
    const check = await others.have([videoId]);
    return check.unchecked.length > 0 || check.elsewhere.has(videoId);
  };
}

interface ApplyRunOptions {
  cms: SyncCms;
  target: SyncTarget;
  flags: { applyCreatesUpdates: boolean; applyDeletes: boolean };
  otherAccounts?: OtherAccounts;
  checkpoint?: Checkpoint;
  /** when the plan's media URLs were read (the plan's creation): see ApplyDeps.mediaReadAt */
  mediaReadAt?: number;
  onProgress?(counts: ApplyCounts): void;
  onItem?(event: ApplyEvent): void;
  clock?: Clock;
  logger?: Logger;
  concurrency?: number;
  attempts?: number;
  backoffMs?: number;
  signal?: AbortSignal;
}

/** Applies (part of) a plan with fresh media for creates and a 404 check before each delete. */
export function runApply(plan: SyncPlan, o: ApplyRunOptions): Promise<ApplySummary> {
  return applyPlan(plan, {
    target: o.target,
    videoExists: videoExistsVia(o.cms, o.otherAccounts),
    fetchSources: mediaFetcher(o.cms),
    videoVersions: async (ids) => {
      const found = await o.cms.getVideos([...ids]);
      return new Map(found.map((v) => [v.id, v.updated_at ?? undefined]));
    },
    ...(o.mediaReadAt !== undefined ? { mediaReadAt: o.mediaReadAt } : {}),
    flags: o.flags,
    ...(o.checkpoint ? { checkpoint: o.checkpoint } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.onItem ? { onItem: o.onItem } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.attempts !== undefined ? { attempts: o.attempts } : {}),
    ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
