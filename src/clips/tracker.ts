/**
 * Follows one clip (VOD) job to its end, by polling `GET /v1/vods/{id}` with backoff and by the Live API's
 * `state_changed` notifications, whichever arrives first. Notifications are retried and duplicated by the
 * API (reference B7) and polls can race them, so a state is only accepted when it moves the job forward.
 */
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { type Logger, maskSecrets, silentLogger } from '../log.js';

export type ClipState = 'waiting' | 'processing' | 'creating_asset' | 'finished' | 'failed';

/** The fields of a VOD job (B4) or a clip `state_changed` payload (B7) the tracker reads. */
export interface VodJobSnapshot {
  jvod_id: string;
  jvod_state: string;
  /** Epoch ms. */
  jvod_last_state_change_at?: number | null;
  jvod_url?: string | null;
  jvod_reported_duration_s?: number | null;
  [key: string]: unknown;
}

interface ClipVideo {
  id: string;
  name?: string;
  studioUrl: string;
}

export type ClipOutcome =
  | {
      state: 'finished';
      apiState: string;
      /** The new Video Cloud video, when the clip went to Video Cloud and was found by reference id. */
      video?: ClipVideo;
      /** The written file, for s3:// and ftp:// destinations. */
      url?: string;
      durationSec?: number;
      /** Why `video` is missing although the clip went to Video Cloud. */
      note?: string;
    }
  | { state: 'failed'; apiState: string; reason: string }
  /** Tracking ended without a terminal state (stop() or the tracking time limit); the job may still finish. */
  | { state: 'stopped'; reason: string };

export interface ClipStateChange {
  jvodId: string;
  state: ClipState;
  apiState: string;
  at: Date;
  /** Set on the final change. */
  outcome?: ClipOutcome;
}

export interface BackoffOptions {
  initialMs: number;
  factor: number;
  maxMs: number;
}

export interface ClipTrackerOptions {
  jvodId: string;
  clock: Clock;
  getJob: (jvodId: string) => Promise<VodJobSnapshot | undefined>;
  onChange: (change: ClipStateChange) => void | Promise<void>;
  /** Given for Video Cloud destinations: the finished video is looked up by it. */
  referenceId?: string;
  findVideoByReferenceId?: (referenceId: string) => Promise<{ id: string; name?: string } | undefined>;
  /** Brightcove's own demo polls every 2 s; back off from there while nothing changes. */
  backoff?: Partial<BackoffOptions>;
  /** Clips that wait for the live job to end can take as long as the event; give up after this. */
  maxTrackingMs?: number;
  videoLookupAttempts?: number;
  /** The state the job is known to be in when tracking starts (a clip just created is waiting). */
  initialState?: ClipState;
  logger?: Logger;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 2_000, factor: 1.5, maxMs: 30_000 };

const STATE_MAP: Record<string, ClipState> = {
  waiting: 'waiting',
  waiting_finish_live: 'waiting',
  processing: 'processing',
  creating_asset: 'creating_asset',
  finished: 'finished',
  failed: 'failed',
  error: 'failed',
  cancelling: 'failed',
  cancelled: 'failed',
};

const RANK: Record<ClipState, number> = {
  waiting: 0,
  processing: 1,
  creating_asset: 2,
  finished: 3,
  failed: 3,
};

/** Maps a Live API VOD job state (B5) to the tracked state; undefined for states it does not know. */
export function mapVodState(apiState: string): ClipState | undefined {
  return STATE_MAP[apiState];
}

export function isTerminal(state: ClipState): boolean {
  return state === 'finished' || state === 'failed';
}

export function studioVideoUrl(videoId: string): string {
  return `https://studio.brightcove.com/products/videocloud/media/videos/${encodeURIComponent(videoId)}`;
}

/** Undocumented fields that some deployments use for a failure message; shown when present. */
const REASON_FIELDS = ['error_message', 'errorMessage', 'jvod_error', 'error', 'reason', 'message'];

