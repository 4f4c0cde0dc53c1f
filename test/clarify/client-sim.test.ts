import { Agent, RetryAgent } from 'undici';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClarifyClient } from '../../src/clarify/client.js';
import {
  ClarifyApiError,
  ClarifyAuthError,
  ClarifyConflictError,
  ClarifyNotFoundError,
  ClarifyValidationError,
} from '../../src/clarify/errors.js';
import {
  BundleSchema,
  CollectionSchema,
  MetadataSchema,
  RefSchema,
  TracksSchema,
} from '../../src/clarify/schemas.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { type ClarifySim, startClarifySim } from '../../src/sim/clarify/index.js';
import { clientFor, closeAgents, fixture, instantClock } from '../sync/helpers.js';

/** Keys and value types, recursively (arrays by their first element); `data` is free-form. */
function shape(v: unknown, path = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (x: unknown, p: string) => {
    if (Array.isArray(x)) {
      out[p] = 'array';
      if (x.length) walk(x[0], `${p}[]`);
    } else if (x && typeof x === 'object') {
      out[p] = 'object';
      if (p.endsWith('.data')) return;
      for (const [k, y] of Object.entries(x)) walk(y, `${p}.${k}`);
    } else out[p] = x === null ? 'null' : typeof x;
  };
  walk(v, path);
  return out;
}

let sim: ClarifySim;
beforeEach(async () => {
  sim = await startClarifySim({ seed: 42 });
});
afterEach(async () => {
  await sim.close();
});
afterAll(closeAgents);

