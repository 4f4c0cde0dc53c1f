/**
 * One JSON request through the shared dispatcher: request id, timing and status in the log (never headers
 * or bodies, which carry secrets), body parsed as JSON when it is JSON.
 */
import { randomUUID } from 'node:crypto';
import { type Dispatcher, request } from 'undici';
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
}

export async function httpCall(dispatcher: Dispatcher, logger: Logger, call: HttpCall): Promise<HttpResult> {
  const requestId = randomUUID();
  const started = performance.now();
  const path = new URL(call.url).pathname;
  try {
    const res = await request(call.url, {
      dispatcher,
      method: call.method,
      headers: { accept: 'application/json', 'x-request-id': requestId, ...call.headers },
      body: call.body,
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
  }
}
