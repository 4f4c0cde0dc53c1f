/**
 * Deterministic, seeded generator of a realistic Brightcove world: a master account with two affiliates,
 * an independent account, videos with mixed renditions (H264 MP4 at several heights over http and https,
 * HLS/DASH without codec, legacy RTMP, remote assets, null heights, no renditions), custom fields, media
 * sharing relationships, live jobs, and daily analytics split by device whose totals are known.
 */
import type { CmsAsset, CmsSource, CmsVideo, CustomField, LiveJob } from '../../brightcove/schemas.js';
import { hex32, int, pick, type Rng, seededRng } from './rng.js';
import type { DailyViews, SimAccount, SimData } from './types.js';

export interface DatasetOptions {
  seed?: number;
  /** videos per account: a number for all, or per account id / alias */
  videosPerAccount?: number | Record<string, number>;
  /** days of daily analytics ending yesterday (0 = none) */
  analyticsDays?: number;
  /** "now" for timestamps (default 2026-11-21T12:00:00Z, the ManualClock default) */
  now?: Date;
}

export const ACCOUNT_IDS = {
  neo: '1111111111001',
  neoNorth: '2222222222001',
  neoSouth: '3333333333001',
  research: '4444444444001',
} as const;

export const VIDEO_KINDS = ['dynamic', 'legacy', 'remote', 'hls_only', 'null_heights', 'none'] as const;
type VideoKind = (typeof VIDEO_KINDS)[number];
export const DEVICES = ['desktop', 'mobile', 'tablet', 'tv', 'other'] as const;

const TOPICS = ['Birds', 'Mammals', 'Fish', 'Insects', 'Plants'];
const WORDS = [
  'Harbour',
  'seals',
  'Heron',
  'Great',
  'Blue',
  'Morning',
  'River',
  'Forest',
  'Coast',
  'Night',
  'Owls',
];
const TAGS = [
  'wildlife',
  'coast',
  'birds',
  'studio',
  'players',
  'drupal',
  'live',
  'archive',
  'news',
  'promo',
];

function customFields(withSubject: boolean): CustomField[] {
  const fields: CustomField[] = [
    { id: 'uploader', display_name: 'Uploader', description: null, type: 'string', required: false },
    {
      id: 'business_unit',
      display_name: 'Business unit',
      description: null,
      type: 'string',
      required: false,
    },
  ];
  if (withSubject) {
    fields.unshift({
      id: 'subject',
      display_name: 'Subject',
      description: 'Pick a topic',
      type: 'enum',
      required: false,
      enum_values: TOPICS,
    });
  }
  return fields;
}

