/** OAuth v4 (and the legacy v3 path): client-credentials tokens that live 300 s on the sim clock. */
import { randomBytes } from 'node:crypto';
import { json, type SimRequest, type SimResponse, type SimRuntime } from './runtime.js';

const TOKEN_TTL_SECONDS = 300;

const invalidClient = json(400, {
  error: 'invalid_client',
  error_description:
    'The "client_id" parameter is missing, does not name a client registration that is applicable for the requested call, or is not properly authenticated.',
});

export function oauthHandler(runtime: SimRuntime) {
  return (req: SimRequest): SimResponse => {
    if (req.path !== '/v4/access_token' && req.path !== '/v3/access_token') {
      return json(404, { error: 'RESOURCE_NOT_FOUND' });
    }
    if (req.method !== 'POST') return json(405, { error: 'invalid_request' });
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const grant = req.query.get('grant_type') ?? form.get('grant_type');
    if (grant !== 'client_credentials') {
      return json(400, {
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be client_credentials',
      });
    }
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      clientId = decoded.slice(0, i);
      secret = decoded.slice(i + 1);
    }
    const cred = runtime.data.credentials.find((c) => c.clientId === clientId && c.clientSecret === secret);
    if (!cred) return invalidClient;
    const token = `AJx${randomBytes(48).toString('base64url')}`;
    runtime.tokens.set(token, {
      clientId: cred.clientId,
      accounts: [...cred.accounts],
      expiresAt: runtime.clock.now().getTime() + TOKEN_TTL_SECONDS * 1000,
    });
    return json(
      200,
      { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS },
      { 'cache-control': 'no-store', pragma: 'no-cache' },
    );
  };
}
