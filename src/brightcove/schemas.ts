/**
 * Zod schemas for every Brightcove response the app reads. Objects are loose (unknown keys kept) because
 * Brightcove adds fields over time and the published samples omit many keys; only the fields we rely on
 * are typed, and optional where a real sample lacks them (see test/fixtures/brightcove, copied from the team's shared fixtures).
 */
import { z } from 'zod';

const nullableString = z.string().nullable();
/** Ids are strings today but some 2018 samples show numbers; normalise to string. */
const idString = z.union([z.string(), z.number()]).transform((v) => String(v));

// ---------------------------------------------------------------- OAuth
export const AccessTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

export const OAuthErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});

// ---------------------------------------------------------------- CMS errors
const CmsErrorItemSchema = z.looseObject({
  error_code: z.string(),
  message: z.string().nullish(),
  request_id: z.string().optional(),
});
/** CMS and Analytics errors are arrays; tolerate a bare object too. */
export const CmsErrorBodySchema = z.union([
  z.array(CmsErrorItemSchema),
  CmsErrorItemSchema.transform((e) => [e]),
]);

// ---------------------------------------------------------------- CMS video
const ImageSourceSchema = z.looseObject({
  src: z.string(),
  width: z.number().nullish(),
  height: z.number().nullish(),
});
const ImageSchema = z.looseObject({
  asset_id: nullableString.optional(),
  src: z.string().nullish(),
  sources: z.array(ImageSourceSchema).optional(),
});
const SharingSchema = z.looseObject({
  by_external_acct: z.boolean(),
  by_id: nullableString,
  source_id: nullableString,
  to_external_acct: z.boolean(),
  by_reference: z.boolean(),
});
export type Sharing = z.infer<typeof SharingSchema>;

const CuePointSchema = z.looseObject({
  id: nullableString.optional(),
  name: nullableString.optional(),
  type: z.string(),
  time: z.number(),
  metadata: nullableString.optional(),
  force_stop: z.boolean().optional(),
});

const TextTrackSchema = z.looseObject({
  id: nullableString.optional(),
  src: z.string().nullish(),
  srclang: z.string().nullish(),
  label: z.string().nullish(),
  kind: z.string().nullish(),
  mime_type: z.string().nullish(),
  default: z.boolean().optional(),
});

const VideoStateSchema = z.enum(['ACTIVE', 'INACTIVE', 'PENDING', 'DELETED']);

export const CmsVideoSchema = z.looseObject({
  id: idString,
  account_id: idString,
  name: z.string(),
  description: nullableString.optional(),
  long_description: nullableString.optional(),
  reference_id: nullableString.optional(),
  tags: z.array(z.string()).default([]),
  custom_fields: z.record(z.string(), z.string()).default({}),
  state: VideoStateSchema,
  complete: z.boolean().optional(),
  /** milliseconds; null while a video has no rendition yet */
  duration: z.number().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  published_at: nullableString.optional(),
  economics: z.string().optional(),
  ad_keys: nullableString.optional(),
  delivery_type: z.string().optional(),
  original_filename: nullableString.optional(),
  digital_master_id: nullableString.optional(),
  has_digital_master: z.boolean().optional(),
  folder_id: nullableString.optional(),
  labels: z.array(z.string()).optional(),
  clip_source_video_id: nullableString.optional(),
  remote_url: nullableString.optional(),
  cue_points: z.array(CuePointSchema).optional(),
  text_tracks: z.array(TextTrackSchema).nullable().optional(),
  images: z.record(z.string(), ImageSchema).nullable().optional(),
  geo: z
    .looseObject({
      countries: z.array(z.string()).nullable().optional(),
      exclude_countries: z.boolean().optional(),
      restricted: z.boolean().optional(),
    })
    .nullable()
    .optional(),
  schedule: z
    .looseObject({ starts_at: nullableString.optional(), ends_at: nullableString.optional() })
    .nullable()
    .optional(),
  link: z.looseObject({ url: z.string().nullish(), text: z.string().nullish() }).nullable().optional(),
  sharing: SharingSchema.nullable().optional(),
  created_by: z.looseObject({ type: z.string(), id: nullableString.optional() }).nullable().optional(),
  updated_by: z.looseObject({ type: z.string(), id: nullableString.optional() }).nullable().optional(),
});
export type CmsVideo = z.infer<typeof CmsVideoSchema>;
export const CmsVideoListSchema = z.array(CmsVideoSchema);

