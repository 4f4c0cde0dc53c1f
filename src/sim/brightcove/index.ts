/**
 * Loopback simulators of Brightcove's OAuth, CMS, Analytics and Live APIs, each on its own 127.0.0.1 port,
 * sharing one mutable dataset, one request log and one set of injectable faults.
 */
import { type Clock, systemClock } from '../../clock.js';
import { type Logger, silentLogger } from '../../log.js';
import { type DatasetOptions, generateDataset } from '../data/generate.js';
import type { SimCredential, SimData } from '../data/types.js';
import { AnalyticsSim, analyticsErrorBody } from './analytics.js';
import { CmsSim, cmsAccountOf, cmsError, cmsErrorBody } from './cms.js';
import { LiveSim, type LiveSimOptions, liveErrorBody } from './live.js';
import type { RetryPolicy } from './notify.js';
import { oauthHandler } from './oauth.js';
import {
  type ApiServer,
  type Faults,
  type SimApi,
  type SimRequestLog,
  SimRuntime,
  serveApi,
} from './runtime.js';

export type { DeliveredNotification } from './notify.js';
export type { Faults, SimApi, SimRequestLog } from './runtime.js';

export interface BrightcoveSimOptions {
  clock?: Clock;
  /** a dataset, or options for the generator (default: small generated dataset) */
  dataset?: SimData | DatasetOptions;
  latencyMs?: number;
  /** enforce CMS (10 rps, 20 in flight) and Analytics (1 in flight) limits per account with 429s */
  enforceLimits?: boolean;
  logger?: Logger;
  /** seed for fault injection and ids */
  seed?: number;
  /** fixed ports (npm run sim); default 0 = any free port */
  ports?: Partial<Record<SimApi, number>>;
  shareDelayMs?: number;
  live?: Partial<LiveSimOptions>;
  /** retries of CMS video-change notifications (default 5 attempts, n × 5 s apart) */
  cmsNotifications?: RetryPolicy;
  /** tick clip jobs on a real-time interval (for the interactive sim) */
  autoTickMs?: number;
}

export interface BrightcoveSim {
  urls: { oauth: string; cms: string; analytics: string; live: string };
  credentials: SimCredential[];
  liveApiKey: string;
  data: SimData;
  requests: SimRequestLog[];
  faults: Faults;
  runtime: SimRuntime;
  cms: CmsSim;
  analytics: AnalyticsSim;
  live: LiveSim;
  /** count logged requests matching a filter */
  count: SimRuntime['count'];
  /** advance clip jobs and shares to the current clock time (also done on every request) */
  tick(): void;
  close(): Promise<void>;
}

function isDataset(d: BrightcoveSimOptions['dataset']): d is SimData {
  return !!d && 'videos' in d && 'accounts' in d;
}

export async function startBrightcoveSim(opts: BrightcoveSimOptions = {}): Promise<BrightcoveSim> {
  const clock = opts.clock ?? systemClock;
  const data = isDataset(opts.dataset)
    ? opts.dataset
    : generateDataset({ videosPerAccount: 12, analyticsDays: 14, now: clock.now(), ...(opts.dataset ?? {}) });
  const logger = opts.logger ?? silentLogger;
  const runtime = new SimRuntime(
    data,
    clock,
    logger,
    opts.enforceLimits ?? false,
    opts.latencyMs ?? 0,
    opts.seed ?? 7,
  );
  const cms = new CmsSim(runtime, {
    shareDelayMs: opts.shareDelayMs ?? 5000,
    ...(opts.cmsNotifications ? { notifications: opts.cmsNotifications } : {}),
  });
  const analytics = new AnalyticsSim(runtime);
  const live = new LiveSim(runtime, cms, {
    clipTimingsMs: { processing: 5_000, creating_asset: 20_000, finished: 30_000 },
    linkedAccount: data.accounts[0]?.id ?? '',
    duplicateRate: 0.1,
    notificationRetryBaseMs: 5_000,
    notificationMaxAttempts: 5,
    ...opts.live,
  });

  const servers: ApiServer[] = [];
  const start = async (api: SimApi, s: Omit<Parameters<typeof serveApi>[0], 'api' | 'runtime' | 'port'>) => {
    const server = await serveApi({ api, runtime, port: opts.ports?.[api], ...s });
    servers.push(server);
    return server.url;
  };
  const oauth = await start('oauth', {
    handler: oauthHandler(runtime),
    accountOf: () => null,
    errorBody: (status) => ({ error: status === 429 ? 'too_many_requests' : 'server_error' }),
  });
  const cmsUrl = await start('cms', {
    handler: (req) => {
      live.tick();
      return cms.handle(req);
    },
    accountOf: cmsAccountOf,
    errorBody: cmsErrorBody,
    admit: (account) => {
      if (!account) return {};
      if (!runtime.cmsAdmit(account))
        return { reject: cmsError(429, 'TOO_MANY_REQUESTS', 'Too many requests') };
      return { release: () => runtime.cmsRelease(account) };
    },
  });
  const analyticsUrl = await start('analytics', {
    handler: analytics.handle,
    accountOf: (path, q) => q.get('accounts') ?? /\/accounts\/([^/]+)/.exec(path)?.[1] ?? null,
    errorBody: analyticsErrorBody,
  });
  const liveUrl = await start('live', {
    handler: live.handle,
    accountOf: () => null,
    errorBody: liveErrorBody,
  });

  const timer = opts.autoTickMs
    ? setInterval(() => {
        live.tick();
        cms.advanceShares();
      }, opts.autoTickMs)
    : undefined;

  return {
    urls: { oauth, cms: cmsUrl, analytics: analyticsUrl, live: liveUrl },
    credentials: data.credentials,
    liveApiKey: data.liveApiKey,
    data,
    requests: runtime.requests,
    faults: runtime.faults,
    runtime,
    cms,
    analytics,
    live,
    count: (f) => runtime.count(f),
    tick: () => {
      live.tick();
      cms.advanceShares();
    },
    close: async () => {
      if (timer) clearInterval(timer);
      live.close();
      cms.notifier.close();
      for (const res of runtime.hung) res.destroy();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
