import { describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  type ClipStateChange,
  ClipTracker,
  type ClipTrackerOptions,
  DEFAULT_BACKOFF,
  type VodJobSnapshot,
} from '../../src/clips/tracker.js';
import { ManualClock } from '../../src/clock.js';

const JVOD = '9582606c50d84be5ad4bc104f2aa3360';
const REF = 'bcops-clip-fixed-id-1';
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const snap = (jvod_state: string, extra: Partial<VodJobSnapshot> = {}): VodJobSnapshot => ({
  jvod_id: JVOD,
  jvod_state,
  ...extra,
});

/** A VOD job whose state the test moves; polls read it. */
function setup(opts: Partial<ClipTrackerOptions> = {}) {
  const clock = new ManualClock('2026-11-21T12:00:00Z');
  let current: VodJobSnapshot | undefined = snap('waiting');
  const changes: ClipStateChange[] = [];
  const getJob = vi.fn(async () => current);
  const findVideoByReferenceId = vi.fn(async (ref: string) =>
    ref === REF ? { id: '6385912345112', name: 'Goal 1' } : undefined,
  );
  const tracker = new ClipTracker({
    jvodId: JVOD,
    clock,
    getJob,
    onChange: (c) => {
      changes.push(c);
    },
    referenceId: REF,
    findVideoByReferenceId,
    ...opts,
  });
  return {
    clock,
    tracker,
    changes,
    getJob,
    findVideoByReferenceId,
    set: (s: VodJobSnapshot | undefined) => {
      current = s;
    },
  };
}

describe('ClipTracker polling', () => {
  it('follows waiting → processing → creating asset → finished and names the video with a Studio link', async () => {
    const t = setup();
    const done = t.tracker.start();
    await flush();
    expect(t.changes).toEqual([]); // still waiting: not a change
    t.set(snap('waiting_finish_live'));
    await t.clock.advance(60_000);
    expect(t.changes).toEqual([]); // waiting_finish_live is still "waiting"
    t.set(snap('processing'));
    await t.clock.advance(60_000);
    t.set(snap('creating_asset'));
    await t.clock.advance(60_000);
    t.set(snap('finished', { jvod_reported_duration_s: 90 }));
    await t.clock.advance(60_000);
    const outcome = await done;
    expect(t.changes.map((c) => c.state)).toEqual(['processing', 'creating_asset', 'finished']);
    expect(outcome).toEqual({
      state: 'finished',
      apiState: 'finished',
      durationSec: 90,
      video: {
        id: '6385912345112',
        name: 'Goal 1',
        studioUrl: 'https://studio.brightcove.com/products/videocloud/media/videos/6385912345112',
      },
    });
    expect(t.changes.at(-1)?.outcome).toEqual(outcome);
    expect(t.findVideoByReferenceId).toHaveBeenCalledWith(REF);
    // It stops polling at the terminal state.
    const polls = t.getJob.mock.calls.length;
    await t.clock.advance(600_000);
    expect(t.getJob.mock.calls.length).toBe(polls);
  });

  it('a failed clip ends with its reason', async () => {
    const t = setup();
    const done = t.tracker.start();
    await flush();
    t.set(snap('failed', { error_message: 'No media in the requested window' }));
    await t.clock.advance(2_000);
    const outcome = await done;
    expect(outcome).toEqual({
      state: 'failed',
      apiState: 'failed',
      reason:
        'Brightcove Live hit a system error while cutting the clip (state "failed"). ' +
        'Brightcove said: No media in the requested window',
    });
    expect(t.changes.map((c) => c.state)).toEqual(['failed']);
    expect(t.findVideoByReferenceId).not.toHaveBeenCalled();
  });

  it('"error" and "cancelled" states are failures with their own reasons', async () => {
    const t = setup();
    const done = t.tracker.start();
    await flush();
    t.set(snap('error'));
    await t.clock.advance(2_000);
    expect(await done).toMatchObject({ state: 'failed', reason: expect.stringContaining('state "error"') });

    const c = setup();
    const done2 = c.tracker.start();
    c.tracker.notify({ event: 'state_changed', ...snap('cancelled') });
    expect(await done2).toMatchObject({
      state: 'failed',
      reason: 'The clip job was cancelled (state "cancelled").',
    });
  });

  it('a clip job the API no longer knows is a failure', async () => {
    const t = setup();
    t.set(undefined);
    expect(await t.tracker.start()).toMatchObject({ state: 'failed', reason: expect.stringContaining(JVOD) });
  });

  it('keeps polling through transient errors', async () => {
    const t = setup();
    t.getJob.mockRejectedValueOnce(new Error('socket hang up'));
    const done = t.tracker.start();
    await flush();
    t.set(snap('finished'));
    await t.clock.advance(2_000);
    expect((await done).state).toBe('finished');
    expect(t.getJob).toHaveBeenCalledTimes(2);
  });

  it('S3/FTP clips finish with the written URL and no video lookup', async () => {
    const t = setup({ referenceId: undefined });
    t.set(snap('finished', { jvod_url: 's3://my-bucket/clips/last.mp4' }));
    expect(await t.tracker.start()).toEqual({
      state: 'finished',
      apiState: 'finished',
      url: 's3://my-bucket/clips/last.mp4',
    });
    expect(t.findVideoByReferenceId).not.toHaveBeenCalled();
  });

  it('retries the video lookup, then finishes with a note when the video cannot be found', async () => {
    const t = setup({ videoLookupAttempts: 3 });
    t.findVideoByReferenceId.mockResolvedValue(undefined);
    t.set(snap('finished'));
    const done = t.tracker.start();
    await flush();
    await t.clock.advance(60_000);
    const outcome = await done;
    expect(outcome).toEqual({
      state: 'finished',
      apiState: 'finished',
      note: `No Video Cloud video with reference id ${REF} was found yet; search Studio for it.`,
    });
    expect(t.findVideoByReferenceId).toHaveBeenCalledTimes(3);
  });
});

