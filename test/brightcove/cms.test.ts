import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/brightcove/index.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

const small = {
  dataset: { videosPerAccount: { neo: 250, 'neo-north': 5, 'neo-south': 5, research: 5 }, analyticsDays: 0 },
};

describe('CMS listing', () => {
  it('lists the whole library with limit=100, sort=created_at, one page past the count, no 429 under enforced limits', async () => {
    // 1,500 videos: 16 pages + a count, more than one second's worth of requests
    const dataset = { videosPerAccount: { neo: 1500 }, analyticsDays: 0 };
    h = await startHarness(
      { dataset, enforceLimits: true },
      { cmsRequestsPerInterval: 10, cmsIntervalMs: 1000 },
    );
    const listing = h.bc.cms(h.account()).listVideos();
    const videos = await listing.toArray();
    expect(videos).toHaveLength(1500);
    expect(new Set(videos.map((v) => v.id)).size).toBe(1500);
    expect(listing.stats).toMatchObject({ count: 1500, unique: 1500, duplicates: 0, pages: 16 });
    const pages = h.sim.requests.filter((r) => r.path.endsWith('/videos') && !r.path.includes('/counts/'));
    expect(pages).toHaveLength(16);
    expect(pages.every((r) => r.query.limit === '100' && r.query.sort === 'created_at')).toBe(true);
    expect(h.sim.count({ status: 429 })).toBe(0);
    expect(h.sim.runtime.maxInFlight.cms.get(ACCOUNT_IDS.neo)).toBeLessThanOrEqual(20);
  });

  it('asks for the first page beside the count: it is needed whatever the count says', async () => {
    h = await startHarness(small);
    await h.bc.cms(h.account()).listVideos().toArray();
    const cms = h.sim.requests.filter((r) => r.api === 'cms');
    const firstTwo = cms
      .slice(0, 2)
      .map((r) => (r.path.includes('/counts/') ? 'count' : `page ${r.query.offset}`));
    expect(firstTwo.sort()).toEqual(['count', 'page 0']);
  });

  it('retries a 429 through the limiter: every attempt takes a rate-limit slot, as Brightcove counts it', async () => {
    h = await startHarness(
      { dataset: { videosPerAccount: { neo: 1500 }, analyticsDays: 0 }, enforceLimits: true },
      { cmsRequestsPerInterval: 10, cmsIntervalMs: 1000 },
    );
    h.sim.runtime.faults.next429.cms = 3;
    const account = h.account();
    const videos = await h.bc.cms(account).listVideos().toArray();
    expect(videos).toHaveLength(1500);
    const limiter = h.bc.context.limiters.cms(account.id);
    // 3 refused, then 17 served (16 pages and the count); a retry sent inside its first attempt's slot
    // was an arrival the limiter never counted
    expect(h.sim.count({ api: 'cms', status: 429 })).toBe(3);
    expect(h.sim.count({ api: 'cms' })).toBe(20);
    expect(limiter.started).toBe(20);
    // the 429s raised the margin (once: they came in one window)
    expect(limiter.marginMs).toBeGreaterThan(200);
  });

  it('does not stop on a short page and keeps reading past a stale count', async () => {
    h = await startHarness(small);
    let added = false;
    h.sim.faults.onListPage = (account, offset) => {
      if (account === ACCOUNT_IDS.neo && offset === 100 && !added) {
        added = true;
        for (let i = 0; i < 120; i++) h.sim.cms.addVideo(account, { name: `late ${i}` });
      }
    };
    const listing = h.bc.cms(h.account()).listVideos();
    const videos = await listing.toArray();
    expect(videos).toHaveLength(370);
    expect(listing.stats.count).toBe(250);
    expect(listing.stats.duplicates).toBe(0);
  });

  it('de-duplicates when a deletion shifts items between pages', async () => {
    h = await startHarness(small);
    let removed = false;
    h.sim.faults.onListPage = (account, offset) => {
      if (account === ACCOUNT_IDS.neo && offset === 200 && !removed) {
        removed = true;
        // a page fetched after the deletion repeats nothing but may skip; an insertion at the front duplicates
        h.sim.cms.videosOf(account).unshift({
          ...h.sim.cms.videosOf(account)[0]!,
          id: '6999999999001',
          created_at: '2000-01-01T00:00:00.000Z',
        });
      }
    };
    const listing = h.bc.cms(h.account()).listVideos();
    const videos = await listing.toArray();
    expect(new Set(videos.map((v) => v.id)).size).toBe(videos.length);
    expect(listing.stats.duplicates).toBeGreaterThan(0);
  });

  it('splits the walk into created_at windows and still returns every video once', async () => {
    h = await startHarness(small);
    const listing = h.bc.cms(h.account()).listVideos({ windows: 4 });
    const videos = await listing.toArray();
    expect(listing.stats.windows).toBe(4);
    expect(new Set(videos.map((v) => v.id)).size).toBe(250);
    expect(h.sim.requests.some((r) => r.query.q?.includes('+created_at:'))).toBe(true);
  });

  it('stops spending requests when the consumer stops iterating', async () => {
    h = await startHarness(small, { cmsConcurrency: 1, cmsIntervalMs: 0 });
    for await (const _ of h.bc.cms(h.account()).listVideos()) break;
    await new Promise((r) => setTimeout(r, 50));
    const pages = h.sim.requests.filter((r) => r.path.endsWith('/videos') && !r.path.includes('/counts/'));
    expect(pages.length).toBeLessThan(4); // 3 pages + 1 past the count were planned
  });

  it('requests only a bounded look-ahead of pages beyond what the consumer has taken', async () => {
    // Regression: every page was queued at once and kept alive until the walk ended (530 MB at 100k videos).
    const dataset = { videosPerAccount: { neo: 2000 }, analyticsDays: 0 };
    h = await startHarness({ dataset }, { cmsRequestsPerInterval: 100, cmsIntervalMs: 0 });
    const pageRequests = () =>
      h.sim.requests.filter((r) => r.path.endsWith('/videos') && !r.path.includes('/counts/')).length;
    let taken = 0;
    let maxAhead = 0;
    for await (const _ of h.bc.cms(h.account()).listVideos({ lookahead: 3 })) {
      taken++;
      if (taken % 100 === 1) {
        await new Promise((r) => setTimeout(r, 20)); // a slow consumer: the walk must wait for it
        maxAhead = Math.max(maxAhead, pageRequests() - Math.ceil(taken / 100));
      }
    }
    expect(taken).toBe(2000);
    expect(maxAhead).toBeLessThanOrEqual(3);
    expect(maxAhead).toBeGreaterThan(0);
  });

  it('lists a q search', async () => {
    h = await startHarness(small);
    const expected = h.sim.data.videos[ACCOUNT_IDS.neo]!.filter((v) => v.tags.includes('news')).length;
    const videos = await h.bc.cms(h.account()).listVideos({ q: 'tags:news' }).toArray();
    expect(videos).toHaveLength(expected);
    expect(expected).toBeGreaterThan(0);
  });
});

