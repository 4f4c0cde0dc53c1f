import { afterEach, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../src/brightcove/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('OAuth token handling', () => {
  it('50 concurrent calls with an expired token cause exactly one token request', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 3, analyticsDays: 0 } });
    const cms = h.bc.cms(h.account());
    await cms.countVideos();
    expect(h.sim.count({ api: 'oauth' })).toBe(1);
    await h.clock.advance(301_000);
    const counts = await Promise.all(Array.from({ length: 50 }, () => cms.countVideos()));
    expect(counts.every((c) => c === 3)).toBe(true);
    expect(h.sim.count({ api: 'oauth' })).toBe(2);
    expect(h.sim.count({ api: 'cms', status: 401 })).toBe(0);
  });

  it('retries the token request after 429s (it is idempotent), so the call succeeds', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 2, analyticsDays: 0 } });
    const cms = h.bc.cms(h.account());
    h.sim.runtime.faults.next429.oauth = 2;
    expect(await cms.countVideos()).toBe(2);
    expect(h.sim.count({ api: 'oauth', status: 429 })).toBe(2);
    expect(h.sim.count({ api: 'oauth', status: 200 })).toBe(1);
  });

  it('refreshes before expiry and reuses the token in between', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    const cms = h.bc.cms(h.account());
    await cms.countVideos();
    await h.clock.advance(200_000);
    await cms.countVideos();
    expect(h.sim.count({ api: 'oauth' })).toBe(1);
    await h.clock.advance(45_000); // 245 s: inside the 60 s refresh margin
    await cms.countVideos();
    expect(h.sim.count({ api: 'oauth' })).toBe(2);
  });

  it('retries exactly once after a 401 with a fresh token', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 2, analyticsDays: 0 } });
    const cms = h.bc.cms(h.account());
    await cms.countVideos();
    h.sim.runtime.tokens.clear(); // the server forgets every token: the cached one now gets 401
    expect(await cms.countVideos()).toBe(2);
    expect(h.sim.count({ api: 'cms', status: 401 })).toBe(1);
    expect(h.sim.count({ api: 'oauth' })).toBe(2);
  });

  it('a second 401 surfaces as UnauthorizedError (no loop)', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 2, analyticsDays: 0 } });
    const research = h.sim.credentials.find((c) => c.clientId === 'sim-client-research')!;
    const cms = h.bc.cms({ id: '1111111111001', credentials: research }); // valid client, wrong account
    await expect(cms.countVideos()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(h.sim.count({ api: 'cms', status: 401 })).toBe(2);
  });

  it('invalid_client gives a clear error that never contains the secret', async () => {
    h = await startHarness({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    const cms = h.bc.cms({
      id: '1111111111001',
      credentials: { clientId: 'nope', clientSecret: 'very-secret-value' },
    });
    const err = await cms.countVideos().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as Error).message).toMatch(/rejected the client credentials \(invalid_client\)/);
    expect(JSON.stringify(err)).not.toContain('very-secret-value');
    expect((err as Error).message).not.toContain('very-secret-value');
  });
});
