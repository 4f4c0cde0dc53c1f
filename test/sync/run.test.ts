import type { Dispatcher } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { type CmsClient, createBrightcove } from '../../src/brightcove/index.js';
import { ManualClock } from '../../src/clock.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { type ClarifySim, startClarifySim } from '../../src/sim/clarify/index.js';
import { seededRng } from '../../src/sim/data/rng.js';
import { collectPlan, runApply } from '../../src/sync/run.js';
import { ClarifyTarget } from '../../src/sync/targets/clarify/target.js';
import { clientFor, closeAgents, instantClock } from './helpers.js';

const dispatchers: Dispatcher[] = [];
afterAll(async () => {
  await closeAgents();
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
});

function cmsFor(bc: BrightcoveSim): CmsClient {
  const dispatcher = createHttpDispatcher({ retry: { maxRetries: 6, minTimeoutMs: 1, maxTimeoutMs: 5 } });
  dispatchers.push(dispatcher);
  const brightcove = createBrightcove({
    endpoints: bc.urls,
    dispatcher,
    clock: instantClock,
    // The simulator does not enforce limits here: keep the test fast.
    limits: { cmsRequestsPerInterval: 50, cmsIntervalMs: 0, cmsConcurrency: 50 },
  });
  const acc = bc.data.accounts[0]!;
  const cred = bc.data.credentials.find((c) => c.accounts.includes(acc.id))!;
  return brightcove.cms({
    id: acc.id,
    credentials: { clientId: cred.clientId, clientSecret: cred.clientSecret },
  });
}

/** Every library video has its bundle: anything the plan wants to delete comes from drift or real deletes. */
function mirror(bc: BrightcoveSim, clarify: ClarifySim) {
  const acc = bc.data.accounts[0]!.id;
  for (const v of bc.data.videos[acc]!) clarify.bundles.add({ name: v.name, external_id: v.id });
}

describe('paging drift', () => {
  it('over many seeded runs with 3% deleted and 3% inserted while listing, never deletes a bundle whose video exists', async () => {
    let falseCandidates = 0;
    let realDeletes = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const bc = await startBrightcoveSim({
        seed,
        dataset: { seed, videosPerAccount: 100, analyticsDays: 0 },
      });
      const clarify = await startClarifySim({ seed });
      try {
        mirror(bc, clarify);
        const acc = bc.data.accounts[0]!.id;
        const rng = seededRng(seed * 7919);
        const n = bc.data.videos[acc]!.length;
        const churn = Math.max(1, Math.round(n * 0.03));
        let deleted = 0;
        let inserted = 0;
        bc.faults.onListPage = (account) => {
          if (account !== acc) return;
          // Spread the 3% + 3% over the walk: one change of each kind per page, at random positions.
          if (deleted < churn) {
            const list = bc.data.videos[acc]!;
            const victim = list[Math.floor(rng() * list.length)]!;
            bc.cms.deleteVideo(acc, victim.id);
            deleted++;
          }
          if (inserted < churn) {
            bc.cms.addVideo(acc, { name: `inserted ${seed}-${inserted}` });
            inserted++;
          }
        };
        const cms = cmsFor(bc);
        const target = new ClarifyTarget(clientFor(clarify));
        const { plan } = await collectPlan({ cms, target, listOptions: { pageSize: 10 } });
        bc.faults.onListPage = undefined;
        const library = new Set(bc.data.videos[acc]!.map((v) => v.id));
        falseCandidates += plan.deletes.filter((d) => library.has(d.videoId)).length;
        const summary = await runApply(plan, {
          cms,
          target,
          flags: { applyCreatesUpdates: false, applyDeletes: true },
          clock: instantClock,
          backoffMs: 0,
        });
        realDeletes += summary.deleted.length;
        expect(summary.failed).toEqual([]);
        // The invariant: every library video still has its bundle.
        for (const id of library) {
          if (id.startsWith('64')) continue; // inserted during the walk: no bundle yet
          expect(clarify.bundles.byExternalId(id), `seed ${seed} video ${id}`).toHaveLength(1);
        }
        for (const k of summary.notDeletedVideoExists) expect(library.has(k.videoId)).toBe(true);
      } finally {
        await bc.close();
        await clarify.close();
      }
    }
    // The test only means something if drift really produced false delete candidates.
    expect(falseCandidates).toBeGreaterThan(0);
    expect(realDeletes).toBeGreaterThan(0);
  }, 60_000);
});

