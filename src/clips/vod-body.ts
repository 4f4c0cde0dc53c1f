/**
 * A validated clip → the documented `POST /v1/vods` body (reference B1). One output per clip; exactly one
 * time-field family per output, always integers / `HH:MM:SS:FF` strings (pitfalls 4 and 5).
 */
import type { ValidatedClip } from './validate.js';

interface VodOutputBody {
  label: string;
  duration?: number;
  stream_start_time?: number;
  stream_end_time?: number;
  start_time?: number;
  end_time?: number;
  stream_start_timecode?: string;
  stream_end_timecode?: string;
  url?: string;
  credentials?: string;
  videocloud?: {
    video: { name: string; tags?: string[]; reference_id: string };
    ingest?: { profile: string };
  };
  notifications?: string[];
}

export interface VodCreateBody {
  live_job_id: string;
  outputs: VodOutputBody[];
}

interface BuiltVodRequest {
  body: VodCreateBody;
  /** The output label, echoed in the create response and in notifications. */
  label: string;
  /** Set on the Video Cloud video so the finished clip can be found by `GET /videos/ref:<id>`. */
  referenceId?: string;
}

interface VodBodyOptions {
  /** Random id source; injected so tests (and retries) get the same reference id. */
  newId: () => string;
  /** Where the Live API posts `state_changed` for this clip (the app's public hook URL), if any. */
  notificationUrl?: string;
}

/** Video Cloud reference ids: ≤150 chars, no spaces, commas or special characters (CMS reference §3). */
export function clipReferenceId(newId: () => string): string {
  const id = newId()
    .replace(/[^A-Za-z0-9_-]/g, '')
    .slice(0, 120);
  if (id === '') throw new Error('clipReferenceId: the id source returned no usable characters');
  return `bcops-clip-${id}`;
}

export function buildVodBody(clip: ValidatedClip, opts: VodBodyOptions): BuiltVodRequest {
  const label = clip.name;
  const output: VodOutputBody = { label };
  const w = clip.window;
  switch (w.kind) {
    case 'last':
      output.duration = w.durationSec;
      break;
    case 'stream':
      output.stream_start_time = w.startSec;
      output.stream_end_time = w.endSec;
      break;
    case 'absolute':
      output.start_time = w.startEpochSec;
      output.end_time = w.endEpochSec;
      break;
    case 'timecode':
      output.stream_start_timecode = w.start;
      output.stream_end_timecode = w.end;
      break;
  }
  let referenceId: string | undefined;
  const d = clip.destination;
  if (d.kind === 'videocloud') {
    referenceId = clipReferenceId(opts.newId);
    const video: NonNullable<VodOutputBody['videocloud']>['video'] = {
      name: clip.name,
      reference_id: referenceId,
    };
    if (clip.tags.length > 0) video.tags = clip.tags;
    // No credentials: the linked Video Cloud account needs none (pitfall 7); profile only when asked,
    // as Brightcove recommends the account default.
    output.videocloud = d.profile === undefined ? { video } : { video, ingest: { profile: d.profile } };
  } else {
    output.url = d.url;
    if (d.credentials !== undefined) output.credentials = d.credentials;
  }
  if (opts.notificationUrl) output.notifications = [opts.notificationUrl];
  const body: VodCreateBody = { live_job_id: clip.jobId, outputs: [output] };
  return referenceId === undefined ? { body, label } : { body, label, referenceId };
}
