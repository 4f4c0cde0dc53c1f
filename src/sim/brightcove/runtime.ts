/**
 * Shared machinery of the Brightcove simulators: one loopback HTTP server per API, a request log, fault
 * injection (latency, forced 429s, seeded 5xx, hung sockets) and token bookkeeping. Domain time (token
 * expiry, clip and share progress) follows the injected clock; rate limits follow real time, because they
 * are about real traffic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { type Rng, seededRng } from '../data/rng.js';
import type { SimData } from '../data/types.js';

export type SimApi = 'oauth' | 'cms' | 'analytics' | 'live';

export interface SimRequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  api: SimApi;
  account: string | null;
  at: string;
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Faults {
  /** added before every response */
  latencyMs: number;
  /** answer the next N requests with 429 (per API, or all APIs with 'any') */
  next429: Partial<Record<SimApi | 'any', number>>;
  /** Retry-After seconds sent with injected 429s (undefined: none) */
  retryAfterSeconds: number | undefined;
  /** fraction of requests answered with `errorStatus`, drawn from a seeded RNG */
  errorRate: number;
  errorStatus: number;
  /** the next N requests (per API) are accepted and never answered */
  hangNext: Partial<Record<SimApi | 'any', number>>;
  /** requests for which this holds are accepted and never answered (nor carried out) */
  hangWhen: ((method: string, path: string) => boolean) | undefined;
  /** requests for which this holds are carried out and never answered (the response is lost) */
  hangAfterWhen: ((method: string, path: string) => boolean) | undefined;
  /** requests for which this returns a status are carried out, then answered with it (a gateway's 504) */
  failAfterWhen: ((method: string, path: string) => number | undefined) | undefined;
  /** called before each CMS `GET /videos` page is answered: mutate the library mid-listing */
  onListPage: ((account: string, offset: number, pageIndex: number) => void) | undefined;
}

interface TokenGrant {
  clientId: string;
  accounts: string[];
  expiresAt: number;
}

export class SimRuntime {
  readonly requests: SimRequestLog[] = [];
  readonly tokens = new Map<string, TokenGrant>();
  readonly faults: Faults;
  readonly rng: Rng;
  /** CMS in-flight counters and recent start times (real time) per account */
  readonly cmsInFlight = new Map<string, number>();
  readonly cmsStarts = new Map<string, number[]>();
  readonly analyticsInFlight = new Map<string, number>();
  /** the highest concurrency each account saw, so tests can assert the client's limiter */
  readonly maxInFlight = { cms: new Map<string, number>(), analytics: new Map<string, number>() };
  readonly hung = new Set<ServerResponse>();

  constructor(
    readonly data: SimData,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly enforceLimits: boolean,
    latencyMs: number,
    seed: number,
  ) {
    this.rng = seededRng(seed);
    this.faults = {
      latencyMs,
      next429: {},
      retryAfterSeconds: undefined,
      errorRate: 0,
      errorStatus: 503,
      hangNext: {},
      hangWhen: undefined,
      hangAfterWhen: undefined,
      failAfterWhen: undefined,
      onListPage: undefined,
    };
  }

  /** Returns the grant for a Bearer token valid for `account`, or why not. */
  authorize(headers: IncomingMessage['headers'], account: string | null): TokenGrant | 'missing' | 'invalid' {
    const auth = headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!token) return 'missing';
    const grant = this.tokens.get(token);
    if (!grant || grant.expiresAt <= this.clock.now().getTime()) return 'invalid';
    if (account && !grant.accounts.includes(account)) return 'invalid';
    return grant;
  }

  count(
    filter: Partial<Pick<SimRequestLog, 'api' | 'method' | 'status' | 'account'>> & { path?: RegExp } = {},
  ) {
    return this.requests.filter(
      (r) =>
        (!filter.api || r.api === filter.api) &&
        (!filter.method || r.method === filter.method) &&
        (filter.status === undefined || r.status === filter.status) &&
        (!filter.account || r.account === filter.account) &&
        (!filter.path || filter.path.test(r.path)),
    ).length;
  }

  takeFault(map: Partial<Record<SimApi | 'any', number>>, api: SimApi): boolean {
    for (const key of [api, 'any'] as const) {
      const n = map[key] ?? 0;
      if (n > 0) {
        map[key] = n - 1;
        return true;
      }
    }
    return false;
  }

  /** CMS limits: at most 20 in flight and at most 10 started in any 1000 ms window, per account. */
  cmsAdmit(account: string): boolean {
    const inFlight = (this.cmsInFlight.get(account) ?? 0) + 1;
    const now = performance.now();
    const starts = (this.cmsStarts.get(account) ?? []).filter((t) => now - t < 1000);
    if (this.enforceLimits && (inFlight > 20 || starts.length >= 10)) {
      this.cmsStarts.set(account, starts);
      return false;
    }
    starts.push(now);
    this.cmsStarts.set(account, starts);
    this.cmsInFlight.set(account, inFlight);
    const max = this.maxInFlight.cms;
    max.set(account, Math.max(max.get(account) ?? 0, inFlight));
    return true;
  }

  cmsRelease(account: string): void {
    this.cmsInFlight.set(account, Math.max(0, (this.cmsInFlight.get(account) ?? 1) - 1));
  }
}