describe('CMS reads', () => {
  it('gets videos by id in chunks of at most 10, skipping unknown ids', async () => {
    h = await startHarness(small);
    const ids = h.sim.data.videos[ACCOUNT_IDS.neo]!.slice(0, 23).map((v) => v.id);
    const videos = await h.bc.cms(h.account()).getVideos([...ids, '1']);
    expect(videos.map((v) => v.id)).toEqual(ids);
    const gets = h.sim.requests.filter((r) => /\/videos\/\d/.test(r.path));
    expect(gets).toHaveLength(3);
    expect(gets.every((r) => r.path.split('/').pop()!.split(',').length <= 10)).toBe(true);
  });

  it('gets by id and by ref:, and maps 404 to NotFoundError', async () => {
    h = await startHarness(small);
    const cms = h.bc.cms(h.account());
    const withRef = h.sim.data.videos[ACCOUNT_IDS.neo]!.find((v) => v.reference_id)!;
    expect((await cms.getVideoByRef(withRef.reference_id!)).id).toBe(withRef.id);
    expect((await cms.getVideo(withRef.id)).name).toBe(withRef.name);
    const err = await cms.getVideo('123').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).errorCode).toBe('RESOURCE_NOT_FOUND');
  });

  it('reads sources, renditions with remote_url, and video_fields', async () => {
    h = await startHarness(small);
    const cms = h.bc.cms(h.account());
    const remote = h.sim.data.videos[ACCOUNT_IDS.neo]!.find((v) => v.delivery_type === 'remote')!;
    const renditions = await cms.getRenditions(remote.id);
    expect(renditions[0]?.remote_url).toMatch(/^https:\/\/media\.partner\.example/);
    const sources = await cms.getSources(remote.id);
    expect(sources[0]?.remote).toBe(true);
    const fields = await cms.getVideoFields();
    expect(fields.custom_fields.map((f) => f.id)).toContain('subject');
  });

  it('maps a reference-id clash to ConflictError with Brightcove’s code, and a bad custom field to ValidationError', async () => {
    h = await startHarness(small);
    const cms = h.bc.cms(h.account());
    const [a, b] = h.sim.data.videos[ACCOUNT_IDS.neo]!.filter((v) => v.reference_id);
    const conflict = await cms.updateVideo(a!.id, { reference_id: b!.reference_id }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).errorCode).toBe('REFERENCE_ID_IN_USE');
    const invalid = await cms.updateVideo(a!.id, { custom_fields: { nope: 'x' } }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as Error).message).toContain('custom_fields.nope: ILLEGAL_FIELD');
  });
});

