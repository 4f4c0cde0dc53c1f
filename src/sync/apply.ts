import PQueue from 'p-queue';
import { type Clock, systemClock } from '../clock.js';
import { WorkTakenOverError } from '../core/errors.js';
import { type Logger, silentLogger } from '../log.js';
import type { Journal } from '../store/journal.js';
import type { PlanCreate, PlanDelete, PlanUpdate, SyncPlan } from './plan.js';
import { chooseRendition, type RenditionOptions } from './rendition.js';
import type { SyncTarget } from './target.js';
import type { VideoMedia } from './types.js';

/**
 * Where finished items are remembered so a crashed apply resumes instead of starting over: an item's
 * intent is durable before its mutation is sent (intent before effect); `hasIntent` says a mutation
 * may have been sent by an earlier, interrupted run.
 */
export type Checkpoint = Pick<Journal, 'isDone' | 'result' | 'markDone' | 'markIntent' | 'hasIntent'>;

export function memoryCheckpoint(): Checkpoint & { entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  const intents = new Set<string>();
  return {
    entries,
    isDone: (k) => entries.has(k),
    result: (k) => entries.get(k),
    markDone: (k, r) => void entries.set(k, r),
    markIntent: async (k) => void intents.add(k),
    hasIntent: (k) => intents.has(k),
  };
}

export interface ApplyCounts {
  total: number;
  done: number;
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  failed: number;
  notDeleted: number;
}

