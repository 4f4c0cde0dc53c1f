import { type Brightcove, type BrightcoveAccount, createBrightcove } from '../../src/brightcove/index.js';
import { ManualClock } from '../../src/clock.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import {
  type BrightcoveSim,
  type BrightcoveSimOptions,
  startBrightcoveSim,
} from '../../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';

export interface Harness {
  sim: BrightcoveSim;
  bc: Brightcove;
  clock: ManualClock;
  account: (alias?: keyof typeof ACCOUNT_IDS) => BrightcoveAccount;
  close: () => Promise<void>;
}

/** A simulator plus a client wired to it, with instant retries, a manual clock and (unless `limits` says
 * otherwise) no CMS rate cap, so tests that are not about limits stay fast. */
export async function startHarness(
  simOpts: BrightcoveSimOptions = {},
  limits: Parameters<typeof createBrightcove>[0]['limits'] = {},
): Promise<Harness> {
  const clock = new ManualClock();
  const sim = await startBrightcoveSim({ clock, ...simOpts });
  const dispatcher = createHttpDispatcher({
    retry: { maxRetries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 },
    headersTimeoutMs: 2_000,
    env: {},
  });
  const bc = createBrightcove({
    endpoints: sim.urls,
    liveApiKey: sim.liveApiKey,
    dispatcher,
    clock,
    limits: { analyticsProcessingRetryMs: 0, cmsRequestsPerInterval: 20, cmsIntervalMs: 0, ...limits },
  });
  const all = sim.credentials.find((c) => c.clientId === 'sim-client-all')!;
  return {
    sim,
    bc,
    clock,
    account: (alias = 'neo') => ({
      id: ACCOUNT_IDS[alias],
      alias,
      credentials: { clientId: all.clientId, clientSecret: all.clientSecret },
    }),
    close: async () => {
      await sim.close();
      await dispatcher.close();
    },
  };
}
