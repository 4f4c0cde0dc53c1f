import type { AssetRendition, SyncVideo, VideoMedia, VideoSource } from './types.js';

export interface RenditionOptions {
  /** Highest rendition height accepted (default 1080, as the original tool intended). */
  maxHeight?: number;
}

interface ChosenRendition {
  url: string;
  height: number;
  width: number | null;
  codec: string;
  origin: 'source' | 'asset';
}

type RenditionChoice =
  | { ok: true; rendition: ChosenRendition }
  | { ok: false; reason: 'no_suitable_rendition'; message: string };

interface Candidate {
  url: string;
  height: number | null;
  width: number | null;
  codec: string | null;
  origin: 'source' | 'asset';
}

/**
 * The highest H264 rendition at or below `maxHeight` with an http(s) URL, https preferred at equal
 * height, then the higher bitrate. Fixes the original's choices (reference/clarify.md §1.6, §3.6–7):
 * it kept the *last* match, accepted any scheme, crashed on `height: null`, ignored `remote`.
 */
export function chooseRendition(
  video: Pick<SyncVideo, 'delivery_type' | 'remote_url'>,
  media: VideoMedia,
  opts: RenditionOptions = {},
): RenditionChoice {
  const maxHeight = opts.maxHeight ?? 1080;
  const remote = video.delivery_type === 'remote';
  const candidates: Candidate[] = remote
    ? (media.assetRenditions ?? []).flatMap(fromAsset)
    : (media.sources ?? []).flatMap((s) => fromSource(s));
  const rejected = { codec: 0, scheme: 0, height: 0, tooHigh: 0 };
  let best: (Candidate & { height: number }) | undefined;
  for (const c of candidates) {
    if (c.codec?.toUpperCase() !== 'H264') {
      rejected.codec++;
      continue;
    }
    if (!/^https?:\/\//i.test(c.url)) {
      rejected.scheme++;
      continue;
    }
    if (typeof c.height !== 'number' || !Number.isFinite(c.height) || c.height <= 0) {
      rejected.height++;
      continue;
    }
    if (c.height > maxHeight) {
      rejected.tooHigh++;
      continue;
    }
    const cand = { ...c, height: c.height };
    if (!best || better(cand, best)) best = cand;
  }
  if (best) {
    const { url, height, width, codec, origin } = best;
    return { ok: true, rendition: { url, height, width, codec: codec ?? 'H264', origin } };
  }
  const what = remote ? 'remote asset renditions' : 'sources';
  const parts: string[] = [];
  if (!candidates.length) parts.push(`no ${what} with a URL`);
  if (rejected.codec) parts.push(`${rejected.codec} not H264`);
  if (rejected.scheme) parts.push(`${rejected.scheme} not http(s)`);
  if (rejected.height) parts.push(`${rejected.height} without a height`);
  if (rejected.tooHigh) parts.push(`${rejected.tooHigh} above ${maxHeight}p`);
  return {
    ok: false,
    reason: 'no_suitable_rendition',
    message: `No H264 rendition up to ${maxHeight}p with an http(s) URL (${parts.join(', ')})`,
  };
}

function better(a: Candidate & { height: number }, b: Candidate & { height: number }): boolean {
  if (a.height !== b.height) return a.height > b.height;
  const ah = a.url.toLowerCase().startsWith('https:');
  const bh = b.url.toLowerCase().startsWith('https:');
  if (ah !== bh) return ah;
  return (a.width ?? 0) > (b.width ?? 0);
}

function fromSource(s: VideoSource): Candidate[] {
  // Sources flagged remote belong to remote videos, which are resolved through their assets.
  if (!s.src || s.remote === true) return [];
  return [
    {
      url: s.src,
      height: s.height ?? null,
      width: s.width ?? null,
      codec: s.codec ?? null,
      origin: 'source',
    },
  ];
}

function fromAsset(a: AssetRendition): Candidate[] {
  if (!a.remote_url || a.audio_only === true) return [];
  // Brightcove's own examples use protocol-relative remote URLs; Clarify needs an absolute one.
  const url = a.remote_url.startsWith('//') ? `https:${a.remote_url}` : a.remote_url;
  return [
    {
      url,
      height: a.frame_height ?? null,
      width: a.frame_width ?? null,
      codec: a.video_codec ?? null,
      origin: 'asset',
    },
  ];
}

/** Remote videos need their asset renditions fetched; others need their sources. */
export function mediaNeeded(video: Pick<SyncVideo, 'delivery_type'>): 'sources' | 'assetRenditions' {
  return video.delivery_type === 'remote' ? 'assetRenditions' : 'sources';
}
