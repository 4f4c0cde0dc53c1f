/**
 * The running side of clips: the ClipApi over the Live and CMS clients, one ClipTracker per clip job,
 * clip job records in the store (so tracking resumes after a restart), the webhook secret and the audit
 * trail. No Slack here: whoever shows a clip passes a publisher that renders the record.
 */

import { BrightcoveError, NotFoundError } from '../brightcove/errors.js';
import type { LiveClient } from '../brightcove/live.js';
import type { Clock } from '../clock.js';
import { UserError } from '../core/errors.js';
import { deriveHookToken, sameToken } from '../core/hook-token.js';
import type { Replica } from '../core/lease.js';
import { LeasedWork } from '../core/leased-work.js';
import type { Services } from '../core/types.js';
import { type Logger, maskSecrets } from '../log.js';
import type { AuditLog, JobRecord } from '../store/repositories.js';
import type { Collection } from '../store/store.js';
import type { ClipInputError, ClipRequest } from './request.js';
import { type ClipApi, checkClip, firstVodJob, type PreparedClip, prepareClip } from './submit.js';
import { formatDuration, formatEpoch, formatOffset } from './time.js';
import {
  type BackoffOptions,
  type ClipOutcome,
  type ClipState,
  type ClipStateChange,
  ClipTracker,
  isTerminal,
  mapVodState,
  type VodJobSnapshot,
} from './tracker.js';
import { type ClipValidation, type LiveJobInfo, type ResolvedWindow, redactUrl } from './validate.js';
import type { VodCreateBody } from './vod-body.js';

const CLIP_RECORD_KIND = 'clip';
/** A clip about to be sent: on disk before `POST /v1/vods`, replaced by the clip record once it is answered. */
const CLIP_INTENT_KIND = 'clip-intent';
export const HOOK_PATH = '/hooks/live';

interface ClipJobData {
  jvodId: string;
  liveJobId: string;
  /** The output label (the clip's name), echoed by the API. */
  label: string;
  referenceId?: string;
  requestedBy: string;
  /** Human-readable window and destination (passwords redacted). */
  window: string;
  destination: string;
  warnings: string[];
  /** The POST /v1/vods body as sent, with the hook URL's secret masked. */
  body: VodCreateBody;
  apiState: string;
  history: { state: ClipState; at: string }[];
  outcome?: ClipOutcome;
}

/** `state` is a ClipState, or `stopped` when tracking gave up before a terminal state. */
export type ClipRecord = JobRecord<ClipJobData>;

/** What a clip record holds before the Live API has named the clip job. */
interface ClipIntentData extends Omit<ClipJobData, 'jvodId' | 'apiState' | 'history' | 'outcome'> {
  /**
   * Why a restart may not send the stored body again when Brightcove never got it: a "last N" window of
   * a live job (it would cut a later window), or a password in the body (never stored). Absent: it may.
   */
  noResend?: string;
}

/** `state` is `sending` until the clip job is known; `channel` is where a restart posts the card. */
export type ClipIntent = JobRecord<ClipIntentData>;

/** What a restart found for a clip whose `POST /v1/vods` was cut short. */
type ReconciledIntent =
  | { kind: 'adopted' | 'resent'; record: ClipRecord }
  | { kind: 'not-sent'; intent: ClipIntent; reason: string };

/** Shows a clip record somewhere (a channel message); called after every change. */
export type ClipPublisher = (record: ClipRecord) => void;

type LiveApi = Pick<
  LiveClient,
  'getJob' | 'listJobs' | 'createClips' | 'getClip' | 'listClips' | 'listCredentials' | 'cancelClip'
>;

