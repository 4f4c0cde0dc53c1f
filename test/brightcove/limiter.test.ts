import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountLimiters, CmsLimiter, DEFAULT_LIMITS } from '../../src/brightcove/context.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';
import { startHarness } from './harness.js';

/** Runs `n` requests of `latencyMs` each through the limiter on fake timers; start times and peak in flight. */
async function drive(limiter: CmsLimiter, n: number, latencyMs: number) {
  const starts: number[] = [];
  let inFlight = 0;
  let peak = 0;
  const all = Array.from({ length: n }, () =>
    limiter.run(async () => {
      starts.push(Date.now());
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, latencyMs));
      inFlight--;
    }),
  );
  await vi.runAllTimersAsync();
  await Promise.all(all);
  return { starts, peak, doneAt: Date.now() };
}

describe('CmsLimiter: at the rate limit whatever the latency (issue 16)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([0, 25, 250, 1000, 2500])(
    '%i ms latency: never more than 10 starts in any rolling second, never more than 20 in flight',
    async (latency) => {
      const { starts, peak } = await drive(new CmsLimiter(10, 1000, 20, 200, () => Date.now()), 120, latency);
      for (let i = 10; i < starts.length; i++)
        expect(starts[i]! - starts[i - 10]!).toBeGreaterThanOrEqual(1000);
      expect(peak).toBeLessThanOrEqual(20);
    },
  );

  it('at high latency the 11th start waits a window plus the margin, and the margin shrinks by 2 ms per response while no 429 comes', async () => {
    const limiter = new CmsLimiter(10, 1000, 20, 200, () => Date.now());
    const { starts } = await drive(limiter, 40, 1000);
    // the first ten hold their slots for 1,200 ms; their responses took 20 ms off before the next ten
    expect(starts[10]! - starts[0]!).toBe(1200);
    expect(starts[20]! - starts[10]!).toBe(1180);
    expect(limiter.marginMs).toBe(120);
    // down to 50 ms, never below: 10 per 1,050 ms is within 5% of the rate limit
    await drive(limiter, 100, 1000);
    expect(limiter.marginMs).toBe(50);
  });

  it('a 429 doubles the margin, once for all the 429s of one window, and it shrinks back only to what was too little plus 25 ms', async () => {
    const limiter = new CmsLimiter(10, 1000, 20, 200, () => Date.now());
    await drive(limiter, 100, 10);
    expect(limiter.marginMs).toBe(50);
    for (let i = 0; i < 10; i++) limiter.tooMany();
    expect(limiter.marginMs).toBe(100);
    vi.advanceTimersByTime(1000);
    limiter.tooMany();
    expect(limiter.marginMs).toBe(200);
    // 200 responses later: the learned floor (100 + 25 ms, less 1 ms per 100 responses), not 50 ms
    await drive(limiter, 200, 10);
    expect(limiter.marginMs).toBeCloseTo(123, 5);
  });

  it("counts a slot's window from the moment its request is written, not from its admission", async () => {
    const limiter = new CmsLimiter(1, 1000, 5, 200, () => Date.now());
    const starts: number[] = [];
    const all = [0, 1].map(() =>
      limiter.run(async (sent) => {
        starts.push(Date.now());
        // a busy event loop writes the request 130 ms after its slot was granted
        await new Promise((r) => setTimeout(r, 130));
        sent();
        await new Promise((r) => setTimeout(r, 1000));
      }),
    );
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(starts).toEqual([0, 1330]);
  });

  it('a slot is held until a window after the response when that comes first (safe at low latency)', async () => {
    const { starts } = await drive(new CmsLimiter(1, 1000, 5, 200, () => Date.now()), 3, 10);
    expect(starts).toEqual([0, 1010, 2020]);
  });

  it('at 2.5 s latency the in-flight limit binds: 20 at once, never 21', async () => {
    const { starts, peak } = await drive(new CmsLimiter(10, 1000, 20, 200, () => Date.now()), 60, 2500);
    expect(peak).toBe(20);
    // the third batch of ten waits for the first to finish (2.5 s), not for the window (2.4 s)
    expect(starts[20]).toBe(2500);
  });

  it('a failed request frees its slot and the error reaches the caller', async () => {
    const limiter = new CmsLimiter(1, 0, 1, 0, () => Date.now());
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
    expect(limiter.inFlight).toBe(0);
  });

  it("an account's own budget (cms_rate, cms_concurrency) replaces Brightcove's for that account only", async () => {
    const limiters = new AccountLimiters(DEFAULT_LIMITS, new Map([['111', { cmsRequestsPerInterval: 4 }]]));
    const own = await drive(limiters.cms('111'), 8, 25);
    expect(own.starts.slice(4, 5)).toEqual([1025]);
    const other = await drive(limiters.cms('222'), 8, 25);
    expect(other.starts.every((s) => s === other.starts[0])).toBe(true);
  });
});

describe('CMS listing at high latency against the simulator (limits enforced)', () => {
  it('keeps more than 10 requests in flight when each takes longer than a second, with no 429', async () => {
    const h = await startHarness(
      {
        dataset: { videosPerAccount: { neo: 2500 }, analyticsDays: 0 },
        enforceLimits: true,
        latencyMs: 2000,
      },
      { cmsRequestsPerInterval: 10, cmsIntervalMs: 1000 },
    );
    try {
      const videos = await h.bc.cms(h.account()).listVideos().toArray();
      expect(videos).toHaveLength(2500);
      expect(h.sim.count({ status: 429 })).toBe(0);
      // The old limiter held each slot until a second after its response: never more than 10 in flight.
      expect(h.sim.runtime.maxInFlight.cms.get(ACCOUNT_IDS.neo)).toBeGreaterThan(10);
      expect(h.sim.runtime.maxInFlight.cms.get(ACCOUNT_IDS.neo)).toBeLessThanOrEqual(20);
    } finally {
      await h.close();
    }
  }, 30_000);
});
