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
  /** the window, counted from each request's start (see CmsLimiter) */
  cmsIntervalMs: number;
  /** added to the window after a request's start, for requests that reach the server late (see CmsLimiter) */
  cmsWindowMarginMs: number;
  /** CMS requests in flight per account (Brightcove: at most 20) */
  cmsConcurrency: number;
  /** Analytics queries in flight per account (Brightcove serves one at a time) */
  analyticsConcurrency: number;
  /** pause before re-sending an Analytics query answered PROCESSING (Brightcove: 2–4 min) */
  analyticsProcessingRetryMs: number;
  analyticsProcessingMaxRetries: number;
}

/**
 * The start rule's margin (see CmsLimiter): where it starts, the least it shrinks to (by MARGIN_STEP_MS
 * per response) while no 429 has shown that too small, and the most 429s can raise it to.
 */
const MARGIN_MS = 200;
const MIN_MARGIN_MS = 50;
const MARGIN_STEP_MS = 2;
const MAX_MARGIN_MS = 800;
/** A 429 at margin m: the margin may not shrink below m + this again, until it is slowly forgotten. */
const LEARNED_STEP_MS = 25;
/** what each response without a 429 forgets of a learned floor (1 ms per 100 responses) */
const FORGET_MS = 0.01;

export const DEFAULT_LIMITS: BrightcoveLimits = {
  cmsRequestsPerInterval: 10,
  cmsIntervalMs: 1000,
  cmsWindowMarginMs: MARGIN_MS,
  cmsConcurrency: 20,
  analyticsConcurrency: 1,
  analyticsProcessingRetryMs: 240_000,
  analyticsProcessingMaxRetries: 3,
};

/**
 * CMS budget for one account, at Brightcove's two limits whatever the latency: fewer than
 * `perInterval` requests in any rolling window, and at most `concurrency` in flight.
 *
 * Each request holds a window slot from its start until the *earlier* of `windowMs + marginMs` after
 * its start and `windowMs` after its response. The start rule gives throughput
 * min(perInterval / (window + margin), concurrency / latency): 8.3 requests a second at 1 s latency
 * (margin 200 ms), where holding every slot until a second after the response gave 10 / (1 s + latency),
 * 5 a second. The response rule wins at low latency and is safe as seen by the server, which counts
 * arrivals: a request arrives before its response does, however long its connection's handshake or a busy event loop delayed it. The
 * margin covers that delay for the start rule, counted from the moment the request is written (`sent`),
 * not from its admission: a busy event loop wrote requests up to 130 ms after their slot was granted. A
 * fixed 200 ms margin was safe on a loaded 2-core box but cost 20% of the throughput at high latency
 * (10 per 1.2 s); a fixed 50 ms one was enough on a quiet box and not on a loaded one (a server whose
 * handling lags counts arrivals late). So the margin adapts: it starts at 200 ms and each response without
 * a 429 takes 2 ms off, down to 50 ms; a 429 doubles it (once per window, up to 800 ms) and keeps it from
 * shrinking below what was too little plus 25 ms, a floor forgotten by 1 ms per 100 responses (a server
 * whose counting lags needs the margin for good; one slow moment should not cost it for ever). The 429'd
 * request is retried by its caller through this limiter again, so a retry is counted like any start.
 */