type Handler = (req: SimRequest) => Promise<SimResponse> | SimResponse;

export interface ApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export const json = (status: number, body?: unknown, headers?: Record<string, string>): SimResponse => ({
  status,
  body,
  headers,
});

interface ServeOptions {
  api: SimApi;
  runtime: SimRuntime;
  handler: Handler;
  /** which account a request is for (for the log and limits) */
  accountOf: (path: string, query: URLSearchParams) => string | null;
  /** body of an injected 429 / 5xx, in the API's own error format */
  errorBody: (status: number) => unknown;
  /** wraps the handler with the API's admission control (limits); returns a response to reject early */
  admit?: (account: string | null) => { reject?: SimResponse; release?: () => void };
  port?: number;
}

export async function serveApi(opts: ServeOptions): Promise<ApiServer> {
  const { runtime, api } = opts;
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const path = url.pathname;
    const account = opts.accountOf(path, url.searchParams);
    const entry: SimRequestLog = {
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      api,
      account,
      at: runtime.clock.now().toISOString(),
    };
    runtime.requests.push(entry);
    /** the response as bytes on the wire, ready before the latency runs out */
    const serialize = (r: SimResponse) => {
      const headers: Record<string, string> = { ...(r.headers ?? {}) };
      let payload = '';
      if (r.body !== undefined) {
        payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        headers['content-type'] ??= 'application/json;charset=UTF-8';
      }
      return { status: r.status, headers, payload };
    };
    const write = (w: ReturnType<typeof serialize>) => {
      entry.status = w.status;
      res.writeHead(w.status, w.headers);
      res.end(w.payload);
    };
    const send = (r: SimResponse) => write(serialize(r));
    try {
      const rawBody = await readBody(req);
      if (
        runtime.takeFault(runtime.faults.hangNext, api) ||
        runtime.faults.hangWhen?.(req.method ?? 'GET', path)
      ) {
        entry.status = -1;
        runtime.hung.add(res);
        return;
      }
      const latency = () =>
        runtime.faults.latencyMs > 0
          ? new Promise((r) => setTimeout(r, runtime.faults.latencyMs))
          : Promise.resolve();
      const admission = opts.admit?.(account) ?? {};
      if (admission.reject) {
        await latency();
        return send(admission.reject);
      }
      try {
        // Counted on arrival, handled after: every request that arrived in this turn of the event loop is
        // admitted (and counted against the rate limit) before any is handled. Handled before the latency,
        // so the responses that fall due together cost no work when they are sent: a page of 100 videos
        // takes a few ms to build, and ten built at once used to delay the next requests' arrival by up to
        // 100 ms, which made a client at the limit look faster than it was.
        await new Promise((r) => setImmediate(r));
        if (runtime.takeFault(runtime.faults.next429, api)) {
          await latency();
          const ra = runtime.faults.retryAfterSeconds;
          return send(
            json(429, opts.errorBody(429), ra === undefined ? undefined : { 'retry-after': String(ra) }),
          );
        }
        if (runtime.faults.errorRate > 0 && runtime.rng() < runtime.faults.errorRate) {
          await latency();
          return send(json(runtime.faults.errorStatus, opts.errorBody(runtime.faults.errorStatus)));
        }
        let body: unknown;
        if (rawBody.length > 0) {
          try {
            body = JSON.parse(rawBody);
          } catch {
            body = rawBody;
          }
        }
        const response = await opts.handler({
          method: entry.method,
          path,
          query: url.searchParams,
          headers: req.headers,
          body,
          rawBody,
        });
        if (runtime.faults.hangAfterWhen?.(entry.method, path)) {
          entry.status = -1;
          runtime.hung.add(res);
          return;
        }
        const failWith = runtime.faults.failAfterWhen?.(entry.method, path);
        const ready = serialize(failWith !== undefined ? json(failWith, opts.errorBody(failWith)) : response);
        await latency();
        write(ready);
      } finally {
        admission.release?.();
      }
    } catch (err) {
      runtime.logger.error('sim handler failed', { api, path, err });
      if (!res.headersSent) send(json(500, opts.errorBody(500)));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