interface ClipServiceDeps {
  live: LiveApi;
  /** CMS lookup in the Video Cloud account linked to the Live account; absent when none is configured. */
  findVideoByReferenceId?: (referenceId: string) => Promise<{ id: string; name?: string } | undefined>;
  jobs: Collection<JobRecord>;
  /** Runs `fn` as one durable write (the store's transaction): intents must be on disk before the POST. */
  durably: <R>(fn: () => R) => Promise<R>;
  /**
   * A secret from the config (Slack signing secret or token) the hook secret is derived from, so the
   * URL survives restarts without a secret ever being written to the state file.
   */
  hookKey: string;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  newId: (prefix: string) => string;
  /** this process among the app's replicas: who follows which clip, who settles which cut-short create */
  replica: Replica;
  backoff?: Partial<BackoffOptions>;
}

type CreateResult =
  | { ok: false; errors: ClipInputError[] }
  | { ok: true; record: ClipRecord; warnings: string[] };

const recordId = (jvodId: string) => `clip_${jvodId}`;
/** How far before an intent a clip job's `jvod_created_at` may lie and still be the intent's (clock skew). */
const INTENT_CLOCK_SKEW_MS = 5 * 60_000;

function describeClipWindow(w: ResolvedWindow): string {
  switch (w.kind) {
    case 'last':
      return `last ${formatDuration(w.durationSec)}`;
    case 'stream':
      return `${formatOffset(w.startSec)}–${formatOffset(w.endSec)} from stream start`;
    case 'absolute':
      return `${formatEpoch(w.startEpochSec)} – ${formatEpoch(w.endEpochSec)}`;
    case 'timecode':
      return `timecode ${w.start}–${w.end}`;
  }
}

function describeClipDestination(d: ClipRequest['destination']): string {
  if (d.kind === 'videocloud') return d.profile ? `Video Cloud (profile ${d.profile})` : 'Video Cloud';
  return `${redactUrl(d.url)}${d.credentials ? ` (credentials ${d.credentials})` : ''}`;
}

/** Clip job states with nothing left to cancel (reference B5). */
const CLIP_ENDED = ['finished', 'failed', 'error', 'cancelled', 'cancelling'];

/** A clip record whose job has not ended: somebody should be following it. */
function isOpenClip(r: JobRecord): boolean {
  return r.kind === CLIP_RECORD_KIND && isClipState(r.state) && !isTerminal(r.state);
}

function isNotFound(err: unknown): boolean {
  return err instanceof NotFoundError;
}

export class ClipService {
  readonly #deps: ClipServiceDeps;
  readonly #log: Logger;
  readonly #trackers = new Map<string, { tracker: ClipTracker; publish: ClipPublisher }>();
  /** Clips being followed: by the replica that holds the lease; a dead replica's are taken over. */
  readonly #following: LeasedWork<JobRecord>;
  /** Creates on their way to the Live API: settled by another replica only when the sender died. */
  readonly #sending: LeasedWork<JobRecord>;
  #publicUrl: string | undefined;
  /** The ClipApi the domain functions use: unknown jobs are `undefined`, not errors. */
  readonly api: ClipApi;

