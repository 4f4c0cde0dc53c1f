import type { ClarifyErrorBody } from './schemas.js';

/** A non-2xx answer from Clarify, carrying its error body when it sent one (bug §3.15: never an empty message). */
export class ClarifyApiError extends Error {
  override readonly name: string = 'ClarifyApiError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: ClarifyErrorBody | undefined,
    readonly rawBody?: string,
  ) {
    const detail = body
      ? `${body.message}${body.errors?.length ? ` (${body.errors.map((e) => `${e.field ?? '?'}: ${e.message}`).join('; ')})` : ''}`
      : (rawBody ?? '').slice(0, 200).replace(/\s+/g, ' ').trim() || 'no body';
    super(`Clarify ${method} ${path} failed with ${status}: ${detail}`);
  }

  /** 429 and 5xx may pass if tried again; everything else will not. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** 409: the object's `version` moved since we read it. */
export class ClarifyConflictError extends ClarifyApiError {
  override readonly name = 'ClarifyConflictError';
}

export class ClarifyNotFoundError extends ClarifyApiError {
  override readonly name = 'ClarifyNotFoundError';
}

/** 400: a parameter or metadata rule was violated (the body's `errors` say which). */
export class ClarifyValidationError extends ClarifyApiError {
  override readonly name = 'ClarifyValidationError';
}

export class ClarifyAuthError extends ClarifyApiError {
  override readonly name = 'ClarifyAuthError';
}

/** A 2xx whose body did not match the documented shape. */
export class ClarifyResponseError extends Error {
  override readonly name = 'ClarifyResponseError';
}

export function errorForStatus(
  status: number,
  method: string,
  path: string,
  body: ClarifyErrorBody | undefined,
  raw: string,
): ClarifyApiError {
  const Cls =
    status === 409
      ? ClarifyConflictError
      : status === 404
        ? ClarifyNotFoundError
        : status === 400
          ? ClarifyValidationError
          : status === 401
            ? ClarifyAuthError
            : ClarifyApiError;
  return new Cls(status, method, path, body, body ? undefined : raw);
}
