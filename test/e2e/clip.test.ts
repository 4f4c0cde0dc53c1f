import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import type { BrightcoveSim } from '../../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { CHANNEL, type Harness, MEMBER, OPERATOR, startHarness } from '../support/harness.js';
import { startRelay } from '../support/relay.js';

const jobsOf = (bc: BrightcoveSim) => {
  const [live, finished, old] = bc.data.liveJobs;
  if (!live || !finished || !old) throw new Error('the generated dataset has three live jobs');
  return { live, finished, old };
};

function vodOf(bc: BrightcoveSim, jvodId: string) {
  const vod = bc.data.vodJobs.find((v) => v.jvod_id === jvodId);
  if (!vod) throw new Error(`no clip job ${jvodId} in the simulator`);
  return vod;
}

describe('clip end to end with Live API notifications', () => {
  let h: Harness;
  let bc: BrightcoveSim;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  const clock = () => h.clock as ManualClock;

  beforeAll(async () => {
    relay = await startRelay();
    // Every notification is delivered twice, so duplicates are part of every test here.
    h = await startHarness({ brightcove: { live: { duplicateRate: 1 } }, env: { PUBLIC_URL: relay.url } });
    relay.target.url = h.app.url;
    bc = h.bc as BrightcoveSim;
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => relay.server.close(r));
  });

  /** Sends the command and returns the clip's channel message and clip job id. */
  async function createClip(text: string): Promise<{ msg: SimMessage; jvodId: string }> {
    const before = h.slack.messages.length;
    const vodsBefore = bc.data.vodJobs.length;
    const res = await h.command(text, OPERATOR);
    expect(res.status).toBe(200);
    const msg = await h.slack.waitFor(
      () => h.slack.messages.slice(before).find((m) => m.channel === CHANNEL && m.text.startsWith('Clip "')),
      10_000,
      `clip card for "${text}"`,
    );
    expect(bc.data.vodJobs.length).toBe(vodsBefore + 1);
    const jvodId = bc.data.vodJobs[vodsBefore]?.jvod_id ?? '';
    expect(msg.text).toContain(jvodId);
    return { msg, jvodId };
  }

  /** Moves the sim past the clip's end (it finishes 30 s after creation) and waits for the card. */
  async function runToEnd(msg: SimMessage, end: 'finished' | 'failed'): Promise<SimMessage> {
    await clock().advance(31_000);
    bc.tick();
    await bc.live.flush();
    return h.slack.waitFor(
      () => {
        const m = h.slack.messages.find((x) => x.ts === msg.ts);
        return m?.text.endsWith(end) ? m : undefined;
      },
      10_000,
      `clip ${end}`,
    );
  }

  it('last 90s: duration body, progress by notifications, finished with the Video Cloud video', async () => {
    const { live } = jobsOf(bc);
    const { msg, jvodId } = await createClip(
      `clip ${live.id} last 90s --name "Last play" --tags goal,highlights`,
    );
    const vod = vodOf(bc, jvodId);
    expect(vod.job_id).toBe(live.id);
    const secret = h.app.services.clips.hookSecret();
    expect(vod.output).toEqual({
      label: 'Last play',
      duration: 90,
      videocloud: {
        video: {
          name: 'Last play',
          tags: ['goal', 'highlights'],
          reference_id: expect.stringMatching(/^bcops-clip-/),
        },
      },
      notifications: [`${relay.url}/hooks/live/${secret}`],
    });
    expect(msg.text).toMatch(/waiting$/);

    await clock().advance(6_000);
    bc.tick();
    await bc.live.flush();
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ts === msg.ts && m.text.endsWith('processing')),
    );
    await clock().advance(15_000);
    bc.tick();
    await bc.live.flush();
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ts === msg.ts && m.text.endsWith('creating asset')),
    );

    const done = await runToEnd(msg, 'finished');
    const ref = vod.output.videocloud?.video.reference_id;
    const video = bc.cms.videosOf(bc.data.accounts[0]?.id ?? '').find((v) => v.reference_id === ref);
    expect(video).toBeDefined();
    expect(done.text).toContain(`Video Cloud video ${video?.id} "Last play"`);
    expect(done.text).toContain(
      `https://studio.brightcove.com/products/videocloud/media/videos/${video?.id}`,
    );
    expect(JSON.stringify(done.blocks)).toContain(':white_check_mark: *Finished:*');

    const record = h.app.services.clips.get(jvodId);
    expect(record?.data.history.map((x) => x.state)).toEqual([
      'waiting',
      'processing',
      'creating_asset',
      'finished',
    ]);
    // The hook secret is never stored in the record or shown in Slack.
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(JSON.stringify(h.slack.calls)).not.toContain(secret);
    // Nor anywhere in the state: it is derived from the configured signing secret, not stored.
    expect(JSON.stringify(h.app.services.store.collection('settings').all())).not.toContain(secret);
    for (const name of ['jobs', 'audit', 'pending', 'schedules']) {
      expect(JSON.stringify(h.app.services.store.collection(name).all())).not.toContain(secret);
    }
    const audit = h.app.services.repos.audit.latest(50).filter((e) => e.target === jvodId);
    expect(audit.map((e) => `${e.action}:${e.outcome}`).sort()).toEqual(['create:started', 'finished:ok']);
  });

  it('from 00:02:00 to 00:03:00 and from 125s for 60s: stream-relative bodies', async () => {
    const { live } = jobsOf(bc);
    const a = await createClip(`clip ${live.id} from 00:02:00 to 00:03:00`);
    expect(vodOf(bc, a.jvodId).output).toMatchObject({ stream_start_time: 120, stream_end_time: 180 });
    expect(vodOf(bc, a.jvodId).output.duration).toBeUndefined();
    const b = await createClip(`clip ${live.id} from 125s for 60s`);
    expect(vodOf(bc, b.jvodId).output).toMatchObject({ stream_start_time: 125, stream_end_time: 185 });
    const doneA = await runToEnd(a.msg, 'finished');
    const doneB = await runToEnd(b.msg, 'finished');
    expect(doneA.text).toMatch(/Video Cloud video \d+/);
    expect(doneB.text).toMatch(/Video Cloud video \d+/);
  });

  it('absolute ISO and epoch windows on a finished job: start_time/end_time in epoch seconds', async () => {
    const { finished } = jobsOf(bc);
    const startMs = Date.parse(finished.created_at) + 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const a = await createClip(`clip ${finished.id} from ${iso(startMs)} to ${iso(startMs + 300_000)}`);
    expect(vodOf(bc, a.jvodId).output).toMatchObject({
      start_time: startMs / 1000,
      end_time: startMs / 1000 + 300,
    });
    const b = await createClip(`clip ${finished.id} from ${startMs / 1000} for 45s`);
    expect(vodOf(bc, b.jvodId).output).toMatchObject({
      start_time: startMs / 1000,
      end_time: startMs / 1000 + 45,
    });
    expect((await runToEnd(a.msg, 'finished')).text).toMatch(/Video Cloud video \d+/);
    expect((await runToEnd(b.msg, 'finished')).text).toMatch(/Video Cloud video \d+/);
  });

  it('SMPTE timecodes are sent as HH:MM:SS:FF strings', async () => {
    const { live } = jobsOf(bc);
    const { msg, jvodId } = await createClip(`clip ${live.id} from 01:10:18:15 to 01:11:08:15 --name Goal`);
    expect(vodOf(bc, jvodId).output).toMatchObject({
      label: 'Goal',
      stream_start_timecode: '01:10:18:15',
      stream_end_timecode: '01:11:08:15',
    });
    expect((await runToEnd(msg, 'finished')).text).toContain('"Goal"');
  });

  it('to <time> for <duration>: the minute before a timecode, and before a stream time', async () => {
    const { live } = jobsOf(bc);
    const a = await createClip(`clip ${live.id} to 01:11:08:15 for 50s --name Buildup`);
    expect(vodOf(bc, a.jvodId).output).toMatchObject({
      stream_start_timecode: '01:10:18:15',
      stream_end_timecode: '01:11:08:15',
    });
    const b = await createClip(`clip ${live.id} to 00:03:00 for 1m`);
    expect(vodOf(bc, b.jvodId).output).toMatchObject({ stream_start_time: 120, stream_end_time: 180 });
    expect((await runToEnd(a.msg, 'finished')).text).toContain('"Buildup"');
    expect((await runToEnd(b.msg, 'finished')).text).toMatch(/Video Cloud video \d+/);
    const refused = await h.ephemeralAfter(`clip ${live.id} to 00:00:20 for 1m`);
    expect(refused).toContain('starts before the stream did');
  });

  it('an S3 destination with a stored credential finishes with the written file', async () => {
    const { live } = jobsOf(bc);
    const { msg, jvodId } = await createClip(
      `clip ${live.id} last 2m --to s3://my-bucket/clips/last.mp4 --credentials s3-clips`,
    );
    const out = vodOf(bc, jvodId).output;
    expect(out).toMatchObject({
      url: 's3://my-bucket/clips/last.mp4',
      credentials: 's3-clips',
      duration: 120,
    });
    expect(out.videocloud).toBeUndefined();
    expect((await runToEnd(msg, 'finished')).text).toContain('written to s3://my-bucket/clips/last.mp4');
  });

  it('a password in an ftp:// URL reaches the Live API and nothing else: logs, audit, state, Slack', async () => {
    const { live } = jobsOf(bc);
    const secret = 'Pa55-w0rd-zz';
    const { msg, jvodId } = await createClip(
      `clip ${live.id} last 1m --to ftp://clipper:${secret}@ftp.example/c/a.mp4`,
    );
    expect(vodOf(bc, jvodId).output.url).toBe(`ftp://clipper:${secret}@ftp.example/c/a.mp4`);
    await runToEnd(msg, 'finished');
    await h.app.services.store.flush();
    const everywhere = JSON.stringify({
      logs: h.logs,
      audit: h.app.services.repos.audit.latest(500),
      jobs: h.app.services.repos.jobs.all(),
      slack: [...h.slack.channelMessages(CHANNEL), h.slack.lastEphemeral(OPERATOR)],
    });
    expect(everywhere).toContain('ftp.example/c/a.mp4');
    expect(everywhere).not.toContain(secret);
  });

  it('a 504 after Brightcove made the clip job: the job is looked up and followed, not sent again', async () => {
    const { live } = jobsOf(bc);
    const creates = () => bc.requests.filter((r) => r.method === 'POST' && r.path === '/v1/vods').length;
    const before = creates();
    bc.runtime.faults.failAfterWhen = (method, path) =>
      method === 'POST' && path === '/v1/vods' ? 504 : undefined;
    try {
      const { msg, jvodId } = await createClip(
        `clip ${live.id} from 00:00:10 to 00:00:40 --name "Gateway timeout"`,
      );
      expect(creates() - before).toBe(1);
      expect(bc.data.vodJobs.filter((v) => v.label === 'Gateway timeout')).toHaveLength(1);
      expect(h.app.services.clips.get(jvodId)?.data.label).toBe('Gateway timeout');
      expect(h.app.services.clips.intents()).toEqual([]);
      await runToEnd(msg, 'finished');
    } finally {
      bc.runtime.faults.failAfterWhen = undefined;
    }
  });

  it('a failed clip ends with its reason and a failed audit entry', async () => {
    const { live } = jobsOf(bc);
    const { msg, jvodId } = await createClip(`clip ${live.id} last 30s --name Doomed`);
    // The sim fails a clip whose reference id is already taken in the target account.
    const ref = vodOf(bc, jvodId).output.videocloud?.video.reference_id ?? '';
    bc.cms.addVideo(bc.data.accounts[0]?.id ?? '', { name: 'squatter', reference_id: ref });
    const done = await runToEnd(msg, 'failed');
    expect(done.text).toContain(
      'Brightcove Live hit a system error while cutting the clip (state "failed").',
    );
    expect(JSON.stringify(done.blocks)).toContain(':x: *Failed:*');
    const audit = h.app.services.repos.audit
      .latest(20)
      .find((e) => e.target === jvodId && e.action === 'failed');
    expect(audit?.outcome).toBe('failed');
  });

  it('a duplicate notification changes nothing; a wrong secret is 404', async () => {
    const { live } = jobsOf(bc);
    const { msg, jvodId } = await createClip(`clip ${live.id} last 20s`);
    await clock().advance(6_000);
    bc.tick();
    await bc.live.flush();
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ts === msg.ts && m.text.endsWith('processing')),
    );
    const svc = h.app.services.clips;
    const hook = `${h.app.url}/hooks/live/${svc.hookSecret()}`;
    const processing = bc.live.notifications.find(
      (n) => n.payload.jvod_id === jvodId && n.payload.jvod_state === 'processing',
    );
    expect(processing).toBeDefined();
    // The sim delivered it twice already; a third copy (and a stale "waiting") still move nothing.
    const updatesBefore = h.slack.calls.filter(
      (c) => c.method === 'chat.update' && c.args.ts === msg.ts,
    ).length;
    const recordBefore = JSON.stringify(svc.get(jvodId));
    for (const payload of [processing?.payload, { ...processing?.payload, jvod_state: 'waiting' }]) {
      const res = await fetch(hook, { method: 'POST', body: JSON.stringify(payload) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, moved: false });
    }
    expect(JSON.stringify(svc.get(jvodId))).toBe(recordBefore);
    expect(h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === msg.ts).length).toBe(
      updatesBefore,
    );

    const wrong = await fetch(`${h.app.url}/hooks/live/not-the-secret`, { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(404);

    await runToEnd(msg, 'finished');
    const finished = bc.live.notifications.find(
      (n) => n.payload.jvod_id === jvodId && n.payload.jvod_state === 'finished',
    );
    const auditBefore = h.app.services.repos.audit.latest(5000).length;
    const res = await fetch(hook, { method: 'POST', body: JSON.stringify(finished?.payload) });
    expect(await res.json()).toEqual({ ok: true, moved: false });
    expect(h.app.services.repos.audit.latest(5000).length).toBe(auditBefore);
    expect(svc.get(jvodId)?.data.history.filter((x) => x.state === 'finished')).toHaveLength(1);
  });

  it('clip status shows a clip job; unknown ids say what to do', async () => {
    const { live } = jobsOf(bc);
    const { msg, jvodId } = await createClip(`clip ${live.id} last 10s --name Status`);
    await runToEnd(msg, 'finished');
    const text = await h.ephemeralAfter(`clip status ${jvodId}`, MEMBER);
    expect(text).toContain(`clip job ${jvodId}`);
    expect(text).toMatch(/Video Cloud video \d+ "Status".*finished$/);
    const unknown = await h.ephemeralAfter('clip status deadbeefdeadbeefdeadbeefdeadbeef');
    expect(unknown).toContain('No clip job deadbeefdeadbeefdeadbeefdeadbeef');
    const bad = await h.ephemeralAfter('clip status 42');
    expect(bad).toContain('Clip status takes one clip job id');
  });

  it('clip cancel stops a clip being made, once; the card says so; an ended or unknown job is refused', async () => {
    const { live } = jobsOf(bc);
    const { msg, jvodId } = await createClip(`clip ${live.id} last 20s --name Abort`);
    const text = await h.ephemeralAfter(`clip cancel ${jvodId}`);
    expect(text).toContain(`Cancelling clip job ${jvodId} (Live API: cancelling)`);
    expect(['cancelling', 'cancelled']).toContain(vodOf(bc, jvodId).jvod_state);
    const card = await runToEnd(msg, 'failed');
    expect(card.text).toContain('cancelled');
    expect(await h.ephemeralAfter(`clip cancel ${jvodId}`)).toMatch(
      /has already ended \(cancel(l?ing|led)\): there is nothing to cancel/,
    );
    expect(await h.ephemeralAfter('clip cancel deadbeefdeadbeefdeadbeefdeadbeef')).toContain(
      'No clip job deadbeefdeadbeefdeadbeefdeadbeef',
    );
    expect(await h.ephemeralAfter(`clip cancel ${jvodId}`, MEMBER)).toContain('operators');
    const audit = h.app.services.repos.audit
      .latest(30)
      .filter((e) => e.action === 'cancel' && e.target === jvodId);
    expect(audit.map((e) => e.outcome).sort()).toEqual(['ok', 'started']);
  });

  it('clip credentials lists the stored labels and types, never their values', async () => {
    const text = await h.ephemeralAfter('clip credentials', MEMBER);
    expect(text).toBe('Stored Live credentials (2):\ns3-clips  s3\nresearch-vc  videocloud');
    const calls = JSON.stringify(
      h.slack.callsTo('chat.postEphemeral').concat(h.slack.calls.filter((c) => c.method === 'response_url')),
    );
    for (const c of bc.data.liveCredentials) {
      expect(calls).toContain(c.label);
      expect(calls).not.toContain(c.credential_public!);
      expect(calls).not.toContain(c.credential_id);
    }
    expect(await h.ephemeralAfter('clip credentials s3-clips')).toContain(
      'Clip credentials takes no arguments.',
    );
  });

  it('clips lists recent clips, and every clip job of one live job', async () => {
    const { live } = jobsOf(bc);
    const recent = await h.ephemeralAfter('clips --limit 3', MEMBER);
    expect(recent).toContain('Recent clips made with Brightcove Ops:');
    expect(recent.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(3);
    const ofJob = await h.ephemeralAfter(`clips ${live.id}`, MEMBER);
    expect(ofJob).toContain(`Clips of live job ${live.id}:`);
    expect(ofJob).toContain('"Last play"');
    expect(ofJob).toMatch(/"Last play" \w{32} · finished · video \d+/);
  });

  it('bad input is refused before any Live API call, with what to fix', async () => {
    const { live, old } = jobsOf(bc);
    const vods = bc.count({ api: 'live', method: 'POST' });
    const cases: [string, string][] = [
      [`clip ${live.id} from 00:03:00 to 00:02:00`, 'The end is before the start'],
      [`clip ${live.id} from 01:10:18:45 to 01:11:08:15`, 'Bad "from" time'],
      [`clip ${live.id} last 49h`, "the Live API's maximum is 48h (172800s)"],
      [`clip ${old.id} last 90s`, 'can no longer be clipped'],
      ['clip deadbeefdeadbeefdeadbeefdeadbeef last 90s', 'No live job deadbeefdeadbeefdeadbeefdeadbeef'],
      [`clip ${live.id} last 90s --to s3://bucket/clips/`, 'has no file name'],
      [`clip ${live.id} last 90s --to s3://b/c.mp4 --credentials nope`, 'No Live credential labelled "nope"'],
      [`clip ${live.id} from 00:02:00 to 2026-11-21T10:00:00Z`, 'different kinds of time'],
    ];
    for (const [text, expected] of cases) {
      const reply = await h.ephemeralAfter(text);
      expect(reply, text).toMatch(/^(Can't create the clip|Bad|The|"from|Duration|Missing)/);
      expect(reply, text).toContain(expected);
    }
    expect(bc.count({ api: 'live', method: 'POST' })).toBe(vods);
  });

  it('a non-operator is refused and nothing is created', async () => {
    const { live } = jobsOf(bc);
    const vods = bc.data.vodJobs.length;
    const text = await h.ephemeralAfter(`clip ${live.id} last 90s`, MEMBER);
    expect(text).toContain('Only operators can run `clip`');
    expect(bc.data.vodJobs.length).toBe(vods);
    const refused = h.app.services.repos.audit.latest(5).find((e) => e.actor === MEMBER);
    expect(refused?.outcome).toBe('refused');
  });

  describe('the modal', () => {
    async function openModal(user = OPERATOR) {
      const before = new Set(h.slack.views.keys());
      await h.command('clip', user);
      return h.slack.waitFor(
        () =>
          [...h.slack.views.values()].find((v) => !before.has(v.id) && v.view.callback_id === 'clip.create'),
        10_000,
        'the clip modal',
      );
    }
    const sel = (value: string) => ({ value: { type: 'static_select', selected_option: { value } } });
    const txt = (value: string) => ({ value: { type: 'plain_text_input', value } });

    it('opens with live and recent jobs only', async () => {
      const { live, finished, old } = jobsOf(bc);
      const view = await openModal();
      const json = JSON.stringify(view.view);
      expect(json).toContain(live.id);
      expect(json).toContain(finished.id);
      expect(json).not.toContain(old.id);
      expect(h.slack.calls.some((c) => c.method === 'views.open' && c.ok)).toBe(true);
    });

    it('with more jobs than a list holds, the job field searches as the user types (by id, or "live")', async () => {
      const { live } = jobsOf(bc);
      const extra = Array.from({ length: 101 }, (_, i) => ({
        ...live,
        id: `${String(i).padStart(4, '0')}${live.id.slice(4)}`,
        created_at: new Date(Date.parse(live.created_at) - (i + 1) * 60_000).toISOString(),
      }));
      bc.data.liveJobs.push(...extra);
      try {
        const view = await openModal();
        const field = JSON.stringify(
          (view.view.blocks as { block_id: string }[]).find((b) => b.block_id === 'job'),
        );
        expect(field).toContain('external_select');
        const found = await h.slack.suggest(OPERATOR, view.id, 'job', extra[42]!.id.slice(0, 6));
        expect(found.map((o) => o.value)).toEqual([extra[42]!.id]);
        const lives = await h.slack.suggest(OPERATOR, view.id, 'job', 'live');
        expect(lives.length).toBe(100);
      } finally {
        bc.data.liveJobs.splice(bc.data.liveJobs.length - extra.length, extra.length);
      }
    });

    it('bad times come back as field errors, and nothing is created', async () => {
      const { live } = jobsOf(bc);
      const view = await openModal();
      const vods = bc.data.vodJobs.length;
      const swapped = await h.slack.submitView(OPERATOR, view.id, {
        job: sel(live.id),
        mode: sel('range'),
        start: txt('00:05:00'),
        end: txt('00:02:00'),
      });
      const body = JSON.parse(swapped.body) as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe('errors');
      expect(body.errors.end).toContain('The end is before the start');

      const malformed = await h.slack.submitView(OPERATOR, view.id, {
        job: sel(live.id),
        mode: sel('for'),
        start: txt('00:61:00'),
        duration: txt('90s'),
      });
      expect(JSON.parse(malformed.body).errors.start).toMatch(/^Bad "from" time/);

      const missing = await h.slack.submitView(OPERATOR, view.id, {
        job: sel(live.id),
        mode: sel('last'),
        end: txt('1'),
      });
      const errs = JSON.parse(missing.body).errors as Record<string, string>;
      expect(errs.duration).toContain('needs a duration');
      expect(errs.end).toContain('does not use an end');
      expect(bc.data.vodJobs.length).toBe(vods);
    });

    it('a non-operator submission is refused on the form', async () => {
      const { live } = jobsOf(bc);
      const view = await openModal();
      const res = await h.slack.submitView(MEMBER, view.id, {
        job: sel(live.id),
        mode: sel('last'),
        duration: txt('60s'),
      });
      expect(JSON.parse(res.body).errors.job).toContain('Only operators can create clips');
    });

    it('a valid submission creates the clip like the command and follows it', async () => {
      const { live } = jobsOf(bc);
      const view = await openModal();
      const before = h.slack.messages.length;
      const vods = bc.data.vodJobs.length;
      const res = await h.slack.submitView(OPERATOR, view.id, {
        job: sel(live.id),
        mode: sel('for'),
        start: txt('125s'),
        duration: txt('1m'),
        name: txt('From the form'),
        tags: txt('form, test'),
        destination: txt('videocloud'),
      });
      expect(res.status).toBe(200);
      const msg = await h.slack.waitFor(() =>
        h.slack.messages.slice(before).find((m) => m.text.startsWith('Clip "From the form"')),
      );
      const vod = bc.data.vodJobs[vods];
      expect(vod?.output).toMatchObject({
        label: 'From the form',
        stream_start_time: 125,
        stream_end_time: 185,
        videocloud: { video: { name: 'From the form', tags: ['form', 'test'] } },
      });
      expect((await runToEnd(msg, 'finished')).text).toContain('"From the form"');
    });
  });
});

/** Steps the manual clock until the clip's tracker (polling) ends; returns its outcome. */
async function pollToEnd(h: Harness, jvodId: string): Promise<unknown> {
  const svc = h.app.services.clips;
  // The tracker starts right after the card is posted.
  await vi.waitFor(() => expect(svc.tracking(jvodId)).toBeDefined());
  let outcome: unknown;
  void svc.tracking(jvodId)?.then((o) => {
    outcome = o;
  });
  // Each step wakes the tracker's backoff sleep; the poll itself is real I/O, so give it a moment.
  for (let i = 0; i < 40 && !outcome; i++) {
    await (h.clock as ManualClock).advance(5_000);
    await new Promise((r) => setTimeout(r, 20));
  }
  return outcome;
}

describe('clip tracking by polling (no public URL) and after a restart', () => {
  let h: Harness;
  let bc: BrightcoveSim;
  beforeAll(async () => {
    h = await startHarness({ brightcove: true });
    bc = h.bc as BrightcoveSim;
  });
  afterAll(async () => {
    await h.close();
  });

  it('follows the clip with GET /v1/vods polls until finished; no notifications are requested', async () => {
    const live = bc.data.liveJobs[0];
    const before = h.slack.messages.length;
    await h.command(`clip ${live?.id} last 90s --name Polled`, OPERATOR);
    const msg = await h.slack.waitFor(() =>
      h.slack.messages.slice(before).find((m) => m.text.startsWith('Clip "Polled"')),
    );
    const vod = bc.data.vodJobs.at(-1);
    expect(vod?.output.notifications).toBeUndefined();
    const outcome = await pollToEnd(h, vod?.jvod_id ?? '');
    expect(outcome).toMatchObject({ state: 'finished', video: { id: expect.any(String) } });
    const final = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ts === msg.ts && m.text.endsWith('finished')),
    );
    expect(final.text).toContain('"Polled"');
    expect(bc.count({ api: 'live', method: 'GET' })).toBeGreaterThan(1);
    expect(bc.live.notifications).toHaveLength(0);
  });

  it('resumes an unfinished clip recorded before a restart and updates its message', async () => {
    const live = bc.data.liveJobs[0];
    const before = h.slack.messages.length;
    await h.command(`clip ${live?.id} last 45s --name Resumed`, OPERATOR);
    const msg = await h.slack.waitFor(() =>
      h.slack.messages.slice(before).find((m) => m.text.startsWith('Clip "Resumed"')),
    );
    const svc = h.app.services.clips;
    const jvodId = bc.data.vodJobs.at(-1)?.jvod_id ?? '';
    await vi.waitFor(() => expect(svc.tracking(jvodId)).toBeDefined());
    // A restart loses the in-memory tracker; the record survives in the store.
    svc.stopAll('restart');
    await new Promise((r) => setImmediate(r));
    expect(svc.tracking(jvodId)).toBeUndefined();
    // …and a restarted process is another holder: the lease of the one that stopped is not its own.
    h.app.services.repos.jobs.update(`clip_${jvodId}`, ({ lease: _gone, ...r }) => ({
      ...r,
      state: 'waiting',
    }));
    const clipCommand = h.app.services.registry.find('clip');
    await clipCommand?.start?.(h.app.services, {
      route: () => undefined,
      channel: (id) => h.app.slack.channelSurface(id),
    });
    await vi.waitFor(() => expect(svc.tracking(jvodId)).toBeDefined());
    let finished = false;
    for (let i = 0; i < 40 && !finished; i++) {
      await (h.clock as ManualClock).advance(5_000);
      finished = Boolean(
        await h.slack
          .waitFor(() => h.slack.messages.find((m) => m.ts === msg.ts && m.text.endsWith('finished')), 200)
          .catch(() => undefined),
      );
    }
    expect(finished).toBe(true);
  });
});