  constructor(deps: ClipServiceDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'clips' });
    const leased = { records: deps.jobs, store: { transaction: deps.durably }, replica: deps.replica };
    const common = { ...leased, clock: deps.clock, logger: this.#log };
    this.#following = new LeasedWork({
      ...common,
      name: 'clip tracking',
      running: isOpenClip,
      handOverAtStop: true,
    });
    this.#sending = new LeasedWork({
      ...common,
      name: 'clip create',
      running: (r) => r.kind === CLIP_INTENT_KIND,
    });
    const live = deps.live;
    this.api = {
      getLiveJob: async (jobId) => {
        try {
          return await live.getJob(jobId);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
      // Labels and types only: the public half (a key id, a user name) never leaves the client.
      listCredentials: async () =>
        (await live.listCredentials()).map((c) => ({
          label: c.label,
          type: c.type,
          defaultForType: c.credential_default_for_type === true,
        })),
      createVods: (body) => live.createClips(body),
    };
  }

  /** Notifications are requested only when Brightcove can reach the app (a public URL). */
  enableNotifications(publicUrl: string): void {
    this.#publicUrl = publicUrl.replace(/\/+$/, '');
    this.hookSecret();
  }

  get notificationsEnabled(): boolean {
    return this.#publicUrl !== undefined;
  }

  /** Derived from a configured secret: stable across restarts, never stored. */
  hookSecret(): string {
    return deriveHookToken(this.#deps.hookKey, 'brightcove-ops/live-notifications');
  }

  /** Whether `candidate` (the last path segment of a hook request) is the hook secret; constant time. */
  checkHookSecret(candidate: string): boolean {
    return sameToken(candidate, this.hookSecret());
  }

  #notificationUrl(): string | undefined {
    return this.#publicUrl ? `${this.#publicUrl}${HOOK_PATH}/${this.hookSecret()}` : undefined;
  }

  /** Looks the job (and credentials when named) up and validates; makes no change. */
  validate(req: ClipRequest): Promise<ClipValidation> {
    return checkClip(req, { api: this.api, now: this.#deps.clock.now() });
  }

  /**
   * Validates, then creates the clip job with its intent on disk first: the intent (the body as stored,
   * secrets masked) is written before `POST /v1/vods` and replaced by the clip record (state waiting) in
   * one write once the Live API names the job. The caller then tracks it.
   */
  async create(req: ClipRequest, actor: string, channel?: string): Promise<CreateResult> {
    const notificationUrl = this.#notificationUrl();
    const prepared = await prepareClip(req, {
      api: this.api,
      now: this.#deps.clock.now(),
      newId: () => this.#deps.newId('clip'),
      ...(notificationUrl ? { notificationUrl } : {}),
    });
    if (!prepared.ok) return prepared;
    const intent = this.#sending.stamp(this.#intentFor(req, prepared, actor, channel));
    this.#sending.hold(intent.id);
    try {
      await this.#deps.durably(() => this.#deps.jobs.insert(intent));
      return await this.#send(intent, prepared);
    } finally {
      this.#sending.release(intent.id);
    }
  }

  async #send(intent: ClipIntent, prepared: PreparedClip): Promise<CreateResult> {
    let jvodId: string;
    try {
      jvodId = firstVodJob(await this.#deps.live.createClips(prepared.body));
    } catch (err) {
      // The Live API's own refusals mean nothing was created; a timeout, a reset or a gateway's 502–504
      // may hide a clip job, so look before giving up.
      const answered = err instanceof BrightcoveError && ![502, 503, 504].includes(err.status);
      const found = answered ? undefined : await this.#lookUp(intent).catch(() => null);
      if (found === null) throw err;
      if (!found) {
        await this.#deps.durably(() => this.#deps.jobs.remove(intent.id));
        throw err;
      }
      jvodId = found.jvod_id;
    }
    const record = await this.#adopt(intent, jvodId, 'waiting');
    return { ok: true, record, warnings: prepared.warnings };
  }

  #intentFor(req: ClipRequest, prepared: PreparedClip, actor: string, channel?: string): ClipIntent {
    const now = this.#deps.clock.now().toISOString();
    const secret = this.#publicUrl ? this.hookSecret() : undefined;
    // The stored copy of the request keeps neither the hook secret nor a password in an output URL;
    // only the request sent to the Live API carries them.
    const sent = JSON.stringify(prepared.body);
    const withoutHook = secret ? sent.replaceAll(secret, '***') : sent;
    const masked = maskSecrets(withoutHook);
    const w = prepared.clip.window;
    return {
      id: this.#deps.newId('clipintent'),
      kind: CLIP_INTENT_KIND,
      state: 'sending',
      createdAt: now,
      updatedAt: now,
      ...(channel ? { channel } : {}),
      data: {
        liveJobId: req.jobId,
        label: prepared.label,
        ...(prepared.referenceId === undefined ? {} : { referenceId: prepared.referenceId }),
        requestedBy: actor,
        window: describeClipWindow(w),
        destination: describeClipDestination(prepared.clip.destination),
        warnings: prepared.warnings,
        body: JSON.parse(masked) as VodCreateBody,
        ...(w.kind === 'last' && prepared.clip.jobLive
          ? {
              noResend:
                'A "last …" clip of a live stream is not sent later: it would cut a different window.',
            }
          : masked !== withoutHook
            ? { noResend: 'Its destination carried a password, which is never stored.' }
            : {}),
      },
    };
  }

  /** The intent becomes the clip record (one write) and the create is audited once per intent. */
  async #adopt(intent: ClipIntent, jvodId: string, apiState: string): Promise<ClipRecord> {
    const now = this.#deps.clock.now().toISOString();
    const { noResend: _noResend, ...data } = intent.data;
    const state = mapVodState(apiState) ?? 'waiting';
    // Stamped with this replica's lease: whoever adopts the clip follows it.
    const record: ClipRecord = this.#following.stamp({
      id: recordId(jvodId),
      kind: CLIP_RECORD_KIND,
      state,
      createdAt: intent.createdAt,
      updatedAt: now,
      ...(intent.channel ? { channel: intent.channel } : {}),
      data: { ...data, jvodId, apiState, history: [{ state, at: now }] },
    });
    await this.#deps.durably(() => {
      this.#deps.jobs.upsert(record);
      this.#deps.jobs.remove(intent.id);
      this.#deps.audit.append(
        {
          actor: data.requestedBy,
          command: 'clip',
          action: 'create',
          target: jvodId,
          outcome: 'started',
          details: `live job ${data.liveJobId}, ${data.window}, to ${data.destination}, "${data.label}"`,
        },
        `a_${intent.id}_create`,
      );
    });
    return record;
  }

  /**
   * The clip job an intent made, if Brightcove got it: the live job's clip jobs with the intent's label,
   * created since shortly before the intent (clocks differ), that no clip record already claims.
   */
  async #lookUp(intent: ClipIntent): Promise<VodJobSnapshot | undefined> {
    const since = Date.parse(intent.createdAt) - INTENT_CLOCK_SKEW_MS;
    const { label } = intent.data;
    const vods = await this.#deps.live.listClips(intent.data.liveJobId, {
      // Filter syntax (B4) gives `,` `[` `]` `'` meaning: such labels are matched here only.
      ...(/[,[\]']/.test(label) ? {} : { label: `'${label}'` }),
      created_at: `ge:${since}`,
      sort: 'created_at',
      page_size: 100,
    });
    return vods.find((v) => v.label === intent.data.label && !this.#deps.jobs.get(recordId(v.jvod_id)));
  }

  /** Clips whose `POST /v1/vods` had been sent (or was about to be) when the process stopped. */
  intents(): ClipIntent[] {
    return this.#deps.jobs.find((r) => r.kind === CLIP_INTENT_KIND) as ClipIntent[];
  }

  /**
   * A cut-short create (its sender restarted or died) is settled before anything is repeated: a clip
   * job Brightcove made is adopted; one it never got is sent again when that cuts the same clip, else
   * given up with the reason. Undefined when the lookup failed: the intent is tried again later.
   */
  async #settle(intent: ClipIntent): Promise<ReconciledIntent | undefined> {
    try {
      const found = await this.#lookUp(intent);
      if (found)
        return { kind: 'adopted', record: await this.#adopt(intent, found.jvod_id, found.jvod_state) };
      if (intent.data.noResend === undefined) {
        const body = this.#resendBody(intent.data.body);
        const jvodId = firstVodJob(await this.#deps.live.createClips(body));
        return { kind: 'resent', record: await this.#adopt(intent, jvodId, 'waiting') };
      }
      return { kind: 'not-sent', intent, reason: await this.#giveUp(intent) };
    } catch (err) {
      this.#log.warn('could not settle an interrupted clip; trying again later', { err, intent: intent.id });
      return undefined;
    }
  }

  /**
   * Follows every clip nobody follows and settles every create nobody sends: at start (after a
   * restart) and whenever another replica dies, each once across replicas. `show` posts the card of
   * a clip adopted or re-sent this way and returns its publisher; `notSent` says a create was given up.
   */
  watch(handlers: {
    publisherFor: (record: ClipRecord) => ClipPublisher;
    show: (record: ClipRecord) => Promise<ClipPublisher>;
    notSent: (intent: ClipIntent, reason: string) => Promise<void>;
  }): void {
    this.#following.watch(async (record) => {
      await this.track(record as ClipRecord, handlers.publisherFor(record as ClipRecord)).done;
    });
    this.#sending.watch(async (intent) => {
      const settled = await this.#settle(intent as ClipIntent);
      if (!settled) {
        // Tried again at the next scan, by whichever replica is first then.
        await this.#deps.durably(() => this.#deps.jobs.update(intent.id, ({ lease: _mine, ...r }) => r));
        return;
      }
      this.#log.info('settled an interrupted clip', { intent: intent.id, outcome: settled.kind });
      if (settled.kind === 'not-sent') return handlers.notSent(settled.intent, settled.reason);
      const publish = await handlers.show(settled.record).catch((err: unknown) => {
        this.#log.warn('could not show a settled clip', { err, jvodId: settled.record.data.jvodId });
        return () => undefined;
      });
      const record = this.get(settled.record.data.jvodId) ?? settled.record;
      await this.track(record, publish).done;
    });
  }

  /** The stored body with today's hook URL (its secret was masked), or none if notifications are off. */
  #resendBody(stored: VodCreateBody): VodCreateBody {
    const url = this.#notificationUrl();
    return {
      ...stored,
      outputs: stored.outputs.map(({ notifications: _n, ...o }) =>
        url ? { ...o, notifications: [url] } : o,
      ),
    };
  }

  async #giveUp(intent: ClipIntent): Promise<string> {
    const reason =
      'The app restarted before Brightcove Live received this clip, so no clip job was made. ' +
      `${intent.data.noResend ?? ''} Ask for the clip again.`;
    await this.#deps.durably(() => {
      this.#deps.jobs.remove(intent.id);
      this.#deps.audit.append(
        {
          actor: intent.data.requestedBy,
          command: 'clip',
          action: 'create',
          target: intent.data.liveJobId,
          outcome: 'failed',
          details: `"${intent.data.label}", ${intent.data.window}: not sent (restart)`,
        },
        `a_${intent.id}_create`,
      );
    });
    return reason;
  }

  /** Remembers where the clip's message is, so a restarted app can keep updating it. */
  attachMessage(jvodId: string, channel: string | undefined, ts: string | undefined): ClipRecord | undefined {
    if (!channel || !ts) return this.get(jvodId);
    return this.#update(jvodId, (r) => ({ ...r, channel, ts }));
  }

  get(jvodId: string): ClipRecord | undefined {
    return this.#deps.jobs.get(recordId(jvodId)) as ClipRecord | undefined;
  }

  /** Newest first. */
  recent(limit: number, liveJobId?: string): ClipRecord[] {
    return (
      this.#deps.jobs.find(
        (r) =>
          r.kind === CLIP_RECORD_KIND &&
          (liveJobId === undefined || (r as ClipRecord).data.liveJobId === liveJobId),
      ) as ClipRecord[]
    )
      .slice(-limit)
      .reverse();
  }

  /** The Live API's view of a clip job; undefined when it does not know the id. */
  async fetchClip(jvodId: string): Promise<VodJobSnapshot | undefined> {
    try {
      return await this.#deps.live.getClip(jvodId);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Cancels a clip job that is still being made (`PUT /v1/vods/{id}/cancel`): checked first, so an
   * unknown or ended job is a clear refusal and not the API's 500; audited as it starts and ends. The
   * job's tracker then sees it cancelled and says so on its card.
   */
  async cancel(jvodId: string, by: string): Promise<VodJobSnapshot> {
    const before = await this.fetchClip(jvodId);
    if (!before) {
      throw new UserError(
        `No clip job ${jvodId} in this Live account. List recent clips with /brightcove clips [<live-job-id>].`,
      );
    }
    if (CLIP_ENDED.includes(before.jvod_state)) {
      throw new UserError(
        `Clip job ${jvodId} has already ended (${before.jvod_state}): there is nothing to cancel.`,
      );
    }
    const audit = (outcome: 'started' | 'ok' | 'failed', details?: string) =>
      this.#deps.audit.append({
        actor: by,
        command: 'clip',
        action: 'cancel',
        target: jvodId,
        outcome,
        ...(details ? { details } : {}),
      });
    audit('started', `was ${before.jvod_state}`);
    try {
      const after = await this.#deps.live.cancelClip(jvodId);
      audit('ok', `now ${after.jvod_state}`);
      return after;
    } catch (err) {
      audit('failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  /** Clip jobs of one live job as the Live API lists them (incl. clips made elsewhere), newest first. */
  async listClipsOf(liveJobId: string): Promise<VodJobSnapshot[] | undefined> {
    try {
      return await this.#deps.live.listClips(liveJobId, {
        sort: 'created_at',
        sort_dir: 'desc',
        page_size: 50,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Jobs worth clipping: live ones and those finished within the 7-day clip window, newest first. */
  async clippableJobs(limit = 100): Promise<LiveJobInfo[]> {
    const jobs = await this.#deps.live.listJobs({ page_size: 1000, sort: 'created_at', sort_dir: 'desc' });
    const now = this.#deps.clock.now().getTime();
    const ended = ['cancelled', 'cancelling', 'failed', 'error'];
    return jobs
      .filter((j) => !ended.includes(j.state))
      .filter((j) => !j.finished_at || now - Date.parse(j.finished_at) <= 7 * 86_400_000)
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
      .slice(0, limit);
  }

  /** Starts following a clip job; one tracker per clip job (a second call returns the first one). */
  track(record: ClipRecord, publish: ClipPublisher): ClipTracker {
    const existing = this.#trackers.get(record.data.jvodId);
    if (existing) return existing.tracker;
    const { jvodId, referenceId } = record.data;
    const find = this.#deps.findVideoByReferenceId;
    const tracker = new ClipTracker({
      jvodId,
      clock: this.#deps.clock,
      getJob: (id) => this.fetchClip(id),
      onChange: (change) => this.#onChange(change),
      ...(referenceId !== undefined && find ? { referenceId, findVideoByReferenceId: find } : {}),
      ...(this.#deps.backoff ? { backoff: this.#deps.backoff } : {}),
      initialState: isClipState(record.state) ? record.state : 'waiting',
      logger: this.#log,
    });
    this.#trackers.set(jvodId, { tracker, publish });
    // Another replica took the clip over (this one was presumed dead): it follows it from now on.
    let lost = false;
    this.#following.hold(record.id, () => {
      lost = true;
      tracker.stop('Followed by another replica now.');
    });
    void tracker.start().then((outcome) => {
      this.#trackers.delete(jvodId);
      this.#following.release(record.id);
      if (outcome.state === 'stopped' && !lost) {
        const updated = this.#update(jvodId, (r) => ({
          ...r,
          state: 'stopped',
          data: { ...r.data, outcome },
        }));
        if (updated) publish(updated);
      }
    });
    return tracker;
  }

  /** The outcome of a clip being tracked now (tests and shutdown); undefined when not tracked. */
  tracking(jvodId: string): Promise<ClipOutcome> | undefined {
    return this.#trackers.get(jvodId)?.tracker.done;
  }

  get activeTrackers(): number {
    return this.#trackers.size;
  }

  /** A Live API notification; true when it moved a tracked clip forward (duplicates change nothing). */
  notify(payload: unknown): boolean {
    const jvodId =
      payload && typeof payload === 'object' ? (payload as { jvod_id?: unknown }).jvod_id : undefined;
    if (typeof jvodId !== 'string') return false;
    const entry = this.#trackers.get(jvodId);
    return entry ? entry.tracker.notify(payload) : false;
  }

  stopAll(reason?: string): void {
    for (const { tracker } of this.#trackers.values()) tracker.stop(reason);
  }

  /** At shutdown: stops watching and hands the clips this replica follows over to the next one. */
  async close(): Promise<void> {
    await Promise.all([this.#following.close(), this.#sending.close()]);
  }

  #update(jvodId: string, fn: (r: ClipRecord) => ClipRecord): ClipRecord | undefined {
    return this.#deps.jobs.update(recordId(jvodId), (r) => fn(r as ClipRecord)) as ClipRecord | undefined;
  }

  #onChange(change: ClipStateChange): void {
    const at = change.at.toISOString();
    const updated = this.#update(change.jvodId, (r) => ({
      ...r,
      state: change.state,
      updatedAt: at,
      data: {
        ...r.data,
        apiState: change.apiState,
        history: [...r.data.history, { state: change.state, at }],
        ...(change.outcome ? { outcome: change.outcome } : {}),
      },
    }));
    if (!updated) return;
    const outcome = change.outcome;
    if (outcome && outcome.state !== 'stopped') {
      this.#deps.audit.append({
        actor: updated.data.requestedBy,
        command: 'clip',
        action: outcome.state,
        target: change.jvodId,
        outcome: outcome.state === 'finished' ? 'ok' : 'failed',
        details:
          outcome.state === 'finished'
            ? outcome.video
              ? `video ${outcome.video.id}`
              : (outcome.url ?? outcome.note ?? 'finished')
            : outcome.reason,
      });
    }
    this.#trackers.get(change.jvodId)?.publish(updated);
  }
}