export const CountSchema = z.looseObject({ count: z.number().int().nonnegative() });

/**
 * A CMS notification subscription (CMS API Notifications; `GET/POST /v1/accounts/{id}/subscriptions`).
 * Brightcove does not sign the notifications it sends, so whoever knows the endpoint can post to it.
 */
export const SubscriptionSchema = z.looseObject({
  id: z.string(),
  endpoint: z.string(),
  events: z.array(z.string()),
  service_account: z.string().optional(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** One `video-change` notification as delivered to a subscribed endpoint: it names a video, nothing more. */
export const VideoChangeNotificationSchema = z.looseObject({
  account_id: z.string(),
  event: z.literal('video-change'),
  video: z.string().min(1),
  version: z.number().optional(),
  action: z.string().optional(),
  timestamp: z.number().optional(),
});

// ---------------------------------------------------------------- sources / assets
/** A rendition from `GET /videos/{id}/sources`. Which keys appear depends on the delivery kind. */
const CmsSourceSchema = z.looseObject({
  src: z.string().optional(),
  type: z.string().optional(),
  container: z.string().optional(),
  codec: z.string().optional(),
  height: z.number().nullable().optional(),
  width: z.number().nullable().optional(),
  size: z.number().nullable().optional(),
  encoding_rate: z.number().nullable().optional(),
  duration: z.number().nullable().optional(),
  ext_x_version: z.string().optional(),
  profiles: z.string().optional(),
  asset_id: idString.optional(),
  remote: z.boolean().optional(),
  uploaded_at: nullableString.optional(),
  /** legacy RTMP: no src, but app_name + stream_name */
  app_name: z.string().optional(),
  stream_name: z.string().optional(),
});
export type CmsSource = z.infer<typeof CmsSourceSchema>;
export const CmsSourceListSchema = z.array(CmsSourceSchema);

const CmsAssetSchema = z.looseObject({
  id: idString,
  account_id: idString.optional(),
  type: z.string().optional(),
  name: nullableString.optional(),
  remote_url: nullableString.optional(),
  remote_stream_name: nullableString.optional(),
  reference_id: nullableString.optional(),
  video_codec: nullableString.optional(),
  video_container: nullableString.optional(),
  encoding_rate: z.number().nullable().optional(),
  frame_width: z.number().nullable().optional(),
  frame_height: z.number().nullable().optional(),
  size: z.number().nullable().optional(),
  video_duration: z.number().nullable().optional(),
  progressive_download: z.boolean().optional(),
  audio_only: z.boolean().optional(),
  complete: z.boolean().optional(),
  uploaded_at: nullableString.optional(),
  updated_at: nullableString.optional(),
});
export type CmsAsset = z.infer<typeof CmsAssetSchema>;
export const CmsAssetListSchema = z.array(CmsAssetSchema);

// ---------------------------------------------------------------- custom fields
export const CustomFieldSchema = z.looseObject({
  id: z.string(),
  display_name: z.string().nullish(),
  description: nullableString.optional(),
  type: z.string(),
  required: z.boolean().optional(),
  enum_values: z.array(z.string()).optional(),
});
export type CustomField = z.infer<typeof CustomFieldSchema>;
export const VideoFieldsSchema = z.looseObject({
  custom_fields: z.array(CustomFieldSchema),
  standard_fields: z.array(z.looseObject({ id: z.string() })).default([]),
  max_custom_fields: z.union([z.number(), z.string()]).optional(),
});
export type VideoFields = z.infer<typeof VideoFieldsSchema>;

// ---------------------------------------------------------------- media sharing
export const ChannelSchema = z.looseObject({
  account_id: idString,
  account_name: z.string().nullish(),
  name: z.string(),
  enforce_custom_fields: z.boolean(),
  enforce_geo: z.boolean(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type Channel = z.infer<typeof ChannelSchema>;

export const ChannelMemberSchema = z.looseObject({
  account_id: idString,
  account_name: z.string().nullish(),
  approved: z.boolean().optional(),
});
export type ChannelMember = z.infer<typeof ChannelMemberSchema>;

export const ContractSchema = z.looseObject({
  account_id: idString,
  channel: z.looseObject({ account_id: idString, name: z.string() }),
  channel_account_name: z.string().nullish(),
  approved: z.boolean(),
  auto_accept: z.boolean(),
  approved_at: nullableString.optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type Contract = z.infer<typeof ContractSchema>;

const ShareErrorSchema = z.looseObject({
  error_code: z.string(),
  error_message: z.string().nullish(),
});
export type ShareError = z.infer<typeof ShareErrorSchema>;

/** `error_message` arrives as a JSON-encoded string, a real array, or null; normalise to an array. */
const ShareErrorListSchema = z
  .union([z.array(ShareErrorSchema), z.string(), z.null()])
  .optional()
  .transform((v): ShareError[] => {
    if (v == null || v === '') return [];
    if (Array.isArray(v)) return v;
    try {
      const parsed = z.array(ShareErrorSchema).safeParse(JSON.parse(v));
      return parsed.success ? parsed.data : [{ error_code: 'UNKNOWN', error_message: v }];
    } catch {
      return [{ error_code: 'UNKNOWN', error_message: v }];
    }
  });

export const VideoShareSchema = z.looseObject({
  id: idString.optional(),
  video_id: idString,
  affiliate_id: idString,
  affiliate_video_id: idString.nullable().optional(),
  /** PROCESSING | COMPLETE | FAILED | ERROR */
  status: z.string(),
  shared_at: nullableString.optional(),
  updated_at: nullableString.optional(),
  error_message: ShareErrorListSchema,
});
export type VideoShare = z.infer<typeof VideoShareSchema>;
export const VideoShareListSchema = z.array(VideoShareSchema);

// ---------------------------------------------------------------- Analytics
const metric = z.number().nullable();
const AnalyticsRowSchema = z.looseObject({
  video: nullableString.optional(),
  date: z.string().optional(),
  device_type: z.string().optional(),
  account: z.string().optional(),
  video_view: metric.optional(),
  video_impression: metric.optional(),
  video_seconds_viewed: metric.optional(),
  video_percent_viewed: metric.optional(),
  engagement_score: metric.optional(),
  play_rate: metric.optional(),
  play_request: metric.optional(),
  video_name: nullableString.optional(),
  video_duration: z.union([z.string(), z.number()]).nullable().optional(),
});
export type AnalyticsRow = z.infer<typeof AnalyticsRowSchema>;

export const AnalyticsResponseSchema = z.looseObject({
  account: z.string().optional(),
  item_count: z.number(),
  items: z.array(AnalyticsRowSchema),
  summary: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).default({}),
});
export type AnalyticsResponse = z.infer<typeof AnalyticsResponseSchema>;

export const AnalyticsStatusSchema = z.looseObject({
  reconciled_from: nullableString.optional(),
  reconciled_to: nullableString.optional(),
});
export type AnalyticsStatus = z.infer<typeof AnalyticsStatusSchema>;

export const AlltimeViewsSchema = z.looseObject({ alltime_video_views: z.number() });

// ---------------------------------------------------------------- Live
const LiveStateHistorySchema = z.looseObject({ state: z.string(), transition_timestamp: z.number() });

const LiveJobSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  created_at: z.string(),
  finished_at: nullableString.optional(),
  updated_at: nullableString.optional(),
  submitted_at: nullableString.optional(),
  region: z.string().optional(),
  channel_type: z.string().optional(),
  reconnect_time: z.number().optional(),
  state_history: z.array(LiveStateHistorySchema).optional(),
  playback_url: nullableString.optional(),
  stream: z
    .looseObject({ created_at: nullableString.optional(), finished_at: nullableString.optional() })
    .nullable()
    .optional(),
});
export type LiveJob = z.infer<typeof LiveJobSchema>;
export const LiveJobEnvelopeSchema = z.looseObject({ job: LiveJobSchema });
export const LiveJobListSchema = z.looseObject({
  jobs: z.array(LiveJobSchema),
  next_token: z.string().nullish(),
  start_token: z.string().nullish(),
});

const VodJobSchema = z.looseObject({
  jvod_id: z.string(),
  job_id: z.string(),
  label: z.string().nullish(),
  jvod_state: z.string(),
  jvod_type: z.string().optional(),
  jvod_url: nullableString.optional(),
  jvod_created_at: z.number().optional(),
  jvod_last_state_change_at: z.number().optional(),
  jvod_finished_at: z.number().nullable().optional(),
  jvod_duration_s: z.number().nullable().optional(),
  jvod_reported_duration_s: z.number().nullable().optional(),
  jvod_progress: z.number().nullable().optional(),
  jvod_cancelling_flag: z.boolean().optional(),
  account_id: z.string().optional(),
  jvod_videocloud: z
    .looseObject({
      video: z.looseObject({ name: z.string().optional() }).optional(),
    })
    .nullable()
    .optional(),
});
export type VodJob = z.infer<typeof VodJobSchema>;
/** `GET /v1/vods/{id}` is documented flat; an internal endpoint wraps it in `{vod}`. Accept both. */
export const VodJobGetSchema = z.union([
  z.looseObject({ vod: VodJobSchema }).transform((v) => v.vod),
  VodJobSchema,
]);
export const VodJobListSchema = z.looseObject({
  vod_jobs: z.array(VodJobSchema),
  next_token: z.string().nullish(),
  start_token: z.string().nullish(),
});
export const CreateVodResponseSchema = z.looseObject({
  vod_jobs: z.array(z.looseObject({ jvod_id: z.string(), label: z.string().nullish() })),
  live_job_id: z.string(),
});
export type CreateVodResponse = z.infer<typeof CreateVodResponseSchema>;

const LiveCredentialSchema = z.looseObject({
  credential_id: z.string(),
  label: z.string(),
  type: z.string(),
  credential_public: z.string().nullish(),
  credential_default_for_type: z.boolean().optional(),
  user_id: z.string().nullish(),
});
export type LiveCredential = z.infer<typeof LiveCredentialSchema>;
export const LiveCredentialListSchema = z.union([
  z.array(LiveCredentialSchema),
  z.looseObject({ Array: z.array(LiveCredentialSchema) }).transform((v) => v.Array),
]);

/** A clip output as sent in `POST /v1/vods`. Times: epoch SECONDS, stream seconds, or SMPTE strings. */
export interface VodOutputRequest {
  label: string;
  start_time?: number;
  end_time?: number;
  stream_start_time?: number;
  stream_end_time?: number;
  stream_start_timecode?: string;
  stream_end_timecode?: string;
  duration?: number;
  url?: string;
  videocloud?: {
    video: { name: string; reference_id?: string; tags?: string[]; [k: string]: unknown };
    ingest?: Record<string, unknown>;
    account_id?: string;
  };
  credentials?: string;
  notifications?: Array<string | { url: string; event?: string; credentials?: string }>;
}
export interface CreateVodRequest {
  live_job_id: string;
  outputs: VodOutputRequest[];
}