describe('CMS media sharing', () => {
  it('channel, members and contracts', async () => {
    h = await startHarness(small);
    const master = h.bc.cms(h.account());
    expect((await master.getChannel()).name).toBe('default');
    expect((await master.updateChannel({ enforce_custom_fields: true })).enforce_custom_fields).toBe(true);
    expect((await master.listMembers()).map((m) => m.account_id)).toEqual([
      ACCOUNT_IDS.neoNorth,
      ACCOUNT_IDS.neoSouth,
    ]);
    await master.addMember(ACCOUNT_IDS.research);
    const research = h.bc.cms(h.account('research'));
    const contract = await research.getContract(ACCOUNT_IDS.neo);
    expect(contract).toMatchObject({ approved: false, auto_accept: false });
    expect((await research.updateContract(ACCOUNT_IDS.neo, { approved: true })).approved_at).toBeTruthy();
    await master.removeMember(ACCOUNT_IDS.research);
    expect(await master.listMembers()).toHaveLength(2);
  });

  it('share: PROCESSING, then COMPLETE with an ACTIVE copy (auto-accept) or a PENDING copy', async () => {
    h = await startHarness({ ...small, shareDelayMs: 5_000 });
    const master = h.bc.cms(h.account());
    const video = h.sim.data.videos[ACCOUNT_IDS.neo]!.find(
      (v) => v.reference_id && !v.custom_fields.subject,
    )!;
    const started = await master.share(video.id, [ACCOUNT_IDS.neoNorth, ACCOUNT_IDS.neoSouth]);
    expect(started.map((s) => s.status)).toEqual(['PROCESSING', 'PROCESSING']);
    expect(started[0]?.affiliate_video_id).toBeNull();
    await h.clock.advance(5_000);
    const north = await master.getShare(video.id, ACCOUNT_IDS.neoNorth);
    expect(north.status).toBe('COMPLETE');
    expect(north.error_message).toEqual([]);
    const copy = await h.bc.cms(h.account('neoNorth')).getVideo(north.affiliate_video_id!);
    expect(copy.state).toBe('ACTIVE');
    expect(copy.sharing).toMatchObject({
      by_external_acct: true,
      by_id: ACCOUNT_IDS.neo,
      source_id: video.id,
    });
    const south = await master.getShare(video.id, ACCOUNT_IDS.neoSouth);
    expect((await h.bc.cms(h.account('neoSouth')).getVideo(south.affiliate_video_id!)).state).toBe('PENDING');
    // a shared-in copy cannot be passed on (our fake-decision: synchronous 409 CONFLICT)
    const reshare = await h.bc
      .cms(h.account('neoNorth'))
      .share(copy.id, [ACCOUNT_IDS.neoSouth])
      .catch((e: unknown) => e);
    expect(reshare).toBeInstanceOf(ConflictError);
    await master.unshare(video.id, ACCOUNT_IDS.neoNorth);
    await expect(h.bc.cms(h.account('neoNorth')).getVideo(copy.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('share fails asynchronously with MISSING_CUSTOM_FIELDS when the channel enforces custom fields', async () => {
    h = await startHarness({ ...small, shareDelayMs: 1_000 });
    const master = h.bc.cms(h.account());
    await master.updateChannel({ enforce_custom_fields: true });
    const video = h.sim.data.videos[ACCOUNT_IDS.neo]!.find((v) => v.custom_fields.subject)!;
    await master.share(video.id, [ACCOUNT_IDS.neoSouth]);
    await h.clock.advance(1_000);
    const share = await master.getShare(video.id, ACCOUNT_IDS.neoSouth);
    expect(share.status).toBe('ERROR');
    expect(share.error_message[0]?.error_code).toBe('MISSING_CUSTOM_FIELDS');
    expect(share.error_message[0]?.error_message).toContain('subject');
  });
});
