import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import type { BrightcoveSim } from '../../src/sim/brightcove/index.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import type { VideoNotice } from '../../src/sync/cursor.js';
import type { PlanRecord } from '../../src/sync/store.js';
import { approveDeletes as approveWithForm } from '../support/approve.js';
import { APPROVER, CHANNEL, type Harness, OPERATOR, startHarness } from '../support/harness.js';
import { startRelay } from '../support/relay.js';
import { planMessage } from '../support/sync.js';

/**
 * Incremental sync through the real app: a full first sync, then plans that ask the CMS only for what
 * changed, with CMS notifications delivered by the simulator through a relay to the app's webhook.
 */
describe('incremental sync', () => {
  let h: Harness;
  let bc: BrightcoveSim;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let neo: string;
  const clock = () => h.clock as ManualClock;

  beforeAll(async () => {
    relay = await startRelay();
    h = await startHarness({
      brightcove: { cmsNotifications: { retryBaseMs: 5, maxAttempts: 4 } },
      clarify: true,
      env: { PUBLIC_URL: relay.url },
      // No overlap: a video the cursor missed would stay missed, so the tests see it.
      extraYaml: 'sync:\n  incremental: { overlap_minutes: 0, full_every_hours: 24 }\n',
    });
    relay.target.url = h.app.url;
    bc = h.bc as BrightcoveSim;
    neo = h.config.accounts.find((a) => a.alias === 'neo')!.id;
    // start() subscribes in the background, account after account
    const subscribed = h.config.accounts.filter((a) => a.credentials);
    await vi.waitFor(
      () => expect(subscribed.every((a) => bc.cms.subscriptionsOf(a.id).length === 1)).toBe(true),
      { timeout: 5_000 },
    );
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => relay?.server.close(r));
  });

  const planOf = (msg: SimMessage) =>
    h.app.services.repos.pending.all().find((r) => r.ts === msg.ts) as PlanRecord;
  /** what the plan message shows (its blocks) */
  const shown = (msg: SimMessage) => JSON.stringify(msg.blocks);
  const notices = () => h.app.services.store.collection<VideoNotice>('sync_notices').all();
  const cmsRequests = () => bc.count({ api: 'cms' });
  const hookUrl = () => bc.cms.subscriptionsOf(neo)[0]!.endpoint;

  async function apply(msg: SimMessage): Promise<void> {
    await h.slack.click(OPERATOR, 'sync.apply', msg);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Creates and updates done')),
      15_000,
    );
  }

  async function approveDeletes(msg: SimMessage): Promise<void> {
    await approveWithForm(h.slack, APPROVER, msg);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Deletes done')),
      15_000,
    );
  }

  it('subscribes each account with credentials to video-change notifications once, with a per-account token', async () => {
    const subs = bc.cms.subscriptionsOf(neo);
    expect(subs).toHaveLength(1);
    expect(subs[0]!.events).toEqual(['video-change']);
    expect(subs[0]!.endpoint).toMatch(new RegExp(`^${relay.url}/hooks/cms/${neo}/[0-9a-f]{48}$`));
    const research = h.config.accounts.find((a) => a.alias === 'research')!.id;
    const other = bc.cms.subscriptionsOf(research)[0]?.endpoint;
    expect(other).toBeDefined();
    expect(other!.split('/').at(-1)).not.toBe(subs[0]!.endpoint.split('/').at(-1));
    // The token never reaches the audit log.
    const audit = h.app.services.store
      .collection<{ id: string; action: string }>('audit')
      .all()
      .filter((a) => a.action === 'subscribe');
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(subs[0]!.endpoint.split('/').at(-1));
  });

  it('the first sync lists everything and says why; once applied, an unchanged library costs two CMS requests', async () => {
    const first = await planMessage(h, 'sync neo');
    expect(shown(first)).toContain('Full listing: no earlier sync of this account is applied to clarify yet');
    await apply(first);
    const before = cmsRequests();
    const again = await planMessage(h, 'sync neo');
    expect(shown(again)).toContain('Incremental: videos changed since');
    expect(again.text).toMatch(/: 0 creates, 0 updates, 0 deletes/);
    // a count of the videos created before the cursor, the count and one empty page of changes
    expect(cmsRequests() - before).toBe(3);
  });

  it('finds a create, an update and (by notification) a delete made between two runs; the delete waits for an approver and a 404', async () => {
    const [kept, edited, removed] = bc.data.videos[neo]!;
    await clock().advance(60_000);
    const created = bc.cms.addVideo(neo, { name: 'Fresh upload' }, kept!.id);
    bc.cms.updateVideo(neo, edited!.id, { name: 'Edited title' });
    bc.cms.deleteVideo(neo, removed!.id);
    await bc.cms.notifier.flush();
    expect(notices().map((n) => n.videoId)).toEqual(
      expect.arrayContaining([created.id, edited!.id, removed!.id]),
    );

    const msg = await planMessage(h, 'sync neo');
    const plan = planOf(msg).data.plan;
    expect(plan.scan?.mode).toBe('incremental');
    expect(plan.creates.map((c) => c.videoId)).toEqual([created.id]);
    expect(plan.updates.map((u) => u.videoId)).toEqual([edited!.id]);
    expect(plan.deletes.map((d) => d.videoId)).toEqual([removed!.id]);
    // a notice is a candidate only: nothing was deleted yet
    expect(h.clarify!.bundles.byExternalId(removed!.id)).toHaveLength(1);

    await apply(msg);
    await approveDeletes(msg);
    expect(h.clarify!.bundles.byExternalId(removed!.id)).toHaveLength(0);
    expect(h.clarify!.bundles.byExternalId(created.id)).toHaveLength(1);
    expect(h.clarify!.bundles.byExternalId(edited!.id)[0]!.name).toBe('Edited title');
    expect(notices()).toEqual([]);

    const after = await planMessage(h, 'sync neo');
    expect(after.text).toMatch(/: 0 creates, 0 updates, 0 deletes/);
  });

  it('a video updated while the previous run was listing is found by the next run', async () => {
    const target = bc.data.videos[neo]!.at(-1)!;
    await clock().advance(60_000);
    bc.faults.onListPage = (account) => {
      if (account !== neo) return;
      bc.faults.onListPage = undefined;
      // after this page was served: the run saw the old title, and the clock moves on during the run
      setImmediate(() => {
        void (async () => {
          await clock().advance(30_000);
          bc.cms.updateVideo(neo, target.id, { name: 'Renamed mid-run' });
          await clock().advance(30_000);
        })();
      });
    };
    const during = await planMessage(h, 'sync neo --full');
    expect(planOf(during).data.plan.updates.map((u) => u.videoId)).not.toContain(target.id);
    await vi.waitFor(() => expect(target.name).toBe('Renamed mid-run'));
    // nothing to apply: the cursor moves to the start of that run, before the edit
    const next = await planMessage(h, 'sync neo');
    expect(planOf(next).data.plan.scan?.mode).toBe('incremental');
    expect(planOf(next).data.plan.updates.map((u) => u.videoId)).toEqual([target.id]);
    await apply(next);
  });

  it('a delete no notification names is found by the count check, which runs a full listing', async () => {
    const victim = bc.data.videos[neo]![0]!;
    // gone without a notification (as when PUBLIC_URL was not reachable)
    bc.data.videos[neo]!.splice(0, 1);
    const msg = await planMessage(h, 'sync neo');
    const plan = planOf(msg).data.plan;
    expect(plan.scan).toMatchObject({ mode: 'full' });
    expect(plan.scan?.reason).toMatch(
      /^count check: 1 video created before .* UTC is gone and notifications name 0$/,
    );
    expect(plan.deletes.map((d) => d.videoId)).toEqual([victim.id]);
    await approveDeletes(msg);
    expect(h.clarify!.bundles.byExternalId(victim.id)).toHaveLength(0);
  });

  it('runs a full reconciliation once a day and whenever --full asks', async () => {
    const forced = await planMessage(h, 'sync neo --full');
    expect(planOf(forced).data.plan.scan).toMatchObject({ mode: 'full', reason: 'asked for with --full' });
    await clock().advance(25 * 3_600_000);
    const msg = await planMessage(h, 'sync neo');
    expect(planOf(msg).data.plan.scan?.reason).toMatch(/^reconciliation: the last full sync started /);
    const next = await planMessage(h, 'sync neo');
    expect(planOf(next).data.plan.scan?.mode).toBe('incremental');
  });

  it('refuses a notification with a wrong or missing token and changes nothing; a right one only notes the video', async () => {
    const url = hookUrl();
    const base = url.slice(0, url.lastIndexOf('/'));
    const body = (video: string, account = neo) =>
      JSON.stringify({ account_id: account, event: 'video-change', video, version: 9, action: 'DELETE' });
    const post = (to: string, payload: string) =>
      fetch(`${h.app.url}${new URL(to).pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
    const existing = bc.data.videos[neo]![0]!;
    const wrong = await post(`${base}/${'0'.repeat(48)}`, body(existing.id));
    expect(wrong.status).toBe(404);
    expect((await post(base, body(existing.id))).status).toBe(404);
    expect((await post(`${base}/`, body(existing.id))).status).toBe(404);
    expect(notices()).toEqual([]);
    // the right token for another account's id in the payload: ignored
    const mismatch = await post(url, body(existing.id, '999'));
    expect(mismatch.status).toBe(200);
    expect(notices()).toEqual([]);
    // replayed, out of order: one notice; the video exists, so nothing is deleted
    for (const v of [12, 3, 12]) {
      const res = await post(url, body(existing.id).replace('"version":9', `"version":${v}`));
      expect(res.status).toBe(200);
    }
    expect(notices().map((n) => n.videoId)).toEqual([existing.id]);
    const msg = await planMessage(h, 'sync neo');
    expect(planOf(msg).data.plan.counts.deletes).toBe(0);
    expect(h.clarify!.bundles.byExternalId(existing.id)).toHaveLength(1);
    expect(notices()).toEqual([]);
  });
});
