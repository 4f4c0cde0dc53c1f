import { afterEach, describe, expect, it } from 'vitest';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { approveDeletes, clickAndSend } from '../support/approve.js';
import { APPROVER, CHANNEL, OPERATOR, SIGNING_SECRET } from '../support/harness.js';
import { planOn, startWorld, until, type World } from '../support/processes.js';

/**
 * kill -9 of a real app process in the middle of Apply and of approved deletes, then a restart on
 * the same state file (issue 14): no duplicate record, no lost audit entry, a summary that is true.
 */
describe('kill -9 during a sync, then a restart', () => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  const summary = (plan: SimMessage, prefix: string) =>
    w.slack.waitFor(() => w.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith(prefix)), 60_000);

  it('during Apply: the restarted app finishes it with no duplicate bundle', async () => {
    w = await startWorld('', { dataset: { videosPerAccount: 40, analyticsDays: 0 } });
    const neo = w.bc.data.accounts.find((a) => a.alias === 'neo')!.id;
    const first = await w.startApp();
    const plan = await planOn(w, first);
    const creates = Number(/(\d+) creates/.exec(plan.text)![1]);
    expect(creates).toBeGreaterThan(20);
    // Slow creates: several POSTs are in flight, sent but unanswered, when the process dies.
    w.clarify.setLatency(400);
    await w.slack.click(OPERATOR, 'sync.apply', plan);
    const posts = () => w.clarify.requests.filter((r) => r.method === 'POST').length;
    await until(() => posts() >= 6, 60_000, 'a few creates');
    await first.kill9();
    expect(posts()).toBeLessThan(creates);
    w.clarify.setLatency(0);

    const second = await w.startApp();
    w.slack.connectApp(`${second.url}/slack/events`, SIGNING_SECRET);
    const done = await summary(plan, 'Creates and updates done');
    const mirrored = w.clarify.bundles
      .all()
      .filter((b) => w.bc.data.videos[neo]!.some((v) => v.id === b.external_id));
    const perVideo = new Map<string, number>();
    for (const b of mirrored) perVideo.set(b.external_id!, (perVideo.get(b.external_id!) ?? 0) + 1);
    expect([...perVideo.values()].every((n) => n === 1)).toBe(true);
    expect(perVideo.size).toBe(creates);
    // The summary counts what the index holds: created now, plus created before the crash.
    const created = Number(/(\d+) created/.exec(done.text)![1]);
    const resumed = Number(/(\d+) done before a restart/.exec(done.text)?.[1] ?? '0');
    expect(created + resumed).toBe(creates);
  }, 180_000);

  it('during approved deletes: every delete is audited once, none twice, none lost', async () => {
    // Every record is an orphan here: lift the mass-delete guard, whose typed confirmation has its own test.
    w = await startWorld('sync:\n  mass_delete: { share: 1, count: 1000 }\n', {
      dataset: { videosPerAccount: 6, analyticsDays: 0 },
    });
    const orphans = Array.from({ length: 24 }, (_, i) => `99900000002${String(i).padStart(2, '0')}`);
    for (const id of orphans) w.clarify.bundles.add({ name: `gone ${id}`, external_id: id });
    const first = await w.startApp();
    const plan = await planOn(w, first);
    expect(plan.text).toContain(`${orphans.length} deletes`);
    w.bc.runtime.faults.latencyMs = 120;
    await approveDeletes(w.slack, APPROVER, plan);
    const deleted = () => w.clarify.requests.filter((r) => r.method === 'DELETE').length;
    await until(() => deleted() >= 4, 60_000, 'a few deletes');
    await first.kill9();
    expect(deleted()).toBeLessThan(orphans.length);
    w.bc.runtime.faults.latencyMs = 0;

    const second = await w.startApp();
    await summary(plan, 'Deletes done');
    for (const id of orphans) expect(w.clarify.bundles.byExternalId(id)).toHaveLength(0);
    await second.stop();
    const audit = (await w.state())
      .collection<{ id: string; action: string; target?: string }>('audit')
      .all()
      .filter((e) => e.action.startsWith('delete bundle'));
    expect(audit.map((e) => e.target).sort()).toEqual([...orphans].sort());
  }, 180_000);

  it('during a share: the restarted app sends the share the dead one never got through, once, and follows it', async () => {
    w = await startWorld('', { dataset: { videosPerAccount: 3, analyticsDays: 0 }, shareDelayMs: 0 });
    const neo = w.bc.data.accounts.find((a) => a.alias === 'neo')!.id;
    const north = w.bc.data.accounts.find((a) => a.alias === 'neo-north')!.id;
    const video = w.bc.cms.addVideo(neo, {
      name: 'Harbour seals at dusk',
      reference_id: 'crash-share-1',
      custom_fields: {},
      complete: true,
    });
    const shareCall = (method: string, path: string) =>
      method === 'POST' && path.endsWith(`/videos/${video.id}/shares`);
    const posts = () => w.bc.requests.filter((r) => shareCall(r.method, r.path));
    // The share call reaches nothing: the process dies while it waits.
    w.bc.runtime.faults.hangWhen = shareCall;
    const first = await w.startApp();
    w.slack.connectApp(`${first.url}/slack/events`, SIGNING_SECRET);
    const before = w.slack.channelMessages(CHANNEL).length;
    expect((await w.slack.slashCommand(`share ${video.id} to neo-north`, OPERATOR, CHANNEL)).status).toBe(
      200,
    );
    await until(() => posts().length === 1, 30_000, 'the share call');
    await first.kill9();
    w.bc.runtime.faults.hangWhen = undefined;
    const card = w.slack
      .channelMessages(CHANNEL)
      .slice(before)
      .find((m) => m.text.includes('request '))!;

    await w.startApp();
    const done = await w.slack.waitFor(
      () => {
        const m = w.slack.message(CHANNEL, card.ts);
        return m?.text.includes('Neo North: shared as') ? m : undefined;
      },
      60_000,
      'the share card to finish',
    );
    expect(posts()).toHaveLength(2);
    const copy = w.bc.data.shares[video.id]!.filter((sh) => sh.affiliate_id === north);
    expect(copy).toHaveLength(1);
    expect(done.text).toContain(`Neo North: shared as ${copy[0]!.affiliate_video_id}`);
  }, 180_000);
});

