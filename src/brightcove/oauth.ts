/**
 * OAuth client-credentials tokens, cached per credential and refreshed a minute before expiry. Concurrent
 * callers share one in-flight refresh, so 50 calls with an expired token cause one token request.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { type Logger, registerSecret } from '../log.js';
import { errorFromResponse } from './errors.js';
import { AccessTokenSchema } from './schemas.js';
import { httpCall } from './transport.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

interface CachedToken {
  token: string;
  refreshAt: number;
}

/** refresh this long before Brightcove's stated expiry, like the reference clients (240 s of 300 s) */
const TOKEN_REFRESH_MARGIN_MS = 60_000;

export class TokenManager {
  readonly #cache = new Map<string, CachedToken>();
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly oauthOrigin: string,
    private readonly dispatcher: Dispatcher,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  #key(c: ClientCredentials): string {
    return `${c.clientId}\u0000${c.clientSecret}`;
  }

  async token(creds: ClientCredentials): Promise<string> {
    const key = this.#key(creds);
    const cached = this.#cache.get(key);
    if (cached && this.clock.now().getTime() < cached.refreshAt) return cached.token;
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const p = this.#fetch(creds).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  /** Forget a token the API rejected (only if it is still the cached one). */
  invalidate(creds: ClientCredentials, token: string): void {
    const key = this.#key(creds);
    if (this.#cache.get(key)?.token === token) this.#cache.delete(key);
  }

  async #fetch(creds: ClientCredentials): Promise<string> {
    registerSecret(creds.clientSecret);
    const basic = Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64');
    registerSecret(basic);
    const res = await httpCall(this.dispatcher, this.logger, {
      api: 'oauth',
      method: 'POST',
      url: `${this.oauthOrigin}/v4/access_token`,
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    if (res.status !== 200) {
      throw errorFromResponse('oauth', res.status, res.body, {
        path: '/v4/access_token',
        requestId: res.requestId,
      });
    }
    const parsed = AccessTokenSchema.parse(res.body);
    registerSecret(parsed.access_token);
    const now = this.clock.now().getTime();
    const life = parsed.expires_in * 1000;
    this.#cache.set(this.#key(creds), {
      token: parsed.access_token,
      refreshAt: now + Math.max(life / 2, life - TOKEN_REFRESH_MARGIN_MS),
    });
    return parsed.access_token;
  }
}
