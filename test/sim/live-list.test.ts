import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';

/** `GET /v1/jobs/{id}/vods` as reference B4 describes it: filters, sort, page_size and tokens. */
describe('Live simulator: listing the clip jobs of a live job', () => {
  let sim: BrightcoveSim;
  const clock = new ManualClock('2026-11-21T12:00:00Z');
  let job: string;
  const list = async (query: Record<string, string>) => {
    const res = await fetch(`${sim.urls.live}/v1/jobs/${job}/vods?${new URLSearchParams(query)}`, {
      headers: { 'x-api-key': sim.liveApiKey },
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        vod_jobs: { label: string; jvod_created_at: number }[];
        next_token?: string;
      },
    };
  };

  beforeAll(async () => {
    sim = await startBrightcoveSim({ clock, dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    job = sim.data.liveJobs[0]!.id;
    sim.data.vodJobs.length = 0;
    for (const label of ['Goal one', 'Goal two', 'Goal one', 'Save']) {
      const res = await fetch(`${sim.urls.live}/v1/vods`, {
        method: 'POST',
        headers: { 'x-api-key': sim.liveApiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          live_job_id: job,
          outputs: [{ label, stream_start_time: 10, stream_end_time: 40, url: 's3://b/c.mp4' }],
        }),
      });
      expect(res.status).toBe(200);
      await clock.advance(1_000);
    }
  });
  afterAll(() => sim.close());

  it('filters by label (quoted or not) and by created_at comparisons', async () => {
    expect((await list({ label: "'Goal one'" })).body.vod_jobs).toHaveLength(2);
    expect((await list({ label: '[Goal two,Save]' })).body.vod_jobs.map((v) => v.label)).toEqual([
      'Goal two',
      'Save',
    ]);
    const start = Date.parse('2026-11-21T12:00:00Z');
    expect((await list({ created_at: `ge:${start + 2_000}` })).body.vod_jobs.map((v) => v.label)).toEqual([
      'Goal one',
      'Save',
    ]);
    expect((await list({ label: 'Goal one', created_at: `lt:${start + 1_000}` })).body.vod_jobs).toHaveLength(
      1,
    );
  });

  it('pages with page_size (default 10) and next_token, and sorts by created_at', async () => {
    const first = await list({ page_size: '3', sort: 'created_at', sort_dir: 'desc' });
    expect(first.body.vod_jobs.map((v) => v.label)).toEqual(['Save', 'Goal one', 'Goal two']);
    expect(first.body.next_token).toBeDefined();
    const second = await list({
      page_size: '3',
      sort: 'created_at',
      sort_dir: 'desc',
      start_token: first.body.next_token!,
    });
    expect(second.body.vod_jobs.map((v) => v.label)).toEqual(['Goal one']);
    expect(second.body.next_token).toBeUndefined();
    expect((await list({ page_size: '0' })).status).toBe(400);
  });
});
