import { CLARIFY_LIMITS } from '../clarify/limits.js';
import { plural } from '../core/words.js';
import { differingKeys, valueDigests } from './digest.js';
import type { SyncVideo } from './types.js';

/** A value the target accepts: string, number, boolean, or an array of those. */
type MetaScalar = string | number | boolean;
type MetaValue = MetaScalar | MetaScalar[];
export type MetaData = Record<string, MetaValue>;

export interface MetadataLimits {
  stringMax: number;
  arrayStringMax: number;
  maxKeys: number;
  maxJson: number;
  nameMax: number;
}

export const DEFAULT_LIMITS: MetadataLimits = {
  stringMax: CLARIFY_LIMITS.stringMax,
  arrayStringMax: CLARIFY_LIMITS.arrayStringMax,
  maxKeys: CLARIFY_LIMITS.maxKeys,
  maxJson: CLARIFY_LIMITS.maxJson,
  nameMax: CLARIFY_LIMITS.nameMax,
};

export interface MetadataOptions {
  /** Brightcove custom field id → metadata key, e.g. `{ topic: 'topic' }`. Order = priority. */
  customFields?: Readonly<Record<string, string>>;
  limits?: MetadataLimits;
  /**
   * The Brightcove account id written into every record as `OWNER_KEY`: one target can serve several
   * accounts, and a sync of one account must never write or delete another's records.
   */
  owner?: string;
}

/**
 * Which account a record belongs to. The original tool wrote no such key (its records are "legacy"):
 * `external_id` stays the video id for compatibility.
 */
export const OWNER_KEY = 'brightcove_account_id';

/** The owner a record declares, or undefined for a legacy record (written before ownership existed). */
export function recordOwner(metadata: Readonly<Record<string, unknown>> | null): string | undefined {
  const v = metadata && Object.hasOwn(metadata, OWNER_KEY) ? metadata[OWNER_KEY] : undefined;
  return typeof v === 'string' && v ? v : undefined;
}

/** The original tool's keys first (same order), then the ones this rewrite adds. */
const STANDARD_KEYS = [
  'name',
  'description',
  'long_description',
  'tags',
  'updated_at',
  'created_at',
  'state',
  'reference_id',
  'duration',
] as const;

/**
 * `updated_at` moves on any CMS edit, including edits to fields we never map (images, cue points):
 * comparing it would rewrite metadata for nothing (§3.2), so it is refreshed only with a real change.
 */
const COMPARE_IGNORED_KEYS: readonly string[] = ['updated_at', OWNER_KEY];

export interface Trim {
  key: string;
  action: 'truncated' | 'dropped';
  detail: string;
}

interface MappingProblem {
  kind: 'invalid_metadata_key';
  message: string;
}

