import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { describeShareStatus } from '../../src/sharing/describe.js';
import {
  DEFAULT_SHARE_BACKOFF,
  type ShareStatus,
  shareBackoffDelay,
  shareStatus,
  summarizeShares,
  type TrackSharesOptions,
  trackShares,
} from '../../src/sharing/status.js';
import type { ShareRecord } from '../../src/sharing/types.js';
import { NORTH, SOUTH } from './helpers.js';

const VIDEO = '6301234567001';
const rec = (affiliate: string, status: string, over: Partial<ShareRecord> = {}): ShareRecord => ({
  video_id: VIDEO,
  affiliate_id: affiliate,
  affiliate_video_id: null,
  status,
  error_message: null,
  ...over,
});

/** Advances the manual clock until the tracker settles (bounded, so a hang fails instead of spinning). */
async function drive<T>(p: Promise<T>, clock: ManualClock, stepMs = 1_000, maxSteps = 5_000): Promise<T> {
  let settled = false;
  p.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < maxSteps && !settled; i++) await clock.advance(stepMs);
  expect(settled).toBe(true);
  return p;
}

function setup(
  script: (affiliateId: string, elapsedMs: number) => ShareRecord | null | Error,
  extra: Partial<TrackSharesOptions> = {},
) {
  const clock = new ManualClock();
  const start = clock.now().getTime();
  const changes: ShareStatus[] = [];
  let polls = 0;
  const opts: TrackSharesOptions = {
    videoId: VIDEO,
    affiliates: [NORTH, SOUTH],
    clock,
    getShare: async (id) => {
      polls += 1;
      const r = script(id, clock.now().getTime() - start);
      if (r instanceof Error) throw r;
      return r;
    },
    onChange: (c) => {
      changes.push(c);
    },
    initial: [rec(NORTH.id, 'PROCESSING'), rec(SOUTH.id, 'PROCESSING')],
    ...extra,
  };
  return { clock, changes, opts, polls: () => polls };
}

describe('shareStatus', () => {
  it('maps statuses, reads errors on any status, and tells whether the copy waits for acceptance', () => {
    expect(shareStatus(rec(NORTH.id, 'PROCESSING'), NORTH)).toMatchObject({
      state: 'processing',
      terminal: false,
      acceptance: null,
    });
    expect(shareStatus(rec(NORTH.id, 'FAILED'), NORTH)).toMatchObject({ state: 'failed', terminal: true });
    expect(shareStatus(rec(NORTH.id, 'ERROR'), NORTH).state).toBe('failed');
    expect(shareStatus(rec(NORTH.id, 'WEIRD'), NORTH)).toMatchObject({ state: 'unknown', terminal: false });
    const done = rec(SOUTH.id, 'COMPLETE', { affiliate_video_id: '6400000001001' });
    expect(shareStatus(done, SOUTH, { affiliateVideoState: 'PENDING' }).acceptance).toBe('pending');
    expect(shareStatus(done, SOUTH, { autoAccept: false }).acceptance).toBe('pending');
    expect(shareStatus(done, SOUTH, { autoAccept: true }).acceptance).toBe('accepted');
    expect(shareStatus(done, SOUTH, { affiliateVideoState: 'ACTIVE', autoAccept: false }).acceptance).toBe(
      'accepted',
    );
    expect(shareStatus(done, SOUTH).acceptance).toBe('unknown');
    expect(describeShareStatus(shareStatus(done, SOUTH, { autoAccept: false }))).toBe(
      'Neo South: shared as 6400000001001, waiting for Neo South to accept it (no auto-accept).',
    );
  });

  it('summarizes all shares of a video by affiliate name', () => {
    const names = { [NORTH.id]: NORTH, [SOUTH.id]: SOUTH };
    const rows = summarizeShares(
      [rec(SOUTH.id, 'ERROR'), rec(NORTH.id, 'COMPLETE', { affiliate_video_id: '1' })],
      (id) => names[id]!,
    );
    expect(rows.map((r) => [r.affiliate.name, r.state])).toEqual([
      ['Neo North', 'complete'],
      ['Neo South', 'failed'],
    ]);
  });
});

