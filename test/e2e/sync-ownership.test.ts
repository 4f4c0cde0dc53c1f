import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_KEY } from '../../src/sync/metadata.js';
import { approveDeletes } from '../support/approve.js';
import { APPROVER, CHANNEL, type Harness, OPERATOR, startHarness } from '../support/harness.js';
import { planMessage } from '../support/sync.js';

/**
 * One Clarify app serves several Brightcove accounts (issue 14: `sync neo-north` planned deletes of
 * every one of neo's bundles). A sync of one account must never plan or perform a write to another's
 * records; a record without an owner marker goes only when no configured account has its video.
 */
describe('sync: two accounts, one index', () => {
  let h: Harness;
  let neo: string;
  let north: string;
  const trueOrphan = '9990000000077';

  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
    neo = h.config.accounts.find((a) => a.alias === 'neo')!.id;
    north = h.config.accounts.find((a) => a.alias === 'neo-north')!.id;
    // What the original tool left behind: neo's videos mirrored without any owner marker, and one
    // bundle whose video no account has any more.
    for (const v of h.bc!.data.videos[neo]!.slice(0, 4))
      h.clarify!.bundles.add({ name: v.name, external_id: v.id, data: { name: 'old' } });
    h.clarify!.bundles.add({ name: 'gone everywhere', external_id: trueOrphan });
  });
  afterAll(async () => {
    await h?.close();
  });

  const writes = () => h.clarify!.requests.filter((r) => r.method !== 'GET');
  const snapshot = (account: string) =>
    JSON.stringify(
      h
        .clarify!.bundles.all()
        .filter((b) => b.metadata.data[OWNER_KEY] === account)
        .map((b) => [b.id, b.version, b.metadata.data]),
    );

  const waitSummary = (ts: string, prefix: string) =>
    h.slack.waitFor(() => h.slack.thread(CHANNEL, ts).find((m) => m.text.startsWith(prefix)), 20_000);

  it("plans neo's own records as its own and writes the owner marker on Apply", async () => {
    const msg = await planMessage(h, 'sync neo');
    await h.slack.click(OPERATOR, 'sync.apply', msg);
    await waitSummary(msg.ts, 'Creates and updates done');
    const neoVideos = new Set(h.bc!.data.videos[neo]!.map((v) => v.id));
    const mirrored = h.clarify!.bundles.all().filter((b) => b.external_id && neoVideos.has(b.external_id));
    expect(mirrored.length).toBeGreaterThan(4);
    // Created and updated (adopted) records alike now say whose they are.
    for (const b of mirrored) expect(b.metadata.data[OWNER_KEY]).toBe(neo);
  });

  it("`sync neo-north` plans no write to neo's records and deletes only the record no account has", async () => {
    const neoBefore = snapshot(neo);
    const writesBefore = writes().length;
    const msg = await planMessage(h, 'sync neo-north');
    const plan = h.app.services.sync.plans.get(h.app.services.repos.pending.all().at(-1)!.id)!.data.plan;
    const neoBundleIds = new Set(
      h
        .clarify!.bundles.all()
        .filter((b) => b.metadata.data[OWNER_KEY] === neo)
        .map((b) => b.id),
    );
    expect(plan.counts.otherAccounts).toBe(neoBundleIds.size);
    expect(plan.deletes.map((d) => d.videoId)).toEqual([trueOrphan]);
    expect(plan.updates.some((u) => neoBundleIds.has(u.recordId))).toBe(false);
    expect(msg.text).toContain('1 deletes');
    expect(JSON.stringify(msg.blocks)).toContain(`${neoBundleIds.size} owned by other accounts`);

    await h.slack.click(OPERATOR, 'sync.apply', msg);
    await waitSummary(msg.ts, 'Creates and updates done');
    await approveDeletes(h.slack, APPROVER, msg);
    const done = await waitSummary(msg.ts, 'Deletes done');
    expect(done.text).toContain('1 deleted');
    expect(h.clarify!.bundles.byExternalId(trueOrphan)).toHaveLength(0);
    // Before the legacy delete, every account was asked for the video, not only neo-north.
    for (const a of h.config.accounts)
      expect(
        h.bc!.requests.some(
          (r) => r.method === 'GET' && r.path.endsWith(`/accounts/${a.id}/videos/${trueOrphan}`),
        ),
      ).toBe(true);
    // neo's records were not touched by any write of north's sync.
    expect(snapshot(neo)).toBe(neoBefore);
    const northWrites = writes().slice(writesBefore);
    expect(northWrites.length).toBeGreaterThan(0);
    for (const w of northWrites.filter((r) => r.method !== 'POST'))
      expect([...neoBundleIds].some((id) => w.path.includes(id))).toBe(false);
    expect(snapshot(north)).not.toBe('[]');
  });

  it('keeps a legacy record whose video another account still has, even when this account lacks it', async () => {
    const neoVideo = h.bc!.data.videos[neo]![5]!;
    // A second, unmarked copy for a video of neo (e.g. left by the original tool): it is not neo-south's to delete.
    h.clarify!.bundles.add({ name: 'legacy copy', external_id: neoVideo.id, data: {} });
    const south = h.config.accounts.find((a) => a.alias === 'neo-south')!.id;
    expect(h.bc!.data.videos[south]!.some((v) => v.id === neoVideo.id)).toBe(false);
    await planMessage(h, 'sync neo-south');
    const plan = h.app.services.repos.pending.all().at(-1)!.data as {
      plan: { deletes: unknown[]; counts: { legacyKept: number } };
    };
    expect(plan.plan.deletes).toEqual([]);
    expect(plan.plan.counts.legacyKept).toBe(1);
  });
});