describe('faults on both APIs', () => {
  it('with 10% 429/5xx on the CMS and Clarify, the plan and the applied result equal a clean run', async () => {
    const run = async (faulty: boolean) => {
      // Same clock, same seeds: the two libraries and bundle sets are identical.
      const clock = new ManualClock('2026-11-21T12:00:00Z');
      const bc = await startBrightcoveSim({
        clock,
        seed: 5,
        dataset: { seed: 5, videosPerAccount: 60, analyticsDays: 0 },
      });
      const clarify = await startClarifySim({ seed: 5, clock });
      try {
        const acc = bc.data.accounts[0]!.id;
        const videos = bc.data.videos[acc]!;
        for (const v of videos.slice(0, 20))
          clarify.bundles.add({ name: 'stale', external_id: v.id, data: {} });
        for (let i = 0; i < 5; i++)
          clarify.bundles.add({ name: `gone ${i}`, external_id: `999000000000${i}` });
        if (faulty) {
          bc.faults.errorRate = 0.1;
          bc.faults.errorStatus = 503;
          bc.faults.next429 = { cms: 3 };
          clarify.faults.setRate(0.1, { seed: 11, statuses: [429, 500, 502, 503] });
        }
        const cms = cmsFor(bc);
        const target = new ClarifyTarget(clientFor(clarify, { maxAttempts: 8 }));
        const { plan, mediaFailures } = await collectPlan({ cms, target, listOptions: { pageSize: 25 } });
        const summary = await runApply(plan, {
          cms,
          target,
          flags: { applyCreatesUpdates: true, applyDeletes: true },
          clock: instantClock,
          backoffMs: 0,
          attempts: 8,
        });
        const injected = bc.requests.filter((r) => r.status === 503 || r.status === 429).length;
        const state = clarify.bundles
          .all()
          .map(
            (b) => `${b.external_id}|${b.name}|${JSON.stringify(b.metadata.data)}|${b.media_urls.join(',')}`,
          )
          .sort();
        return { plan, summary, state, mediaFailures, injected: injected + clarify.faults.injected };
      } finally {
        await bc.close();
        await clarify.close();
      }
    };
    const clean = await run(false);
    const faulty = await run(true);
    expect(faulty.injected).toBeGreaterThan(10);
    expect(faulty.mediaFailures).toEqual([]);
    expect(faulty.plan.fingerprint).toBe(clean.plan.fingerprint);
    expect(faulty.plan.counts).toEqual(clean.plan.counts);
    expect(faulty.summary.failed).toEqual([]);
    expect(faulty.state).toEqual(clean.state);
    expect(clean.plan.counts.creates).toBeGreaterThan(5);
    expect(clean.summary.deleted).toHaveLength(5);
  }, 30_000);
});

describe('media once (issue 16 item 3)', () => {
  const run = async (mediaAgeMs: number) => {
    const bc = await startBrightcoveSim({
      seed: 9,
      dataset: { seed: 9, videosPerAccount: 35, analyticsDays: 0 },
    });
    const clarify = await startClarifySim({ seed: 9 });
    try {
      const acc = bc.data.accounts[0]!.id;
      const cms = cmsFor(bc);
      const target = new ClarifyTarget(clientFor(clarify));
      const { plan } = await collectPlan({ cms, target });
      const sources = () => bc.requests.filter((r) => /\/(sources|assets\/renditions)$/.test(r.path)).length;
      const planned = sources();
      // One video changes between the dry run and Apply: only its media is read again.
      const changed = plan.creates[3]!;
      const video = bc.data.videos[acc]!.find((v) => v.id === changed.videoId)!;
      video.updated_at = '2026-11-21T11:59:00.000Z';
      const before = bc.requests.length;
      const summary = await runApply(plan, {
        cms,
        target,
        flags: { applyCreatesUpdates: true, applyDeletes: false },
        mediaReadAt: instantClock.now().getTime() - mediaAgeMs,
        clock: instantClock,
        backoffMs: 0,
      });
      const applied = bc.requests.slice(before);
      return {
        plan,
        planned,
        summary,
        reread: applied.filter((r) => /\/(sources|assets\/renditions)$/.test(r.path)).length,
        lookups: applied.filter((r) => /\/videos\/[\d,]+$/.test(r.path)).length,
        urls: new Map(clarify.bundles.all().map((b) => [b.external_id, b.media_urls[0]])),
        changed: changed.videoId,
      };
    } finally {
      await bc.close();
      await clarify.close();
    }
  };

  it('Apply reuses the dry run media of unchanged videos: one lookup per 10 creates instead of one per create', async () => {
    const r = await run(60_000);
    const creates = r.plan.creates.length;
    expect(creates).toBeGreaterThan(20);
    expect(r.planned).toBeGreaterThanOrEqual(creates); // the dry run read every new video's media once
    expect(r.summary.created).toHaveLength(creates);
    expect(r.reread).toBe(1);
    expect(r.lookups).toBe(Math.ceil(creates / 10));
    for (const c of r.plan.creates)
      if (c.videoId !== r.changed) expect(r.urls.get(c.videoId)).toBe(c.mediaUrl);
  });

  it('a plan whose media URLs are older than their tokens live (5 h) reads every source again', async () => {
    const r = await run(6 * 3600_000);
    expect(r.reread).toBe(r.plan.creates.length);
    expect(r.lookups).toBe(0);
  });
});
