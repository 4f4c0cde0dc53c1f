/**
 * Video catalogue export: one row per video of an account, custom fields flattened into columns (the old
 * pipeline's per-account catalogue CSV/JSON). The video source is any async iterable so the CMS client's paged
 * iterator plugs in directly and a whole library never has to be listed into memory twice.
 */

import type { CmsVideo } from '../brightcove/schemas.js';
import { toCsv } from '../core/csv.js';

const CATALOG_BASE_COLUMNS = [
  'account_id',
  'id',
  'name',
  'reference_id',
  'duration',
  'created_at',
  'published_at',
  'state',
  'tags',
] as const;

interface CatalogOptions {
  /** custom field internal names, one column each, in this order (missing values are empty) */
  customFields: readonly string[];
  /** keep only videos whose `published_at` falls in one of these years (UTC) */
  publishedYears?: readonly number[];
  /** keep only ACTIVE videos */
  activeOnly?: boolean;
}

export interface CatalogRow {
  account_id: string;
  id: string;
  name: string;
  reference_id: string | null;
  /** milliseconds, as the CMS reports it; null until the video has a rendition */
  duration: number | null;
  created_at: string;
  published_at: string | null;
  state: string;
  tags: string[];
  custom: Record<string, string | null>;
}

interface Catalog {
  rows: CatalogRow[];
  customFields: string[];
  /** videos seen in the listing (before filters, after de-duplication) */
  scanned: number;
  /** ids seen twice while paging (drift); kept once */
  duplicates: number;
}

function keep(video: CmsVideo, opts: CatalogOptions): boolean {
  if (opts.activeOnly && video.state !== 'ACTIVE') return false;
  if (opts.publishedYears && opts.publishedYears.length > 0) {
    const year = video.published_at ? new Date(video.published_at).getUTCFullYear() : Number.NaN;
    if (!opts.publishedYears.includes(year)) return false;
  }
  return true;
}

function catalogRow(video: CmsVideo, customFields: readonly string[]): CatalogRow {
  return {
    account_id: video.account_id,
    id: video.id,
    name: video.name,
    reference_id: video.reference_id ?? null,
    duration: video.duration ?? null,
    created_at: video.created_at,
    published_at: video.published_at ?? null,
    state: video.state,
    tags: [...video.tags],
    custom: Object.fromEntries(customFields.map((f) => [f, video.custom_fields[f] ?? null])),
  };
}

export async function collectCatalog(
  videos: AsyncIterable<CmsVideo>,
  opts: CatalogOptions,
): Promise<Catalog> {
  const clash = opts.customFields.filter((f) => (CATALOG_BASE_COLUMNS as readonly string[]).includes(f));
  if (clash.length > 0)
    throw new Error(
      `custom field ${clash.length === 1 ? 'column' : 'columns'} ${clash.join(', ')} ${clash.length === 1 ? 'clashes' : 'clash'} with built-in columns`,
    );
  const seen = new Set<string>();
  const rows: CatalogRow[] = [];
  let duplicates = 0;
  for await (const video of videos) {
    // a listing that drifts while paging can repeat a video; one row per id
    if (seen.has(video.id)) {
      duplicates++;
      continue;
    }
    seen.add(video.id);
    if (keep(video, opts)) rows.push(catalogRow(video, opts.customFields));
  }
  return { rows, customFields: [...opts.customFields], scanned: seen.size, duplicates };
}

function catalogColumns(customFields: readonly string[]): string[] {
  return [...CATALOG_BASE_COLUMNS, ...customFields];
}

/** CSV: tags joined with commas (quoted by the writer), custom fields as their own columns. */
export function catalogCsv(catalog: Pick<Catalog, 'rows' | 'customFields'>): string {
  const records = catalog.rows.map((r) => [
    r.account_id,
    r.id,
    r.name,
    r.reference_id ?? '',
    r.duration ?? '',
    r.created_at,
    r.published_at ?? '',
    r.state,
    r.tags.join(','),
    ...catalog.customFields.map((f) => r.custom[f] ?? ''),
  ]);
  return toCsv([catalogColumns(catalog.customFields), ...records]);
}

/** JSON: the same flat columns, tags kept as an array. */
export function catalogJson(catalog: Pick<Catalog, 'rows' | 'customFields'>): string {
  const flat = catalog.rows.map((r) => {
    const { custom, ...base } = r;
    return { ...base, ...Object.fromEntries(catalog.customFields.map((f) => [f, custom[f] ?? null])) };
  });
  return `${JSON.stringify(flat, null, 2)}\n`;
}