describe('kill -9 during a clip create, then a restart', () => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  const createCall = (method: string, path: string) => method === 'POST' && path === '/v1/vods';
  const creates = () => w.bc.requests.filter((r) => createCall(r.method, r.path)).length;
  const vodsLabelled = (label: string) => w.bc.data.vodJobs.filter((v) => v.label === label);

  /** Sends `/brightcove clip …` to a fresh app whose create call never gets an answer, then kills it. */
  async function clipThenCrash(
    label: string,
    window: string,
    fault: 'hangWhen' | 'hangAfterWhen',
  ): Promise<void> {
    w = await startWorld('', { dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    w.bc.runtime.faults[fault] = createCall;
    const first = await w.startApp();
    w.slack.connectApp(`${first.url}/slack/events`, SIGNING_SECRET);
    const job = w.bc.data.liveJobs[0]!.id;
    const command = `clip ${job} ${window} --name "${label}"`;
    expect((await w.slack.slashCommand(command, OPERATOR, CHANNEL)).status).toBe(200);
    await until(() => creates() === 1, 30_000, 'the create call');
    // With the answer lost, the clip job is made before the process dies.
    if (fault === 'hangAfterWhen')
      await until(() => w.bc.data.vodJobs.some((v) => v.label === label), 30_000, 'the clip job');
    await first.kill9();
    w.bc.runtime.faults[fault] = undefined;
    // The clip (if made) finishes while no app runs.
    await w.clock.advance(31_000);
  }

  const finishedCard = (label: string) =>
    w.slack.waitFor(
      () =>
        w.slack
          .channelMessages(CHANNEL)
          .find((m) => m.text.includes(`Clip "${label}"`) && m.text.endsWith('finished')),
      60_000,
      `the card of "${label}" to finish`,
    );

  it('made by Brightcove but the answer lost: the restart adopts it and sends nothing again', async () => {
    await clipThenCrash('Goal one', 'from 00:00:10 to 00:00:40', 'hangAfterWhen');
    expect(vodsLabelled('Goal one')).toHaveLength(1);
    await w.startApp();
    const card = await finishedCard('Goal one');
    expect(creates()).toBe(1);
    expect(vodsLabelled('Goal one')).toHaveLength(1);
    expect(card.text).toContain(`clip job ${vodsLabelled('Goal one')[0]!.jvod_id}`);
    const audit = (await w.state())
      .collection<{ id: string; action: string; command: string; outcome: string }>('audit')
      .all()
      .filter((e) => e.command === 'clip' && e.action === 'create');
    expect(audit.map((e) => e.outcome)).toEqual(['started']);
  }, 120_000);

  it('never received, a fixed window: the restart sends it once and follows it', async () => {
    await clipThenCrash('Goal two', 'from 00:00:10 to 00:00:40', 'hangWhen');
    expect(vodsLabelled('Goal two')).toHaveLength(0);
    await w.startApp();
    await until(() => vodsLabelled('Goal two').length === 1, 30_000, 'the clip sent again');
    await w.clock.advance(31_000);
    await finishedCard('Goal two');
    expect(creates()).toBe(2);
    expect(vodsLabelled('Goal two')).toHaveLength(1);
  }, 120_000);

  it('never received, "last 60s" of a live stream: not sent later, and the channel is told', async () => {
    await clipThenCrash('Goal three', 'last 60s', 'hangWhen');
    await w.startApp();
    const told = await w.slack.waitFor(
      () => w.slack.channelMessages(CHANNEL).find((m) => m.text.includes('was not made')),
      60_000,
      'the not-made message',
    );
    expect(told.text).toContain('Goal three');
    expect(told.text).toContain('Ask for the clip again');
    expect(creates()).toBe(1);
    expect(vodsLabelled('Goal three')).toHaveLength(0);
    const state = await w.state();
    expect(
      state
        .collection<{ id: string; kind: string }>('jobs')
        .all()
        .filter((r) => r.kind === 'clip-intent'),
    ).toEqual([]);
  }, 120_000);
});

describe('kill -9 during an approved unshare, then a restart', () => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  it("finishes the delete of the affiliate's copy once, audited once, and the card says so", async () => {
    w = await startWorld('', { dataset: { videosPerAccount: 1, analyticsDays: 0 }, shareDelayMs: 0 });
    const neo = w.bc.data.accounts.find((a) => a.alias === 'neo')!.id;
    const north = w.bc.data.accounts.find((a) => a.alias === 'neo-north')!.id;
    const video = w.bc.cms.addVideo(neo, {
      name: 'Kelp forest',
      reference_id: 'crash-unshare-1',
      custom_fields: {},
      complete: true,
    });
    const first = await w.startApp();
    w.slack.connectApp(`${first.url}/slack/events`, SIGNING_SECRET);
    await w.slack.slashCommand(`share ${video.id} to neo-north`, OPERATOR, CHANNEL);
    const shared = await w.slack.waitFor(
      () => w.slack.channelMessages(CHANNEL).find((m) => m.text.includes('Neo North: shared as')),
      60_000,
      'the share',
    );
    const copy = w.bc.data.shares[video.id]![0]!.affiliate_video_id!;
    expect(shared.text).toContain(copy);

    const deleteCall = (method: string, path: string) =>
      method === 'DELETE' && path.endsWith(`/videos/${video.id}/shares/${north}`);
    const deletes = () => w.bc.requests.filter((r) => deleteCall(r.method, r.path)).length;
    w.bc.runtime.faults.hangWhen = deleteCall;
    await w.slack.slashCommand(`unshare ${video.id} from neo-north`, OPERATOR, CHANNEL);
    const card = await w.slack.waitFor(
      () =>
        w.slack.channelMessages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes('unshare.approve')),
      30_000,
      'the unshare card',
    );
    await clickAndSend(w.slack, APPROVER, 'unshare.approve', card);
    await until(() => deletes() === 1, 30_000, 'the delete call');
    await first.kill9();
    w.bc.runtime.faults.hangWhen = undefined;
    expect(w.bc.data.videos[north]!.some((v) => v.id === copy)).toBe(true);

    const second = await w.startApp();
    await w.slack.waitFor(
      () => {
        const m = w.slack.message(CHANNEL, card.ts);
        return m && /Unshared: Neo North's copy/.test(m.text) ? m : undefined;
      },
      60_000,
      'the unshare card to finish',
    );
    expect(deletes()).toBe(2);
    expect(w.bc.data.videos[north]!.some((v) => v.id === copy)).toBe(false);
    await second.stop();
    const audit = (await w.state())
      .collection<{ id: string; action: string; outcome: string }>('audit')
      .all()
      .filter((e) => e.action.startsWith('unshare ') && e.outcome === 'ok');
    expect(audit).toHaveLength(1);
  }, 120_000);
});