export class CmsLimiter {
  /** when each recent request's window slot frees up (requests in flight may free theirs earlier) */
  readonly #slots: { releaseAt: number }[] = [];
  readonly #waiting: (() => void)[] = [];
  #inFlight = 0;
  #started = 0;
  #margin: number;
  /** the least the margin shrinks to while no 429 comes */
  readonly #minMargin: number;
  /** the least the margin may shrink to: raised by 429s, slowly forgotten down to #minMargin */
  #floor: number;
  #raisedAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly perInterval: number,
    private readonly windowMs: number,
    readonly concurrency: number,
    baseMarginMs = 0,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#margin = baseMarginMs;
    this.#minMargin = Math.min(baseMarginMs, MIN_MARGIN_MS);
    this.#floor = this.#minMargin;
  }

  /**
   * Runs `fn` in a slot. `fn` may call `sent()` when its request is actually written: the start rule then
   * counts from that moment, not from the admission (the two differ when the event loop is busy).
   */
  async run<T>(fn: (sent: () => void) => Promise<T>): Promise<T> {
    const slot = await new Promise<{ releaseAt: number }>((admit) => {
      this.#waiting.push(() => {
        const taken = { releaseAt: this.now() + this.windowMs + this.#margin };
        this.#slots.push(taken);
        this.#started++;
        admit(taken);
      });
      this.#pump();
    });
    const sent = () => {
      slot.releaseAt = Math.max(slot.releaseAt, this.now() + this.windowMs + this.#margin);
    };
    try {
      return await fn(sent);
    } finally {
      slot.releaseAt = Math.min(slot.releaseAt, this.now() + this.windowMs);
      this.#floor = Math.max(this.#minMargin, this.#floor - FORGET_MS);
      this.#margin = Math.max(this.#floor, this.#margin - MARGIN_STEP_MS);
      this.#inFlight--;
      this.#pump();
    }
  }

  /** The server refused a request for the rate: it saw requests closer together than we started them. */
  tooMany(): void {
    if (this.windowMs === 0) return;
    // The 429s of one window are one event (requests started together are refused together): a burst
    // of ten must not double the margin ten times.
    const now = this.now();
    if (now - this.#raisedAt < this.windowMs) return;
    this.#raisedAt = now;
    this.#floor = Math.min(MAX_MARGIN_MS, this.#margin + LEARNED_STEP_MS);
    this.#margin = Math.min(MAX_MARGIN_MS, Math.max(this.#margin * 2, this.#floor));
  }

  /** the start rule's margin now (ms) */
  get marginMs(): number {
    return this.#margin;
  }

  /** requests admitted so far (every attempt of a retried request counts) */
  get started(): number {
    return this.#started;
  }

  /** Admits waiting requests while both limits allow; else wakes up when the next slot frees. */
  #pump(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.concurrency) {
      const now = this.now();
      for (let i = this.#slots.length - 1; i >= 0; i--)
        if (this.#slots[i]!.releaseAt <= now) this.#slots.splice(i, 1);
      if (this.#slots.length >= this.perInterval) {
        const next = Math.min(...this.#slots.map((s) => s.releaseAt));
        if (this.#timer) clearTimeout(this.#timer);
        // Not unref'd: while requests wait for a slot, this timer is the only thing keeping a one-shot
        // CLI process alive (an unref'd timer let Node exit with code 13 mid-listing).
        this.#timer = setTimeout(
          () => {
            this.#timer = undefined;
            this.#pump();
          },
          Math.max(1, Math.ceil(next - now)),
        );
        return;
      }
      this.#inFlight++;
      this.#waiting.shift()!();
    }
  }

  /** requests waiting for a slot */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** requests in flight */
  get inFlight(): number {
    return this.#inFlight;
  }
}

/** An account's own CMS budget, when other apps share its limits (config: `cms_rate`, `cms_concurrency`). */
export type CmsBudget = Partial<Pick<BrightcoveLimits, 'cmsRequestsPerInterval' | 'cmsConcurrency'>>;

export class AccountLimiters {
  readonly #cms = new Map<string, CmsLimiter>();
  readonly #analytics = new Map<string, PQueue>();
  constructor(
    private readonly limits: BrightcoveLimits,
    private readonly perAccount: ReadonlyMap<string, CmsBudget> = new Map(),
  ) {}

  cms(accountId: string): CmsLimiter {
    let q = this.#cms.get(accountId);
    if (!q) {
      const l = { ...this.limits, ...this.perAccount.get(accountId) };
      // A window of 0 is no rate limit (tests that are not about limits): no margin either.
      const margin = l.cmsIntervalMs === 0 ? 0 : l.cmsWindowMarginMs;
      q = new CmsLimiter(l.cmsRequestsPerInterval, l.cmsIntervalMs, l.cmsConcurrency, margin);
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
  /** the caller retries (each attempt through its limiter); the dispatcher must not */
  callerRetries?: boolean;
  /** called as the request is written (see httpCall) */
  onSent?: () => void;
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
      callerRetries: call.callerRetries,
      onSent: call.onSent,
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
      retryAfter: res.headers['retry-after'],
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
