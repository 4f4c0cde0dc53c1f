/**
 * Live API v1 client (`X-API-KEY`). Brightcove answers an unknown job or clip id with
 * 500 "DB getItem, no results found"; that becomes NotFoundError.
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { type Logger, registerSecret } from '../log.js';
import { errorFromResponse } from './errors.js';
import {
  type CreateVodRequest,
  type CreateVodResponse,
  CreateVodResponseSchema,
  type LiveCredential,
  LiveCredentialListSchema,
  type LiveJob,
  LiveJobEnvelopeSchema,
  LiveJobListSchema,
  type VodJob,
  VodJobGetSchema,
  VodJobListSchema,
} from './schemas.js';
import { httpCall } from './transport.js';

export class LiveClient {
  constructor(
    private readonly origin: string,
    private readonly apiKey: string | undefined,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
  ) {
    registerSecret(apiKey);
  }

  async #req<S extends z.ZodType>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: S,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
  ): Promise<z.output<S>> {
    if (!this.apiKey) throw new Error('Brightcove Live API key is not configured (BRIGHTCOVE_LIVE_API_KEY)');
    const url = new URL(`${this.origin}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await httpCall(this.dispatcher, this.logger, {
      api: 'live',
      method,
      url: url.toString(),
      headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status < 200 || res.status >= 300) {
      throw errorFromResponse('live', res.status, res.body, { path, requestId: res.requestId });
    }
    const parsed = schema.safeParse(res.body);
    if (!parsed.success)
      throw new Error(`Unexpected live response for ${method} ${path}: ${parsed.error.message}`);
    return parsed.data;
  }

  async getJob(jobId: string): Promise<LiveJob> {
    return (await this.#req('GET', `/v1/jobs/${encodeURIComponent(jobId)}`, LiveJobEnvelopeSchema)).job;
  }

  async listJobs(query: Record<string, string | number | undefined> = {}): Promise<LiveJob[]> {
    return (await this.#req('GET', '/v1/jobs', LiveJobListSchema, undefined, query)).jobs;
  }

  /** POST /v1/vods: one clip job per output; `label` is the correlation key. Not retried (not idempotent). */
  createClips(request: CreateVodRequest): Promise<CreateVodResponse> {
    return this.#req('POST', '/v1/vods', CreateVodResponseSchema, request);
  }

  getClip(jvodId: string): Promise<VodJob> {
    return this.#req('GET', `/v1/vods/${encodeURIComponent(jvodId)}`, VodJobGetSchema);
  }

  async listClips(jobId: string, query: Record<string, string | number | undefined> = {}): Promise<VodJob[]> {
    const res = await this.#req(
      'GET',
      `/v1/jobs/${encodeURIComponent(jobId)}/vods`,
      VodJobListSchema,
      undefined,
      query,
    );
    return res.vod_jobs;
  }

  cancelClip(jvodId: string): Promise<VodJob> {
    return this.#req('PUT', `/v1/vods/${encodeURIComponent(jvodId)}/cancel`, VodJobGetSchema);
  }

  listCredentials(): Promise<LiveCredential[]> {
    return this.#req('GET', '/v1/credentials', LiveCredentialListSchema);
  }
}
