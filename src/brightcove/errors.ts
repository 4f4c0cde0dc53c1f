/**
 * Typed errors for Brightcove's error bodies. CMS/Analytics send `[{error_code, message}]`, OAuth sends
 * `{error, error_description}`, Live sends `{error}` or `{message}`. Messages are built from those bodies
 * and the request path only, never from headers, so secrets cannot leak through them.
 */
import { maskSecrets } from '../log.js';
import { CmsErrorBodySchema, OAuthErrorSchema } from './schemas.js';

export type BrightcoveApi = 'oauth' | 'cms' | 'analytics' | 'live';

interface BrightcoveErrorInfo {
  api: BrightcoveApi;
  status: number;
  errorCode?: string;
  path?: string;
  requestId?: string;
  /** the response's Retry-After header, for a caller that retries (429, 503) */
  retryAfter?: unknown;
}

export class BrightcoveError extends Error {
  readonly api: BrightcoveApi;
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly path: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfter: unknown;
  constructor(message: string, info: BrightcoveErrorInfo) {
    super(maskSecrets(message));
    this.name = new.target.name;
    this.api = info.api;
    this.status = info.status;
    this.errorCode = info.errorCode;
    this.path = info.path;
    this.requestId = info.requestId;
    this.retryAfter = info.retryAfter;
  }
}
export class NotFoundError extends BrightcoveError {}
/** 409s: `errorCode` carries Brightcove's code (REFERENCE_ID_IN_USE, CONFLICT, CONCURRENT_UPDATE, …). */
export class ConflictError extends BrightcoveError {}
export class RateLimitedError extends BrightcoveError {}
export class UnauthorizedError extends BrightcoveError {}
export class ValidationError extends BrightcoveError {}
/** Analytics: a requested field is not valid for the dimension combination. `fields` names them. */
export class UnsupportedFieldsError extends ValidationError {
  readonly fields: string[];
  constructor(message: string, info: BrightcoveErrorInfo, fields: string[]) {
    super(message, info);
    this.fields = fields;
  }
}
/** Analytics: the query is still running in the background; retry the same query later. */
export class ProcessingError extends BrightcoveError {}

function describe(api: BrightcoveApi, body: unknown): { code?: string; message?: string } {
  const cms = CmsErrorBodySchema.safeParse(body);
  if (cms.success && cms.data[0])
    return { code: cms.data[0].error_code, message: cms.data[0].message ?? undefined };
  const oauth = OAuthErrorSchema.safeParse(body);
  if (api === 'oauth' && oauth.success)
    return { code: oauth.data.error, message: oauth.data.error_description };
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const msg = [o.error, o.message, o.errorMessage].find((v) => typeof v === 'string') as string | undefined;
    return { message: msg };
  }
  if (typeof body === 'string' && body.length > 0) return { message: body.slice(0, 200) };
  return {};
}

/** Map an unsuccessful response to a typed error. */
export function errorFromResponse(
  api: BrightcoveApi,
  status: number,
  body: unknown,
  ctx: { path?: string; requestId?: string; requestedFields?: string[]; retryAfter?: unknown } = {},
): BrightcoveError {
  const { code, message } = describe(api, body);
  const info: BrightcoveErrorInfo = {
    api,
    status,
    errorCode: code,
    path: ctx.path,
    requestId: ctx.requestId,
    retryAfter: ctx.retryAfter,
  };
  const where = ctx.path ? ` (${ctx.path})` : '';
  const text = `${api} ${status}${code ? ` ${code}` : ''}: ${message ?? 'no message'}${where}`;
  if (api === 'oauth' && (code === 'invalid_client' || status === 400 || status === 401)) {
    return new UnauthorizedError(
      `Brightcove OAuth rejected the client credentials (${code ?? status}): check the client id and secret` +
        ' and that the API credential is enabled for this account',
      info,
    );
  }
  if (code === 'UNSUPPORTED_FIELD_COMBINATION_ERROR') {
    // the offending fields are listed after the last colon; match whole names only
    const tail = (message ?? '').split(':').pop() ?? '';
    const tokens = new Set(tail.split(/[^A-Za-z0-9_.]+/));
    const named = (ctx.requestedFields ?? []).filter((f) => tokens.has(f));
    return new UnsupportedFieldsError(text, info, named);
  }
  if (code === 'PROCESSING') return new ProcessingError(text, info);
  // Live answers an unknown job or clip id with 500 "DB getItem, no results found".
  if (api === 'live' && status === 500 && /no results found/i.test(message ?? ''))
    return new NotFoundError(text, info);
  if (status === 404 || code === 'RESOURCE_NOT_FOUND' || code === 'NOT_FOUND')
    return new NotFoundError(text, info);
  if (status === 409) return new ConflictError(text, info);
  if (status === 429) return new RateLimitedError(text, info);
  if (status === 401 || status === 403) return new UnauthorizedError(text, info);
  if (status === 400 || status === 422) return new ValidationError(text, info);
  return new BrightcoveError(text, info);
}
