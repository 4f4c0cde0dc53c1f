import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLARIFY_LIMITS } from '../../clarify/limits.js';
import { type Clock, systemClock } from '../../clock.js';
import { type Logger, silentLogger } from '../../log.js';
import { seededRng } from '../data/rng.js';
import { metadataViolation } from './validate.js';

/**
 * Loopback Clarify v1 (reference/clarify.md §2): HAL shapes, keyset paging whose `next` links drop
 * `embed`/`limit` like the real API, versions with 409s, metadata limits as 400s, Bearer auth, a
 * request log and fault injection.
 */
interface SimBundle {
  id: string;
  version: number;
  name?: string;
  external_id?: string;
  notify_url?: string;
  created: string;
  updated: string;
  media_urls: string[];
  metadata: { version: number; created: string; updated: string; data: Record<string, unknown> };
}

export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** Whether the request carried the right `Authorization: Bearer` header. */
  authorized: boolean;
  fault?: 'before' | 'after';
}

interface SeedBundle {
  id?: string;
  name?: string;
  external_id?: string;
  data?: Record<string, unknown>;
  created?: string;
  version?: number;
  metadataVersion?: number;
}

class SimBundleStore {
  readonly #map = new Map<string, SimBundle>();
  #sorted: SimBundle[] | null = null;
  /** external_id → bundles, rebuilt after a change: a search per changed video must not scan 100,000 bundles */
  #byExternal: Map<string, SimBundle[]> | null = null;
  #lastCreatedMs = 0;
  constructor(
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  get size(): number {
    return this.#map.size;
  }
  get(id: string): SimBundle | undefined {
    return this.#map.get(id);
  }
  /** In list order: by creation time, then id (the order the keyset cursor walks). */
  all(): SimBundle[] {
    return [...this.#inOrder()];
  }
  /** Sorted once per change, not per request: a 100,000-bundle listing is 1,000 pages. */
  #inOrder(): readonly SimBundle[] {
    this.#sorted ??= [...this.#map.values()].sort(compareBundles);
    return this.#sorted;
  }
  /** Index in `all()` of the first bundle strictly after the keyset cursor (binary search). */
  indexAfter(cursor: { ms: number; id: string }): number {
    const list = this.#inOrder();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = list[mid]!;
      const ms = Date.parse(b.created);
      if (ms > cursor.ms || (ms === cursor.ms && b.id > cursor.id)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  delete(id: string): boolean {
    this.changed();
    return this.#map.delete(id);
  }
  /** A bundle's order or external_id changed. */
  changed(): void {
    this.#sorted = null;
    this.#byExternal = null;
  }
  byExternalId(externalId: string): SimBundle[] {
    if (!this.#byExternal) {
      this.#byExternal = new Map();
      for (const b of this.#inOrder()) {
        if (b.external_id === undefined) continue;
        const list = this.#byExternal.get(b.external_id) ?? [];
        list.push(b);
        this.#byExternal.set(b.external_id, list);
      }
    }
    // still checked: a test may have edited a bundle in place
    return (this.#byExternal.get(externalId) ?? []).filter((b) => b.external_id === externalId);
  }

  /** Creation stamps are strictly increasing so bundles created during a listing land after the cursor. */
  nextCreated(): string {
    const ms = Math.max(this.clock.now().getTime(), this.#lastCreatedMs + 1);
    this.#lastCreatedMs = ms;
    return new Date(ms).toISOString();
  }

  add(seed: SeedBundle = {}): SimBundle {
    const created = seed.created ?? this.nextCreated();
    const b: SimBundle = {
      id: seed.id ?? this.newId(),
      version: seed.version ?? 1,
      created,
      updated: created,
      media_urls: [],
      metadata: { version: seed.metadataVersion ?? 1, created, updated: created, data: seed.data ?? {} },
    };
    if (seed.name !== undefined) b.name = seed.name;
    if (seed.external_id !== undefined) b.external_id = seed.external_id;
    this.#map.set(b.id, b);
    this.changed();
    return b;
  }
}

function compareBundles(a: SimBundle, b: SimBundle): number {
  const d = Date.parse(a.created) - Date.parse(b.created);
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

interface FaultControl {
  /** The next `count` requests fail with `status` (HTML body for 502, Clarify Error body otherwise). */
  failNext(
    count: number,
    status?: number,
    opts?: { afterProcessing?: boolean; retryAfterSec?: number },
  ): void;
  /**
   * Each request fails with probability `rate` (seeded PRNG), before it is processed. Statuses are
   * drawn from `statuses`. Pass rate 0 to stop.
   */
  setRate(rate: number, opts?: { seed?: number; statuses?: number[] }): void;
  /** Requests that were failed on purpose so far. */
  readonly injected: number;
}

export interface ClarifySim {
  url: string;
  apiKey: string;
  bundles: SimBundleStore;
  requests: SimRequest[];
  faults: FaultControl;
  /** changes the latency added before every response (on the sim's clock) */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

interface ClarifySimOptions {
  clock?: Clock;
  latencyMs?: number;
  logger?: Logger;
  apiKey?: string;
  /** Seed for bundle ids (deterministic runs). */
  seed?: number;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const curies = [{ href: '/docs/rels/{rel}', name: 'clarify', templated: true }];

function bundleLinks(id: string) {
  return {
    self: { href: `/v1/bundles/${id}` },
    curies,
    'clarify:metadata': { href: `/v1/bundles/${id}/metadata` },
    'clarify:tracks': { href: `/v1/bundles/${id}/tracks` },
    'clarify:insights': { href: `/v1/bundles/${id}/insights` },
  };
}

function metadataView(b: SimBundle) {
  return {
    bundle_id: b.id,
    version: b.metadata.version,
    created: b.metadata.created,
    updated: b.metadata.updated,
    data: b.metadata.data,
    _class: 'Metadata',
    _links: { self: { href: `/v1/bundles/${b.id}/metadata` }, parent: { href: `/v1/bundles/${b.id}` } },
  };
}

function tracksView(b: SimBundle) {
  return {
    bundle_id: b.id,
    version: 1,
    status: 'ready',
    created: b.created,
    updated: b.updated,
    tracks: b.media_urls.map((media_url, i) => ({
      id: `${b.id.slice(0, 24)}${String(i).padStart(8, '0')}`,
      track: i,
      label: '',
      media_url,
      audio_channel: '',
      audio_language: '',
      created: b.created,
      updated: b.updated,
      status: 'ready',
      mime_type: 'video/mp4',
      media_size: -1,
      duration: -1,
      fetch_response_code: 200,
      fetch_response_message: '',
      media_code: 1000,
      media_message: 'OK',
    })),
    _class: 'Tracks',
    _links: {
      self: { href: `/v1/bundles/${b.id}/tracks` },
      parent: { href: `/v1/bundles/${b.id}` },
      items: b.media_urls.map((_, i) => ({
        href: `/v1/bundles/${b.id}/tracks/${b.id.slice(0, 24)}${String(i).padStart(8, '0')}`,
      })),
    },
  };
}

function bundleView(b: SimBundle, embed: Set<string>) {
  const out: Record<string, unknown> = { id: b.id, version: b.version };
  if (b.name !== undefined) out.name = b.name;
  if (b.external_id !== undefined) out.external_id = b.external_id;
  if (b.notify_url !== undefined) out.notify_url = b.notify_url;
  Object.assign(out, { created: b.created, updated: b.updated, _class: 'Bundle', _links: bundleLinks(b.id) });
  const embedded: Record<string, unknown> = {};
  if (embed.has('metadata')) embedded['clarify:metadata'] = metadataView(b);
  if (embed.has('tracks')) embedded['clarify:tracks'] = tracksView(b);
  if (Object.keys(embedded).length) out._embedded = embedded;
  return out;
}

function refView(id: string) {
  return { id, _class: 'Ref', _links: bundleLinks(id) };
}

function parseEmbed(v: string | undefined): Set<string> {
  return new Set(
    (v ?? '')
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** Keyset cursor in the observed shape `L1aa<bundle id>h<created epoch ms>`. */
function cursorFor(b: SimBundle): string {
  return `L1aa${b.id}h${Date.parse(b.created)}`;
}
function parseCursor(it: string): { id: string; ms: number } | 'first' | 'last' | undefined {
  if (it === 'first') return 'first';
  if (it === 'last') return 'last';
  const m = /^L1a([ab])([0-9a-f]{32})h(\d+)$/.exec(it);
  if (!m) return undefined;
  if (m[1] === 'b') return 'last';
  return { id: m[2]!, ms: Number(m[3]) };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    try {
      const v = JSON.parse(text) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through to the 400 below
    }
    throw new HttpError(400, 'request body must be a JSON object');
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** A JSON-valued form parameter arrives as a string; a JSON body may carry the object itself. */
function jsonParam(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new HttpError(400, `the value of ${field} must be valid JSON`, field);
  }
}

function optString(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `the value of ${field} must be a string`, field);
  if (v.length > max)
    throw new HttpError(400, `the value of ${field} must be at most ${max} characters`, field);
  return v;
}

function optVersion(body: Record<string, unknown>): number | undefined {
  const v = body.version;
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw new HttpError(400, 'the value of version must be an integer', 'version');
  return n;
}

function checkMetadata(data: unknown, field: string): Record<string, unknown> {
  const bad = metadataViolation(data);
  if (bad) throw new HttpError(400, `the value of ${field} is invalid: ${bad}`, field);
  return data as Record<string, unknown>;
}

export async function startClarifySim(opts: ClarifySimOptions = {}): Promise<ClarifySim> {
  const clock = opts.clock ?? systemClock;
  const log = (opts.logger ?? silentLogger).child({ component: 'clarify-sim' });
  const apiKey = opts.apiKey ?? `sim-clarify-${randomBytes(8).toString('hex')}`;
  let latency = opts.latencyMs ?? 0;
  const idRand = seededRng(opts.seed ?? 1);
  const newId = () =>
    Array.from({ length: 4 }, () =>
      Math.floor(idRand() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
  const bundles = new SimBundleStore(clock, newId);
  const requests: SimRequest[] = [];

  const queued: { status: number; after: boolean; retryAfterSec?: number }[] = [];
  let rate = 0;
  let rateStatuses = [429, 500, 503];
  let faultRand = seededRng(7);
  let injected = 0;
  const faults: FaultControl = {
    failNext(count, status = 503, o = {}) {
      for (let i = 0; i < count; i++) {
        const f: { status: number; after: boolean; retryAfterSec?: number } = {
          status,
          after: o.afterProcessing ?? false,
        };
        if (o.retryAfterSec !== undefined) f.retryAfterSec = o.retryAfterSec;
        queued.push(f);
      }
    },
    setRate(r, o = {}) {
      rate = r;
      if (o.statuses) rateStatuses = o.statuses;
      faultRand = seededRng(o.seed ?? 7);
    },
    get injected() {
      return injected;
    },
  };

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (body === undefined) {
      res.writeHead(status, headers).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/hal+json', ...headers }).end(JSON.stringify(body));
  };
  const sendError = (res: ServerResponse, status: number, message: string, field?: string, headers = {}) => {
    if (status === 502) {
      // What a proxy in front of the API sends: not JSON at all.
      res
        .writeHead(502, { 'content-type': 'text/html', ...headers })
        .end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    send(
      res,
      status,
      {
        status: STATUS_TEXT[status] ?? 'Error',
        message,
        code: status,
        errors: field ? [{ field, message }] : [],
        _class: 'Error',
        _links: {},
      },
      headers,
    );
  };

  const route = async (
    method: string,
    url: URL,
    req: IncomingMessage,
  ): Promise<{ status: number; body?: unknown }> => {
    const q = url.searchParams;
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'v1') throw new HttpError(404, 'resource not found');
    if (parts[1] === 'bundles' && parts.length === 2) {
      if (method === 'GET') return { status: 200, body: listBundles(url) };
      if (method === 'POST') return createBundle(await readBody(req));
      throw new HttpError(405, 'method not allowed');
    }
    if (parts[1] === 'search' && parts.length === 2 && method === 'GET')
      return { status: 200, body: search(q) };
    if (parts[1] !== 'bundles' || !parts[2]) throw new HttpError(404, 'resource not found');
    const id = parts[2];
    if (!/^[0-9a-f]{32}$/.test(id))
      throw new HttpError(400, 'the value of bundle_id must be a valid GUID', 'bundle_id');
    const b = bundles.get(id);
    if (!b) throw new HttpError(404, 'bundle not found');
    const sub = parts[3];
    if (parts.length === 3) {
      if (method === 'GET')
        return { status: 200, body: bundleView(b, parseEmbed(q.get('embed') ?? undefined)) };
      if (method === 'PUT') return updateBundle(b, await readBody(req));
      if (method === 'DELETE') {
        bundles.delete(id);
        return { status: 204 };
      }
    }
    if (sub === 'metadata' && parts.length === 4) {
      if (method === 'GET') return { status: 200, body: metadataView(b) };
      if (method === 'PUT') return putMetadata(b, await readBody(req));
      if (method === 'DELETE') {
        touchMetadata(b, {});
        return { status: 204 };
      }
    }
    if (sub === 'tracks' && parts.length === 4 && method === 'GET')
      return { status: 200, body: tracksView(b) };
    throw new HttpError(405, 'method not allowed');
  };

  const listBundles = (url: URL) => {
    const q = url.searchParams;
    const limitRaw = q.get('limit');
    const limit = limitRaw === null ? 10 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new HttpError(400, 'the value of limit must be between 1 and 100', 'limit');
    const embed = parseEmbed(q.get('embed') ?? undefined);
    const all = bundles.all();
    const it = q.get('iterator');
    const cursor = it === null ? 'first' : parseCursor(it);
    if (cursor === undefined) throw new HttpError(400, 'the value of iterator is invalid', 'iterator');
    let start: number;
    if (cursor === 'first') start = 0;
    else if (cursor === 'last') start = Math.max(0, all.length - limit);
    // Keyset: first bundle strictly after the cursor, so deletions never shift later pages.
    else start = bundles.indexAfter(cursor);
    const page = all.slice(start, start + limit);
    const last = page[page.length - 1];
    const links: Record<string, unknown> = {
      self: { href: `${url.pathname}${url.search}` },
      items: page.map((b) => ({ href: `/v1/bundles/${b.id}` })),
      first: { href: `/v1/bundles?iterator=L1aa${'0'.repeat(32)}h0` },
      last: { href: `/v1/bundles?iterator=L1ab${'0'.repeat(32)}h0` },
    };
    // Like the real API, `next` carries only the iterator: clients must re-add embed and limit.
    if (last && start + limit < all.length) links.next = { href: `/v1/bundles?iterator=${cursorFor(last)}` };
    const body: Record<string, unknown> = { total: all.length, limit, _class: 'Collection', _links: links };
    if (embed.has('items')) body._embedded = { items: page.map((b) => bundleView(b, embed)) };
    return body;
  };

  const search = (q: URLSearchParams) => {
    const filter = q.get('filter') ?? '';
    const limit = Number(q.get('limit') ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new HttpError(400, 'the value of limit must be between 1 and 100', 'limit');
    // Only the one filter form the sync uses is modelled; anything else is refused, not guessed.
    const m = /^bundle\.external_id\s*==\s*"((?:[^"\\]|\\.)*)"$/.exec(filter.trim());
    if (!m) throw new HttpError(400, 'the simulator only supports filter bundle.external_id=="…"', 'filter');
    const wanted = JSON.parse(`"${m[1]}"`) as string;
    const embed = parseEmbed(q.get('embed') ?? undefined);
    const hits = bundles.byExternalId(wanted).slice(0, limit);
    const body: Record<string, unknown> = {
      total: hits.length,
      limit,
      search_terms: [{ term: q.get('query') ?? '' }],
      item_results: hits.map(() => ({ score: 1, term_results: [] })),
      _class: 'SearchCollection',
      _links: {
        self: { href: `/v1/search?${q}` },
        items: hits.map((b) => ({ href: `/v1/bundles/${b.id}` })),
      },
    };
    if (embed.has('items')) body._embedded = { items: hits.map((b) => bundleView(b, embed)) };
    return body;
  };

  const createBundle = (body: Record<string, unknown>) => {
    const name = optString(body, 'name', CLARIFY_LIMITS.nameMax);
    const media = optString(body, 'media_url', CLARIFY_LIMITS.mediaUrlMax);
    const external = optString(body, 'external_id', CLARIFY_LIMITS.externalIdMax);
    const notify = optString(body, 'notify_url', CLARIFY_LIMITS.mediaUrlMax);
    let data: Record<string, unknown> = {};
    if (body.metadata !== undefined) {
      const raw = body.metadata;
      if (typeof raw === 'string' && raw.length > CLARIFY_LIMITS.maxJson)
        throw new HttpError(
          400,
          `the value of metadata must be at most ${CLARIFY_LIMITS.maxJson} characters`,
          'metadata',
        );
      data = checkMetadata(jsonParam(raw, 'metadata'), 'metadata');
    }
    const seed: SeedBundle = { data };
    if (name !== undefined) seed.name = name;
    if (external !== undefined) seed.external_id = external;
    const b = bundles.add(seed);
    if (notify !== undefined) b.notify_url = notify;
    if (media) b.media_urls.push(media);
    return { status: 201, body: refView(b.id) };
  };

  const updateBundle = (b: SimBundle, body: Record<string, unknown>) => {
    const version = optVersion(body);
    if (version !== undefined && version !== b.version)
      throw new HttpError(
        409,
        `version ${version} does not match the current version ${b.version}`,
        'version',
      );
    const name = optString(body, 'name', CLARIFY_LIMITS.nameMax);
    const external = optString(body, 'external_id', CLARIFY_LIMITS.externalIdMax);
    const notify = optString(body, 'notify_url', CLARIFY_LIMITS.mediaUrlMax);
    if (name !== undefined) b.name = name;
    if (external !== undefined) {
      b.external_id = external;
      bundles.changed();
    }
    if (notify !== undefined) b.notify_url = notify;
    b.version += 1;
    b.updated = clock.now().toISOString();
    return { status: 202, body: refView(b.id) };
  };

  const touchMetadata = (b: SimBundle, data: Record<string, unknown>) => {
    b.metadata.data = data;
    b.metadata.version += 1;
    b.metadata.updated = clock.now().toISOString();
  };

  const putMetadata = (b: SimBundle, body: Record<string, unknown>) => {
    if (body.data === undefined) throw new HttpError(400, 'the value of data is required', 'data');
    const version = optVersion(body);
    if (version !== undefined && version !== b.metadata.version)
      throw new HttpError(
        409,
        `version ${version} does not match the current version ${b.metadata.version}`,
        'version',
      );
    touchMetadata(b, checkMetadata(jsonParam(body.data, 'data'), 'data'));
    return { status: 202, body: refView(b.id) };
  };

  const drawFault = (): { status: number; after: boolean; retryAfterSec?: number } | undefined => {
    const q = queued.shift();
    if (q) return q;
    if (rate > 0 && faultRand() < rate) {
      const s = rateStatuses[Math.floor(faultRand() * rateStatuses.length)] ?? 503;
      return { status: s, after: false };
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const entry: SimRequest = {
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        status: 0,
        authorized: req.headers.authorization === `Bearer ${apiKey}`,
      };
      requests.push(entry);
      try {
        const fault = drawFault();
        if (fault && !fault.after) {
          injected++;
          entry.status = fault.status;
          entry.fault = 'before';
          const h: Record<string, string> =
            fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {};
          req.resume();
          sendError(res, fault.status, 'injected fault', undefined, h);
          return;
        }
        if (!entry.authorized) throw new HttpError(401, 'a valid API key is required');
        const out = await route(method, url, req);
        // The request takes effect when it arrives, the answer comes after the latency: a client that
        // dies meanwhile has changed the index without knowing it (the case intents exist for).
        if (latency) await clock.sleep(latency);
        if (fault) {
          // The work was done but the client is told it failed: the ambiguous case retries must survive.
          injected++;
          entry.status = fault.status;
          entry.fault = 'after';
          sendError(res, fault.status, 'injected fault after processing');
          return;
        }
        entry.status = out.status;
        send(res, out.status, out.body);
      } catch (err) {
        const e = err instanceof HttpError ? err : new HttpError(500, 'internal error');
        if (!(err instanceof HttpError)) log.error('clarify sim failure', { err });
        entry.status = e.status;
        sendError(res, e.status, e.message, e.field);
      }
    })();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    bundles,
    requests,
    faults,
    setLatency(ms) {
      latency = ms;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