const CLIP_STATES: readonly string[] = ['waiting', 'processing', 'creating_asset', 'finished', 'failed'];
function isClipState(s: string): s is ClipState {
  return CLIP_STATES.includes(s);
}

/** What building the app's ClipService needs of the services around it. */
type ClipServiceContext = Pick<
  Services,
  | 'config'
  | 'brightcove'
  | 'bcAccount'
  | 'repos'
  | 'store'
  | 'clock'
  | 'logger'
  | 'newId'
  | 'hookKey'
  | 'replica'
>;

/**
 * The one ClipService of an app (commands and start() share its trackers), built by createServices.
 * Finished Video Cloud clips are looked up in the account the config names as `live.account`, else in
 * the first configured account with credentials (no API says which Video Cloud account a Live account
 * publishes to).
 */
export function createClipService(s: ClipServiceContext): ClipService {
  const { accounts, liveAccount } = s.config;
  const account = liveAccount
    ? accounts.find((a) => a.alias === liveAccount)
    : accounts.find((a) => a.credentials);
  return new ClipService({
    live: s.brightcove.live,
    ...(account
      ? {
          findVideoByReferenceId: async (ref: string) => {
            try {
              const video = await s.brightcove.cms(s.bcAccount(account)).getVideoByRef(ref);
              return { id: video.id, ...(video.name ? { name: video.name } : {}) };
            } catch (err) {
              if (isNotFound(err)) return undefined;
              throw err;
            }
          },
        }
      : {}),
    jobs: s.repos.jobs,
    durably: (fn) => s.store.transaction(fn),
    hookKey: s.hookKey,
    replica: s.replica,
    audit: s.repos.audit,
    clock: s.clock,
    logger: s.logger,
    newId: s.newId,
  });
}
