import { plural } from '../core/words.js';
import { absentKeys, differingKeys, MultisetHash, valueDigests } from './digest.js';
import {
  checkCustomFieldMapping,
  comparedKeys,
  type MetaData,
  type MetadataOptions,
  managedKeys,
  mapVideoMetadata,
  recordName,
  recordOwner,
  type Trim,
} from './metadata.js';
import { chooseRendition, mediaNeeded, type RenditionOptions } from './rendition.js';
import type { RecordNoun } from './target.js';
import type { SyncVideo, TargetRecord, VideoMedia } from './types.js';

export interface PlanOptions extends MetadataOptions, RenditionOptions {
  /** The original's `--keep_deleted_bundles`: plan no deletes at all. */
  keepDeleted?: boolean;
  /**
   * The account that owns records without an owner marker (config `sync.legacy_owner`). Unset: such
   * legacy records belong to whichever account has their video, and are deleted only when none has.
   */
  legacyOwner?: string;
}

/**
 * What other accounts sharing the target said about the videos of this plan's legacy orphans:
 * `elsewhere` are the ids some other account still has; `unchecked` names accounts that could not
 * be asked (no credentials), in which case no legacy record can be proven an orphan.
 */
export interface LegacyCheck {
  elsewhere: ReadonlySet<string>;
  unchecked: readonly string[];
}

export interface PlanInput {
  target: string;
  videos: readonly SyncVideo[];
  records: readonly TargetRecord[];
  /** Sources (or asset renditions for remote videos) of the videos that have no record yet. */
  media: ReadonlyMap<string, VideoMedia>;
  options?: PlanOptions;
  legacy?: LegacyCheck;
}

export interface PlanCreate {
  key: string;
  videoId: string;
  videoName: string;
  name: string;
  mediaUrl: string;
  rendition: { height: number; codec: string; origin: 'source' | 'asset' };
  /** the video's `updated_at` when its media was read: Apply reuses `mediaUrl` while it is unchanged */
  videoUpdatedAt?: string;
  metadata: MetaData;
  trims: Trim[];
}

export interface PlanUpdate {
  key: string;
  videoId: string;
  videoName: string;
  recordId: string;
  version: number;
  metadataVersion: number | null;
  /** Present only when the record's name changes. */
  name?: string;
  metadata: MetaData;
  changedKeys: string[];
  /**
   * Every changed key is one the record never had (a record written by the original tool, or before
   * this version added a key): shown as "gain new keys", not as an edit of the video.
   */
  newKeysOnly?: true;
  trims: Trim[];
}

export interface PlanDelete {
  key: string;
  videoId: string;
  recordId: string;
  recordName: string | null;
  /**
   * The record has no owner marker: before deleting it, its video must be missing from every
   * configured account, not only this one.
   */
  legacy?: boolean;
}

type SkipReason = 'no_suitable_rendition' | 'media_not_fetched' | 'metadata_too_large';

interface PlanSkip {
  videoId: string;
  videoName: string;
  reason: SkipReason;
  message: string;
}

interface PlanProblem {
  kind: 'duplicate_records' | 'invalid_metadata_key' | 'duplicate_video' | 'unchecked_accounts';
  message: string;
  videoId?: string;
  recordIds?: string[];
}

interface PlanCounts {
  videos: number;
  records: number;
  /** Records that carry no video id: never touched, only counted (as the original did). */
  recordsWithoutVideoId: number;
  recordsWithVideoId: number;
  /** Records owned by other accounts that share the target: left alone. */
  otherAccounts: number;
  /** Legacy records (no owner marker) whose video another account has, or that could not be checked: kept. */
  legacyKept: number;
  unchanged: number;
  creates: number;
  /** all updates, the new-keys-only ones included (Apply applies them together) */
  updates: number;
  /** of the updates, those that only add keys the record never had (absent in plans saved before) */
  newKeysOnly?: number;
  deletes: number;
  skipped: number;
  problems: number;
}

/** How the library was read for a plan, said on the plan. */
interface ScanInfo {
  mode: 'full' | 'incremental';
  /** why this mode ran */
  reason: string;
  /** incremental: the CMS was asked for videos updated from this time on */
  changedSince?: string;
}

export interface SyncPlan {
  target: string;
  /** what the target calls its records (plans saved before targets had nouns: "records") */
  noun?: RecordNoun;
  /** how the target bills creates (the plan shows the cost before Apply) */
  billedBy?: 'media-minutes';
  scan?: ScanInfo;
  fingerprint: string;
  options: PlanOptions;
  creates: PlanCreate[];
  updates: PlanUpdate[];
  deletes: PlanDelete[];
  skipped: PlanSkip[];
  problems: PlanProblem[];
  counts: PlanCounts;
}

