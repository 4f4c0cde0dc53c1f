/**
 * Parse → look up the job (and credentials when named) → validate → create. Bad input never reaches the
 * API: syntax errors make no call at all, and validation errors stop before `createVods`.
 */
import { ClipInputError, type ClipRequest } from './request.js';
import {
  type LiveCredentialInfo,
  type LiveJobInfo,
  needsCredentialList,
  type ValidateContext,
  type ValidatedClip,
  validateClip,
} from './validate.js';
import { buildVodBody, type VodCreateBody } from './vod-body.js';

/** The Live API calls a clip needs; the integrator adapts the Live client to this. */
export interface ClipApi {
  /** undefined when the Live API does not know the job (it answers 500 "DB getItem, no results found"). */
  getLiveJob(jobId: string): Promise<LiveJobInfo | undefined>;
  listCredentials(): Promise<LiveCredentialInfo[]>;
  createVods(body: VodCreateBody): Promise<{ vod_jobs: { jvod_id: string; label?: string | null }[] }>;
}

export interface SubmitOptions {
  api: ClipApi;
  now: Date;
  newId: () => string;
  notificationUrl?: string;
  maxDurationSec?: number;
}

export type SubmitResult =
  | { ok: false; errors: ClipInputError[] }
  | {
      ok: true;
      jvodId: string;
      label: string;
      referenceId?: string;
      body: VodCreateBody;
      clip: ValidatedClip;
      warnings: string[];
    };

export async function submitClip(req: ClipRequest, opts: SubmitOptions): Promise<SubmitResult> {
  const [job, credentials] = await Promise.all([
    opts.api.getLiveJob(req.jobId),
    needsCredentialList(req) ? opts.api.listCredentials() : Promise.resolve(undefined),
  ]);
  const ctx: ValidateContext = { job, now: opts.now };
  if (credentials) ctx.credentials = credentials;
  if (opts.maxDurationSec !== undefined) ctx.maxDurationSec = opts.maxDurationSec;
  const validation = validateClip(req, ctx);
  if (!validation.ok) return validation;
  const built = buildVodBody(
    validation.clip,
    opts.notificationUrl
      ? { newId: opts.newId, notificationUrl: opts.notificationUrl }
      : { newId: opts.newId },
  );
  const created = await opts.api.createVods(built.body);
  const vod = created.vod_jobs[0];
  if (!vod) throw new Error('POST /v1/vods answered without a vod_jobs entry');
  return {
    ok: true,
    jvodId: vod.jvod_id,
    label: built.label,
    ...(built.referenceId === undefined ? {} : { referenceId: built.referenceId }),
    body: built.body,
    clip: validation.clip,
    warnings: validation.clip.warnings,
  };
}

/** Turns any error from parse/validate into the list shape, leaving real failures to propagate. */
export function asInputErrors(err: unknown): ClipInputError[] | undefined {
  return err instanceof ClipInputError ? [err] : undefined;
}