function account(id: string, alias: string, name: string, at: string, withSubject = true): SimAccount {
  return {
    id,
    alias,
    name,
    sharingEnabled: true,
    geoEnabled: false,
    channel: { enforce_custom_fields: false, enforce_geo: false, created_at: at, updated_at: at },
    customFields: customFields(withSubject),
    timezone: 'UTC',
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function mp4(
  rng: Rng,
  scheme: 'http' | 'https',
  base: string,
  height: number | null,
  duration: number,
): CmsSource {
  const width = height == null ? null : Math.round((height * 16) / 9);
  const rate = height == null ? int(rng, 400, 900) * 1000 : height * 3000 + int(rng, 0, 99) * 1000;
  return {
    src: `${scheme}://cdn.sim.example/${base}/${height ?? 'x'}p.mp4?token=${hex32(rng).slice(0, 12)}`,
    container: 'MP4',
    codec: 'H264',
    width,
    height,
    encoding_rate: rate,
    duration,
    size: Math.round((rate / 8) * (duration / 1000)),
    remote: false,
    uploaded_at: null,
  };
}

interface Renditions {
  sources: CmsSource[];
  assets: CmsAsset[];
  remoteUrl: string | null;
}

function renditions(
  rng: Rng,
  kind: VideoKind,
  accountId: string,
  videoId: string,
  duration: number,
): Renditions {
  const base = `${accountId}/${videoId}`;
  const hls: CmsSource = {
    src: `https://manifest.sim.example/${base}/master.m3u8?fastly_token=${hex32(rng).slice(0, 16)}`,
    type: 'application/x-mpegURL',
    ext_x_version: pick(rng, ['4', '5']),
  };
  const dash: CmsSource = {
    src: `https://manifest.sim.example/${base}/manifest.mpd?fastly_token=${hex32(rng).slice(0, 16)}`,
    type: 'application/dash+xml',
  };
  switch (kind) {
    case 'dynamic': {
      const heights = [360, 540, 720, 1080].filter(() => rng() < 0.8);
      const mp4s = heights.flatMap((h) => [
        mp4(rng, 'http', base, h, duration),
        mp4(rng, 'https', base, h, duration),
      ]);
      return { sources: [hls, dash, ...mp4s], assets: [], remoteUrl: null };
    }
    case 'legacy': {
      const assetId = String(5800000000001 + int(rng, 0, 99_999_999));
      const rtmp: CmsSource = {
        app_name: 'rtmp://fms.sim.example/ondemand',
        stream_name: `mp4:${base}_${assetId}.mp4&1445288400000&${hex32(rng).slice(0, 8)}`,
        asset_id: assetId,
        codec: 'H264',
        container: 'MP4',
        width: 640,
        height: 360,
        encoding_rate: 983000,
        duration,
        size: 3887659,
        remote: false,
      };
      return {
        sources: [rtmp, mp4(rng, 'http', base, 360, duration), mp4(rng, 'https', base, 720, duration)],
        assets: [],
        remoteUrl: null,
      };
    }
    case 'remote': {
      const url = `https://media.partner.example/${videoId}/720.mp4`;
      const asset: CmsAsset = {
        id: String(5819491822001 + int(rng, 0, 9_999_999)),
        account_id: accountId,
        type: 'FULL_LENGTH',
        name: `${videoId}-720p`,
        remote_url: url,
        remote_stream_name: '',
        reference_id: '',
        video_codec: 'H264',
        video_container: 'MP4',
        encoding_rate: 1983000,
        frame_width: 1280,
        frame_height: 720,
        size: 13242064,
        video_duration: duration,
        progressive_download: true,
        audio_only: false,
        complete: true,
        controller_type: 'DEFAULT',
        cdn_origin_id: '',
        current_filename: '',
        key_systems: [],
        uploaded_at: null,
        updated_at: null,
      };
      const src: CmsSource = {
        src: url,
        container: 'MP4',
        codec: 'H264',
        width: 1280,
        height: 720,
        encoding_rate: 1983000,
        duration,
        size: 13242064,
        remote: true,
      };
      return { sources: [src], assets: [asset], remoteUrl: url };
    }
    case 'hls_only':
      return { sources: [hls], assets: [], remoteUrl: null };
    case 'null_heights':
      return {
        sources: [hls, mp4(rng, 'https', base, null, duration), mp4(rng, 'http', base, null, duration)],
        assets: [],
        remoteUrl: null,
      };
    case 'none':
      return { sources: [], assets: [], remoteUrl: null };
  }
}

function pickKind(rng: Rng): VideoKind {
  const r = rng();
  if (r < 0.55) return 'dynamic';
  if (r < 0.7) return 'legacy';
  if (r < 0.8) return 'remote';
  if (r < 0.9) return 'hls_only';
  if (r < 0.95) return 'null_heights';
  return 'none';
}

interface NewVideoInput {
  accountId: string;
  id: string;
  createdAt: number;
  name?: string;
  referenceId?: string | null;
  tags?: string[];
  customFields?: Record<string, string>;
  state?: CmsVideo['state'];
  duration?: number | null;
  kind?: VideoKind;
}

/** A full CMS video object (every documented key present, unset objects null). */
export function makeVideo(input: NewVideoInput, remoteUrl: string | null = null): CmsVideo {
  const at = iso(input.createdAt);
  const id = input.id;
  const image = (w: number, h: number) => ({
    asset_id: String(Number(id) + 7),
    src: `https://images.sim.example/${input.accountId}/${id}/${w}x${h}.jpg`,
    sources: [
      { src: `https://images.sim.example/${input.accountId}/${id}/${w}x${h}.jpg`, width: w, height: h },
    ],
  });
  return {
    id,
    account_id: input.accountId,
    name: input.name ?? `Video ${id}`,
    description: null,
    long_description: null,
    reference_id: input.referenceId ?? null,
    tags: input.tags ?? [],
    custom_fields: input.customFields ?? {},
    state: input.state ?? 'ACTIVE',
    complete: input.kind !== 'none',
    duration: input.kind === 'none' ? null : (input.duration ?? 60_000),
    created_at: at,
    updated_at: at,
    published_at: at,
    economics: 'AD_SUPPORTED',
    ad_keys: null,
    delivery_type:
      input.kind === 'remote' ? 'remote' : input.kind === 'legacy' ? 'static_origin' : 'dynamic_origin',
    original_filename: input.kind === 'remote' ? null : `${id}.mov`,
    digital_master_id: input.kind === 'dynamic' ? String(Number(id) + 3) : null,
    has_digital_master: input.kind === 'dynamic',
    folder_id: null,
    labels: [],
    clip_source_video_id: null,
    projection: null,
    offline_enabled: false,
    drm_disabled: false,
    playback_rights_id: null,
    remote_url: remoteUrl,
    cue_points: [],
    text_tracks: [],
    transcripts: [],
    images: input.kind === 'none' ? {} : { poster: image(1280, 720), thumbnail: image(160, 90) },
    geo: null,
    schedule: null,
    link: null,
    sharing: null,
    created_by: { type: 'user', id: '1234', email: 'editor@sim.example' },
    updated_by: { type: 'api_key', id: '5678', email: null },
    variants: [],
  };
}

function liveJob(rng: Rng, createdAt: number, finishedAt: number | null): LiveJob {
  const history = [
    { state: 'waiting', transition_timestamp: createdAt },
    { state: 'processing', transition_timestamp: createdAt + 20_000 },
    ...(finishedAt ? [{ state: 'finished', transition_timestamp: finishedAt }] : []),
  ].reverse();
  return {
    id: hex32(rng),
    state: finishedAt ? 'finished' : 'processing',
    created_at: iso(createdAt),
    submitted_at: iso(createdAt),
    updated_at: iso(finishedAt ?? createdAt + 20_000),
    finished_at: finishedAt ? iso(finishedAt) : null,
    region: 'us-west-2',
    channel_type: 'event',
    reconnect_time: 1800,
    state_history: history,
    state_history_is_truncated: false,
    playback_url: `https://live.sim.example/${createdAt}/playlist.m3u8`,
    stream: { created_at: iso(createdAt + 20_000), finished_at: finishedAt ? iso(finishedAt) : null },
    outputs: [],
    notifications: [],
  };
}

export function generateDataset(opts: DatasetOptions = {}): SimData {
  const rng = seededRng(opts.seed ?? 42);
  const now = (opts.now ?? new Date('2026-11-21T12:00:00Z')).getTime();
  const created = iso(now - 1000 * 86400_000);
  const accounts: SimAccount[] = [
    account(ACCOUNT_IDS.neo, 'neo', 'Neo Media', created),
    account(ACCOUNT_IDS.neoNorth, 'neo-north', 'Neo North', created),
    // no `subject` field: shares of videos with a subject fail when the channel enforces custom fields
    account(ACCOUNT_IDS.neoSouth, 'neo-south', 'Neo South', created, false),
    account(ACCOUNT_IDS.research, 'research', 'Research Lab', created),
  ];
  const data: SimData = {
    accounts,
    videos: {},
    sources: {},
    assets: {},
    members: { [ACCOUNT_IDS.neo]: [ACCOUNT_IDS.neoNorth, ACCOUNT_IDS.neoSouth] },
    contracts: [
      {
        account_id: ACCOUNT_IDS.neoNorth,
        master_id: ACCOUNT_IDS.neo,
        approved: true,
        auto_accept: true,
        approved_at: created,
        created_at: created,
        updated_at: created,
      },
      {
        account_id: ACCOUNT_IDS.neoSouth,
        master_id: ACCOUNT_IDS.neo,
        approved: true,
        auto_accept: false,
        approved_at: created,
        created_at: created,
        updated_at: created,
      },
    ],
    shares: {},
    liveJobs: [],
    vodJobs: [],
    liveCredentials: [
      {
        credential_id: hex32(rng),
        label: 's3-clips',
        type: 's3',
        credential_public: 'AKIASIMULATOR',
        credential_private: '****',
        credential_default_for_type: false,
        user_id: 'all',
      },
      {
        credential_id: hex32(rng),
        label: 'research-vc',
        type: 'videocloud',
        credential_public: 'sim-client-research',
        credential_private: '****',
        credential_default_for_type: false,
        user_id: 'all',
      },
    ],
    analytics: [],
    credentials: [
      {
        clientId: 'sim-client-all',
        clientSecret: 'sim-secret-all-0001',
        accounts: accounts.map((a) => a.id),
      },
      ...accounts.map((a) => ({
        clientId: `sim-client-${a.alias}`,
        clientSecret: `sim-secret-${a.alias}-0001`,
        accounts: [a.id],
      })),
    ],
    liveApiKey: 'sim-live-api-key-0001',
    reconciledTo: iso(now - 86400_000).slice(0, 10),
  };

  const span = 3 * 365 * 86400_000;
  accounts.forEach((acc, accIdx) => {
    const per = opts.videosPerAccount ?? 40;
    const n = typeof per === 'number' ? per : (per[acc.id] ?? per[acc.alias] ?? 0);
    const list: CmsVideo[] = [];
    const start = now - span;
    for (let i = 0; i < n; i++) {
      const id = `63${accIdx + 1}${String(i + 1).padStart(7, '0')}001`;
      const kind = pickKind(rng);
      const duration = int(rng, 15, 1800) * 1000 + int(rng, 0, 999);
      const cf: Record<string, string> = {};
      if (rng() < 0.6 && acc.customFields.some((f) => f.id === 'subject')) cf.subject = pick(rng, TOPICS);
      if (rng() < 0.5) cf.uploader = pick(rng, ['ana', 'ben', 'chloe', 'dev']);
      if (rng() < 0.3) cf.business_unit = pick(rng, ['news', 'sport', 'docs']);
      const r = renditions(rng, kind, acc.id, id, duration);
      const video = makeVideo(
        {
          accountId: acc.id,
          id,
          // strictly increasing so created_at is a stable sort key
          createdAt: start + Math.floor((span * i) / Math.max(1, n)) + accIdx,
          name: `${pick(rng, WORDS)} ${pick(rng, WORDS)} ${i + 1}`,
          referenceId: rng() < 0.7 ? `${acc.alias}-${String(i + 1).padStart(5, '0')}` : null,
          tags: TAGS.filter(() => rng() < 0.2),
          customFields: cf,
          state: rng() < 0.9 ? 'ACTIVE' : 'INACTIVE',
          duration,
          kind,
        },
        r.remoteUrl,
      );
      list.push(video);
      data.sources[id] = r.sources;
      data.assets[id] = r.assets;
    }
    data.videos[acc.id] = list;
  });

  const days = opts.analyticsDays ?? 30;
  for (const acc of accounts) {
    const vids = data.videos[acc.id] ?? [];
    for (let d = days; d >= 1; d--) {
      const date = iso(now - d * 86400_000).slice(0, 10);
      const eligible = vids.filter((v) => v.created_at.slice(0, 10) <= date);
      for (const v of eligible) {
        if (rng() < 0.5) continue; // rows with no activity are absent, like the real API
        for (const device of DEVICES) {
          if (rng() < 0.3) continue;
          const views = int(rng, 0, 40);
          const impressions = views + int(rng, 0, 30);
          const row: DailyViews = {
            account: acc.id,
            video: v.id,
            date,
            device_type: device,
            browser_type: browserOf(v.id, date, device),
            video_view: views,
            video_impression: impressions,
            play_request: views + int(rng, 0, 3),
            video_seconds_viewed: views * int(rng, 5, 120),
            video_percent_viewed: views * int(rng, 10, 100),
          };
          data.analytics.push(row);
        }
      }
    }
  }

  // live jobs on the master's Live account: one live now, one finished yesterday, one finished 10 days ago
  data.liveJobs.push(liveJob(rng, now - 2 * 3600_000, null));
  data.liveJobs.push(liveJob(rng, now - 30 * 3600_000, now - 26 * 3600_000));
  data.liveJobs.push(liveJob(rng, now - 10 * 86400_000, now - 10 * 86400_000 + 3600_000));
  return data;
}

/**
 * A row's browser, from its video, day and device rather than the random stream (so every other
 * generated value, and every test's ground truth, stays what it was): mostly chrome and safari, some
 * edge and firefox, a few of the rest.
 */
function browserOf(video: string, date: string, device: string): DailyViews['browser_type'] {
  let h = 2166136261;
  for (const ch of `${video}|${date}|${device}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const weights: [DailyViews['browser_type'], number][] = [
    ['chrome', 45],
    ['safari', 25],
    ['edge', 12],
    ['firefox', 9],
    ['opera', 3],
    ['ie', 2],
    ['other', 4],
  ];
  let pickAt = h % 100;
  for (const [b, w] of weights) {
    if (pickAt < w) return b;
    pickAt -= w;
  }
  return 'other';
}

interface ViewsQuery {
  account?: string;
  /** inclusive YYYY-MM-DD */
  from?: string;
  /** inclusive YYYY-MM-DD */
  to?: string;
  device?: DailyViews['device_type'];
  video?: string;
}

/** Ground truth for tests: rows matching a query. */
export function viewRows(data: SimData, q: ViewsQuery = {}): DailyViews[] {
  return data.analytics.filter(
    (r) =>
      (!q.account || r.account === q.account) &&
      (!q.from || r.date >= q.from) &&
      (!q.to || r.date <= q.to) &&
      (!q.device || r.device_type === q.device) &&
      (!q.video || r.video === q.video),
  );
}

/** Ground truth for tests: the sum of `video_view` over the rows matching a query. */
export function sumViews(data: SimData, q: ViewsQuery = {}): number {
  return viewRows(data, q).reduce((s, r) => s + r.video_view, 0);
}

/** Ground truth for tests: views per device_type. */
export function viewsByDevice(data: SimData, q: ViewsQuery = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of viewRows(data, q)) out[r.device_type] = (out[r.device_type] ?? 0) + r.video_view;
  return out;
}

export function videoKindOf(data: SimData, videoId: string): VideoKind {
  const s = data.sources[videoId] ?? [];
  if (s.length === 0) return 'none';
  if (s.some((x) => x.remote)) return 'remote';
  if (s.some((x) => x.app_name)) return 'legacy';
  if (s.some((x) => x.codec === 'H264' && x.height == null)) return 'null_heights';
  if (s.some((x) => x.codec === 'H264')) return 'dynamic';
  return 'hls_only';
}
