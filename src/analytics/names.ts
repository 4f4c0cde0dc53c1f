import { type Logger, silentLogger } from '../log.js';

/** One CMS lookup for up to 10 ids (`GET /videos/id1,…,id10`); returns the names it found. */
type LookupVideoNames = (
  accountId: string,
  videoIds: string[],
) => Promise<Map<string, string> | Record<string, string>>;

const NAME_LOOKUP_BATCH = 10;

/**
 * Names for videos the analytics rows did not name. Cached across reports (names rarely change and digests
 * ask for the same top videos every day); a failed lookup leaves the ids unnamed rather than failing the report.
 */
export class VideoNameCache {
  readonly #lookup: LookupVideoNames;
  readonly #cache = new Map<string, string>();
  readonly #maxEntries: number;
  readonly #log: Logger;
  lookups = 0;

  constructor(lookup: LookupVideoNames, opts: { maxEntries?: number; logger?: Logger } = {}) {
    this.#lookup = lookup;
    this.#maxEntries = opts.maxEntries ?? 20_000;
    this.#log = opts.logger ?? silentLogger;
  }

  remember(accountId: string, videoId: string, name: string): void {
    const key = `${accountId}/${videoId}`;
    this.#cache.delete(key);
    this.#cache.set(key, name);
    // Map keeps insertion order, so the first key is the least recently stored.
    while (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }

  cached(accountId: string, videoId: string): string | undefined {
    return this.#cache.get(`${accountId}/${videoId}`);
  }

  async names(accountId: string, videoIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(videoIds)) {
      const hit = this.cached(accountId, id);
      if (hit !== undefined) out.set(id, hit);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += NAME_LOOKUP_BATCH) {
      const batch = missing.slice(i, i + NAME_LOOKUP_BATCH);
      this.lookups++;
      try {
        const found = await this.#lookup(accountId, batch);
        const entries = found instanceof Map ? [...found.entries()] : Object.entries(found);
        for (const [id, name] of entries) {
          this.remember(accountId, id, name);
          out.set(id, name);
        }
      } catch (err) {
        this.#log.warn('video name lookup failed; showing ids', { accountId, count: batch.length, err });
      }
    }
    return out;
  }
}
