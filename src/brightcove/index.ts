/**
 * The Brightcove platform layer: `createBrightcove(...)` wires one dispatcher, one token cache and one set
 * of per-account limiters, and hands out CMS/Analytics clients per account plus the Live client.
 */
import type { Dispatcher } from 'undici';
import { type Clock, systemClock } from '../clock.js';
import { createHttpDispatcher } from '../http/dispatcher.js';
import { type Logger, silentLogger } from '../log.js';
import { AnalyticsClient, type AnalyticsQuery, type AnalyticsResult, queryAccounts } from './analytics.js';
import { CmsClient } from './cms.js';
import {
  AccountLimiters,
  type BrightcoveAccount,
  type BrightcoveContext,
  type BrightcoveEndpoints,
  type BrightcoveLimits,
  type CmsBudget,
  DEFAULT_LIMITS,
} from './context.js';
import { LiveClient } from './live.js';
import { TokenManager } from './oauth.js';

export type { AnalyticsQuery, AnalyticsResult } from './analytics.js';
export { AnalyticsClient, buildAnalyticsParams } from './analytics.js';
export type { ListStats, ListVideosOptions, VideoListing } from './cms.js';
export { CmsClient } from './cms.js';
export type { BrightcoveAccount, BrightcoveEndpoints, BrightcoveLimits } from './context.js';
export { DEFAULT_LIMITS } from './context.js';
export * from './errors.js';
export { LiveClient } from './live.js';
export type * from './schemas.js';

interface BrightcoveOptions {
  endpoints: BrightcoveEndpoints;
  liveApiKey?: string;
  dispatcher?: Dispatcher;
  clock?: Clock;
  logger?: Logger;
  limits?: Partial<BrightcoveLimits>;
  /** per-account CMS budgets by account id (default: Brightcove's limits) */
  cmsBudgets?: ReadonlyMap<string, CmsBudget>;
}

export interface Brightcove {
  cms(account: BrightcoveAccount): CmsClient;
  analytics(account: BrightcoveAccount): AnalyticsClient;
  /** one query per account, accounts in parallel */
  analyticsForAccounts(
    accounts: BrightcoveAccount[],
    q: Omit<AnalyticsQuery, 'accounts'>,
  ): Promise<Array<{ account: BrightcoveAccount; result: AnalyticsResult }>>;
  live: LiveClient;
  /** the shared machinery (tokens, limiters), for diagnostics and tests */
  context: BrightcoveContext;
}

const trimOrigin = (u: string) => u.replace(/\/+$/, '');

export function createBrightcove(opts: BrightcoveOptions): Brightcove {
  const dispatcher = opts.dispatcher ?? createHttpDispatcher();
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const endpoints: BrightcoveEndpoints = {
    oauth: trimOrigin(opts.endpoints.oauth),
    cms: trimOrigin(opts.endpoints.cms),
    analytics: trimOrigin(opts.endpoints.analytics),
    live: trimOrigin(opts.endpoints.live),
  };
  const context: BrightcoveContext = {
    endpoints,
    dispatcher,
    clock,
    logger,
    limits,
    tokens: new TokenManager(endpoints.oauth, dispatcher, clock, logger),
    limiters: new AccountLimiters(limits, opts.cmsBudgets),
  };
  const analytics = (account: BrightcoveAccount) => new AnalyticsClient(context, account);
  return {
    cms: (account) => new CmsClient(context, account),
    analytics,
    analyticsForAccounts: (accounts, q) => queryAccounts(analytics, accounts, q),
    live: new LiveClient(endpoints.live, opts.liveApiKey, dispatcher, logger),
    context,
  };
}
