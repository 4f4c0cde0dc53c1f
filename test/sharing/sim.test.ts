/**
 * gatherPreflight through the real CMS client against the CMS simulator: simulator states drive each rule,
 * and where the pre-flight predicts a failure, sharing anyway makes the simulator fail the same way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CmsVideo } from '../../src/brightcove/schemas.js';
import type { ManualClock } from '../../src/clock.js';
import { cmsPreflightDeps, nullIfNotFound, type SharingCms } from '../../src/sharing/cms-deps.js';
import { decideShare } from '../../src/sharing/decide.js';
import { gatherPreflight } from '../../src/sharing/gather.js';
import { checksFor, runPreflight } from '../../src/sharing/preflight.js';
import { resolveAffiliates } from '../../src/sharing/resolve.js';
import { type ShareStatus, trackShares } from '../../src/sharing/status.js';
import type { AffiliateRef, PreflightRule } from '../../src/sharing/types.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';
import { type Harness, startHarness } from '../brightcove/harness.js';

const MASTER = { id: ACCOUNT_IDS.neo, name: 'Neo Media' };
const NORTH: AffiliateRef = { id: ACCOUNT_IDS.neoNorth, name: 'Neo North' };
const SOUTH: AffiliateRef = { id: ACCOUNT_IDS.neoSouth, name: 'Neo South' };
const RESEARCH: AffiliateRef = { id: ACCOUNT_IDS.research, name: 'Research Lab' };
const ALIAS: Record<string, keyof typeof ACCOUNT_IDS> = {
  [ACCOUNT_IDS.neo]: 'neo',
  [ACCOUNT_IDS.neoNorth]: 'neoNorth',
  [ACCOUNT_IDS.neoSouth]: 'neoSouth',
  [ACCOUNT_IDS.research]: 'research',
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(shareDelayMs = 5_000) {
  h = await startHarness({
    dataset: { videosPerAccount: { neo: 3, 'neo-north': 2, 'neo-south': 2, research: 1 }, analyticsDays: 0 },
    shareDelayMs,
  });
  return h;
}

function cmsFor(harness: Harness, without: string[] = []) {
  return (id: string): SharingCms | undefined => {
    const alias = ALIAS[id];
    return alias && !without.includes(id) ? harness.bc.cms(harness.account(alias)) : undefined;
  };
}

let serial = 0;
function addMasterVideo(harness: Harness, fields: Partial<CmsVideo> = {}): CmsVideo {
  return harness.sim.cms.addVideo(ACCOUNT_IDS.neo, {
    name: 'Harbour seals',
    reference_id: `seal-test-${++serial}`,
    custom_fields: {},
    ...fields,
  });
}

async function preflight(
  harness: Harness,
  video: CmsVideo | string,
  affiliates: AffiliateRef[],
  without: string[] = [],
) {
  const deps = cmsPreflightDeps({
    master: MASTER,
    cmsFor: cmsFor(harness, without),
    geoEnabled: (id) => harness.sim.data.accounts.find((a) => a.id === id)?.geoEnabled,
  });
  return runPreflight(await gatherPreflight(deps, { video, affiliates }));
}

function level(report: Awaited<ReturnType<typeof preflight>>, affiliate: AffiliateRef, rule: PreflightRule) {
  return checksFor(report, affiliate.id).find((c) => c.rule === rule)?.level;
}

/** Let real loopback I/O run until the tracker waits on the manual clock (or settles). */
async function untilIdle(clock: ManualClock, settled: () => boolean) {
  for (let i = 0; i < 100_000 && !settled() && clock.pendingSleepers === 0; i++)
    await new Promise((r) => setImmediate(r));
}

async function track(harness: Harness, videoId: string, affiliates: AffiliateRef[]) {
  const master = harness.bc.cms(harness.account());
  const initial = await master.share(
    videoId,
    affiliates.map((a) => a.id),
  );
  const changes: ShareStatus[] = [];
  let settled = false;
  const run = trackShares({
    videoId,
    affiliates,
    clock: harness.clock,
    initial,
    getShare: (id) => nullIfNotFound(master.getShare(videoId, id)),
    getAcceptance: async (id, copy) => ({
      affiliateVideoState: (await harness.bc.cms(harness.account(ALIAS[id]!)).getVideo(copy)).state,
    }),
    onChange: (c) => {
      changes.push(c);
    },
  }).finally(() => {
    settled = true;
  });
  for (let i = 0; i < 200 && !settled; i++) {
    await untilIdle(harness.clock, () => settled);
    if (!settled) await harness.clock.advance(1_000);
  }
  expect(settled).toBe(true);
  return { result: await run, changes };
}

