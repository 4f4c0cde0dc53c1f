import { createHash } from 'node:crypto';
import {
  bundleName,
  changedKeys,
  checkCustomFieldMapping,
  type MetaData,
  type MetadataOptions,
  managedKeys,
  mapVideoMetadata,
  type Trim,
} from './metadata.js';
import { chooseRendition, mediaNeeded, type RenditionOptions } from './rendition.js';
import type { SyncVideo, TargetRecord, VideoMedia } from './types.js';

export interface PlanOptions extends MetadataOptions, RenditionOptions {
  /** The original's `--keep_deleted_bundles`: plan no deletes at all. */
  keepDeleted?: boolean;
}

export interface PlanInput {
  target: string;
  videos: readonly SyncVideo[];
  records: readonly TargetRecord[];
  /** Sources (or asset renditions for remote videos) of the videos that have no record yet. */
  media: ReadonlyMap<string, VideoMedia>;
  options?: PlanOptions;
}

export interface PlanCreate {
  key: string;
  videoId: string;
  videoName: string;
  name: string;
  mediaUrl: string;
  rendition: { height: number; codec: string; origin: 'source' | 'asset' };
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
  trims: Trim[];
}

export interface PlanDelete {
  key: string;
  videoId: string;
  recordId: string;
  recordName: string | null;
}

export type SkipReason = 'no_suitable_rendition' | 'media_not_fetched' | 'metadata_too_large';

export interface PlanSkip {
  videoId: string;
  videoName: string;
  reason: SkipReason;
  message: string;
}

export interface PlanProblem {
  kind: 'duplicate_records' | 'invalid_metadata_key' | 'duplicate_video';
  message: string;
  videoId?: string;
  recordIds?: string[];
}

export interface PlanCounts {
  videos: number;
  records: number;
  /** Records that carry no video id: never touched, only counted (as the original did). */
  recordsWithoutVideoId: number;
  recordsWithVideoId: number;
  unchanged: number;
  creates: number;
  updates: number;
  deletes: number;
  skipped: number;
  problems: number;
}

export interface SyncPlan {
  target: string;
  fingerprint: string;
  options: PlanOptions;
  creates: PlanCreate[];
  updates: PlanUpdate[];
  deletes: PlanDelete[];
  skipped: PlanSkip[];
  problems: PlanProblem[];
  counts: PlanCounts;
}

/** Which unmatched videos need media fetched before planning (and what kind). */
export function videosNeedingMedia(
  videos: readonly SyncVideo[],
  records: readonly TargetRecord[],
): { video: SyncVideo; need: 'sources' | 'assetRenditions' }[] {
  const have = new Set(records.map((r) => r.videoId).filter((id): id is string => id !== null));
  const seen = new Set<string>();
  const out: { video: SyncVideo; need: 'sources' | 'assetRenditions' }[] = [];
  for (const v of videos) {
    if (have.has(v.id) || seen.has(v.id)) continue;
    seen.add(v.id);
    out.push({ video: v, need: mediaNeeded(v) });
  }
  return out;
}

