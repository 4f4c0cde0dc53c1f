/**
 * One JSON request through the shared dispatcher: request id, timing and status in the log (never headers
 * or bodies, which carry secrets), body parsed as JSON when it is JSON.
 */
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { type Dispatcher, request } from 'undici';
import type { CallerRetries } from '../http/dispatcher.js';
import type { Logger } from '../log.js';
import type { BrightcoveApi } from './errors.js';

interface HttpResult {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  requestId: string;
}

interface HttpCall {
  api: BrightcoveApi;
  method: Dispatcher.HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  account?: string;
  /** the caller retries this request itself (see RetryPolicy); the dispatcher must not */
  callerRetries?: boolean;
  /** called when the request's headers are written to the socket (each time, if it is sent again) */
  onSent?: () => void;
}

/**
 * Requests waiting to be written, by request id. undici publishes every request's headers on the
 * `undici:client:sendHeaders` channel as it writes them (https://undici.nodejs.org/#/docs/api/DiagnosticsChannel):
 * the moment a rate limit that counts arrivals cares about, which a busy event loop or a connection
 * still being set up can put well after the call.
 */
const sentHooks = new Map<string, () => void>();
let listening = false;
function whenSent(requestId: string, hook: () => void): () => void {
  if (!listening) {
    listening = true;
    subscribe('undici:client:sendHeaders', (message) => {
      const headers = (message as { headers?: unknown }).headers;
      if (typeof headers !== 'string') return;
      const id = /\r\nx-request-id: ([^\r]+)\r\n/.exec(headers)?.[1];
      if (id) sentHooks.get(id)?.();
    });
  }
  sentHooks.set(requestId, hook);
  return () => sentHooks.delete(requestId);
}

export async function httpCall(dispatcher: Dispatcher, logger: Logger, call: HttpCall): Promise<HttpResult> {
  const requestId = randomUUID();
  const started = performance.now();
  const path = new URL(call.url).pathname;
  const forget = call.onSent ? whenSent(requestId, call.onSent) : undefined;
  try {
    const res = await request(call.url, {
      dispatcher,
      method: call.method,
      headers: { accept: 'application/json', 'x-request-id': requestId, ...call.headers },
      body: call.body,
      // read by the retry callback of createHttpDispatcher; undici passes unknown options through
      ...(call.callerRetries ? ({ callerRetries: true } as CallerRetries) : {}),
    });
    const text = await res.body.text();
    let body: unknown = text;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text: some error bodies are not JSON
      }
    } else body = undefined;
    logger.debug('brightcove request', {
      api: call.api,
      method: call.method,
      path,
      account: call.account,
      status: res.statusCode,
      ms: Math.round(performance.now() - started),
      requestId,
    });
    return { status: res.statusCode, body, headers: res.headers, requestId };
  } catch (err) {
    logger.warn('brightcove request failed', { api: call.api, method: call.method, path, requestId, err });
    throw err;
  } finally {
    forget?.();
  }
}
