import type { ClarifyClient } from '../clarify/client.js';
import { ClarifyConflictError, ClarifyNotFoundError } from '../clarify/errors.js';
import type { ClarifyBundle } from '../clarify/schemas.js';
import type { MetaData } from './metadata.js';
import type { TargetRecord } from './types.js';

interface CreateRequest {
  videoId: string;
  name: string;
  mediaUrl: string;
  metadata: MetaData;
}

interface UpdateRequest {
  videoId: string;
  id: string;
  /** Set only when the record's name must change. */
  name?: string;
  version: number;
  metadata: MetaData;
  metadataVersion: number | null;
}

interface DeleteRequest {
  videoId: string;
  id: string;
}

/** The record moved since the plan was made (another writer): the plan must be re-run for it. */
class TargetConflictError extends Error {
  override readonly name = 'TargetConflictError';
}

/** One page of a target listing; `total` is the target's count of records when the page was served. */
export interface TargetPage {
  records: TargetRecord[];
  total: number;
}

/**
 * Where videos are mirrored, keyed by Brightcove video id. Clarify is the first; a search index
 * or another video platform only has to implement these five calls.
 */
export interface SyncTarget {
  readonly name: string;
  /** Every record, page by page (a plan streams them: 100,000 records must not be held as listed). */
  pages(): AsyncIterable<TargetPage>;
  /** Records already mirroring `videoId` (how a resumed apply avoids duplicate creates). */
  findByVideoId(videoId: string): Promise<TargetRecord[]>;
  create(req: CreateRequest): Promise<{ id: string }>;
  /** Resolves 'unchanged' when the record already holds exactly this data (a replayed update). */
  update(req: UpdateRequest): Promise<'updated' | 'unchanged'>;
  /** Resolves 'absent' when the record was already gone. */
  delete(req: DeleteRequest): Promise<'deleted' | 'absent'>;
}

/** Every record of a target, collected (for small targets and tests; a sync streams `pages()`). */
export async function allRecords(target: SyncTarget): Promise<TargetRecord[]> {
  const out: TargetRecord[] = [];
  for await (const page of target.pages()) out.push(...page.records);
  return out;
}

function bundleToRecord(b: ClarifyBundle): TargetRecord {
  const md = b._embedded?.['clarify:metadata'];
  return {
    id: b.id,
    // "The bundles with external_ids set are assumed to be the ones we have inserted" (§1.5).
    videoId: b.external_id ? b.external_id : null,
    name: b.name ?? null,
    version: b.version,
    metadata: md ? md.data : null,
    metadataVersion: md ? md.version : null,
  };
}

export class ClarifyTarget implements SyncTarget {
  readonly name = 'clarify';
  constructor(private readonly client: ClarifyClient) {}

  async *pages(): AsyncIterable<TargetPage> {
    for await (const page of this.client.bundlePages())
      yield { records: page.bundles.map(bundleToRecord), total: page.total };
  }

  async findByVideoId(videoId: string): Promise<TargetRecord[]> {
    return (await this.client.findBundlesByExternalId(videoId)).map(bundleToRecord);
  }

  async create(req: CreateRequest): Promise<{ id: string }> {
    const ref = await this.client.createBundle({
      name: req.name,
      media_url: req.mediaUrl,
      metadata: req.metadata,
      external_id: req.videoId,
    });
    return { id: ref.id };
  }

  async update(req: UpdateRequest): Promise<'updated' | 'unchanged'> {
    try {
      if (req.name !== undefined)
        await this.client.updateBundle(req.id, { name: req.name, version: req.version });
      await this.client.putMetadata(req.id, req.metadata, req.metadataVersion ?? undefined);
      return 'updated';
    } catch (err) {
      if (!(err instanceof ClarifyConflictError)) throw err;
      // A 409 after a retried or resumed PUT is fine if what is there is what we meant to write.
      const bundle = await this.client.getBundle(req.id);
      const md = bundle._embedded?.['clarify:metadata'] ?? (await this.client.getMetadata(req.id));
      const nameOk = req.name === undefined || bundle.name === req.name;
      if (nameOk && sameData(md.data, req.metadata)) return 'unchanged';
      throw new TargetConflictError(
        `bundle ${req.id} for video ${req.videoId} was changed by someone else since the plan was made`,
      );
    }
  }

  async delete(req: DeleteRequest): Promise<'deleted' | 'absent'> {
    try {
      await this.client.deleteBundle(req.id);
      return 'deleted';
    } catch (err) {
      if (err instanceof ClarifyNotFoundError) return 'absent';
      throw err;
    }
  }
}

function sameData(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
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
