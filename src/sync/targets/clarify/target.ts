import type { ClarifyClient } from '../../../clarify/client.js';
import { ClarifyConflictError, ClarifyNotFoundError } from '../../../clarify/errors.js';
import { CLARIFY_LIMITS } from '../../../clarify/limits.js';
import type { ClarifyBundle } from '../../../clarify/schemas.js';
import type { MetadataLimits } from '../../metadata.js';
import {
  type CreateRequest,
  type DeleteRequest,
  type RecordNoun,
  type SyncTarget,
  sameData,
  TargetConflictError,
  type TargetPage,
  type UpdateRequest,
} from '../../target.js';
import type { TargetRecord } from '../../types.js';

/** Clarify's bundles, the original tool's target (its API is kept for users migrating from it). */
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
  readonly noun: RecordNoun = { one: 'bundle', many: 'bundles' };
  readonly limits: MetadataLimits = CLARIFY_LIMITS;
  // "Running this will incur usage of credit" (the original tool's warning): Clarify bills media minutes.
  readonly billedBy = 'media-minutes' as const;
  constructor(
    private readonly client: ClarifyClient,
    readonly name = 'clarify',
  ) {}

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
