/**
 * Analytics API v1 client. Queries for one account run one at a time (Brightcove serialises them anyway);
 * different accounts run in parallel. A PROCESSING answer is retried after a pause on the injected clock.
 */
import { type AuthedCall, authedRequest, type BrightcoveAccount, type BrightcoveContext } from './context.js';
import { ProcessingError } from './errors.js';
import {
  AlltimeViewsSchema,
  type AnalyticsResponse,
  AnalyticsResponseSchema,
  type AnalyticsRow,
  type AnalyticsStatus,
  AnalyticsStatusSchema,
} from './schemas.js';

/** `YYYY-MM-DD` (account timezone), a Date / epoch ms, `now`, `alltime`, or relative like `-30d`, `+2w`. */
type AnalyticsTime = string | number | Date;

export interface AnalyticsQuery {
  /** default: the client's account */
  accounts?: string[];
  dimensions: string[];
  fields?: string[];
  /** `{ video: ['1','2'], device_type: ['mobile'] }` or a raw `where` string */
  where?: Record<string, string[]> | string;
  from?: AnalyticsTime;
  to?: AnalyticsTime;
  /** a returned field, `-` prefix for descending; always sent (the default direction is inconsistent) */
  sort?: string;
  limit?: number | 'all';
  offset?: number;
  reconciled?: boolean;
}

export interface AnalyticsResult {
  items: AnalyticsRow[];
  summary: AnalyticsResponse['summary'];
  itemCount: number;
}

function time(v: AnalyticsTime): string {
  if (v instanceof Date) return String(v.getTime());
  return String(v);
}

/** Build the query string; exported so callers and tests can see exactly what is sent. */
export function buildAnalyticsParams(q: AnalyticsQuery, defaultAccount: string): URLSearchParams {
  const p = new URLSearchParams();
  p.set('accounts', (q.accounts ?? [defaultAccount]).join(','));
  p.set('dimensions', q.dimensions.join(','));
  if (q.fields?.length) p.set('fields', q.fields.join(','));
  if (q.where) {
    const where =
      typeof q.where === 'string'
        ? q.where
        : Object.entries(q.where)
            .map(([k, vs]) => `${k}==${vs.join(',')}`)
            .join(';');
    if (where) p.set('where', where);
  }
  if (q.from !== undefined) p.set('from', time(q.from));
  if (q.to !== undefined) p.set('to', time(q.to));
  p.set('sort', q.sort ?? '-video_view');
  p.set('limit', String(q.limit ?? 'all'));
  if (q.offset) p.set('offset', String(q.offset));
  if (q.reconciled !== undefined) p.set('reconciled', String(q.reconciled));
  return p;
}

export class AnalyticsClient {
  constructor(
    private readonly ctx: BrightcoveContext,
    readonly account: BrightcoveAccount,
  ) {}

  async #get<T>(
    path: string,
    params: URLSearchParams,
    schema: Parameters<typeof authedRequest>[3],
    fields?: string[],
  ) {
    const url = `${this.ctx.endpoints.analytics}${path}?${params.toString()}`;
    const call: AuthedCall = { api: 'analytics', method: 'GET', url, requestedFields: fields };
    const accounts = (params.get('accounts') ?? this.account.id).split(',');
    // hold every named account's slot so no account ever has two queries in flight
    const run = (i: number): Promise<unknown> => {
      const id = accounts[i];
      if (id === undefined) return authedRequest(this.ctx, this.account, call, schema);
      return this.ctx.limiters.analytics(id).add(() => run(i + 1));
    };
    return (await run(0)) as T;
  }

  async query(q: AnalyticsQuery): Promise<AnalyticsResult> {
    const params = buildAnalyticsParams(q, this.account.id);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.#get<AnalyticsResponse>('/v1/data', params, AnalyticsResponseSchema, q.fields);
        return { items: res.items, summary: res.summary, itemCount: res.item_count };
      } catch (err) {
        if (!(err instanceof ProcessingError) || attempt >= this.ctx.limits.analyticsProcessingMaxRetries)
          throw err;
        this.ctx.logger.info('analytics query still processing; retrying later', {
          account: this.account.id,
          waitMs: this.ctx.limits.analyticsProcessingRetryMs,
        });
        await this.ctx.clock.sleep(this.ctx.limits.analyticsProcessingRetryMs);
      }
    }
  }

  /** The reconciled date range for a query's accounts/dimensions. */
  status(q: Pick<AnalyticsQuery, 'accounts' | 'dimensions' | 'where'>): Promise<AnalyticsStatus> {
    const params = buildAnalyticsParams({ ...q }, this.account.id);
    for (const k of ['sort', 'limit']) params.delete(k);
    return this.#get<AnalyticsStatus>('/v1/data/status', params, AnalyticsStatusSchema);
  }

  async alltimeViews(videoId: string): Promise<number> {
    const path = `/v1/alltime/accounts/${encodeURIComponent(this.account.id)}/videos/${encodeURIComponent(videoId)}`;
    const res = await this.#get<{ alltime_video_views: number }>(
      path,
      new URLSearchParams(),
      AlltimeViewsSchema,
    );
    return res.alltime_video_views;
  }
}

/** Run one query per account, in parallel across accounts (each account still one at a time). */
export async function queryAccounts(
  clientFor: (account: BrightcoveAccount) => AnalyticsClient,
  accounts: BrightcoveAccount[],
  q: Omit<AnalyticsQuery, 'accounts'>,
): Promise<Array<{ account: BrightcoveAccount; result: AnalyticsResult }>> {
  return Promise.all(
    accounts.map(async (account) => ({ account, result: await clientFor(account).query(q) })),
  );
}
