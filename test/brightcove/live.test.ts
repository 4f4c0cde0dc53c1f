import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createBrightcove,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../src/brightcove/index.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await h?.close();
});

async function receiver() {
  const got: Array<Record<string, unknown>> = [];
  let failFirst = 1;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (failFirst-- > 0) {
        res.writeHead(503).end();
        return;
      }
      got.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

describe('Live client', () => {
  it('gets jobs; an unknown job id (500 "no results found") becomes NotFoundError', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    const jobs = await h.bc.live.listJobs();
    expect(jobs).toHaveLength(3);
    const job = await h.bc.live.getJob(jobs[0]!.id);
    expect(job.finished_at).toBeNull();
    await expect(h.bc.live.getJob('0'.repeat(32))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a clip job progresses with the clock, notifies with retries, and creates the Video Cloud video', async () => {
    h = await startHarness({
      dataset: { videosPerAccount: 1, analyticsDays: 0 },
      live: { notificationRetryBaseMs: 1, duplicateRate: 0 },
    });
    const hook = await receiver();
    const job = h.sim.data.liveJobs[0]!;
    const created = await h.bc.live.createClips({
      live_job_id: job.id,
      outputs: [
        {
          label: 'last 90s',
          duration: 90,
          videocloud: { video: { name: 'Goal', reference_id: 'clip-goal-1', tags: ['clip'] } },
          notifications: [hook.url],
        },
      ],
    });
    expect(created.vod_jobs[0]?.label).toBe('last 90s');
    const id = created.vod_jobs[0]!.jvod_id;
    expect((await h.bc.live.getClip(id)).jvod_state).toBe('waiting');
    await h.clock.advance(30_000);
    h.sim.tick();
    const clip = await h.bc.live.getClip(id);
    expect(clip.jvod_state).toBe('finished');
    expect(clip.jvod_reported_duration_s).toBe(90);
    const video = await h.bc.cms(h.account()).getVideoByRef('clip-goal-1');
    expect(video.name).toBe('Goal');
    await h.sim.live.flush();
    // deliveries are independent (a failed one is retried later), so compare as a set
    expect(hook.got.map((n) => n.jvod_state).sort()).toEqual(['creating_asset', 'finished', 'processing']);
    expect(h.sim.live.notifications.filter((n) => n.status === 503)).toHaveLength(1);
    expect((await h.bc.live.listClips(job.id)).map((c) => c.jvod_id)).toEqual([id]);
  });

  it('rejects clip requests that break the reference rules with ValidationError', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    const live = h.sim.data.liveJobs[0]!;
    const old = h.sim.data.liveJobs[2]!; // finished 10 days ago: past the 7-day window
    const vc = { video: { name: 'x' } };
    const created = Math.floor(Date.parse(live.created_at) / 1000);
    const bad = [
      { live_job_id: live.id, outputs: [{ label: 'lone start', start_time: created + 10, videocloud: vc }] },
      {
        live_job_id: live.id,
        outputs: [{ label: 'mixed', start_time: created + 10, stream_end_time: 60, videocloud: vc }],
      },
      {
        live_job_id: live.id,
        outputs: [
          { label: 'before start', start_time: created - 60, end_time: created + 60, videocloud: vc },
        ],
      },
      { live_job_id: live.id, outputs: [{ label: 'no destination', duration: 30 }] },
      { live_job_id: live.id, outputs: [{ label: 'fractional', duration: 30.5, videocloud: vc }] },
      { live_job_id: old.id, outputs: [{ label: 'too late', duration: 30, videocloud: vc }] },
    ];
    for (const body of bad) {
      const err = await h.bc.live.createClips(body).catch((e: unknown) => e);
      expect(err, body.outputs[0]!.label).toBeInstanceOf(ValidationError);
    }
    await expect(
      h.bc.live.createClips({
        live_job_id: 'f'.repeat(32),
        outputs: [{ label: 'x', duration: 5, videocloud: vc }],
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(h.sim.data.vodJobs).toHaveLength(0);
  });

  it('cancels a clip and lists credentials', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    const job = h.sim.data.liveJobs[1]!;
    const { vod_jobs } = await h.bc.live.createClips({
      live_job_id: job.id,
      outputs: [
        {
          label: 'first minute',
          stream_start_time: 0,
          stream_end_time: 60,
          url: 's3://bucket/a.mp4',
          credentials: 's3-clips',
        },
      ],
    });
    const cancelled = await h.bc.live.cancelClip(vod_jobs[0]!.jvod_id);
    expect(cancelled.jvod_state).toBe('cancelling');
    h.sim.tick();
    expect((await h.bc.live.getClip(vod_jobs[0]!.jvod_id)).jvod_state).toBe('cancelled');
    const creds = await h.bc.live.listCredentials();
    expect(creds.map((c) => c.label)).toContain('s3-clips');
    expect(h.sim.cms.videosOf(ACCOUNT_IDS.neo)).toHaveLength(1);
  });

  it('a wrong X-API-KEY is UnauthorizedError', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    const bc = createBrightcove({
      endpoints: h.sim.urls,
      liveApiKey: 'wrong-key-123',
      dispatcher: h.bc.context.dispatcher,
    });
    await expect(bc.live.listJobs()).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
