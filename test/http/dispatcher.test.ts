import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpDispatcher,
  createProxyAgent,
  resolveProxy,
  retryDelayMs,
  retryPolicyOf,
} from '../../src/http/dispatcher.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';

let sim: BrightcoveSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const fast = { retry: { maxRetries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 }, env: {} };
const liveHeaders = (s: BrightcoveSim) => ({ 'x-api-key': s.liveApiKey });

describe('retry delay', () => {
  const o = { minTimeout: 100, maxTimeout: 1000, random: () => 0.5 };
  it('grows exponentially with jitter and is capped', () => {
    expect(retryDelayMs(1, undefined, o)).toBe(75);
    expect(retryDelayMs(2, undefined, o)).toBe(150);
    expect(retryDelayMs(3, undefined, o)).toBe(300);
    expect(retryDelayMs(10, undefined, o)).toBe(750);
    expect(retryDelayMs(1, undefined, { ...o, random: () => 0 })).toBe(50);
    expect(retryDelayMs(1, undefined, { ...o, random: () => 0.999 })).toBeCloseTo(100, 0);
  });
  it('honours Retry-After (seconds or HTTP date), capped at the maximum', () => {
    expect(retryDelayMs(1, '0.2', o)).toBe(200);
    expect(retryDelayMs(1, '30', o)).toBe(1000);
    expect(retryDelayMs(1, ['0.3'], o)).toBe(300);
    expect(retryDelayMs(1, new Date(Date.now() + 600_000).toUTCString(), o)).toBe(1000);
  });
});

describe('retries against the simulator’s faults', () => {
  it('retries injected 429s (with Retry-After) on GET until success', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    sim.faults.next429.live = 2;
    sim.faults.retryAfterSeconds = 0;
    const d = createHttpDispatcher(fast);
    const res = await request(`${sim.urls.live}/v1/jobs`, { dispatcher: d, headers: liveHeaders(sim) });
    expect(res.statusCode).toBe(200);
    await res.body.json();
    expect(sim.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    await d.close();
  });

  it('leaves a request marked callerRetries to its caller (one attempt) and tells the caller its policy', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    sim.faults.next429.live = 2;
    const d = createHttpDispatcher(fast);
    const opts = { dispatcher: d, headers: liveHeaders(sim), callerRetries: true } as Parameters<
      typeof request
    >[1];
    const res = await request(`${sim.urls.live}/v1/jobs`, opts);
    expect(res.statusCode).toBe(429);
    await res.body.text();
    expect(sim.count({ api: 'live' })).toBe(1);
    const policy = retryPolicyOf(d)!;
    expect(policy.maxRetries).toBe(3);
    expect(policy.statusCodes).toContain(429);
    expect(policy.idempotent('GET', '/v1/jobs')).toBe(true);
    expect(policy.idempotent('POST', '/v1/accounts/1/videos')).toBe(false);
    expect(retryPolicyOf(createProxyAgent({ env: {} }))).toBeUndefined();
    await d.close();
  });

  it('gives up after maxRetries and passes the last response through', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    sim.faults.next429.live = 10;
    const d = createHttpDispatcher(fast);
    const res = await request(`${sim.urls.live}/v1/jobs`, { dispatcher: d, headers: liveHeaders(sim) });
    expect(res.statusCode).toBe(429);
    await res.body.text();
    expect(sim.count({ api: 'live' })).toBe(4);
    await d.close();
  });

  it('retries a seeded 5xx rate and every request still succeeds', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 1, analyticsDays: 0 }, seed: 3 });
    sim.faults.errorRate = 0.3;
    const d = createHttpDispatcher({ ...fast, retry: { maxRetries: 8, minTimeoutMs: 1, maxTimeoutMs: 2 } });
    for (let i = 0; i < 20; i++) {
      const res = await request(`${sim.urls.live}/v1/jobs`, { dispatcher: d, headers: liveHeaders(sim) });
      expect(res.statusCode).toBe(200);
      await res.body.text();
    }
    expect(sim.count({ status: 503 })).toBeGreaterThan(0);
    await d.close();
  });

  it('never retries a POST (not idempotent)', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    sim.faults.next429.live = 1;
    const d = createHttpDispatcher(fast);
    const res = await request(`${sim.urls.live}/v1/vods`, {
      dispatcher: d,
      method: 'POST',
      headers: { ...liveHeaders(sim), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.statusCode).toBe(429);
    await res.body.text();
    expect(sim.count({ api: 'live' })).toBe(1);
    await d.close();
  });

  it('a hung socket times out (headers timeout) and the retry succeeds', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    sim.faults.hangNext.live = 1;
    const d = createHttpDispatcher({ ...fast, headersTimeoutMs: 150 });
    const res = await request(`${sim.urls.live}/v1/jobs`, { dispatcher: d, headers: liveHeaders(sim) });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(sim.requests.map((r) => r.status)).toEqual([-1, 200]);
    await d.close();
  });
});

describe('proxy resolution', () => {
  it('explicit options win over the environment; an HTTPS proxy also serves http endpoints', () => {
    expect(resolveProxy(undefined, {})).toBeUndefined();
    expect(resolveProxy(undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'x.com' })).toEqual({
      https: 'http://p:1',
      http: 'http://p:1',
      noProxy: 'x.com',
    });
    expect(
      resolveProxy({ https: 'http://cfg:2' }, { HTTPS_PROXY: 'http://env:1', HTTP_PROXY: 'http://h:3' }),
    ).toEqual({
      https: 'http://cfg:2',
      http: 'http://h:3',
      noProxy: undefined,
    });
  });
});
