/**
 * The one outbound HTTP stack: a keep-alive undici agent (proxy-aware) wrapped in undici's RetryAgent.
 * Retries apply to idempotent methods only, on 429/5xx and network errors, with exponential backoff plus
 * jitter and Retry-After honoured (capped at maxTimeoutMs). After the last retry the final response is
 * passed through (not thrown) so callers can map it to a typed error.
 */
import { Agent, type Dispatcher, EnvHttpProxyAgent, RetryAgent } from 'undici';

export interface ProxyOptions {
  https?: string;
  http?: string;
  noProxy?: string;
}

export interface HttpDispatcherOptions {
  proxy?: ProxyOptions;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  retry?: { maxRetries?: number; minTimeoutMs?: number; maxTimeoutMs?: number };
  /** Only for tests: the environment to read proxies from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Jitter source in [0,1) (default Math.random); tests pass a constant. */
  random?: () => number;
}

export const RETRY_STATUS_CODES = [429, 500, 502, 503, 504];
const IDEMPOTENT: Dispatcher.HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'];
const RETRY_ERROR_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

/**
 * Resolve proxies: explicit options win, then the environment. Brightcove's endpoints are all https, so an
 * HTTPS proxy also serves plain-http endpoints (simulators, overrides) unless an HTTP proxy is given.
 */
export function resolveProxy(
  opts: ProxyOptions | undefined,
  env: NodeJS.ProcessEnv,
): ProxyOptions | undefined {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v && v.length > 0);
  const https = opts?.https ?? pick('HTTPS_PROXY', 'https_proxy');
  const http = opts?.http ?? pick('HTTP_PROXY', 'http_proxy') ?? https;
  const noProxy = opts?.noProxy ?? pick('NO_PROXY', 'no_proxy');
  if (!https && !http) return undefined;
  return { https: https ?? http, http, noProxy };
}

function parseRetryAfter(value: unknown): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  const seconds = Number(raw);
  if (!Number.isNaN(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function createHttpDispatcher(opts: HttpDispatcherOptions = {}): Dispatcher {
  const agentOpts = {
    keepAliveTimeout: 30_000,
    connections: 64,
    connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
    headersTimeout: opts.headersTimeoutMs ?? 60_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 120_000,
  };
  const proxy = resolveProxy(opts.proxy, opts.env ?? process.env);
  const base: Dispatcher = proxy
    ? new EnvHttpProxyAgent({
        ...agentOpts,
        httpProxy: proxy.http,
        httpsProxy: proxy.https,
        noProxy: proxy.noProxy,
      })
    : new Agent(agentOpts);

  const maxRetries = opts.retry?.maxRetries ?? 4;
  const minTimeout = opts.retry?.minTimeoutMs ?? 500;
  const maxTimeout = opts.retry?.maxTimeoutMs ?? 30_000;
  const random = opts.random ?? Math.random;

  return new RetryAgent(base, {
    maxRetries,
    minTimeout,
    maxTimeout,
    methods: IDEMPOTENT,
    statusCodes: RETRY_STATUS_CODES,
    errorCodes: RETRY_ERROR_CODES,
    throwOnError: false,
    retry(err, { state, opts: reqOpts }, cb) {
      const e = err as Error & { statusCode?: number; code?: string; headers?: Record<string, unknown> };
      const method = reqOpts.method;
      if (!IDEMPOTENT.includes(method)) return cb(err);
      if (e.statusCode != null && !RETRY_STATUS_CODES.includes(e.statusCode)) return cb(err);
      if (
        e.statusCode == null &&
        e.code &&
        e.code !== 'UND_ERR_REQ_RETRY' &&
        !RETRY_ERROR_CODES.includes(e.code)
      ) {
        return cb(err);
      }
      if (state.counter > maxRetries) return cb(err);
      const retryAfter = parseRetryAfter(e.headers?.['retry-after']);
      // Equal jitter: half the exponential step is fixed, half random, so parallel callers spread out.
      const step = Math.min(minTimeout * 2 ** Math.max(0, state.counter - 1), maxTimeout);
      const wait = retryAfter != null ? Math.min(retryAfter, maxTimeout) : step / 2 + (random() * step) / 2;
      setTimeout(() => cb(null), wait);
    },
  });
}