describe('live.account: where finished clips land', () => {
  let h: Harness;
  let bc: BrightcoveSim;
  beforeAll(async () => {
    // The Live account publishes to Neo North, and the config says so.
    h = await startHarness({
      brightcove: { live: { linkedAccount: ACCOUNT_IDS.neoNorth } },
      extraYaml: 'live:\n  account: neo-north\n',
    });
    bc = h.bc as BrightcoveSim;
  });
  afterAll(async () => {
    await h.close();
  });

  it('finds the finished clip in the configured account, not the first one', async () => {
    const live = bc.data.liveJobs[0];
    const before = h.slack.messages.length;
    await h.command(`clip ${live?.id} last 30s --name North`, OPERATOR);
    const msg = await h.slack.waitFor(() =>
      h.slack.messages.slice(before).find((m) => m.text.startsWith('Clip "North"')),
    );
    const jvodId = bc.data.vodJobs.at(-1)?.jvod_id ?? '';
    const outcome = await pollToEnd(h, jvodId);
    const ref = bc.data.vodJobs.at(-1)?.output.videocloud?.video.reference_id;
    const video = bc.cms.videosOf(ACCOUNT_IDS.neoNorth).find((v) => v.reference_id === ref);
    expect(video).toBeDefined();
    expect(bc.cms.videosOf(ACCOUNT_IDS.neo).some((v) => v.reference_id === ref)).toBe(false);
    expect(outcome).toMatchObject({ state: 'finished', video: { id: video?.id } });
    const final = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ts === msg.ts && m.text.endsWith('finished')),
    );
    expect(final.text).toContain(`Video Cloud video ${video?.id} "North"`);
  });
});
