import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, OPERATOR, SIGNING_SECRET } from '../support/harness.js';
import { planOn, startWorld, until, type World } from '../support/processes.js';

/**
 * Two replicas running at once on one state (issue 20): a file here, one PostgreSQL database in the
 * e2e-postgres project. Each is a real app process with its own replica name (as pods have), so a dead
 * one is noticed only by its lease expiring: no restart, no shared pid table.
 */
describe('two replicas running at once', () => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  const auditOf = async () =>
    (await w.state())
      .collection<{ id: string; action: string; outcome: string; target?: string }>('audit')
      .all();

  it('20 concurrent Apply clicks split across both replicas: one execution, one summary', async () => {
    w = await startWorld('', { dataset: { videosPerAccount: 4, analyticsDays: 0 } });
    const a = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-a' });
    const b = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-b' });
    const plan = await planOn(w, a);
    const creates = Number(/(\d+) creates/.exec(plan.text)![1]);
    expect(creates).toBeGreaterThan(0);
    const clicks = [];
    for (let i = 0; i < 20; i++) {
      w.slack.connectApp(`${(i % 2 ? a : b).url}/slack/events`, SIGNING_SECRET);
      clicks.push(w.slack.click(OPERATOR, 'sync.apply', plan));
    }
    for (const c of await Promise.all(clicks)) expect(c.status).toBe(200);
    await w.slack.waitFor(
      () => w.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith('Creates and updates done')),
      60_000,
    );
    // Both replicas had their share of clicks; give the losers time to (wrongly) post anything.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(w.clarify.requests.filter((r) => r.method === 'POST')).toHaveLength(creates);
    expect(
      w.slack.thread(CHANNEL, plan.ts).filter((m) => m.text.startsWith('Creates and updates done')),
    ).toHaveLength(1);
    await a.stop();
    await b.stop();
    const applies = (await auditOf()).filter((e) => e.action === 'apply' && e.target !== undefined);
    expect(applies.filter((e) => e.outcome === 'started')).toHaveLength(1);
    expect(applies.filter((e) => e.outcome === 'ok')).toHaveLength(1);
  }, 120_000);

  // End to end with real processes; the race itself (two ticks in the same instant, which process
  // start-up rarely lines up) is pinned by test/core/schedules-replicas.test.ts.
  it('a digest owed while both were down posts once when both start together', async () => {
    w = await startWorld('', { dataset: { videosPerAccount: 2, analyticsDays: 3 } });
    const first = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-a' });
    w.slack.connectApp(`${first.url}/slack/events`, SIGNING_SECRET);
    expect((await w.slack.slashCommand('digest add daily 00:00 neo', OPERATOR, CHANNEL)).status).toBe(200);
    await w.slack.waitFor(() => w.slack.channelMessages(CHANNEL).find((m) => m.text.includes('added')));
    await first.stop();
    // It was added two days ago and never ran: today's 00:00 slot is owed.
    const state = await w.state();
    const digest = state.collection<{ id: string; kind: string; createdAt: string }>('schedules').all()[0]!;
    state
      .collection<{ id: string; kind: string; createdAt: string }>('schedules')
      .update(digest.id, (d) => ({ ...d, createdAt: new Date(Date.now() - 2 * 86_400_000).toISOString() }));
    await state.close();
    const posts = () =>
      w.slack
        .channelMessages(CHANNEL)
        .filter((m) => !m.threadTs && /digest: /.test(m.text) && m.text.includes('Views'));
    const [a, b] = await Promise.all([
      w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-a' }),
      w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-b' }),
    ]);
    w.slack.connectApp(`${a.url}/slack/events`, SIGNING_SECRET);
    await w.slack.waitFor(() => posts()[0], 30_000, 'the caught-up digest');
    await new Promise((r) => setTimeout(r, 1_500)); // time for a second (wrong) post
    expect(posts()).toHaveLength(1);
    await a.stop();
    await b.stop();
    const runs = (await auditOf()).filter((e) => e.action === 'run (catch-up)' && e.target === digest.id);
    expect(runs).toHaveLength(1);
  }, 120_000);

  it('kill -9 of the replica running an Apply: the other finishes it once its lease expires, no duplicate, audit complete', async () => {
    w = await startWorld('state:\n  lease_seconds: 3\n', {
      dataset: { videosPerAccount: 30, analyticsDays: 0 },
    });
    const neo = w.bc.data.accounts.find((x) => x.alias === 'neo')!.id;
    const a = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-a' });
    const b = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-b' });
    const plan = await planOn(w, a);
    const creates = Number(/(\d+) creates/.exec(plan.text)![1]);
    w.clarify.setLatency(400);
    w.slack.connectApp(`${a.url}/slack/events`, SIGNING_SECRET);
    await w.slack.click(OPERATOR, 'sync.apply', plan);
    const posts = () => w.clarify.requests.filter((r) => r.method === 'POST').length;
    await until(() => posts() >= 6, 60_000, 'a few creates');
    await a.kill9();
    const killedAt = Date.now();
    expect(posts()).toBeLessThan(creates);
    w.clarify.setLatency(0);
    // Nobody restarts anything: replica b notices the expired lease by itself.
    const done = await w.slack.waitFor(
      () => w.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith('Creates and updates done')),
      60_000,
      'the summary from replica b',
    );
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2_000); // not before the lease could expire
    const perVideo = new Map<string, number>();
    for (const bundle of w.clarify.bundles.all())
      if (w.bc.data.videos[neo]!.some((v) => v.id === bundle.external_id))
        perVideo.set(bundle.external_id!, (perVideo.get(bundle.external_id!) ?? 0) + 1);
    expect(perVideo.size).toBe(creates);
    expect([...perVideo.values()].every((n) => n === 1)).toBe(true);
    const created = Number(/(\d+) created/.exec(done.text)![1]);
    const before = Number(/(\d+) done before a restart/.exec(done.text)?.[1] ?? '0');
    expect(created + before).toBe(creates);
    // The plan's own message is stamped by b, as if nothing had happened.
    await w.slack.waitFor(
      () =>
        JSON.stringify(w.slack.message(CHANNEL, plan.ts)?.blocks).includes(':white_check_mark:')
          ? true
          : undefined,
      30_000,
      'the stamp on the plan',
    );
    await b.stop();
    const applies = (await auditOf()).filter((e) => e.action === 'apply' && e.target !== undefined);
    expect(applies.filter((e) => e.outcome === 'started')).toHaveLength(1);
    expect(applies.filter((e) => e.outcome === 'ok')).toHaveLength(1);
  }, 180_000);

  it('a clip create in flight on one replica is left alone by the other; after kill -9 the other settles it and follows it', async () => {
    w = await startWorld('state:\n  lease_seconds: 3\n', {
      dataset: { videosPerAccount: 1, analyticsDays: 0 },
    });
    const createCall = (method: string, path: string) => method === 'POST' && path === '/v1/vods';
    const creates = () => w.bc.requests.filter((r) => createCall(r.method, r.path)).length;
    const label = 'Replica goal';
    w.bc.runtime.faults.hangWhen = createCall; // Brightcove never receives replica a's call
    const a = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-a' });
    await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-b' });
    w.slack.connectApp(`${a.url}/slack/events`, SIGNING_SECRET);
    const job = w.bc.data.liveJobs[0]!.id;
    const command = `clip ${job} from 00:00:10 to 00:00:40 --name "${label}"`;
    expect((await w.slack.slashCommand(command, OPERATOR, CHANNEL)).status).toBe(200);
    await until(() => creates() === 1, 30_000, 'the create call');
    // Longer than a lease: a renews it, so b (which scans every second) neither settles nor re-sends it.
    await new Promise((r) => setTimeout(r, 4_500));
    expect(creates()).toBe(1);
    w.bc.runtime.faults.hangWhen = undefined;
    await a.kill9();
    await until(() => w.bc.data.vodJobs.some((v) => v.label === label), 30_000, 'the clip sent by b');
    await w.clock.advance(31_000);
    await w.slack.waitFor(
      () =>
        w.slack
          .channelMessages(CHANNEL)
          .find((m) => m.text.includes(`Clip "${label}"`) && m.text.endsWith('finished')),
      60_000,
      'the card of the clip b followed',
    );
    expect(creates()).toBe(2);
    expect(w.bc.data.vodJobs.filter((v) => v.label === label)).toHaveLength(1);
  }, 120_000);

  it('a share tracked by one replica is left alone by the other; after kill -9 the other sends what never got through and finishes the card', async () => {
    w = await startWorld('state:\n  lease_seconds: 3\n', {
      dataset: { videosPerAccount: 1, analyticsDays: 0 },
      shareDelayMs: 0,
    });
    const neo = w.bc.data.accounts.find((x) => x.alias === 'neo')!.id;
    const north = w.bc.data.accounts.find((x) => x.alias === 'neo-north')!.id;
    const video = w.bc.cms.addVideo(neo, {
      name: 'Seals on two replicas',
      reference_id: 'replica-share-1',
      custom_fields: {},
      complete: true,
    });
    const shareCall = (method: string, path: string) =>
      method === 'POST' && path.endsWith(`/videos/${video.id}/shares`);
    const posts = () => w.bc.requests.filter((r) => shareCall(r.method, r.path)).length;
    w.bc.runtime.faults.hangWhen = shareCall;
    const a = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-a' });
    await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-b' });
    w.slack.connectApp(`${a.url}/slack/events`, SIGNING_SECRET);
    const before = w.slack.channelMessages(CHANNEL).length;
    await w.slack.slashCommand(`share ${video.id} to neo-north`, OPERATOR, CHANNEL);
    await until(() => posts() === 1, 30_000, 'the share call');
    await new Promise((r) => setTimeout(r, 4_500));
    expect(posts()).toBe(1); // b did not resume a's live share
    w.bc.runtime.faults.hangWhen = undefined;
    await a.kill9();
    const card = w.slack
      .channelMessages(CHANNEL)
      .slice(before)
      .find((m) => m.text.includes('request '))!;
    const done = await w.slack.waitFor(
      () => {
        const m = w.slack.message(CHANNEL, card.ts);
        return m?.text.includes('Neo North: shared as') ? m : undefined;
      },
      60_000,
      'the share card finished by b',
    );
    expect(posts()).toBe(2);
    const copies = w.bc.data.shares[video.id]!.filter((sh) => sh.affiliate_id === north);
    expect(copies).toHaveLength(1);
    expect(done.text).toContain(`Neo North: shared as ${copies[0]!.affiliate_video_id}`);
  }, 120_000);

  it('kill -9 of the replica writing an export: the other finishes it on the same message, every month written, audited once', async () => {
    const flat = join(tmpdir(), `bcops-replica-export-${process.pid}-${Date.now()}`);
    w = await startWorld(`state:\n  lease_seconds: 3\nexports:\n  destinations:\n    flat: ${flat}\n`, {
      dataset: { videosPerAccount: 2, analyticsDays: 120 },
    });
    const a = await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-a' });
    await w.startApp({ BRIGHTCOVE_OPS_REPLICA: 'replica-b' });
    w.slack.connectApp(`${a.url}/slack/events`, SIGNING_SECRET);
    const analytics = () => w.bc.count({ api: 'analytics' });
    w.bc.runtime.faults.latencyMs = 400;
    expect(
      (await w.slack.slashCommand('export analytics neo --days 100 --dest flat', OPERATOR, CHANNEL)).status,
    ).toBe(200);
    await until(() => analytics() >= 2, 30_000, 'the first Analytics calls');
    await a.kill9();
    w.bc.runtime.faults.latencyMs = 0;
    const runMessages = () =>
      w.slack.channelMessages(CHANNEL).filter((m) => m.text.startsWith('Analytics export neo'));
    const done = await w.slack.waitFor(
      () => runMessages().find((m) => / finished: /.test(m.text)),
      60_000,
      'the export finished by b',
    );
    expect(runMessages()).toHaveLength(1); // one message, updated by a, then by b
    const months = readdirSync(flat).filter((f) => f.endsWith('.csv'));
    expect(months.length).toBeGreaterThanOrEqual(4); // 100 days span four or five months
    expect(done.text).toContain(`${months.length} files`);
    const ends = (await auditOf()).filter((e) => e.action === 'analytics' && e.outcome !== 'refused');
    expect(ends.map((e) => e.outcome)).toEqual(['ok']);
    rmSync(flat, { recursive: true, force: true });
  }, 120_000);
});
