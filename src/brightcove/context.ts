/**
 * What every Brightcove client shares: endpoints, the dispatcher, the token manager and the per-account
 * limiters (so all callers for one account id draw from the same budget).
 */
import PQueue from 'p-queue';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { type BrightcoveApi, errorFromResponse } from './errors.js';
import type { ClientCredentials, TokenManager } from './oauth.js';
import { httpCall } from './transport.js';

export interface BrightcoveAccount {
  id: string;
  alias?: string;
  credentials: ClientCredentials;
}

export interface BrightcoveEndpoints {
  oauth: string;
  cms: string;
  analytics: string;
  live: string;
}

export interface BrightcoveLimits {
  /** CMS requests started per window (Brightcove: under 10 per second) */
  cmsRequestsPerInterval: number;
  /** the window, counted from each request's completion (see CmsLimiter) */
  cmsIntervalMs: number;
  /** CMS requests in flight per account (Brightcove: at most 20) */
  cmsConcurrency: number;
  /** Analytics queries in flight per account (Brightcove serves one at a time) */
  analyticsConcurrency: number;
  /** pause before re-sending an Analytics query answered PROCESSING (Brightcove: 2–4 min) */
  analyticsProcessingRetryMs: number;
  analyticsProcessingMaxRetries: number;
}

export const DEFAULT_LIMITS: BrightcoveLimits = {
  cmsRequestsPerInterval: 10,
  cmsIntervalMs: 1000,
  cmsConcurrency: 20,
  analyticsConcurrency: 1,
  analyticsProcessingRetryMs: 240_000,
  analyticsProcessingMaxRetries: 3,
};

/**
 * CMS budget for one account. A slot is held from a request's start until `intervalMs` after it completes,
 * so any `perInterval + 1` requests are separated by more than `intervalMs` as seen by the server too:
 * connection set-up or network jitter that delays one request cannot squeeze the next window (a plain
 * start-time sliding window got 429s from a strict server when the first requests were slowed by connects).
 * In-flight requests never exceed min(perInterval, concurrency).
 */
class CmsLimiter {
  readonly #queue: PQueue;
  constructor(
    perInterval: number,
    private readonly intervalMs: number,
    concurrency: number,
  ) {
    this.#queue = new PQueue({ concurrency: Math.min(perInterval, concurrency) });
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      void this.#queue.add(async () => {
        try {
          resolve(await fn());
        } catch (err) {
          reject(err);
        }
        // Not unref'd: while requests wait for a slot, this timer is the only thing keeping a one-shot
        // CLI process alive (an unref'd timer let Node exit with code 13 mid-listing).
        await new Promise((r) => setTimeout(r, this.intervalMs));
      });
    });
  }

  /** requests waiting for a slot */
  get waiting(): number {
    return this.#queue.size;
  }
}

export class AccountLimiters {
  readonly #cms = new Map<string, CmsLimiter>();
  readonly #analytics = new Map<string, PQueue>();
  constructor(private readonly limits: BrightcoveLimits) {}

  cms(accountId: string): CmsLimiter {
    let q = this.#cms.get(accountId);
    if (!q) {
      const l = this.limits;
      q = new CmsLimiter(l.cmsRequestsPerInterval, l.cmsIntervalMs, l.cmsConcurrency);
      this.#cms.set(accountId, q);
    }
    return q;
  }

  analytics(accountId: string): PQueue {
    let q = this.#analytics.get(accountId);
    if (!q) {
      q = new PQueue({ concurrency: this.limits.analyticsConcurrency });
      this.#analytics.set(accountId, q);
    }
    return q;
  }
}

export interface BrightcoveContext {
  endpoints: BrightcoveEndpoints;
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  tokens: TokenManager;
  limiters: AccountLimiters;
  limits: BrightcoveLimits;
}

export interface AuthedCall {
  api: Exclude<BrightcoveApi, 'oauth' | 'live'>;
  method: Dispatcher.HttpMethod;
  url: string;
  body?: unknown;
  requestedFields?: string[];
}

/**
 * Send a Bearer-authenticated request; after a 401, fetch a fresh token and retry exactly once.
 * Returns the parsed body for 2xx, throws a typed error otherwise.
 */
export async function authedRequest<S extends z.ZodType>(
  ctx: BrightcoveContext,
  account: BrightcoveAccount,
  call: AuthedCall,
  schema: S,
): Promise<z.output<S>> {
  const send = async (token: string) =>
    httpCall(ctx.dispatcher, ctx.logger, {
      api: call.api,
      method: call.method,
      url: call.url,
      account: account.id,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    });
  let token = await ctx.tokens.token(account.credentials);
  let res = await send(token);
  if (res.status === 401) {
    ctx.tokens.invalidate(account.credentials, token);
    token = await ctx.tokens.token(account.credentials);
    res = await send(token);
  }
  const path = new URL(call.url).pathname;
  if (res.status < 200 || res.status >= 300) {
    throw errorFromResponse(call.api, res.status, res.body, {
      path,
      requestId: res.requestId,
      requestedFields: call.requestedFields,
    });
  }
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) {
    throw new Error(
      `Unexpected ${call.api} response for ${call.method} ${path}: ${parsed.error.message.slice(0, 500)}`,
    );
  }
  return parsed.data;
}
