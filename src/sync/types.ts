/**
 * The few fields the sync reads from Brightcove, as structural types: the CMS client's `CmsVideo`,
 * `CmsSource` and `CmsAsset` are assignable to these (checked in test/sync/types.test.ts), and a
 * future source of videos only has to provide the same fields.
 */
export interface SyncVideo {
  id: string;
  name?: string | null;
  description?: string | null;
  long_description?: string | null;
  tags?: readonly string[] | null;
  created_at?: string | null;
  updated_at?: string | null;
  state?: string | null;
  reference_id?: string | null;
  /** milliseconds */
  duration?: number | null;
  custom_fields?: Readonly<Record<string, unknown>> | null;
  delivery_type?: string | null;
  remote_url?: string | null;
}

/** One entry of `GET /videos/{id}/sources`. */
export interface VideoSource {
  src?: string | null;
  type?: string | null;
  container?: string | null;
  codec?: string | null;
  height?: number | null;
  width?: number | null;
  encoding_rate?: number | null;
  remote?: boolean | null;
  app_name?: string | null;
}

/** One entry of `GET /videos/{id}/assets/renditions` (how remote videos expose their files). */
export interface AssetRendition {
  id?: string | null;
  type?: string | null;
  remote_url?: string | null;
  video_codec?: string | null;
  video_container?: string | null;
  frame_height?: number | null;
  frame_width?: number | null;
  encoding_rate?: number | null;
  audio_only?: boolean | null;
}

/** What was fetched for one video to choose its media: sources, and asset renditions for remote videos. */
export interface VideoMedia {
  sources?: readonly VideoSource[] | null;
  assetRenditions?: readonly AssetRendition[] | null;
}

/** A record in a sync target, keyed by the Brightcove video id it mirrors. */
export interface TargetRecord {
  id: string;
  /** Brightcove video id (Clarify: external_id); null when the record is not ours. */
  videoId: string | null;
  name: string | null;
  version: number;
  /** Current metadata; null when the listing did not carry it. */
  metadata: Record<string, unknown> | null;
  metadataVersion: number | null;
}