interface MappedMetadata {
  /** The full data to send: keys written by others kept, ours replaced. */
  data: MetaData;
  trims: Trim[];
  /** False when even after trimming the data cannot fit (other tools' keys use the budget). */
  fits: boolean;
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set(['true', 'false', 'null']);

function isValidMetadataKey(key: string): boolean {
  return KEY_RE.test(key) && !RESERVED.has(key);
}

/** Custom-field mappings that are usable, and what is wrong with the others. */
export function checkCustomFieldMapping(opts: MetadataOptions): {
  mapping: [string, string][];
  problems: MappingProblem[];
} {
  const mapping: [string, string][] = [];
  const problems: MappingProblem[] = [];
  const used = new Set<string>([...STANDARD_KEYS, OWNER_KEY]);
  for (const [field, key] of Object.entries(opts.customFields ?? {})) {
    if (!isValidMetadataKey(key)) {
      problems.push({
        kind: 'invalid_metadata_key',
        message: `custom field "${field}" maps to "${key}", which is not a valid metadata key (letters, digits, _; ≤64; not starting with _)`,
      });
    } else if (used.has(key)) {
      problems.push({
        kind: 'invalid_metadata_key',
        message: `custom field "${field}" maps to "${key}", which is already used`,
      });
    } else {
      used.add(key);
      mapping.push([field, key]);
    }
  }
  return { mapping, problems };
}

/** Every key this sync owns (and may overwrite or remove); all other keys belong to someone else. */
export function managedKeys(opts: MetadataOptions): string[] {
  const keys = [...STANDARD_KEYS, ...checkCustomFieldMapping(opts).mapping.map(([, k]) => k)];
  // The marker is ours only when we write it; without an owner it is kept as someone else's key.
  return opts.owner ? [...keys, OWNER_KEY] : keys;
}

export function recordName(video: Pick<SyncVideo, 'name'>, limits: MetadataLimits = DEFAULT_LIMITS) {
  const full = video.name ?? '';
  const name = cut(full, limits.nameMax);
  const trims: Trim[] =
    name.length < full.length
      ? [{ key: 'record name', action: 'truncated', detail: `${full.length} → ${name.length} chars` }]
      : [];
  return { name, trims };
}

/**
 * Maps a video to metadata within the target's limits. `existing` is the record's current data:
 * keys we do not manage are kept as they are, and they count against the limits.
 */
export function mapVideoMetadata(
  video: SyncVideo,
  opts: MetadataOptions = {},
  existing: Readonly<Record<string, unknown>> | null = null,
): MappedMetadata {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const { mapping } = checkCustomFieldMapping(opts);
  const managed = new Set(managedKeys(opts));
  const trims: Trim[] = [];

  const foreign: MetaData = {};
  for (const [k, v] of Object.entries(existing ?? {})) {
    if (!managed.has(k) && isMetaValue(v)) foreign[k] = v;
  }

  // Ordered by what matters least last: those are dropped first when over the key budget.
  // The owner marker comes first so the key budget never drops it (it is how deletes stay scoped).
  const ours: [string, MetaValue][] = [
    ...(opts.owner ? ([[OWNER_KEY, opts.owner]] as [string, MetaValue][]) : []),
    ['name', video.name ?? ''],
    ['description', video.description ?? ''],
    ['long_description', video.long_description ?? ''],
    ['tags', [...(video.tags ?? [])]],
  ];
  if (video.updated_at) ours.push(['updated_at', video.updated_at]);
  if (video.created_at) ours.push(['created_at', video.created_at]);
  if (video.state) ours.push(['state', video.state]);
  if (video.reference_id) ours.push(['reference_id', video.reference_id]);
  if (typeof video.duration === 'number' && Number.isFinite(video.duration))
    ours.push(['duration', video.duration]);
  for (const [field, key] of mapping) {
    const v = video.custom_fields?.[field];
    if (v === undefined || v === null) continue;
    ours.push([key, typeof v === 'number' || typeof v === 'boolean' ? v : String(v)]);
  }

  for (const entry of ours) {
    const [key, v] = entry;
    if (typeof v === 'string' && v.length > limits.stringMax) {
      entry[1] = cut(v, limits.stringMax);
      trims.push({ key, action: 'truncated', detail: `${v.length} → ${limits.stringMax} chars` });
    } else if (Array.isArray(v)) {
      let n = 0;
      entry[1] = v.map((x) => {
        if (typeof x === 'string' && x.length > limits.arrayStringMax) {
          n++;
          return cut(x, limits.arrayStringMax);
        }
        return x;
      });
      if (n)
        trims.push({
          key,
          action: 'truncated',
          detail: `${plural(n, 'item')} cut to ${limits.arrayStringMax} chars`,
        });
    }
  }

  const keyBudget = limits.maxKeys - Object.keys(foreign).length;
  while (ours.length > Math.max(0, keyBudget)) {
    const dropped = ours.pop()!;
    trims.push({ key: dropped[0], action: 'dropped', detail: `more than ${limits.maxKeys} keys` });
  }

  const build = (): MetaData => ({ ...foreign, ...Object.fromEntries(ours) });
  const size = () => JSON.stringify(build()).length;
  // Free space from the long free-text fields first, then tags, then custom fields.
  const shrinkOrder = [
    'long_description',
    'description',
    'tags',
    ...mapping.map(([, k]) => k).reverse(),
    'reference_id',
    'name',
  ];
  for (const key of shrinkOrder) {
    if (size() <= limits.maxJson) break;
    const idx = ours.findIndex(([k]) => k === key);
    const entry = ours[idx];
    if (!entry) continue;
    const v = entry[1];
    const over = size() - limits.maxJson;
    if (typeof v === 'string') {
      if (!v) continue;
      // Each removed character shortens the JSON by at least one, so cutting `over` is enough.
      const next = cut(v, Math.max(0, v.length - over));
      entry[1] = next;
      trims.push({ key, action: 'truncated', detail: `${v.length} → ${next.length} chars (total size)` });
    } else if (Array.isArray(v)) {
      const before = v.length;
      const arr = [...v];
      while (arr.length && JSON.stringify({ ...build(), [key]: arr }).length > limits.maxJson) arr.pop();
      entry[1] = arr;
      trims.push({ key, action: 'truncated', detail: `${before} → ${arr.length} items (total size)` });
    } else {
      ours.splice(idx, 1);
      trims.push({ key, action: 'dropped', detail: 'total size' });
    }
  }
  return { data: build(), trims, fits: size() <= limits.maxJson };
}

/** The managed keys whose values decide whether a record needs an update. */
export function comparedKeys(managed: readonly string[]): string[] {
  return managed.filter((k) => !COMPARE_IGNORED_KEYS.includes(k));
}

/**
 * Keys we manage whose value differs between the record and the mapped data (a managed key that
 * must disappear counts too). Others' keys and `COMPARE_IGNORED_KEYS` never trigger an update.
 * Compared through the same digests the plan keeps for each record, so both agree by construction.
 */
export function changedKeys(
  current: Readonly<Record<string, unknown>> | null,
  mapped: MetaData,
  managed: readonly string[],
): string[] {
  const keys = comparedKeys(managed);
  return differingKeys(keys, valueDigests(current, keys), valueDigests(mapped, keys));
}

function isMetaScalar(v: unknown): v is MetaScalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function isMetaValue(v: unknown): v is MetaValue {
  return isMetaScalar(v) || (Array.isArray(v) && v.every(isMetaScalar));
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = s.slice(0, Math.max(0, max));
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  return out;
}
