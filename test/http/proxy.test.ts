import { afterEach, describe, expect, it } from 'vitest';
import { createBrightcove } from '../../src/brightcove/index.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';
import { startProxy } from '../support/proxy.js';

let sim: BrightcoveSim | undefined;
let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
afterEach(async () => {
  await sim?.close();
  proxy?.server.closeAllConnections();
  await new Promise((r) => proxy?.server.close(r) ?? r(undefined));
});

describe('proxy', () => {
  it('a loopback proxy sees the OAuth and CMS traffic when HTTPS_PROXY is set', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 3, analyticsDays: 0 } });
    proxy = await startProxy();
    const dispatcher = createHttpDispatcher({ env: { HTTPS_PROXY: proxy.url }, retry: { maxRetries: 0 } });
    const bc = createBrightcove({ endpoints: sim.urls, dispatcher });
    const cred = sim.credentials[0]!;
    const count = await bc.cms({ id: ACCOUNT_IDS.neo, credentials: cred }).countVideos();
    expect(count).toBe(3);
    const oauthPort = new URL(sim.urls.oauth).port;
    const cmsPort = new URL(sim.urls.cms).port;
    expect(proxy.seen.some((s) => s.includes(`:${oauthPort}`))).toBe(true);
    expect(proxy.seen.some((s) => s.includes(`:${cmsPort}`))).toBe(true);
    await dispatcher.close();
  });

  it('NO_PROXY bypasses the proxy', async () => {
    sim = await startBrightcoveSim({ dataset: { videosPerAccount: 1, analyticsDays: 0 } });
    proxy = await startProxy();
    const dispatcher = createHttpDispatcher({ env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    const bc = createBrightcove({ endpoints: sim.urls, dispatcher });
    await bc.cms({ id: ACCOUNT_IDS.neo, credentials: sim.credentials[0]! }).countVideos();
    expect(proxy.seen).toEqual([]);
    await dispatcher.close();
  });
});