async function raw(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${sim.apiKey}`, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as unknown) };
}

describe('fixtures', () => {
  it('parses every published Clarify response as it is', () => {
    expect(BundleSchema.parse(fixture('clarify/bundle.json')).id).toBe('bd9f12f93d3a4f63a89b4d249427d55f');
    const emb = BundleSchema.parse(fixture('clarify/bundle_embedded.json'));
    expect(emb._embedded?.['clarify:metadata']?.data).toEqual({ name: 'Dorothy and Wizard of Oz Chapter 1' });
    expect(emb._embedded?.['clarify:tracks']?.tracks).toHaveLength(1);
    expect(RefSchema.parse(fixture('clarify/bundle_ref.json'))._class).toBe('Ref');
    const page = CollectionSchema.parse(fixture('clarify/bundles_1.json'));
    expect(page._links.next?.href).toContain('iterator=');
    expect(MetadataSchema.parse(fixture('clarify/metadata.json')).version).toBe(1);
    expect(TracksSchema.parse(fixture('clarify/tracks.json')).tracks[0]?.media_code).toBe(1000);
  });
});

describe('simulator shapes match the fixtures', () => {
  it('bundle, embedded bundle, Ref, metadata, tracks and a list page have the same keys and types', async () => {
    const created = await raw('/v1/bundles', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        name: 'Dorothy',
        media_url: 'https://media.example/a.mp3',
        metadata: JSON.stringify({ name: 'Dorothy' }),
      }).toString(),
    });
    expect(created.status).toBe(201);
    expect(shape(created.body)).toEqual(shape(fixture('clarify/bundle_ref.json')));
    const id = (created.body as { id: string }).id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);

    expect(shape((await raw(`/v1/bundles/${id}`)).body)).toEqual(shape(fixture('clarify/bundle.json')));
    expect(shape((await raw(`/v1/bundles/${id}/metadata`)).body)).toEqual(
      shape(fixture('clarify/metadata.json')),
    );
    expect(shape((await raw(`/v1/bundles/${id}/tracks`)).body)).toEqual(
      shape(fixture('clarify/tracks.json')),
    );

    const embedded = shape((await raw(`/v1/bundles/${id}?embed=tracks,metadata`)).body);
    const want = shape(fixture('clarify/bundle_embedded.json'));
    // The simulator does not model insights; everything else must match.
    for (const k of Object.keys(want)) if (k.startsWith('._embedded.clarify:insights')) delete want[k];
    expect(embedded).toEqual(want);

    for (let i = 0; i < 15; i++) sim.bundles.add({ name: `b${i}` });
    expect(shape((await raw('/v1/bundles')).body)).toEqual(shape(fixture('clarify/bundles_1.json')));
  });

  it('answers errors with Clarify error bodies', async () => {
    const res = await raw('/v1/bundles/nothex');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 'Bad Request',
      code: 400,
      message: 'the value of bundle_id must be a valid GUID',
      errors: [{ field: 'bundle_id' }],
      _class: 'Error',
    });
  });
});

describe('ClarifyClient against the simulator', () => {
  it('lists every bundle with metadata, re-adding embed and limit on next links', async () => {
    for (let i = 0; i < 250; i++) sim.bundles.add({ name: `b${i}`, external_id: `v${i}`, data: { n: i } });
    const pages: number[] = [];
    const bundles = await clientFor(sim).listBundles((fetched) => pages.push(fetched));
    expect(bundles).toHaveLength(250);
    expect(new Set(bundles.map((b) => b.id)).size).toBe(250);
    expect(bundles[249]?._embedded?.['clarify:metadata']?.data).toEqual({ n: 249 });
    expect(pages).toEqual([100, 200, 250]);
    const lists = sim.requests.filter((r) => r.path === '/v1/bundles');
    expect(lists).toHaveLength(3);
    for (const r of lists) expect(r.query).toMatchObject({ limit: '100', embed: 'items,metadata' });
    expect(lists[1]?.query.iterator).toMatch(/^L1aa[0-9a-f]{32}h\d+$/);
  });

  it('creates, reads and replaces metadata with version, and deletes', async () => {
    const client = clientFor(sim);
    const ref = await client.createBundle({
      name: 'Seals',
      media_url: 'https://cdn.example/720.mp4',
      metadata: { name: 'Seals', tags: ['a'] },
      external_id: '6301',
    });
    const md = await client.getMetadata(ref.id);
    expect(md.data).toEqual({ name: 'Seals', tags: ['a'] });
    await client.putMetadata(ref.id, { name: 'Seals 2' }, md.version);
    expect(sim.bundles.get(ref.id)?.metadata.data).toEqual({ name: 'Seals 2' });
    await expect(client.putMetadata(ref.id, { name: 'stale' }, md.version)).rejects.toBeInstanceOf(
      ClarifyConflictError,
    );
    expect(sim.bundles.get(ref.id)?.metadata.data).toEqual({ name: 'Seals 2' });
    expect((await client.findBundlesByExternalId('6301')).map((b) => b.id)).toEqual([ref.id]);
    await client.deleteBundle(ref.id);
    expect(sim.bundles.get(ref.id)).toBeUndefined();
    await expect(client.deleteBundle(ref.id)).rejects.toBeInstanceOf(ClarifyNotFoundError);
  });

  it('refuses metadata over the documented limits with a 400 and the error body', async () => {
    const client = clientFor(sim);
    const cases: Record<string, unknown>[] = [
      { long: 'x'.repeat(2001) },
      { tags: ['y'.repeat(129)] },
      Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])),
      { a: 'x'.repeat(1990), b: 'x'.repeat(1990), c: 'x'.repeat(100) },
      { _private: 1 },
      { 'bad-key': 1 },
      { null: 1 },
      { nested: { a: 1 } },
      { n: null },
    ];
    for (const data of cases) {
      const err = await client
        .createBundle({ metadata: data as Record<string, string> })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(err, JSON.stringify(data).slice(0, 60)).toBeInstanceOf(ClarifyValidationError);
      expect((err as ClarifyValidationError).body?.errors?.[0]?.field).toBe('metadata');
    }
    await expect(client.createBundle({ name: 'n'.repeat(129) })).rejects.toBeInstanceOf(
      ClarifyValidationError,
    );
    expect(sim.bundles.size).toBe(0);
    // At the limits exactly, it is accepted.
    await client.createBundle({
      name: 'n'.repeat(128),
      metadata: { long: 'x'.repeat(2000), tags: ['y'.repeat(128)] },
    });
    expect(sim.bundles.size).toBe(1);
  });

  it('bug §3.14 infinite retries: gives up after a bounded number of attempts on persistent 503', async () => {
    sim.faults.failNext(1000, 503);
    const client = clientFor(sim, { maxAttempts: 4 });
    const err = await client.listBundles().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClarifyApiError);
    expect((err as ClarifyApiError).status).toBe(503);
    expect(sim.requests).toHaveLength(4);
  });

  it('bug §3.14 no Clarify retries: rides out a few 429/5xx, honouring Retry-After via the clock', async () => {
    sim.bundles.add({ external_id: 'v1' });
    sim.faults.failNext(1, 429, { retryAfterSec: 7 });
    sim.faults.failNext(2, 500);
    const slept: number[] = [];
    const client = clientFor(sim, {
      maxAttempts: 4,
      backoffMs: 100,
      clock: { now: () => new Date(), sleep: async (ms) => void slept.push(ms) },
    });
    expect(await client.listBundles()).toHaveLength(1);
    expect(slept).toEqual([7000, 200, 400]);
  });

  it('does not resend a POST after an ambiguous 5xx (the caller checks first), but does after a 429', async () => {
    const client = clientFor(sim, { maxAttempts: 3 });
    sim.faults.failNext(1, 503, { afterProcessing: true });
    await expect(client.createBundle({ external_id: 'v1' })).rejects.toMatchObject({ status: 503 });
    expect(sim.bundles.size).toBe(1);
    sim.faults.failNext(1, 429);
    await client.createBundle({ external_id: 'v2' });
    expect(sim.bundles.size).toBe(2);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
  });

  it('bug §3.14 json before status: an HTML 502 from a proxy becomes a clear typed error', async () => {
    sim.faults.failNext(1, 502);
    const err = await clientFor(sim, { maxAttempts: 1 })
      .listBundles()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClarifyApiError);
    expect((err as Error).message).toContain('502');
    expect((err as Error).message).toContain('Bad Gateway');
  });

  it('bug §3.15 missing CLARIFY_API_KEY: refuses to start with a message that names the variable', () => {
    expect(() => new ClarifyClient({ baseUrl: sim.url, apiKey: '' })).toThrow(/CLARIFY_API_KEY/);
  });

  it('bug §3.18 key sent as query string: every call carries the Bearer header and no key in the URL', async () => {
    const client = clientFor(sim);
    const ref = await client.createBundle({ external_id: 'v1' });
    await client.getMetadata(ref.id);
    await client.listBundles();
    await client.deleteBundle(ref.id);
    expect(sim.requests.length).toBe(4);
    for (const r of sim.requests) {
      expect(r.authorized).toBe(true);
      expect(JSON.stringify(r.query)).not.toContain(sim.apiKey);
    }
    const bad = new ClarifyClient({ baseUrl: sim.url, apiKey: 'wrong-key', clock: instantClock });
    await expect(bad.listBundles()).rejects.toBeInstanceOf(ClarifyAuthError);
  });

  it('works through an undici RetryAgent (the shared dispatcher kind) without double-creating', async () => {
    const agent = new Agent();
    const dispatcher = new RetryAgent(agent, {
      maxRetries: 3,
      minTimeout: 0,
      maxTimeout: 0,
      timeoutFactor: 1,
    });
    const client = new ClarifyClient({ baseUrl: sim.url, apiKey: sim.apiKey, dispatcher, maxAttempts: 1 });
    sim.bundles.add({ external_id: 'v0' });
    sim.faults.failNext(2, 503);
    expect(await client.listBundles()).toHaveLength(1);
    expect(sim.requests).toHaveLength(3);
    await agent.close();
  });

  it("one retry policy: through the app's dispatcher a failing GET is sent 1 + 4 times, not 4 × 5", async () => {
    const dispatcher = createHttpDispatcher({
      env: {},
      retry: { maxRetries: 4, minTimeoutMs: 1, maxTimeoutMs: 2 },
    });
    const client = new ClarifyClient({
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      dispatcher,
      dispatcherRetries: true,
      clock: instantClock,
      backoffMs: 0,
    });
    sim.faults.failNext(50, 503);
    const before = sim.requests.length;
    await expect(client.listBundles()).rejects.toThrow();
    expect(sim.requests.length - before).toBe(5);
    await dispatcher.close();
  });
});
