/**
 * Plain data shared by the sharing modules. Everything here is easy to render (Block Kit, CLI text) and to
 * persist in a share request record: no class instances, no functions.
 */
import type { Channel, CmsVideo, CustomField, ShareError } from '../brightcove/schemas.js';

export type CheckLevel = 'pass' | 'warning' | 'blocker';

/** Stable rule ids; the card orders checks by this list. */
export const PREFLIGHT_RULES = [
  'sharing_enabled',
  'transcoded',
  'not_shared_in',
  'not_live',
  'economics',
  'copies_follow',
  'channel_member',
  'reference_id',
  'custom_fields',
  'required_fields',
  'geo',
  'already_shared',
] as const;
export type PreflightRule = (typeof PREFLIGHT_RULES)[number];

export interface PreflightCheck {
  rule: PreflightRule;
  level: CheckLevel;
  /** one short sentence: what was found */
  reason: string;
  /** what to do next; null when the check passed */
  fix: string | null;
}

/** An affiliate as resolved from the user's words. `name` is the channel member name or the config alias. */
export interface AffiliateRef {
  id: string;
  name: string;
  alias?: string;
}

export interface AccountRef {
  id: string;
  name: string;
}

/** The result of a lookup that may not be possible (no credentials, missing scope, API error). */
export type Lookup<T> = { status: 'known'; value: T } | { status: 'unknown'; reason: string };

/** A share record as the CMS returns it; `error_message` is kept `unknown` so raw records are accepted too. */
export interface ShareRecord {
  video_id: string;
  affiliate_id: string;
  affiliate_video_id?: string | null;
  status: string;
  shared_at?: string | null;
  updated_at?: string | null;
  error_message?: unknown;
}

/** Everything known about one target affiliate before sharing. */
export interface AffiliateFacts {
  affiliate: AffiliateRef;
  /** from `GET /channels/default/members`: absent from the list = not a member */
  membership: Lookup<{ member: boolean; approved: boolean }>;
  /** `GET /videos/ref:{reference_id}` in the affiliate: null = free. Unknown without credentials. */
  referenceLookup: Lookup<CmsVideo | null>;
  /** the affiliate's `video_fields.custom_fields` */
  customFields: Lookup<CustomField[]>;
  /** whether the affiliate account has geo restriction; no API reports it, so usually unknown */
  geoEnabled?: boolean;
  /** the master's existing share record for this affiliate, if any */
  existingShare: ShareRecord | null;
  /** the affiliate's contract `auto_accept` (readable only with the affiliate's credentials) */
  autoAccept?: boolean;
}

export interface PreflightInput {
  master: AccountRef;
  video: CmsVideo;
  /** unknown when the channel could not be read (sharing not enabled, missing scope, …) */
  channel: Lookup<Channel>;
  /** the master's custom-field definitions, for display names */
  masterCustomFields: CustomField[];
  affiliates: AffiliateFacts[];
}

export interface VideoSummary {
  id: string;
  name: string;
  referenceId: string | null;
  accountId: string;
}

export interface AffiliatePreflight {
  affiliate: AffiliateRef;
  /** affiliate-specific checks (the video-level ones are in `PreflightReport.videoChecks`) */
  checks: PreflightCheck[];
  /** worst level over the video checks and this affiliate's checks */
  level: CheckLevel;
  existingShare: ShareRecord | null;
  autoAccept?: boolean;
}

export interface PreflightReport {
  master: AccountRef;
  video: VideoSummary;
  /** checks that depend on the video and the master only, shown once on the card */
  videoChecks: PreflightCheck[];
  affiliates: AffiliatePreflight[];
  level: CheckLevel;
}

export type { ShareError };