describe('trackShares', () => {
  it('follows PROCESSING → COMPLETE (pending acceptance) and PROCESSING → ERROR, emitting each change once', async () => {
    const { clock, changes, opts } = setup((id, t) => {
      if (id === NORTH.id)
        return t >= 20_000
          ? rec(id, 'COMPLETE', { affiliate_video_id: '6400000001001' })
          : rec(id, 'PROCESSING');
      return t >= 40_000
        ? rec(id, 'ERROR', {
            error_message:
              '[{"error_code":"MISSING_CUSTOM_FIELDS","error_message":"Affiliate account is missing custom fields: [subject]"}]',
          })
        : rec(id, 'PROCESSING');
    });
    const lookups: string[] = [];
    const result = await drive(
      trackShares({
        ...opts,
        getAcceptance: async (id, copy) => {
          lookups.push(`${id}/${copy}`);
          return { affiliateVideoState: 'PENDING' };
        },
      }),
      clock,
    );
    expect(result.finished).toBe(true);
    expect(changes.map((c) => [c.affiliate.id, c.state])).toEqual([
      [NORTH.id, 'processing'],
      [SOUTH.id, 'processing'],
      [NORTH.id, 'complete'],
      [SOUTH.id, 'failed'],
    ]);
    expect(changes[2]).toMatchObject({ affiliateVideoId: '6400000001001', acceptance: 'pending' });
    expect(changes[3]?.errors[0]?.words).toMatch(/Neo South lacks custom field subject/);
    expect(lookups).toEqual([`${NORTH.id}/6400000001001`]);
    expect(result.statuses.map((s) => s.state)).toEqual(['complete', 'failed']);
  });

  it('treats COMPLETE with a JSON-encoded error_message as finished with errors', async () => {
    const { clock, changes, opts } = setup((id) =>
      rec(id, 'COMPLETE', {
        affiliate_video_id: `copy-${id}`,
        error_message:
          '[{"error_code":"ILLEGAL_CUSTOM_FIELD_VALUE","error_message":"Illegal value for custom fields: [topic]"}]',
      }),
    );
    const result = await drive(trackShares({ ...opts, affiliates: [NORTH], initial: [] }), clock);
    expect(result.finished).toBe(true);
    expect(changes.at(-1)).toMatchObject({
      state: 'complete_with_errors',
      affiliateVideoId: `copy-${NORTH.id}`,
    });
    expect(changes.at(-1)?.errors[0]?.words).toMatch(
      /doesn't allow the video's value for custom field topic/,
    );
  });

  it('backs off while nothing changes, and gives up after the tracking limit', async () => {
    expect(shareBackoffDelay(0, DEFAULT_SHARE_BACKOFF)).toBeLessThan(
      shareBackoffDelay(3, DEFAULT_SHARE_BACKOFF),
    );
    expect(shareBackoffDelay(50, DEFAULT_SHARE_BACKOFF)).toBe(DEFAULT_SHARE_BACKOFF.maxMs);
    const { clock, changes, opts, polls } = setup((id) => rec(id, 'PROCESSING'));
    const result = await drive(
      trackShares({ ...opts, affiliates: [NORTH], maxTrackingMs: 10 * 60_000 }),
      clock,
      5_000,
    );
    expect(result.finished).toBe(false);
    expect(result.stoppedReason).toMatch(/Still processing after 10 min.*\/brightcove shares 6301234567001/);
    expect(changes).toHaveLength(1); // the initial PROCESSING only: no repeats for unchanged polls
    // with a 30 s cap, 10 minutes take well under a poll per 3 s; a fixed 3 s poll would make 200
    expect(polls()).toBeGreaterThan(5);
    expect(polls()).toBeLessThan(40);
  });

  it('rides out transient poll errors, but stops after too many in a row', async () => {
    let calls = 0;
    const flaky = setup((id, t) => {
      calls += 1;
      if (calls <= 2) return new Error('socket hang up');
      return t > 0 ? rec(id, 'COMPLETE', { affiliate_video_id: 'c1' }) : rec(id, 'PROCESSING');
    });
    const ok = await drive(trackShares({ ...flaky.opts, affiliates: [NORTH] }), flaky.clock);
    expect(ok.finished).toBe(true);

    const broken = setup(() => new Error('503 Service unavailable'));
    const res = await drive(
      trackShares({ ...broken.opts, affiliates: [NORTH], maxConsecutiveErrors: 3 }),
      broken.clock,
    );
    expect(res.finished).toBe(false);
    expect(res.stoppedReason).toMatch(
      /Couldn't read the share status 3 times in a row \(503 Service unavailable\)/,
    );
  });

  it('reports a share record that disappeared as failed, in words', async () => {
    const { clock, changes, opts } = setup(() => null);
    const result = await drive(trackShares({ ...opts, affiliates: [SOUTH] }), clock);
    expect(result.finished).toBe(true);
    expect(changes.at(-1)).toMatchObject({ state: 'failed', apiStatus: 'GONE' });
    expect(changes.at(-1)?.errors[0]?.words).toMatch(/share record for Neo South is gone/);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const { clock, opts } = setup((id) => {
      ac.abort();
      return rec(id, 'PROCESSING');
    });
    const result = await drive(trackShares({ ...opts, signal: ac.signal }), clock);
    expect(result).toMatchObject({ finished: false, stoppedReason: 'Tracking was stopped.' });
  });
});