export interface ApplyDeps {
  target: SyncTarget;
  /**
   * Direct lookup right before each delete (CMS `GET /videos/{id}`: 404 → false); for a legacy record,
   * in every account sharing the target.
   */
  videoExists(videoId: string, legacy: boolean): Promise<boolean>;
  /**
   * Fresh media for a create (source URLs carry expiring tokens). Without it the URL chosen at
   * plan time is used.
   */
  fetchSources?(videoId: string, need: 'sources' | 'assetRenditions'): Promise<VideoMedia>;
  /**
   * The videos' current `updated_at` (CMS `GET /videos/{ids}`, 10 a request; a deleted video is
   * absent). With it, a create whose video is unchanged since the plan reuses the plan's media URL
   * instead of fetching its sources again.
   */
  videoVersions?(videoIds: readonly string[]): Promise<ReadonlyMap<string, string | undefined>>;
  /** when the plan's media was read (ms since the epoch); older than MEDIA_URL_MAX_AGE_MS, none is reused */
  mediaReadAt?: number;
  checkpoint?: Checkpoint;
  onProgress?(counts: ApplyCounts): void;
  /** Each mutation (or refused delete) as it completes, so it is audited then and not at the end. */
  onItem?(event: ApplyEvent): void;
  /** Items in flight at once (default 4). */
  concurrency?: number;
  /** Aborted when the run is no longer this replica's: no item starts after it (see WorkTakenOverError). */
  signal?: AbortSignal;
  flags: { applyCreatesUpdates: boolean; applyDeletes: boolean };
  /** Attempts per item for transient failures that survive the client's own retries (default 3). */
  attempts?: number;
  backoffMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface ApplyEvent {
  kind: 'created' | 'updated' | 'deleted' | 'kept';
  videoId: string;
  recordId: string;
  /** created: found after an ambiguous failure; deleted: the record was already gone */
  recovered?: boolean;
}

export interface ApplySummary {
  created: { videoId: string; recordId: string; recovered: boolean }[];
  updated: { videoId: string; recordId: string }[];
  deleted: { videoId: string; recordId: string; alreadyGone: boolean }[];
  skipped: { key: string; videoId: string; reason: string }[];
  failed: { key: string; videoId: string; reason: string }[];
  /** Delete candidates whose video the CMS still returns: kept, and reported. */
  notDeletedVideoExists: { videoId: string; recordId: string }[];
  /** Items a previous (interrupted) run had already finished. */
  resumed: string[];
  /** Items this run was not allowed to apply (flags). */
  notApplied: { creates: number; updates: number; deletes: number };
  /** Records with a video id before the apply, for the original's `total` line. */
  recordsWithVideoId: number;
}

/** What the resume check needs of any plan item (creates have no record id yet). */
interface PlanItemRef {
  key: string;
  videoId: string;
  recordId?: string;
}

/**
 * How long a plan's media URLs are reused: Brightcove's media URLs carry tokens that live 6 hours by
 * default and must not be used longer (shared/reference/brightcove-cms.md, "Caching").
 */
const MEDIA_URL_MAX_AGE_MS = 5 * 3600_000;

/**
 * The creates whose plan-time media URL still holds: the URL is young enough and the video has not
 * changed since (one CMS request per 10 videos instead of one sources request per video).
 */
async function reusableMedia(
  plan: SyncPlan,
  deps: ApplyDeps,
  checkpoint: Checkpoint,
  now: number,
): Promise<Set<string>> {
  const reusable = new Set<string>();
  const creates = plan.creates.filter((c) => c.videoUpdatedAt !== undefined && !checkpoint.isDone(c.key));
  if (!deps.fetchSources || !deps.videoVersions || deps.mediaReadAt === undefined) return reusable;
  if (creates.length === 0 || now - deps.mediaReadAt > MEDIA_URL_MAX_AGE_MS) return reusable;
  const current = await deps.videoVersions(creates.map((c) => c.videoId));
  for (const c of creates) if (current.get(c.videoId) === c.videoUpdatedAt) reusable.add(c.videoId);
  return reusable;
}

export async function applyPlan(plan: SyncPlan, deps: ApplyDeps): Promise<ApplySummary> {
  const log = (deps.logger ?? silentLogger).child({ component: 'sync-apply', target: plan.target });
  const clock = deps.clock ?? systemClock;
  const checkpoint = deps.checkpoint ?? memoryCheckpoint();
  const attempts = Math.max(1, deps.attempts ?? 3);
  const backoffMs = deps.backoffMs ?? 1000;
  const { applyCreatesUpdates, applyDeletes } = deps.flags;

  const summary: ApplySummary = {
    created: [],
    updated: [],
    deleted: [],
    skipped: plan.skipped.map((s) => ({ key: `skip:${s.videoId}`, videoId: s.videoId, reason: s.message })),
    failed: [],
    notDeletedVideoExists: [],
    resumed: [],
    notApplied: {
      creates: applyCreatesUpdates ? 0 : plan.creates.length,
      updates: applyCreatesUpdates ? 0 : plan.updates.length,
      deletes: applyDeletes ? 0 : plan.deletes.length,
    },
    recordsWithVideoId: plan.counts.recordsWithVideoId,
  };
  const counts: ApplyCounts = {
    total:
      (applyCreatesUpdates ? plan.creates.length + plan.updates.length : 0) +
      (applyDeletes ? plan.deletes.length : 0),
    done: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    skipped: 0,
    failed: 0,
    notDeleted: 0,
  };
  const progress = () => {
    counts.created = summary.created.length;
    counts.updated = summary.updated.length;
    counts.deleted = summary.deleted.length;
    counts.skipped = summary.skipped.length - plan.skipped.length;
    counts.failed = summary.failed.length;
    counts.notDeleted = summary.notDeletedVideoExists.length;
    deps.onProgress?.({ ...counts });
  };

  /** Runs `fn` again on transient errors, after `beforeRetry` (which may settle the item instead). */
  const withRetry = async <T>(
    fn: () => Promise<T>,
    beforeRetry?: () => Promise<T | undefined>,
  ): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err) || attempt >= attempts) throw err;
        log.warn('transient failure, retrying item', { attempt, err });
        await clock.sleep(backoffMs * 2 ** (attempt - 1));
        const settled = await beforeRetry?.();
        if (settled !== undefined) return settled;
      }
    }
  };

  const fail = (key: string, videoId: string, err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    log.error('sync item failed', { key, videoId, err });
    summary.failed.push({ key, videoId, reason });
  };

  // Asked once, when the first create runs (a resumed run whose creates are all done asks nothing).
  let reusableOnce: Promise<Set<string>> | undefined;
  const reusable = () =>
    (reusableOnce ??= reusableMedia(plan, deps, checkpoint, clock.now().getTime()).catch((err: unknown) => {
      log.warn('could not check the videos for changes; fetching their media again', { err });
      return new Set<string>();
    }));

  const runCreate = async (item: PlanCreate) => {
    const findExisting = async (): Promise<string | undefined> =>
      (await deps.target.findByVideoId(item.videoId))[0]?.id;
    if (checkpoint.hasIntent(item.key)) {
      // A previous run sent this create and died before recording the outcome: it may exist.
      const existing = await withRetry(findExisting);
      if (existing) {
        checkpoint.markDone(item.key, { outcome: 'created', recordId: existing, recovered: true });
        summary.created.push({ videoId: item.videoId, recordId: existing, recovered: true });
        deps.onItem?.({ kind: 'created', videoId: item.videoId, recordId: existing, recovered: true });
        return;
      }
    }
    let mediaUrl = item.mediaUrl;
    if (deps.fetchSources && !(await reusable()).has(item.videoId)) {
      const remote = item.rendition.origin === 'asset';
      const media = await withRetry(() =>
        deps.fetchSources!(item.videoId, remote ? 'assetRenditions' : 'sources'),
      );
      const renditionOpts: RenditionOptions = {};
      if (plan.options.maxHeight !== undefined) renditionOpts.maxHeight = plan.options.maxHeight;
      const choice = chooseRendition(remote ? { delivery_type: 'remote' } : {}, media, renditionOpts);
      if (!choice.ok) {
        summary.skipped.push({ key: item.key, videoId: item.videoId, reason: choice.message });
        return;
      }
      mediaUrl = choice.rendition.url;
    }
    await checkpoint.markIntent(item.key);
    let recovered = false;
    const created = await withRetry(
      () => deps.target.create({ videoId: item.videoId, name: item.name, mediaUrl, metadata: item.metadata }),
      async () => {
        // A 5xx on POST is ambiguous: look before creating again.
        const existing = await findExisting();
        if (existing) recovered = true;
        return existing ? { id: existing } : undefined;
      },
    );
    checkpoint.markDone(item.key, { outcome: 'created', recordId: created.id, recovered });
    summary.created.push({ videoId: item.videoId, recordId: created.id, recovered });
    deps.onItem?.({ kind: 'created', videoId: item.videoId, recordId: created.id, recovered });
  };

  const runUpdate = async (item: PlanUpdate) => {
    const req = {
      videoId: item.videoId,
      id: item.recordId,
      version: item.version,
      metadata: item.metadata,
      metadataVersion: item.metadataVersion,
      ...(item.name !== undefined ? { name: item.name } : {}),
    };
    await checkpoint.markIntent(item.key);
    const outcome = await withRetry(() => deps.target.update(req));
    checkpoint.markDone(item.key, { outcome });
    summary.updated.push({ videoId: item.videoId, recordId: item.recordId });
    deps.onItem?.({ kind: 'updated', videoId: item.videoId, recordId: item.recordId });
  };

  const runDelete = async (item: PlanDelete) => {
    // Never on the listing's silence alone: the video must be confirmed gone right now.
    const exists = await withRetry(() => deps.videoExists(item.videoId, item.legacy === true));
    if (exists) {
      checkpoint.markDone(item.key, { outcome: 'video_exists' });
      summary.notDeletedVideoExists.push({ videoId: item.videoId, recordId: item.recordId });
      deps.onItem?.({ kind: 'kept', videoId: item.videoId, recordId: item.recordId });
      return;
    }
    // A delete replayed after a crash finds the record gone ('absent'): reported as already gone.
    await checkpoint.markIntent(item.key);
    const outcome = await withRetry(() => deps.target.delete({ videoId: item.videoId, id: item.recordId }));
    checkpoint.markDone(item.key, { outcome });
    summary.deleted.push({
      videoId: item.videoId,
      recordId: item.recordId,
      alreadyGone: outcome === 'absent',
    });
    deps.onItem?.({
      kind: 'deleted',
      videoId: item.videoId,
      recordId: item.recordId,
      recovered: outcome === 'absent',
    });
  };

  /**
   * An item an earlier (interrupted) run finished is looked up in the target before it is counted, so
   * the summary reports what the target holds: a record created or updated then must be there, one
   * deleted then must be gone. If the target disagrees, the item is applied again.
   */
  const targetAgrees = async (kind: 'create' | 'update' | 'delete', item: PlanItemRef): Promise<boolean> => {
    const outcome = (checkpoint.result(item.key) as { outcome?: unknown } | undefined)?.outcome;
    if (kind === 'delete' && outcome === 'video_exists') return true;
    const records = await withRetry(() => deps.target.findByVideoId(item.videoId));
    if (kind === 'create') return records.length > 0;
    const present = records.some((r) => r.id === item.recordId);
    return kind === 'update' ? present : !present;
  };

  const queue = new PQueue({
    concurrency: Math.max(1, deps.concurrency ?? deps.target.applyConcurrency ?? 4),
  });
  const schedule = <T extends PlanItemRef>(
    kind: 'create' | 'update' | 'delete',
    items: T[],
    run: (item: T) => Promise<void>,
  ) =>
    queue.addAll(
      items.map((item) => async () => {
        if (deps.signal?.aborted) return; // another replica runs it now: start nothing more
        try {
          if (checkpoint.isDone(item.key) && (await targetAgrees(kind, item))) summary.resumed.push(item.key);
          else await run(item);
        } catch (err) {
          fail(item.key, item.videoId, err);
        } finally {
          counts.done++;
          progress();
        }
      }),
    );

  if (applyCreatesUpdates) {
    await Promise.all([
      schedule('create', plan.creates, runCreate),
      schedule('update', plan.updates, runUpdate),
    ]);
  }
  // Deletes go last, as in the original, so a failure above never leaves a library half-emptied.
  if (applyDeletes && !deps.signal?.aborted) await schedule('delete', plan.deletes, runDelete);
  await queue.onIdle();
  if (deps.signal?.aborted) throw new WorkTakenOverError('This Apply');
  progress();
  return summary;
}

function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { retryable?: unknown }).retryable === true) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_)/.test(code);
}
