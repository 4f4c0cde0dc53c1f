/**
 * CMS API v1 client for one account. Every request goes through the account's shared limiter (under
 * 10 requests/s, at most 20 in flight). Listing follows Brightcove's paging recipe: explicit
 * `sort=created_at`, limit 100, the count as an upper bound, no stop on a short page, de-duplication by id.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { type RetryPolicy, retryPolicyOf } from '../http/dispatcher.js';
import { type AuthedCall, authedRequest, type BrightcoveAccount, type BrightcoveContext } from './context.js';
import { BrightcoveError, NotFoundError, RateLimitedError } from './errors.js';
import {
  type Channel,
  type ChannelMember,
  ChannelMemberSchema,
  ChannelSchema,
  type CmsAsset,
  CmsAssetListSchema,
  type CmsSource,
  CmsSourceListSchema,
  type CmsVideo,
  CmsVideoListSchema,
  CmsVideoSchema,
  type Contract,
  ContractSchema,
  CountSchema,
  type CustomField,
  CustomFieldSchema,
  type Subscription,
  SubscriptionSchema,
  type VideoFields,
  VideoFieldsSchema,
  type VideoShare,
  VideoShareListSchema,
  VideoShareSchema,
} from './schemas.js';

const PAGE_SIZE = 100;
const MAX_IDS_PER_GET = 10;
/**
 * Pages requested ahead of the consumer, beyond the in-flight limit: at high latency every one of the 20
 * slots is in flight (10 a second × 2 s), and the few extra pages cover the consumer's own pauses; more
 * would only hold parsed pages that wait for the consumer.
 */
const LOOKAHEAD_EXTRA_PAGES = 4;
const anyBody = z.unknown();

export interface ListVideosOptions {
  /** CMS v1 search (`q`), e.g. `tags:news +state:ACTIVE` */
  q?: string;
  /** default `created_at`: stable under additions, which land at the end */
  sort?: string;
  pageSize?: number;
  /**
   * Split the walk into `created_at` windows (keeps offsets small and limits drift): a number of equal
   * windows between the oldest and newest video, or explicit ISO bounds (inclusive).
   */
  windows?: number | Array<{ from: string; to: string }>;
  /** pages requested ahead of the consumer (default: the in-flight limit plus 4, enough to keep it full) */
  lookahead?: number;
}

export interface ListStats {
  /** sum of the counts read before each walk (an upper bound, per Brightcove) */
  count: number;
  pages: number;
  unique: number;
  duplicates: number;
  windows: number;
}

export interface VideoListing<T = CmsVideo> extends AsyncIterable<T> {
  /** filled in while iterating; final once iteration ends */
  readonly stats: ListStats;
  /** collect everything */
  toArray(): Promise<T[]>;
}

const enc = encodeURIComponent;

/**
 * The wait before another attempt under the dispatcher's policy, or undefined when the error is final:
 * a refusal that asks to come back (429 always: the request was not processed; 5xx for methods that
 * may be repeated) or a lost connection of a repeatable request.
 */
function retryWait(
  policy: RetryPolicy,
  err: unknown,
  method: string,
  path: string,
  attempt: number,
): number | undefined {
  if (err instanceof BrightcoveError) {
    if (!policy.statusCodes.includes(err.status)) return undefined;
    if (err.status !== 429 && !policy.idempotent(method, path)) return undefined;
    return policy.delayMs(attempt, err.retryAfter);
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && policy.errorCodes.includes(code) && policy.idempotent(method, path))
    return policy.delayMs(attempt, undefined);
  return undefined;
}

export class CmsClient {
  constructor(
    private readonly ctx: BrightcoveContext,
    readonly account: BrightcoveAccount,
  ) {}