/**
 * What the plan keeps of a target record: ids, versions, the name, and digests of the managed
 * metadata values instead of the values. Keys written by others are kept (as JSON) because an update
 * must send them back; they are rare. Once its video is decided, only ids and versions stay.
 */
interface IndexedRecord {
  id: string;
  name: string | null;
  version: number;
  metadataVersion: number | null;
  /** `valueDigests` of the compared keys, in order */
  digests: string;
  foreign: string | null;
  /** no owner marker (and no configured legacy owner): see `PlanDelete.legacy` */
  legacy: boolean;
  /** set once the record's video was seen and decided */
  outcome?: 'unchanged' | 'update' | 'skipped';
}

/**
 * Builds a plan while the two listings stream in, as a join on video id: a video is decided as soon
 * as both it and its record have arrived, in whichever order, and is then dropped. A 100,000-video
 * library is never held whole: only records (as digests), videos still waiting for their record, and
 * videos without one (they need media before they can be planned).
 *
 * Order of calls: `addRecord` for every record and `addVideo` for every video (interleaved as they
 * arrive), `recordsComplete()` once the target listing ends, then `mediaNeeded()`, then `finish()`.
 * The result does not depend on how the two streams interleave.
 */
export class PlanBuilder {
  readonly #target: string;
  readonly #options: PlanOptions;
  readonly #managedSet: ReadonlySet<string>;
  readonly #compared: string[];
  readonly #mappingProblems: PlanProblem[];
  readonly #byVideo = new Map<string, IndexedRecord | IndexedRecord[]>();
  readonly #seen = new Set<string>();
  /** listed videos whose record has not arrived (yet) */
  readonly #waiting = new Map<string, SyncVideo>();
  /** videos without a record: creates (or skips) once their media is known */
  readonly #unmatched: SyncVideo[] = [];
  readonly #updates = new Map<string, PlanUpdate>();
  readonly #skipped = new Map<string, PlanSkip>();
  readonly #fingerprint = new MultisetHash();
  #records = 0;
  #withoutVideoId = 0;
  #otherAccounts = 0;
  #duplicateVideos = 0;
  #unchanged = 0;
  #recordsComplete = false;

  constructor(target: string, options: PlanOptions = {}) {
    this.#target = target;
    this.#options = options;
    const managed = managedKeys(options);
    this.#managedSet = new Set(managed);
    this.#compared = comparedKeys(managed);
    this.#mappingProblems = checkCustomFieldMapping(options).problems.map((p) => ({ ...p }));
    this.#fingerprint.add(`target\0${target}`);
    this.#fingerprint.add(`options\0${canonical(options)}`);
  }

