/**
 * Parse → look up the job (and credentials when named) → validate → create. Bad input never reaches the
 * API: syntax errors make no call at all, and validation errors stop before `createVods`.
 */
import type { ClipInputError, ClipRequest } from './request.js';
import {
  type ClipValidation,
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

interface SubmitOptions {
  api: ClipApi;
  now: Date;
  newId: () => string;
  notificationUrl?: string;
  maxDurationSec?: number;
}

export interface PreparedClip {
  ok: true;
  label: string;
  referenceId?: string;
  /** The `POST /v1/vods` body to send (with the hook secret and any URL password: never store it as is). */
  body: VodCreateBody;
  clip: ValidatedClip;
  warnings: string[];
}

type PrepareResult = { ok: false; errors: ClipInputError[] } | PreparedClip;

type SubmitResult = { ok: false; errors: ClipInputError[] } | (PreparedClip & { jvodId: string });

/** Looks the job (and the credentials when named) up and validates the clip against them; sends nothing. */
export async function checkClip(
  req: ClipRequest,
  opts: { api: Omit<ClipApi, 'createVods'>; now: Date; maxDurationSec?: number },
): Promise<ClipValidation> {
  const [job, credentials] = await Promise.all([
    opts.api.getLiveJob(req.jobId),
    needsCredentialList(req) ? opts.api.listCredentials() : Promise.resolve(undefined),
  ]);
  const ctx: ValidateContext = { job, now: opts.now };
  if (credentials) ctx.credentials = credentials;
  if (opts.maxDurationSec !== undefined) ctx.maxDurationSec = opts.maxDurationSec;
  return validateClip(req, ctx);
}

/** Checks the clip (checkClip) and builds the body; sends nothing. */
export async function prepareClip(
  req: ClipRequest,
  opts: Omit<SubmitOptions, 'api'> & { api: Omit<ClipApi, 'createVods'> },
): Promise<PrepareResult> {
  const validation = await checkClip(req, opts);
  if (!validation.ok) return validation;
  const built = buildVodBody(
    validation.clip,
    opts.notificationUrl
      ? { newId: opts.newId, notificationUrl: opts.notificationUrl }
      : { newId: opts.newId },
  );
  return {
    ok: true,
    label: built.label,
    ...(built.referenceId === undefined ? {} : { referenceId: built.referenceId }),
    body: built.body,
    clip: validation.clip,
    warnings: validation.clip.warnings,
  };
}

/** The first clip job of a create response: one output per clip, so exactly one is expected. */
export function firstVodJob(created: { vod_jobs: { jvod_id: string }[] }): string {
  const vod = created.vod_jobs[0];
  if (!vod) throw new Error('POST /v1/vods answered without a vod_jobs entry');
  return vod.jvod_id;
}

/** Prepare, then send: the whole path for callers that keep no intent (tests of the rules). */
export async function submitClip(req: ClipRequest, opts: SubmitOptions): Promise<SubmitResult> {
  const prepared = await prepareClip(req, opts);
  if (!prepared.ok) return prepared;
  return { ...prepared, jvodId: firstVodJob(await opts.api.createVods(prepared.body)) };
}