describe('pre-flight against the CMS simulator', () => {
  it('a clean video passes for every affiliate; the share completes, ACTIVE in North, PENDING in South', async () => {
    const harness = await start();
    const video = addMasterVideo(harness);
    const members = await harness.bc.cms(harness.account()).listMembers();
    const affiliates = resolveAffiliates('neo north, Neo South', {
      master: MASTER,
      accounts: [],
      members,
    });
    expect(affiliates.map((a) => a.id)).toEqual([NORTH.id, SOUTH.id]);
    const report = await preflight(harness, video.id, affiliates);
    expect(report.level).toBe('pass');
    expect(report.affiliates[1]?.checks[0]?.reason).toMatch(/PENDING until Neo South accepts/);
    expect(decideShare(report).kind).toBe('share_now');

    const { result, changes } = await track(harness, video.id, affiliates);
    expect(result.finished).toBe(true);
    const final = Object.fromEntries(result.statuses.map((s) => [s.affiliate.id, s]));
    expect(final[NORTH.id]).toMatchObject({ state: 'complete', acceptance: 'accepted' });
    expect(final[SOUTH.id]).toMatchObject({ state: 'complete', acceptance: 'pending' });
    expect(final[SOUTH.id]?.affiliateVideoId).toMatch(/^\d+$/);
    expect(changes.filter((c) => c.state === 'processing')).toHaveLength(2);

    // shared now: a second pre-flight warns that re-sharing overwrites the affiliates' edits
    const again = await preflight(harness, video.id, affiliates);
    expect(level(again, NORTH, 'already_shared')).toBe('warning');
    expect(level(again, NORTH, 'reference_id')).toBe('pass'); // held by its own copy
    expect(decideShare(again).kind).toBe('needs_confirmation');

    // the copy in North cannot be passed on
    const copy = await harness.bc
      .cms(harness.account('neoNorth'))
      .getVideo(final[NORTH.id]!.affiliateVideoId!);
    expect(copy.sharing?.by_external_acct).toBe(true);
    const deps = cmsPreflightDeps({ master: { id: NORTH.id, name: 'Neo North' }, cmsFor: cmsFor(harness) });
    const fromCopy = runPreflight(await gatherPreflight(deps, { video: copy.id, affiliates: [SOUTH] }));
    expect(fromCopy.videoChecks.find((c) => c.rule === 'not_shared_in')?.level).toBe('blocker');
  });

  it('predicts the simulator’s late errors: custom fields and reference id (and sharing anyway fails the same way)', async () => {
    const harness = await start(1_000);
    const master = harness.bc.cms(harness.account());
    await master.updateChannel({ enforce_custom_fields: true });
    const clash = harness.sim.cms.addVideo(ACCOUNT_IDS.neoNorth, {
      name: 'Other seals',
      reference_id: 'seal-clash',
    });
    const video = addMasterVideo(harness, {
      reference_id: 'seal-clash',
      custom_fields: { subject: 'Mammals' },
    });

    const report = await preflight(harness, video.id, [NORTH, SOUTH]);
    expect(level(report, SOUTH, 'custom_fields')).toBe('blocker');
    expect(level(report, NORTH, 'custom_fields')).toBe('pass');
    expect(level(report, NORTH, 'reference_id')).toBe('blocker');
    expect(checksFor(report, NORTH.id).find((c) => c.rule === 'reference_id')?.reason).toContain(clash.id);
    expect(level(report, SOUTH, 'reference_id')).toBe('pass');
    expect(decideShare(report).kind).toBe('blocked');

    const { result } = await track(harness, video.id, [NORTH, SOUTH]);
    const codes = Object.fromEntries(
      result.statuses.map((s) => [s.affiliate.id, s.errors.map((e) => e.code)]),
    );
    expect(codes).toEqual({ [NORTH.id]: ['REFERENCE_ID_IN_USE'], [SOUTH.id]: ['MISSING_CUSTOM_FIELDS'] });
    expect(result.statuses.every((s) => s.state === 'failed')).toBe(true);
  });

  it('membership: a non-member and a member that has not approved are blocked', async () => {
    const harness = await start();
    const video = addMasterVideo(harness);
    expect(level(await preflight(harness, video.id, [RESEARCH]), RESEARCH, 'channel_member')).toBe('blocker');
    await harness.bc.cms(harness.account()).addMember(RESEARCH.id);
    const report = await preflight(harness, video.id, [RESEARCH]);
    const check = checksFor(report, RESEARCH.id).find((c) => c.rule === 'channel_member');
    expect(check).toMatchObject({ level: 'blocker' });
    expect(check?.reason).toMatch(/hasn't accepted/);
  });

  it('video states: untranscoded and live videos are blocked', async () => {
    const harness = await start();
    const raw = addMasterVideo(harness, { complete: false });
    const live = addMasterVideo(harness, { delivery_type: 'live_origin' });
    expect(
      (await preflight(harness, raw.id, [NORTH])).videoChecks.find((c) => c.rule === 'transcoded')?.level,
    ).toBe('blocker');
    expect(
      (await preflight(harness, live.id, [NORTH])).videoChecks.find((c) => c.rule === 'not_live')?.level,
    ).toBe('blocker');
  });

  it('geo: enforce_geo with a restricted video blocks an affiliate without geo, and warns when unknown', async () => {
    const harness = await start();
    await harness.bc.cms(harness.account()).updateChannel({ enforce_geo: true });
    const video = addMasterVideo(harness, {
      geo: { countries: ['us'], exclude_countries: false, restricted: true },
    });
    expect(level(await preflight(harness, video.id, [NORTH]), NORTH, 'geo')).toBe('blocker');
    const deps = cmsPreflightDeps({ master: MASTER, cmsFor: cmsFor(harness) }); // no geo knowledge
    const report = runPreflight(await gatherPreflight(deps, { video: video.id, affiliates: [NORTH] }));
    expect(level(report, NORTH, 'geo')).toBe('warning');
  });

  it('without credentials for an affiliate, the reference id and enforced custom fields become warnings', async () => {
    const harness = await start();
    await harness.bc.cms(harness.account()).updateChannel({ enforce_custom_fields: true });
    const video = addMasterVideo(harness, { custom_fields: { subject: 'Birds' } });
    const report = await preflight(harness, video.id, [SOUTH], [SOUTH.id]);
    expect(level(report, SOUTH, 'reference_id')).toBe('warning');
    expect(level(report, SOUTH, 'custom_fields')).toBe('warning');
    expect(level(report, SOUTH, 'channel_member')).toBe('pass');
    expect(decideShare(report).kind).toBe('needs_confirmation');
    // no request went to South's account
    expect(harness.sim.count({ api: 'cms', account: SOUTH.id })).toBe(0);
    expect(harness.sim.count({ api: 'cms', account: MASTER.id })).toBeGreaterThan(0);
  });
});