  addRecord(r: TargetRecord): void {
    if (this.#recordsComplete) throw new Error('addRecord after recordsComplete');
    this.#records++;
    this.#fingerprint.add(`r\0${r.id}\0${r.videoId ?? ''}\0${r.version}\0${r.metadataVersion ?? ''}`);
    if (r.videoId === null) {
      this.#withoutVideoId++;
      return;
    }
    const owner = recordOwner(r.metadata) ?? this.#options.legacyOwner;
    if (this.#options.owner && owner !== undefined && owner !== this.#options.owner) {
      // Another account's record in a shared target: never compared, updated or deleted by this plan.
      this.#otherAccounts++;
      return;
    }
    const foreignKeys = Object.keys(r.metadata ?? {}).filter((k) => !this.#managedSet.has(k));
    const indexed: IndexedRecord = {
      id: r.id,
      name: r.name,
      version: r.version,
      metadataVersion: r.metadataVersion,
      digests: valueDigests(r.metadata, this.#compared),
      foreign: foreignKeys.length
        ? JSON.stringify(Object.fromEntries(foreignKeys.map((k) => [k, r.metadata?.[k]])))
        : null,
      legacy: this.#options.owner !== undefined && owner === undefined,
    };
    const had = this.#byVideo.get(r.videoId);
    if (Array.isArray(had)) {
      had.push(indexed);
    } else if (had) {
      // A second record for one video: whatever was decided with the first no longer holds.
      this.#undo(r.videoId, had);
      this.#byVideo.set(r.videoId, [had, indexed]);
    } else {
      this.#byVideo.set(r.videoId, indexed);
      const video = this.#waiting.get(r.videoId);
      if (video) {
        this.#waiting.delete(r.videoId);
        this.#decide(video, indexed);
      }
    }
  }

  /** The target listing ended: videos still waiting have no record. */
  recordsComplete(): void {
    if (this.#recordsComplete) return;
    this.#recordsComplete = true;
    for (const v of this.#waiting.values()) this.#unmatched.push(v);
    this.#waiting.clear();
  }

  addVideo(video: SyncVideo): void {
    // Paging drift can list a video twice; plan it once.
    if (this.#seen.has(video.id)) {
      this.#duplicateVideos++;
      return;
    }
    this.#seen.add(video.id);
    this.#fingerprint.add(`v\0${video.id}\0${video.updated_at ?? ''}\0${video.delivery_type ?? ''}`);
    const found = this.#byVideo.get(video.id);
    // Several records: reported by `finish`, none touched.
    if (Array.isArray(found)) return;
    if (found) this.#decide(video, found);
    else if (this.#recordsComplete) this.#unmatched.push(video);
    else this.#waiting.set(video.id, video);
  }

  /** Videos without a record, and which media each needs fetched before `finish`. */
  mediaNeeded(): { video: SyncVideo; need: 'sources' | 'assetRenditions' }[] {
    this.#requireRecords('mediaNeeded');
    return this.#unmatched.map((video) => ({ video, need: mediaNeeded(video) }));
  }

  #requireRecords(what: string): void {
    if (!this.#recordsComplete) throw new Error(`${what} before recordsComplete`);
  }

  #decide(video: SyncVideo, rec: IndexedRecord): void {
    const options = this.#options;
    const videoName = video.name ?? '';
    const foreign = rec.foreign === null ? null : (JSON.parse(rec.foreign) as Record<string, unknown>);
    const mapped = mapVideoMetadata(video, options, foreign);
    const named = recordName(video, options.limits);
    const changed = differingKeys(this.#compared, rec.digests, valueDigests(mapped.data, this.#compared));
    const added = absentKeys(this.#compared, rec.digests, changed);
    const nameChanges = rec.name !== named.name;
    // Decided: the comparison data is not needed any more (a later duplicate record only undoes).
    rec.digests = '';
    rec.foreign = null;
    rec.name = null;
    if (!mapped.fits) {
      rec.outcome = 'skipped';
      this.#skipped.set(video.id, {
        videoId: video.id,
        videoName,
        reason: 'metadata_too_large',
        message: 'metadata cannot fit the size limit next to the keys other tools stored on the record',
      });
      return;
    }
    if (!changed.length && !nameChanges) {
      rec.outcome = 'unchanged';
      this.#unchanged++;
      return;
    }
    const update: PlanUpdate = {
      key: `update:${rec.id}`,
      videoId: video.id,
      videoName,
      recordId: rec.id,
      version: rec.version,
      metadataVersion: rec.metadataVersion,
      metadata: mapped.data,
      changedKeys: nameChanges ? ['(name)', ...changed] : changed,
      trims: [...named.trims, ...mapped.trims],
    };
    if (nameChanges) update.name = named.name;
    if (!nameChanges && added.length === changed.length) update.newKeysOnly = true;
    rec.outcome = 'update';
    this.#updates.set(video.id, update);
  }

  #undo(videoId: string, rec: IndexedRecord): void {
    if (rec.outcome === 'unchanged') this.#unchanged--;
    else if (rec.outcome === 'update') this.#updates.delete(videoId);
    else if (rec.outcome === 'skipped') this.#skipped.delete(videoId);
    delete rec.outcome;
  }

  /**
   * Video ids of records no video of this account matched and that carry no owner marker: before
   * they can be planned as deletes, the other accounts sharing the target must be asked (`finish`).
   * Call once both listings are complete.
   */
  legacyOrphanVideoIds(): string[] {
    this.#requireRecords('legacyOrphanVideoIds');
    const ids: string[] = [];
    for (const [videoId, found] of this.#byVideo) {
      if (this.#seen.has(videoId)) continue;
      if ((Array.isArray(found) ? found : [found]).some((r) => r.legacy)) ids.push(videoId);
    }
    return ids.sort();
  }

  /** The plan, given the media fetched for `mediaNeeded()` (missing entries are skipped with the reason). */
  finish(media: ReadonlyMap<string, VideoMedia>, legacy?: LegacyCheck): SyncPlan {
    this.#requireRecords('finish');
    const options = this.#options;
    const problems = [...this.#mappingProblems];
    const skipped = [...this.#skipped.values()];
    const creates: PlanCreate[] = [];
    const fingerprint = this.#fingerprint.clone();
    for (const video of this.#unmatched) {
      const videoName = video.name ?? '';
      const m = media.get(video.id);
      if (!m) {
        skipped.push({
          videoId: video.id,
          videoName,
          reason: 'media_not_fetched',
          message: `${mediaNeeded(video) === 'sources' ? 'sources' : 'asset renditions'} were not fetched`,
        });
        continue;
      }
      const choice = chooseRendition(video, m, options);
      // CDN tokens change on every fetch: the fingerprint keeps the URL without its query string.
      fingerprint.add(
        `m\0${video.id}\0${choice.ok ? `${choice.rendition.url.split('?')[0]}\0${choice.rendition.height}` : choice.message}`,
      );
      if (!choice.ok) {
        skipped.push({ videoId: video.id, videoName, reason: choice.reason, message: choice.message });
        continue;
      }
      const mapped = mapVideoMetadata(video, options, null);
      if (!mapped.fits) {
        skipped.push({
          videoId: video.id,
          videoName,
          reason: 'metadata_too_large',
          message: 'metadata cannot fit',
        });
        continue;
      }
      const named = recordName(video, options.limits);
      const r = choice.rendition;
      creates.push({
        key: `create:${video.id}`,
        videoId: video.id,
        videoName,
        name: named.name,
        mediaUrl: r.url,
        rendition: { height: r.height, codec: r.codec, origin: r.origin },
        ...(video.updated_at ? { videoUpdatedAt: video.updated_at } : {}),
        metadata: mapped.data,
        trims: [...named.trims, ...mapped.trims],
      });
    }

    const orphanIds: string[] = [];
    for (const [videoId, found] of this.#byVideo) {
      if (!this.#seen.has(videoId)) orphanIds.push(videoId);
      else if (Array.isArray(found)) {
        // Which copy to keep is a human decision; the original silently ignored all but the last.
        problems.push({
          kind: 'duplicate_records',
          videoId,
          recordIds: found.map((r) => r.id),
          message: `${found.length} ${this.#target} records carry video id ${videoId}; none was updated`,
        });
      }
    }
    if (this.#duplicateVideos) {
      problems.push({
        kind: 'duplicate_video',
        message: `${plural(this.#duplicateVideos, 'video')} ${this.#duplicateVideos === 1 ? 'was' : 'were'} listed more than once (paging drift); each is planned once`,
      });
    }
    const deletes: PlanDelete[] = [];
    let legacyKept = 0;
    if (legacy?.unchecked.length && this.legacyOrphanVideoIds().length) {
      problems.push({
        kind: 'unchecked_accounts',
        message: `records without an owner were kept: ${legacy.unchecked.length === 1 ? 'account' : 'accounts'} ${legacy.unchecked.join(', ')} could not be checked for their videos (no credentials)`,
      });
    }
    if (!options.keepDeleted) {
      for (const videoId of orphanIds.sort()) {
        const found = this.#byVideo.get(videoId)!;
        const recs = Array.isArray(found) ? found : [found];
        if (recs.length > 1) {
          problems.push({
            kind: 'duplicate_records',
            videoId,
            recordIds: recs.map((r) => r.id),
            message: `${recs.length} ${this.#target} records carry missing video id ${videoId}; all are delete candidates`,
          });
        }
        for (const r of recs) {
          // A legacy record may belong to another account sharing the target: it is kept unless every
          // other account was asked and none has the video (no check at all keeps it too).
          if (r.legacy && (!legacy || legacy.unchecked.length > 0 || legacy.elsewhere.has(videoId))) {
            legacyKept++;
            continue;
          }
          const d: PlanDelete = { key: `delete:${r.id}`, videoId, recordId: r.id, recordName: r.name };
          if (r.legacy) d.legacy = true;
          deletes.push(d);
        }
      }
    }

    const updates = [...this.#updates.values()];
    return {
      target: this.#target,
      fingerprint: fingerprint.digest(),
      options,
      creates,
      updates,
      deletes,
      skipped,
      problems,
      counts: {
        videos: this.#seen.size,
        records: this.#records,
        recordsWithoutVideoId: this.#withoutVideoId,
        recordsWithVideoId: this.#records - this.#withoutVideoId,
        otherAccounts: this.#otherAccounts,
        legacyKept,
        unchanged: this.#unchanged,
        creates: creates.length,
        updates: updates.length,
        newKeysOnly: updates.filter((u) => u.newKeysOnly).length,
        deletes: deletes.length,
        skipped: skipped.length,
        problems: problems.length,
      },
    };
  }
}

/**
 * The diff between a video library and a target, without side effects. The fingerprint is a stable
 * hash of what the plan was computed from (video ids and `updated_at`, record ids and versions, the
 * chosen media without query strings, the options), independent of input order: two plans with one
 * fingerprint would make the same decisions.
 */
export function buildPlan(input: PlanInput): SyncPlan {
  const builder = new PlanBuilder(input.target, input.options ?? {});
  for (const r of input.records) builder.addRecord(r);
  builder.recordsComplete();
  for (const v of input.videos) builder.addVideo(v);
  return builder.finish(input.media, input.legacy);
}

/** Which videos need media fetched before planning (and what kind): those without a record. */
export function videosNeedingMedia(
  videos: readonly SyncVideo[],
  records: readonly TargetRecord[],
): { video: SyncVideo; need: 'sources' | 'assetRenditions' }[] {
  const builder = new PlanBuilder('');
  for (const r of records) builder.addRecord(r);
  builder.recordsComplete();
  for (const v of videos) builder.addVideo(v);
  return builder.mediaNeeded();
}

/** A stable text form of a JSON value (keys sorted): equal values, equal text. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