describe('ClipTracker notifications', () => {
  it('a duplicate notification changes nothing', async () => {
    const t = setup();
    t.tracker.start();
    await flush();
    const payload = { event: 'state_changed', ...snap('processing', { jvod_last_state_change_at: 1_000 }) };
    expect(t.tracker.notify(payload)).toBe(true);
    expect(t.tracker.notify({ ...payload })).toBe(false);
    await flush();
    expect(t.changes.map((c) => c.state)).toEqual(['processing']);
    expect(t.tracker.state).toBe('processing');
  });

  it('ignores out-of-order, stale, foreign and other-event notifications', async () => {
    const t = setup();
    t.tracker.start();
    await flush();
    expect(
      t.tracker.notify({
        event: 'state_changed',
        ...snap('creating_asset', { jvod_last_state_change_at: 5_000 }),
      }),
    ).toBe(true);
    // Arrives late: an older state.
    expect(
      t.tracker.notify({
        event: 'state_changed',
        ...snap('processing', { jvod_last_state_change_at: 3_000 }),
      }),
    ).toBe(false);
    // Stale timestamp even though the state would move forward.
    expect(
      t.tracker.notify({ event: 'state_changed', ...snap('finished', { jvod_last_state_change_at: 4_000 }) }),
    ).toBe(false);
    expect(t.tracker.notify({ event: 'state_changed', jvod_id: 'other', jvod_state: 'finished' })).toBe(
      false,
    );
    expect(t.tracker.notify({ event: 'first_segment_uploaded', ...snap('finished') })).toBe(false);
    expect(t.tracker.notify({ nonsense: true })).toBe(false);
    await flush();
    expect(t.changes.map((c) => c.state)).toEqual(['creating_asset']);
  });

  it('a notification finishes the clip without waiting for the next poll; later events change nothing', async () => {
    const t = setup();
    const done = t.tracker.start();
    await flush();
    const polls = t.getJob.mock.calls.length;
    expect(t.tracker.notify({ event: 'state_changed', ...snap('finished') })).toBe(true);
    const outcome = await done; // no clock advance needed
    expect(outcome.state).toBe('finished');
    expect(t.getJob.mock.calls.length).toBe(polls);
    expect(t.tracker.notify({ event: 'state_changed', ...snap('failed') })).toBe(false);
    await flush();
    expect(t.changes.map((c) => c.state)).toEqual(['finished']);
  });

  it('a poll and a notification reporting the same change emit it once', async () => {
    const t = setup();
    t.tracker.start();
    await flush();
    t.set(snap('processing'));
    t.tracker.notify({ event: 'state_changed', ...snap('processing') });
    await t.clock.advance(2_000);
    expect(t.changes.map((c) => c.state)).toEqual(['processing']);
  });
});

describe('ClipTracker backoff', () => {
  it('grows while nothing changes and is bounded', async () => {
    const t = setup({ backoff: { initialMs: 1_000, factor: 2, maxMs: 8_000 } });
    t.tracker.start();
    await flush();
    await t.clock.advance(60_000);
    const delays = t.tracker.delays;
    expect(delays.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(Math.max(...delays)).toBe(8_000);
    expect(t.getJob.mock.calls.length).toBe(delays.length);
  });

  it('resets to the initial delay after a change', async () => {
    const t = setup({ backoff: { initialMs: 1_000, factor: 2, maxMs: 8_000 } });
    t.tracker.start();
    await flush();
    await t.clock.advance(15_000); // polls at 0, 1s, 3s, 7s, 15s
    const before = t.tracker.delays.length;
    t.set(snap('processing'));
    await t.clock.advance(8_000);
    expect(t.tracker.delays[before]).toBe(1_000);
  });

  it('default backoff starts at 2 s like Brightcove’s demo and caps at 30 s', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF)).toBe(2_000);
    expect(backoffDelay(1, DEFAULT_BACKOFF)).toBe(3_000);
    expect(backoffDelay(50, DEFAULT_BACKOFF)).toBe(30_000);
  });

  it('stops following after the tracking limit, and stop() ends tracking', async () => {
    const t = setup({ maxTrackingMs: 60_000 });
    const done = t.tracker.start();
    await flush();
    await t.clock.advance(120_000);
    expect(await done).toMatchObject({ state: 'stopped' });

    const s = setup();
    const done2 = s.tracker.start();
    s.tracker.stop();
    expect(await done2).toEqual({
      state: 'stopped',
      reason: 'Tracking stopped before the clip job finished.',
    });
  });
});