function failureReason(snapshot: VodJobSnapshot): string {
  const detail = REASON_FIELDS.map((k) => snapshot[k]).find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  const base =
    snapshot.jvod_state === 'failed'
      ? 'Brightcove Live hit a system error while cutting the clip (state "failed").'
      : snapshot.jvod_state === 'error'
        ? 'Brightcove Live will not process this clip (state "error"); check the clip window against the live job.'
        : `The clip job was cancelled (state "${snapshot.jvod_state}").`;
  return detail ? `${base} Brightcove said: ${detail}` : base;
}

const NotificationSchema = z.looseObject({
  event: z.string().optional(),
  jvod_id: z.string(),
  jvod_state: z.string(),
  jvod_last_state_change_at: z.number().nullish(),
});

/** The delay before poll number `attempt` (0-based), growing by `factor` and capped at `maxMs`. */
export function backoffDelay(attempt: number, backoff: BackoffOptions): number {
  return Math.min(backoff.maxMs, Math.round(backoff.initialMs * backoff.factor ** attempt));
}

export class ClipTracker {
  readonly #opts: ClipTrackerOptions;
  readonly #backoff: BackoffOptions;
  readonly #log: Logger;
  #state: ClipState;
  #apiState: string;
  #lastChangeAt = Number.NEGATIVE_INFINITY;
  #settled = false;
  #attempt = 0;
  #started = false;
  #emitting: Promise<void> = Promise.resolve();
  readonly #done: Promise<ClipOutcome>;
  #resolve!: (outcome: ClipOutcome) => void;
  /** Delays the poll loop actually slept, for observability and tests. */
  readonly delays: number[] = [];

  constructor(opts: ClipTrackerOptions) {
    this.#opts = opts;
    this.#backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.#log = (opts.logger ?? silentLogger).child({ jvod_id: opts.jvodId });
    this.#state = opts.initialState ?? 'waiting';
    this.#apiState = this.#state;
    this.#done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get state(): ClipState {
    return this.#state;
  }

  /** Resolves with the outcome once the job is finished or failed (or tracking stopped). */
  get done(): Promise<ClipOutcome> {
    return this.#done;
  }

  /** Starts polling; returns the same promise as `done`. Calling it again does not start a second loop. */
  start(): Promise<ClipOutcome> {
    if (!this.#started) {
      this.#started = true;
      void this.#pollLoop();
    }
    return this.#done;
  }

  /**
   * A Live API `state_changed` payload (already JSON-parsed). Returns true when it moved the clip forward;
   * payloads for other clips, other events, duplicates and stale states change nothing.
   */
  notify(payload: unknown): boolean {
    const parsed = NotificationSchema.safeParse(payload);
    if (!parsed.success) {
      this.#log.warn('ignoring malformed clip notification');
      return false;
    }
    const event = parsed.data;
    if (event.event !== undefined && event.event !== 'state_changed') return false;
    return this.#observe(event, 'notification');
  }

