/**
 * The one outbound HTTP stack: a keep-alive undici agent (proxy-aware) wrapped in undici's RetryAgent.
 * Retries apply to idempotent requests only (idempotent methods, and the OAuth token POST), on 429/5xx and network errors, with exponential backoff plus
 * jitter and Retry-After honoured (capped at maxTimeoutMs). After the last retry the final response is
 * passed through (not thrown) so callers can map it to a typed error.
 */
import { Agent, type Dispatcher, EnvHttpProxyAgent, RetryAgent } from 'undici';

interface ProxyOptions {
  https?: string;
  http?: string;
  noProxy?: string;
}

interface HttpDispatcherOptions {
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

const RETRY_STATUS_CODES = [429, 500, 502, 503, 504];
const IDEMPOTENT: Dispatcher.HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'];

/**
 * POSTs that are safe to repeat: Brightcove's client-credentials token request changes nothing, and
 * one 429 or timeout on it must not abort a whole sync (issue 14).
 */
const IDEMPOTENT_POST_PATHS = [/^\/v4\/access_token(\?|$)/];

function isRetryable(method: string, path: string | undefined): boolean {
  if (IDEMPOTENT.includes(method as Dispatcher.HttpMethod)) return true;
  return method === 'POST' && path !== undefined && IDEMPOTENT_POST_PATHS.some((re) => re.test(path));
}
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

/**
 * How long to wait before retry number `counter` (1-based): Retry-After when the server sent one (capped at
 * maxTimeout), otherwise exponential backoff with equal jitter (half fixed, half random) so parallel callers
 * spread out instead of retrying in lockstep.
 */
export function retryDelayMs(
  counter: number,
  retryAfterHeader: unknown,
  o: { minTimeout: number; maxTimeout: number; random: () => number },
): number {
  const retryAfter = parseRetryAfter(retryAfterHeader);
  if (retryAfter != null) return Math.min(retryAfter, o.maxTimeout);
  const step = Math.min(o.minTimeout * 2 ** Math.max(0, counter - 1), o.maxTimeout);
  return step / 2 + (o.random() * step) / 2;
}

/**
 * The keep-alive agent every outbound connection goes through, via the proxy when one is configured
 * (HTTPS_PROXY/HTTP_PROXY/NO_PROXY or `proxies:`). Brightcove and Clarify get it wrapped in retries
 * (createHttpDispatcher); Slack's Web API, file uploads and the Socket Mode websocket get it as is
 * (the Slack clients retry themselves, and a websocket upgrade must not be replayed).
 */
export function createProxyAgent(opts: HttpDispatcherOptions = {}): Dispatcher {
  const agentOpts = {
    keepAliveTimeout: 30_000,
    connections: 64,
    connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
    headersTimeout: opts.headersTimeoutMs ?? 60_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 120_000,
  };
  const proxy = resolveProxy(opts.proxy, opts.env ?? process.env);
  return proxy
    ? new EnvHttpProxyAgent({
        ...agentOpts,
        httpProxy: proxy.http,
        httpsProxy: proxy.https,
        noProxy: proxy.noProxy,
      })
    : new Agent(agentOpts);
}

/**
 * The retry policy of a dispatcher made by createHttpDispatcher, for a caller that retries itself so
 * that every attempt passes its own gate (the CMS client: each attempt takes a rate-limit slot, because
 * Brightcove counts a retry like any request). Such requests carry `callerRetries: true` in their
 * request options, and the dispatcher does not retry them.
 */
export interface RetryPolicy {
  maxRetries: number;
  statusCodes: readonly number[];
  errorCodes: readonly string[];
  /** the wait before attempt `counter + 1` (1-based), Retry-After first */
  delayMs(counter: number, retryAfterHeader: unknown): number;
  /** may this method and path be repeated after an error that is not a refusal (a lost connection)? */
  idempotent(method: string, path: string): boolean;
}

/** Request option (undici passes unknown options through to the retry callback): the caller retries. */
export type CallerRetries = { callerRetries?: boolean };

const policies = new WeakMap<Dispatcher, RetryPolicy>();

/** The policy of a retrying dispatcher; undefined for one that does not retry (a plain agent). */
export function retryPolicyOf(dispatcher: Dispatcher): RetryPolicy | undefined {
  return policies.get(dispatcher);
}

/** `base`: the agent to share with the Slack clients (default: a new one from `opts`). */
export function createHttpDispatcher(
  opts: HttpDispatcherOptions = {},
  base: Dispatcher = createProxyAgent(opts),
): Dispatcher {
  const maxRetries = opts.retry?.maxRetries ?? 4;
  const minTimeout = opts.retry?.minTimeoutMs ?? 500;
  const maxTimeout = opts.retry?.maxTimeoutMs ?? 30_000;
  const random = opts.random ?? Math.random;

  const agent = new RetryAgent(base, {
    maxRetries,
    minTimeout,
    maxTimeout,
    methods: [...IDEMPOTENT, 'POST'],
    statusCodes: RETRY_STATUS_CODES,
    errorCodes: RETRY_ERROR_CODES,
    throwOnError: false,
    retry(err, { state, opts: reqOpts }, cb) {
      const e = err as Error & { statusCode?: number; code?: string; headers?: Record<string, unknown> };
      if ((reqOpts as CallerRetries).callerRetries === true) return cb(err);
      if (!isRetryable(reqOpts.method, reqOpts.path)) return cb(err);
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
      const wait = retryDelayMs(state.counter, e.headers?.['retry-after'], {
        minTimeout,
        maxTimeout,
        random,
      });
      setTimeout(() => cb(null), wait);
    },
  });
  policies.set(agent, {
    maxRetries,
    statusCodes: RETRY_STATUS_CODES,
    errorCodes: RETRY_ERROR_CODES,
    delayMs: (counter, retryAfter) => retryDelayMs(counter, retryAfter, { minTimeout, maxTimeout, random }),
    idempotent: isRetryable,
  });
  return agent;
}