/** The diff between a video library and a target, without side effects. */
export function buildPlan(input: PlanInput): SyncPlan {
  const options = input.options ?? {};
  const managed = managedKeys(options);
  const problems: PlanProblem[] = checkCustomFieldMapping(options).problems.map((p) => ({ ...p }));
  const creates: PlanCreate[] = [];
  const updates: PlanUpdate[] = [];
  const deletes: PlanDelete[] = [];
  const skipped: PlanSkip[] = [];

  const byVideo = new Map<string, TargetRecord[]>();
  let withoutVideoId = 0;
  for (const r of input.records) {
    if (r.videoId === null) {
      withoutVideoId++;
      continue;
    }
    const list = byVideo.get(r.videoId);
    if (list) list.push(r);
    else byVideo.set(r.videoId, [r]);
  }

  // Paging drift can list a video twice; plan it once.
  const videos = new Map<string, SyncVideo>();
  let duplicateVideos = 0;
  for (const v of input.videos) {
    if (videos.has(v.id)) duplicateVideos++;
    else videos.set(v.id, v);
  }
  if (duplicateVideos) {
    problems.push({
      kind: 'duplicate_video',
      message: `${duplicateVideos} video(s) were listed more than once (paging drift); each is planned once`,
    });
  }

  let unchanged = 0;
  for (const video of videos.values()) {
    const videoName = video.name ?? '';
    const recs = byVideo.get(video.id);
    if (recs && recs.length > 1) {
      // Which copy to keep is a human decision; the original silently ignored all but the last.
      problems.push({
        kind: 'duplicate_records',
        videoId: video.id,
        recordIds: recs.map((r) => r.id),
        message: `${recs.length} ${input.target} records carry video id ${video.id}; none was updated`,
      });
      continue;
    }
    const rec = recs?.[0];
    if (rec) {
      const mapped = mapVideoMetadata(video, options, rec.metadata);
      if (!mapped.fits) {
        skipped.push({
          videoId: video.id,
          videoName,
          reason: 'metadata_too_large',
          message: 'metadata cannot fit the size limit next to the keys other tools stored on the record',
        });
        continue;
      }
      const named = bundleName(video, options.limits);
      const changed = changedKeys(rec.metadata, mapped.data, managed);
      const nameChanges = rec.name !== named.name;
      if (!changed.length && !nameChanges) {
        unchanged++;
        continue;
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
      updates.push(update);
      continue;
    }
    const media = input.media.get(video.id);
    if (!media) {
      skipped.push({
        videoId: video.id,
        videoName,
        reason: 'media_not_fetched',
        message: `${mediaNeeded(video) === 'sources' ? 'sources' : 'asset renditions'} were not fetched`,
      });
      continue;
    }
    const choice = chooseRendition(video, media, options);
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
    const named = bundleName(video, options.limits);
    const r = choice.rendition;
    creates.push({
      key: `create:${video.id}`,
      videoId: video.id,
      videoName,
      name: named.name,
      mediaUrl: r.url,
      rendition: { height: r.height, codec: r.codec, origin: r.origin },
      metadata: mapped.data,
      trims: [...named.trims, ...mapped.trims],
    });
  }

  if (!options.keepDeleted) {
    const orphanIds = [...byVideo.keys()].filter((id) => !videos.has(id)).sort();
    for (const videoId of orphanIds) {
      const recs = byVideo.get(videoId) ?? [];
      if (recs.length > 1) {
        problems.push({
          kind: 'duplicate_records',
          videoId,
          recordIds: recs.map((r) => r.id),
          message: `${recs.length} ${input.target} records carry missing video id ${videoId}; all are delete candidates`,
        });
      }
      for (const r of recs)
        deletes.push({ key: `delete:${r.id}`, videoId, recordId: r.id, recordName: r.name });
    }
  }

  const recordsWithVideoId = input.records.length - withoutVideoId;
  return {
    target: input.target,
    fingerprint: fingerprint(input, options),
    options,
    creates,
    updates,
    deletes,
    skipped,
    problems,
    counts: {
      videos: videos.size,
      records: input.records.length,
      recordsWithoutVideoId: withoutVideoId,
      recordsWithVideoId,
      unchanged,
      creates: creates.length,
      updates: updates.length,
      deletes: deletes.length,
      skipped: skipped.length,
      problems: problems.length,
    },
  };
}

/**
 * A stable hash of what the plan was computed from: video ids and their `updated_at`, record ids and
 * versions, the chosen media (without query strings: CDN tokens change on every fetch) and the options.
 * Input order does not matter. Two plans with one fingerprint would make the same decisions.
 */
export function fingerprint(input: PlanInput, options: PlanOptions = input.options ?? {}): string {
  const h = createHash('sha256');
  h.update(`target\0${input.target}\n`);
  h.update(`options\0${canonical(options)}\n`);
  const vids = [...input.videos].sort((a, b) => cmp(a.id, b.id));
  for (const v of vids) {
    h.update(`v\0${v.id}\0${v.updated_at ?? ''}\0${v.delivery_type ?? ''}\n`);
    const m = input.media.get(v.id);
    if (m) {
      const c = chooseRendition(v, m, options);
      h.update(`m\0${c.ok ? `${c.rendition.url.split('?')[0]}\0${c.rendition.height}` : c.message}\n`);
    }
  }
  const recs = [...input.records].sort((a, b) => cmp(a.id, b.id));
  for (const r of recs)
    h.update(`r\0${r.id}\0${r.videoId ?? ''}\0${r.version}\0${r.metadataVersion ?? ''}\n`);
  return h.digest('hex').slice(0, 32);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
