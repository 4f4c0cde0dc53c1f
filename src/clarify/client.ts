import { type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import { type Clock, systemClock } from '../clock.js';
import { type Logger, registerSecret, silentLogger } from '../log.js';
import { ClarifyApiError, ClarifyResponseError, errorForStatus } from './errors.js';
import {
  BundleSchema,
  type ClarifyBundle,
  type ClarifyCollection,
  type ClarifyMetadata,
  type ClarifyRef,
  CollectionSchema,
  ErrorBodySchema,
  type MetadataData,
  MetadataSchema,
  RefSchema,
  SearchCollectionSchema,
} from './schemas.js';

export interface ClarifyClientOptions {
  /** Origin such as `https://api.clarify.io` (CLARIFY_API_URL), without `/v1`. */
  baseUrl: string;
  apiKey: string;
  dispatcher?: Dispatcher;
  logger?: Logger;
  clock?: Clock;
  /**
   * Attempts per call for 429/5xx, on top of whatever the dispatcher retries. POST is retried
   * only on 429 (the request was refused, not processed); a 5xx on POST is ambiguous, so the
   * caller decides (the sync checks by external_id first).
   */
  maxAttempts?: number;
  /**
   * The dispatcher already retries idempotent requests (the app's RetryAgent): then this client
   * retries only what the dispatcher does not, a POST refused with 429, so one policy decides and a
   * failing GET is not sent 4 × 5 times.
   */
  dispatcherRetries?: boolean;
  /** First backoff step; doubles per attempt, capped at 30 s; `Retry-After` wins when present. */
  backoffMs?: number;
  /** Bundles per list page (Clarify's maximum is 100). */
  pageSize?: number;
}

interface CreateBundleInput {
  name?: string;
  media_url?: string;
  metadata?: MetadataData;
  external_id?: string;
}

const EMBED_LIST = 'items,metadata';

export class ClarifyClient {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #dispatcherRetries: boolean;
  readonly #backoffMs: number;
  readonly #pageSize: number;

  constructor(opts: ClarifyClientOptions) {
    if (!opts.apiKey) {
      // The original passed None to the SDK and died on the first call with an empty APIException.
      throw new Error('Clarify API key is missing: set CLARIFY_API_KEY');
    }
    registerSecret(opts.apiKey);
    this.#baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#apiKey = opts.apiKey;
    this.#dispatcher = opts.dispatcher;
    this.#log = (opts.logger ?? silentLogger).child({ component: 'clarify' });
    this.#clock = opts.clock ?? systemClock;
    this.#maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
    this.#dispatcherRetries = opts.dispatcherRetries === true;
    this.#backoffMs = opts.backoffMs ?? 500;
    this.#pageSize = Math.min(100, Math.max(1, opts.pageSize ?? 100));
  }

  /**
   * Every bundle with its metadata embedded, page by page. Clarify's `next` links drop `embed`
   * and `limit`, so they are put back on every hop (otherwise page 2+ would come without items).
   */
  async *bundlePages(): AsyncGenerator<{ bundles: ClarifyBundle[]; total: number }> {
    let path: string | undefined = `/v1/bundles?limit=${this.#pageSize}&embed=${EMBED_LIST}`;
    const seen = new Set<string>();
    while (path) {
      const page: ClarifyCollection = await this.#call('GET', path, CollectionSchema);
      yield { bundles: page._embedded?.items ?? [], total: page.total };
      const next: string | undefined = page._links.next?.href;
      if (!next) break;
      const url: URL = new URL(next, this.#baseUrl);
      url.searchParams.set('limit', String(this.#pageSize));
      url.searchParams.set('embed', EMBED_LIST);
      path = `${url.pathname}${url.search}`;
      // A server that hands back the same cursor would otherwise loop for ever.
      if (seen.has(path)) throw new ClarifyResponseError(`Clarify returned a repeated next link: ${path}`);
      seen.add(path);
    }
  }

  async listBundles(onPage?: (fetched: number, total: number) => void): Promise<ClarifyBundle[]> {
    const all: ClarifyBundle[] = [];
    for await (const page of this.bundlePages()) {
      all.push(...page.bundles);
      onPage?.(all.length, page.total);
    }
    return all;
  }

  /** Bundles whose external_id equals `externalId`, through the documented search filter grammar. */
  async findBundlesByExternalId(externalId: string): Promise<ClarifyBundle[]> {
    const q = new URLSearchParams({
      query: externalId,
      query_fields: 'bundle.external_id',
      filter: `bundle.external_id==${JSON.stringify(externalId)}`,
      limit: '100',
      embed: EMBED_LIST,
    });
    const res = await this.#call('GET', `/v1/search?${q}`, SearchCollectionSchema);
    return (res._embedded?.items ?? []).filter((b) => b.external_id === externalId);
  }

  getBundle(id: string): Promise<ClarifyBundle> {
    return this.#call('GET', `/v1/bundles/${encodeURIComponent(id)}?embed=metadata`, BundleSchema);
  }

  createBundle(input: CreateBundleInput): Promise<ClarifyRef> {
    const form: Record<string, string> = {};
    if (input.name !== undefined) form.name = input.name;
    if (input.media_url !== undefined) form.media_url = input.media_url;
    if (input.metadata !== undefined) form.metadata = JSON.stringify(input.metadata);
    if (input.external_id !== undefined) form.external_id = input.external_id;
    return this.#call('POST', '/v1/bundles', RefSchema, form, [201, 200]);
  }

  updateBundle(id: string, input: { name?: string; version?: number }): Promise<ClarifyRef> {
    const form: Record<string, string> = {};
    if (input.name !== undefined) form.name = input.name;
    if (input.version !== undefined) form.version = String(input.version);
    return this.#call('PUT', `/v1/bundles/${encodeURIComponent(id)}`, RefSchema, form, [202, 200]);
  }

  getMetadata(bundleId: string): Promise<ClarifyMetadata> {
    return this.#call('GET', `/v1/bundles/${encodeURIComponent(bundleId)}/metadata`, MetadataSchema);
  }

  /** Replaces `data`; with `version`, Clarify answers 409 (ClarifyConflictError) if it moved. */
  putMetadata(bundleId: string, data: MetadataData, version?: number): Promise<ClarifyRef> {
    const form: Record<string, string> = { data: JSON.stringify(data) };
    if (version !== undefined) form.version = String(version);
    return this.#call(
      'PUT',
      `/v1/bundles/${encodeURIComponent(bundleId)}/metadata`,
      RefSchema,
      form,
      [202, 200],
    );
  }

  async deleteBundle(id: string): Promise<void> {
    await this.#call('DELETE', `/v1/bundles/${encodeURIComponent(id)}`, null, undefined, [204]);
  }

  async #call<S extends z.ZodType>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: S,
    form?: Record<string, string>,
    ok?: number[],
  ): Promise<z.infer<S>>;
  async #call(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: null,
    form: undefined,
    ok: number[],
  ): Promise<undefined>;
  async #call(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: z.ZodType | null,
    form?: Record<string, string>,
    ok: number[] = [200],
  ): Promise<unknown> {
    const url = `${this.#baseUrl}${path}`;
    const body = form ? new URLSearchParams(form).toString() : undefined;
    for (let attempt = 1; ; attempt++) {
      const res = await request(url, {
        method,
        dispatcher: this.#dispatcher,
        headers: {
          authorization: `Bearer ${this.#apiKey}`,
          accept: 'application/hal+json, application/json',
          ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body,
      });
      // Read as text first: a proxy's HTML 502 must become a clear error, not a JSON parse failure.
      const text = await res.body.text();
      if (ok.includes(res.statusCode)) {
        if (!schema) return undefined;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new ClarifyResponseError(`Clarify ${method} ${path}: ${res.statusCode} body is not JSON`);
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          throw new ClarifyResponseError(
            `Clarify ${method} ${path}: unexpected response shape: ${parsed.error.message.slice(0, 500)}`,
          );
        }
        return parsed.data;
      }
      const err = errorForStatus(res.statusCode, method, path, parseErrorBody(text), text);
      const mayRetry =
        err.retryable && (method === 'POST' ? res.statusCode === 429 : !this.#dispatcherRetries);
      if (!mayRetry || attempt >= this.#maxAttempts) throw err;
      const wait = retryAfterMs(res.headers['retry-after']) ?? this.#backoff(attempt);
      this.#log.warn('clarify request will be retried', {
        method,
        path,
        status: res.statusCode,
        attempt,
        wait,
      });
      await this.#clock.sleep(wait);
    }
  }

  #backoff(attempt: number): number {
    return Math.min(30_000, this.#backoffMs * 2 ** (attempt - 1));
  }
}

function parseErrorBody(text: string) {
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, 60_000);
  return undefined;
}

export { ClarifyApiError };