  #url(path: string, query?: Record<string, string | number | undefined>): string {
    const u = new URL(`${this.ctx.endpoints.cms}/v1/accounts/${enc(this.account.id)}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async #req<S extends z.ZodType>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: S,
    opts: {
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      skip?: () => z.output<S> | undefined;
    } = {},
  ): Promise<z.output<S>> {
    const call: AuthedCall = { api: 'cms', method, url: this.#url(path, opts.query), body: opts.body };
    // The token first (cached after the first call): a slot is counted from its start, so the first
    // requests must not spend their slot waiting for the token while later ones go straight out and
    // bunch up with them at the server (429s at 250 ms latency without this).
    await this.ctx.tokens.token(this.account.credentials);
    const limiter = this.ctx.limiters.cms(this.account.id);
    // Retried here, not by the dispatcher: Brightcove counts a retry like any request, so each attempt
    // takes its own slot (a retry sent inside the first attempt's slot was a start the limiter never saw).
    const policy = retryPolicyOf(this.ctx.dispatcher);
    for (let attempt = 1; ; attempt++) {
      try {
        return await limiter.run(async (sent) => {
          // decided when the slot is granted, so a listing abandoned early stops spending requests
          const skipped = opts.skip?.();
          const attemptCall = { ...call, callerRetries: policy !== undefined, onSent: sent };
          return skipped !== undefined ? skipped : authedRequest(this.ctx, this.account, attemptCall, schema);
        });
      } catch (err) {
        if (err instanceof RateLimitedError) limiter.tooMany();
        const wait =
          policy && attempt <= policy.maxRetries ? retryWait(policy, err, method, path, attempt) : undefined;
        if (wait === undefined) throw err;
        this.ctx.logger.debug('cms request will be retried', {
          method,
          path,
          attempt,
          waitMs: Math.round(wait),
        });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  // ---------------------------------------------------------------- videos
  async countVideos(q?: string): Promise<number> {
    return (await this.#req('GET', '/counts/videos', CountSchema, { query: { q } })).count;
  }

  async listPage(
    opts: { q?: string; sort?: string; limit?: number; offset?: number } = {},
    cancelled: () => boolean = () => false,
  ): Promise<CmsVideo[]> {
    return this.#req('GET', '/videos', CmsVideoListSchema, {
      query: {
        q: opts.q,
        sort: opts.sort ?? 'created_at',
        limit: opts.limit ?? PAGE_SIZE,
        offset: opts.offset ?? 0,
      },
      skip: () => (cancelled() ? [] : undefined),
    });
  }

  /**
   * Every video matching `opts`, de-duplicated by id. `select` maps each video as its page arrives, so a
   * caller that needs a few fields never holds whole pages of full video objects.
   */
  listVideos(opts?: ListVideosOptions): VideoListing;
  listVideos<T extends { id: string }>(opts: ListVideosOptions, select: (v: CmsVideo) => T): VideoListing<T>;
  listVideos<T extends { id: string }>(
    opts: ListVideosOptions = {},
    select?: (v: CmsVideo) => T,
  ): VideoListing<T | CmsVideo> {
    const stats: ListStats = { count: 0, pages: 0, unique: 0, duplicates: 0, windows: 0 };
    const seen = new Set<string>();
    const self = this;
    const map: (v: CmsVideo) => T | CmsVideo = select ?? ((v) => v);
    async function* iterate(): AsyncGenerator<T | CmsVideo> {
      for (const q of await self.#windowQueries(opts)) {
        stats.windows += 1;
        for await (const page of self.#walk(q, opts, stats, map)) {
          for (const v of page) {
            if (seen.has(v.id)) {
              stats.duplicates += 1;
              continue;
            }
            seen.add(v.id);
            stats.unique += 1;
            yield v;
          }
        }
      }
    }
    return {
      stats,
      [Symbol.asyncIterator]: iterate,
      async toArray() {
        const out: Array<T | CmsVideo> = [];
        for await (const v of iterate()) out.push(v);
        return out;
      },
    };
  }

  async #windowQueries(opts: ListVideosOptions): Promise<Array<string | undefined>> {
    const base = opts.q?.trim() || undefined;
    const join = (range: string) => (base ? `${base} +created_at:${range}` : `+created_at:${range}`);
    if (Array.isArray(opts.windows)) return opts.windows.map((w) => join(`${w.from}..${w.to}`));
    if (!opts.windows || opts.windows <= 1) return [base];
    const [first] = await this.listPage({ q: base, sort: 'created_at', limit: 1 });
    const [last] = await this.listPage({ q: base, sort: '-created_at', limit: 1 });
    if (!first || !last) return [base];
    const a = Date.parse(first.created_at);
    const b = Date.parse(last.created_at);
    const n = opts.windows;
    const step = Math.max(1, Math.ceil((b - a + 1) / n));
    const out: string[] = [];
    for (let start = a; start <= b; start += step) {
      const end = Math.min(b, start + step - 1);
      // the last window is open-ended so videos created during the walk are not missed
      const to = end === b ? '' : new Date(end).toISOString();
      out.push(join(`${new Date(start).toISOString()}..${to}`));
    }
    return out;
  }

  /** Pages of one walk, in offset order, fetched concurrently within the account's limits. */
  async *#walk<T>(
    q: string | undefined,
    opts: ListVideosOptions,
    stats: ListStats,
    select: (v: CmsVideo) => T,
  ): AsyncGenerator<T[]> {
    const size = opts.pageSize ?? PAGE_SIZE;
    const sort = opts.sort ?? 'created_at';
    let stopped = false;
    const fetchPage = (i: number): Promise<T[]> => {
      // Mapped as soon as the page is parsed: full video objects die young instead of waiting in `pending`.
      const p = this.listPage({ q, sort, limit: size, offset: i * size }, () => stopped).then((page) =>
        page.map(select),
      );
      p.catch(() => undefined); // awaited below; avoid an unhandled rejection if the consumer stops early
      return p;
    };
    // The first page is needed whatever the count says: asked for beside it, one latency sooner.
    const first = fetchPage(0);
    const count = await this.countVideos(q);
    stats.count += count;
    // the count is an upper bound that can be stale: fetch one page past it, then continue while pages come back
    const planned = Math.ceil(count / size) + 1;
    // A bounded look-ahead keeps the limiter busy while holding only a few pages: queueing every page
    // at once kept all of them (full video objects) alive until the walk ended (530 MB at 100,000 videos).
    const ahead = Math.max(1, opts.lookahead ?? this.ctx.limits.cmsConcurrency + LOOKAHEAD_EXTRA_PAGES);
    const pending = new Map<number, Promise<T[]>>([[0, first]]);
    let next = 1;
    const fill = () => {
      while (next < planned && pending.size < ahead) pending.set(next, fetchPage(next++));
    };
    try {
      let i = 0;
      let last: T[] = [];
      for (; i < planned; i++) {
        fill();
        last = await pending.get(i)!;
        pending.delete(i);
        stats.pages += 1;
        fill();
        yield last;
      }
      while (last.length > 0) {
        last = await fetchPage(i++);
        stats.pages += 1;
        yield last;
      }
    } finally {
      stopped = true;
    }
  }

  /** Videos by id, ≤10 per request; ids that don't exist are skipped. */
  async getVideos(ids: string[]): Promise<CmsVideo[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_GET) chunks.push(ids.slice(i, i + MAX_IDS_PER_GET));
    const results = await Promise.all(
      chunks.map(async (chunk) => {
        const body = await this.#req(
          'GET',
          `/videos/${chunk.map(enc).join(',')}`,
          z.union([CmsVideoListSchema, CmsVideoSchema.transform((v) => [v])]),
        ).catch((err: unknown) => {
          if (chunk.length === 1 && err instanceof NotFoundError) return [];
          throw err;
        });
        return body;
      }),
    );
    return results.flat();
  }

  getVideo(id: string): Promise<CmsVideo> {
    return this.#req('GET', `/videos/${enc(id)}`, CmsVideoSchema);
  }

  getVideoByRef(referenceId: string): Promise<CmsVideo> {
    return this.#req('GET', `/videos/ref:${enc(referenceId)}`, CmsVideoSchema);
  }

  updateVideo(id: string, patch: Record<string, unknown>): Promise<CmsVideo> {
    return this.#req('PATCH', `/videos/${enc(id)}`, CmsVideoSchema, { body: patch });
  }

  getSources(idOrRef: string): Promise<CmsSource[]> {
    return this.#req('GET', `/videos/${enc(idOrRef)}/sources`, CmsSourceListSchema);
  }

  getAssets(idOrRef: string): Promise<CmsAsset[]> {
    return this.#req('GET', `/videos/${enc(idOrRef)}/assets`, CmsAssetListSchema);
  }

  /** Legacy and remote renditions (`remote_url` for remote assets). */
  getRenditions(idOrRef: string): Promise<CmsAsset[]> {
    return this.#req('GET', `/videos/${enc(idOrRef)}/assets/renditions`, CmsAssetListSchema);
  }

  getVideoFields(): Promise<VideoFields> {
    return this.#req('GET', '/video_fields', VideoFieldsSchema);
  }

  listCustomFields(): Promise<CustomField[]> {
    return this.#req('GET', '/video_fields/custom_fields', z.array(CustomFieldSchema));
  }

  // ---------------------------------------------------------------- notifications
  /** Scope `video-cloud/notifications/all` (CMS → Notifications in Studio). */
  listSubscriptions(): Promise<Subscription[]> {
    return this.#req('GET', '/subscriptions', z.array(SubscriptionSchema));
  }

  /** A `video-change` subscription delivering to `endpoint` (422 when it exists or 10 exist). */
  createSubscription(endpoint: string): Promise<Subscription> {
    return this.#req('POST', '/subscriptions', SubscriptionSchema, {
      body: { endpoint, events: ['video-change'] },
    });
  }

  // ---------------------------------------------------------------- media sharing (master side)
  listChannels(): Promise<Channel[]> {
    return this.#req('GET', '/channels', z.array(ChannelSchema));
  }

  getChannel(): Promise<Channel> {
    return this.#req('GET', '/channels/default', ChannelSchema);
  }

  updateChannel(patch: { enforce_custom_fields?: boolean; enforce_geo?: boolean }): Promise<Channel> {
    return this.#req('PATCH', '/channels/default', ChannelSchema, { body: patch });
  }

  listMembers(): Promise<ChannelMember[]> {
    return this.#req('GET', '/channels/default/members', z.array(ChannelMemberSchema));
  }

  async addMember(affiliateId: string): Promise<void> {
    await this.#req('PUT', `/channels/default/members/${enc(affiliateId)}`, anyBody, {
      body: { account_id: affiliateId },
    });
  }

  async removeMember(affiliateId: string): Promise<void> {
    await this.#req('DELETE', `/channels/default/members/${enc(affiliateId)}`, anyBody);
  }

  // ---------------------------------------------------------------- contracts (affiliate side)
  listContracts(): Promise<Contract[]> {
    return this.#req('GET', '/contracts', z.array(ContractSchema));
  }

  getContract(masterId: string): Promise<Contract> {
    return this.#req('GET', `/contracts/${enc(masterId)}`, ContractSchema);
  }

  updateContract(masterId: string, patch: { approved?: boolean; auto_accept?: boolean }): Promise<Contract> {
    return this.#req('PATCH', `/contracts/${enc(masterId)}`, ContractSchema, { body: patch });
  }

  // ---------------------------------------------------------------- shares
  listShares(videoId: string): Promise<VideoShare[]> {
    return this.#req('GET', `/videos/${enc(videoId)}/shares`, VideoShareListSchema);
  }

  /** Share (or re-share, which overwrites the affiliate's metadata). Asynchronous: poll getShare. */
  share(videoId: string, affiliateIds: string[]): Promise<VideoShare[]> {
    return this.#req('POST', `/videos/${enc(videoId)}/shares`, VideoShareListSchema, {
      body: affiliateIds.map((id) => ({ id })),
    });
  }

  getShare(videoId: string, affiliateId: string): Promise<VideoShare> {
    return this.#req('GET', `/videos/${enc(videoId)}/shares/${enc(affiliateId)}`, VideoShareSchema);
  }

  /** Un-share: deletes the affiliate copy (any 2xx is success). */
  async unshare(videoId: string, affiliateId: string): Promise<void> {
    await this.#req('DELETE', `/videos/${enc(videoId)}/shares/${enc(affiliateId)}`, anyBody);
  }
}
