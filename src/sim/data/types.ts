/** Analytics' `browser_type` values (reference brightcove-analytics: dimension values). */
const BROWSERS = ['chrome', 'edge', 'firefox', 'ie', 'opera', 'safari', 'other'] as const;

/** The simulator's mutable state. Tests may read and modify it directly. */
import type {
  CmsAsset,
  CmsSource,
  CmsVideo,
  CustomField,
  LiveCredential,
  LiveJob,
  VodJob,
  VodOutputRequest,
} from '../../brightcove/schemas.js';

interface SimChannel {
  enforce_custom_fields: boolean;
  enforce_geo: boolean;
  created_at: string;
  updated_at: string;
}

interface SimContract {
  /** the affiliate */
  account_id: string;
  /** the master */
  master_id: string;
  approved: boolean;
  auto_accept: boolean;
  approved_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SimAccount {
  id: string;
  name: string;
  alias: string;
  sharingEnabled: boolean;
  geoEnabled: boolean;
  channel: SimChannel;
  customFields: CustomField[];
  /** analytics timezone; the generator uses UTC for simplicity */
  timezone: string;
}

export interface SimShare {
  video_id: string;
  affiliate_id: string;
  affiliate_video_id: string | null;
  status: 'PROCESSING' | 'COMPLETE' | 'ERROR';
  shared_at: string;
  updated_at: string;
  error_message: string | null;
  /** clock ms when the share resolves */
  resolveAt: number;
}

export interface SimCredential {
  clientId: string;
  clientSecret: string;
  accounts: string[];
}

/** One row of daily analytics ground truth. */
export interface DailyViews {
  account: string;
  video: string;
  date: string;
  device_type: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'other';
  /** the viewers' browser (reference: chrome, edge, firefox, ie, opera, safari, other) */
  browser_type: (typeof BROWSERS)[number];
  video_view: number;
  video_impression: number;
  play_request: number;
  video_seconds_viewed: number;
  video_percent_viewed: number;
}

export interface SimVodJob extends VodJob {
  output: VodOutputRequest;
  /** where the clip lands in Video Cloud (when the destination is videocloud) */
  targetAccount: string | null;
  createdVideoId: string | null;
  /** clock ms at which each state is reached; computed at creation */
  schedule: Array<{ state: string; at: number }>;
  failWith?: string;
}

export interface SimData {
  accounts: SimAccount[];
  /** per account id, in creation order */
  videos: Record<string, CmsVideo[]>;
  /** per video id */
  sources: Record<string, CmsSource[]>;
  assets: Record<string, CmsAsset[]>;
  /** master account id -> affiliate ids that are channel members */
  members: Record<string, string[]>;
  contracts: SimContract[];
  shares: Record<string, SimShare[]>;
  liveJobs: LiveJob[];
  vodJobs: SimVodJob[];
  liveCredentials: LiveCredential[];
  analytics: DailyViews[];
  credentials: SimCredential[];
  liveApiKey: string;
  /** the reconciled range reported by /v1/data/status */
  reconciledTo: string;
}