  /** Stops following the job (e.g. on shutdown); the outcome is `stopped`. */
  stop(reason = 'Tracking stopped before the clip job finished.'): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve({ state: 'stopped', reason });
  }

  async #pollLoop(): Promise<void> {
    const startedAt = this.#opts.clock.now().getTime();
    const maxMs = this.#opts.maxTrackingMs ?? 72 * 3_600_000;
    while (!this.#settled) {
      try {
        const snapshot = await this.#opts.getJob(this.#opts.jvodId);
        if (this.#settled) return;
        if (snapshot === undefined) {
          this.#settle(
            {
              state: 'failed',
              apiState: 'unknown',
              reason: `The Live API no longer knows clip job ${this.#opts.jvodId}.`,
            },
            'failed',
          );
          return;
        }
        this.#observe(snapshot, 'poll');
      } catch (err) {
        // A failed poll is just a poll that saw nothing; notifications or the next poll will catch up.
        this.#log.warn('clip status poll failed', { err });
      }
      if (this.#settled) return;
      if (this.#opts.clock.now().getTime() - startedAt >= maxMs) {
        this.stop(
          `Stopped following the clip job after ${Math.round(maxMs / 3_600_000)}h; it may still finish.`,
        );
        return;
      }
      const delay = backoffDelay(this.#attempt, this.#backoff);
      this.#attempt += 1;
      this.delays.push(delay);
      await this.#opts.clock.sleep(delay);
    }
  }

  #observe(snapshot: VodJobSnapshot, source: 'poll' | 'notification'): boolean {
    if (this.#settled || snapshot.jvod_id !== this.#opts.jvodId) return false;
    const mapped = mapVodState(snapshot.jvod_state);
    if (!mapped) {
      this.#log.warn('unknown clip job state', { jvod_state: snapshot.jvod_state, source });
      return false;
    }
    const changedAt = snapshot.jvod_last_state_change_at ?? undefined;
    if (changedAt !== undefined && changedAt < this.#lastChangeAt) return false;
    if (RANK[mapped] <= RANK[this.#state]) return false;
    this.#state = mapped;
    this.#apiState = snapshot.jvod_state;
    if (changedAt !== undefined) this.#lastChangeAt = changedAt;
    // Movement means work is happening: look again soon.
    this.#attempt = 0;
    this.#log.debug('clip state changed', { state: mapped, jvod_state: snapshot.jvod_state, source });
    if (mapped === 'failed') {
      this.#settle(
        { state: 'failed', apiState: snapshot.jvod_state, reason: failureReason(snapshot) },
        mapped,
      );
    } else if (mapped === 'finished') {
      this.#settled = true;
      void this.#finish(snapshot);
    } else {
      this.#emit({
        jvodId: this.#opts.jvodId,
        state: mapped,
        apiState: snapshot.jvod_state,
        at: this.#opts.clock.now(),
      });
    }
    return true;
  }

  #emit(change: ClipStateChange): Promise<void> {
    this.#emitting = this.#emitting.then(async () => {
      try {
        await this.#opts.onChange(change);
      } catch (err) {
        this.#log.error('clip onChange handler failed', { err });
      }
    });
    return this.#emitting;
  }

  #settle(outcome: ClipOutcome, state: ClipState): void {
    this.#settled = true;
    if (outcome.state !== 'stopped') {
      this.#state = state;
      this.#apiState = outcome.apiState;
    }
    const change: ClipStateChange = {
      jvodId: this.#opts.jvodId,
      state,
      apiState: this.#apiState,
      at: this.#opts.clock.now(),
      outcome,
    };
    void this.#emit(change).then(() => this.#resolve(outcome));
  }

  async #finish(snapshot: VodJobSnapshot): Promise<void> {
    const outcome: ClipOutcome = { state: 'finished', apiState: snapshot.jvod_state };
    if (typeof snapshot.jvod_reported_duration_s === 'number')
      outcome.durationSec = snapshot.jvod_reported_duration_s;
    const ref = this.#opts.referenceId;
    if (ref === undefined) {
      // The Live API echoes the output URL as sent, password included: stored and shown without it.
      if (snapshot.jvod_url) outcome.url = maskSecrets(snapshot.jvod_url);
    } else if (this.#opts.findVideoByReferenceId) {
      const video = await this.#lookupVideo(ref, this.#opts.findVideoByReferenceId);
      if (video) {
        outcome.video = { ...video, studioUrl: studioVideoUrl(video.id) };
      } else {
        outcome.note = `No Video Cloud video with reference id ${ref} was found yet; search Studio for it.`;
      }
    }
    this.#settled = false;
    this.#settle(outcome, 'finished');
  }

  async #lookupVideo(
    ref: string,
    find: NonNullable<ClipTrackerOptions['findVideoByReferenceId']>,
  ): Promise<{ id: string; name?: string } | undefined> {
    const attempts = this.#opts.videoLookupAttempts ?? 5;
    for (let i = 0; i < attempts; i++) {
      try {
        const video = await find(ref);
        if (video) return video;
      } catch (err) {
        this.#log.warn('clip video lookup failed', { err, reference_id: ref });
      }
      if (i < attempts - 1) await this.#opts.clock.sleep(backoffDelay(i, this.#backoff));
    }
    return undefined;
  }
}
