import type { MetaData, MetadataLimits } from './metadata.js';
import type { TargetRecord } from './types.js';

export interface CreateRequest {
  videoId: string;
  name: string;
  mediaUrl: string;
  metadata: MetaData;
}

export interface UpdateRequest {
  videoId: string;
  id: string;
  /** Set only when the record's name must change. */
  name?: string;
  version: number;
  metadata: MetaData;
  metadataVersion: number | null;
}

export interface DeleteRequest {
  videoId: string;
  id: string;
}

/** The record moved since the plan was made (another writer): the plan must be re-run for it. */
export class TargetConflictError extends Error {
  override readonly name = 'TargetConflictError';
}

/** One page of a target listing; `total` is the target's count of records when the page was served. */
export interface TargetPage {
  records: TargetRecord[];
  total: number;
}

/** What a target calls its records, in the plan, the messages and the audit ("bundle", "row"). */
export interface RecordNoun {
  one: string;
  many: string;
}

/**
 * Where videos are mirrored, keyed by Brightcove video id. A target type lives in its own folder
 * (`src/sync/targets/<type>/`) and only has to implement these calls.
 */
export interface SyncTarget {
  /** the configured name (`sync.targets.<name>`), kept in plans and cursors */
  readonly name: string;
  readonly noun: RecordNoun;
  /** what its records can hold: metadata is cut to fit before it is planned */
  readonly limits: MetadataLimits;
  /** what a create costs there: Clarify bills by media minutes (the plan then shows them before Apply) */
  readonly billedBy?: 'media-minutes';
  /** items Apply keeps in flight (a target that batches writes wants many; default 4) */
  readonly applyConcurrency?: number;
  /**
   * Every record, page by page (a plan streams them: 100,000 records must not be held as listed). With
   * `owner`, a target whose records all name their account may list only that account's; one that
   * cannot tell (Clarify: records written by the original tool carry no owner) lists them all.
   */
  pages(owner?: string): AsyncIterable<TargetPage>;
  /** Records already mirroring `videoId` (how a resumed apply avoids duplicate creates). */
  findByVideoId(videoId: string): Promise<TargetRecord[]>;
  create(req: CreateRequest): Promise<{ id: string }>;
  /** Resolves 'unchanged' when the record already holds exactly this data (a replayed update). */
  update(req: UpdateRequest): Promise<'updated' | 'unchanged'>;
  /** Resolves 'absent' when the record was already gone. */
  delete(req: DeleteRequest): Promise<'deleted' | 'absent'>;
  /** The best matches for some words (targets with a full-text index: the `search` command). */
  search?(words: string, limit: number): Promise<SearchHit[]>;
  /** Releases connections (a CLI run must be able to exit). */
  close?(): Promise<void>;
}

export interface SearchHit {
  accountId: string;
  videoId: string;
  name: string;
  description: string | null;
}

/** Every record of a target, collected (for small targets and tests; a sync streams `pages()`). */
export async function allRecords(target: SyncTarget): Promise<TargetRecord[]> {
  const out: TargetRecord[] = [];
  for await (const page of target.pages()) out.push(...page.records);
  return out;
}

export function sameData(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return stableStringify(a) === stableStringify(b);
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
