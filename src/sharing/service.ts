/**
 * Glue between the sharing domain and the app's services: which account is the master, which accounts the
 * app can read, persistence of share requests / bulk plans / unshare plans (`repos.pending`, whose
 * `transition` makes every button act once) and of tracking state (`repos.jobs`, so a restart resumes the
 * trackers). No Slack here: callers pass `onUpdate` callbacks and render what they get.
 */
import type { CmsClient } from '../brightcove/cms.js';
import { BrightcoveError } from '../brightcove/errors.js';
import type { CmsVideo } from '../brightcove/schemas.js';
import type { AccountConfig } from '../config/schema.js';
import { findAccount } from '../core/accounts.js';
import { UserError } from '../core/errors.js';
import { leaseFor } from '../core/lease.js';
import { LeasedWork } from '../core/leased-work.js';
import type { Services } from '../core/types.js';
import type { JobRecord, PendingRecord } from '../store/repositories.js';
import {
  type BulkSharePlan,
  checkSearchQuery,
  DEFAULT_BULK_CAP,
  gatherBulkPreflight,
  planBulkShare,
} from './bulk.js';
import { cmsPreflightDeps, cmsVideoLookup, nullIfNotFound } from './cms-deps.js';
import { decideShare, type ShareDecision } from './decide.js';
import { gatherPreflight, type PreflightDeps } from './gather.js';
import { runPreflight } from './preflight.js';
import { resolveAffiliates, resolveVideo } from './resolve.js';
import { describeShareError } from './share-errors.js';
import { type ShareStatus, trackShares } from './status.js';
import type { AccountRef, AffiliateRef, PreflightReport, ShareRecord } from './types.js';
import { executeUnshare, planUnshare, type UnshareOutcome, type UnsharePlan } from './unshare.js';

type ShareRequestState = 'blocked' | 'awaiting' | 'sharing' | 'shared' | 'expired';

export interface ShareRequestData {
  master: AccountRef;
  videoId: string;
  affiliates: AffiliateRef[];
  report: PreflightReport;
  decision: ShareDecision;
}
export type ShareRequest = PendingRecord<ShareRequestData>;

export interface BulkRequestData {
  master: AccountRef;
  plan: BulkSharePlan;
}
export type BulkRequest = PendingRecord<BulkRequestData>;

export interface UnshareRequestData {
  master: AccountRef;
  plan: UnsharePlan;
  outcome?: UnshareOutcome | { outcome: 'failed'; reason: string };
}
export type UnshareRequest = PendingRecord<UnshareRequestData>;

interface ShareTrackData {
  requestId: string;
  master: AccountRef;
  videoId: string;
  affiliates: AffiliateRef[];
  statuses: ShareStatus[];
  finished: boolean;
  stoppedReason?: string;
}
export type ShareJob = JobRecord<ShareTrackData>;

export const SHARE_KIND = 'share';
export const BULK_KIND = 'share_bulk';
export const UNSHARE_KIND = 'unshare';

const ACTIVE_FOR_BUTTONS: ReadonlySet<string> = new Set(['awaiting']);

interface SharePreparation {
  master: AccountRef;
  video: CmsVideo;
  affiliates: AffiliateRef[];
  report: PreflightReport;
  decision: ShareDecision;
}

/** What sharing needs of the services around it. */
type ShareServiceContext = Pick<
  Services,
  'config' | 'store' | 'repos' | 'clock' | 'logger' | 'newId' | 'brightcove' | 'bcAccount' | 'replica'
>;

export class ShareService {
  /** Shares being followed, by the replica holding the lease; a dead replica's are taken over. */
  readonly #tracking: LeasedWork<JobRecord>;
  /** Approved unshares being run, likewise. */
  readonly #unsharing: LeasedWork<PendingRecord>;

  constructor(private readonly services: ShareServiceContext) {
    const common = {
      store: services.store,
      replica: services.replica,
      clock: services.clock,
      logger: services.logger,
    };
    this.#tracking = new LeasedWork({
      ...common,
      name: 'share tracking',
      records: services.repos.jobs,
      // not handed over at a stop: the share call may be in flight, and a resume sends what it misses
      running: (j) => j.kind === SHARE_KIND && j.state === 'tracking',
    });
    this.#unsharing = new LeasedWork({
      ...common,
      name: 'unshare',
      records: services.repos.pending,
      running: (r) => r.kind === UNSHARE_KIND && r.state === 'executing',
    });
  }

  private get repos() {
    return this.services.repos;
  }

  /** `--from`, else the only account, else the first configured account with credentials. */
  masterAccount(from: string | undefined): AccountConfig {
    const { accounts } = this.services.config;
    if (from) {
      const found = findAccount(this.services.config, from);
      if (!found)
        throw new UserError(
          `Unknown account \`${from}\` after --from. Accounts: ${accounts.map((a) => a.alias).join(', ')}.`,
        );
      return found;
    }
    const first = accounts.find((a) => a.credentials) ?? accounts[0];
    if (!first) throw new UserError('No Brightcove accounts are configured.');
    return first;
  }

  accountRef(account: AccountConfig): AccountRef {
    return { id: account.id, name: account.alias };
  }

  /** A CMS client for a configured account with credentials; undefined for anyone else's account. */
  cmsFor = (accountId: string): CmsClient | undefined => {
    const account = this.services.config.accounts.find((a) => a.id === accountId);
    if (!account?.credentials) return undefined;
    return this.services.brightcove.cms(this.services.bcAccount(account));
  };

  masterCms(master: AccountRef): CmsClient {
    const cms = this.cmsFor(master.id);
    if (!cms)
      throw new UserError(`The app has no API credentials for ${master.name}, so it can't share from it.`);
    return cms;
  }

  deps(master: AccountRef): PreflightDeps {
    return cmsPreflightDeps({
      master,
      cmsFor: this.cmsFor,
      geoEnabled: (id) => this.services.config.accounts.find((a) => a.id === id)?.geoRestricted,
    });
  }

  async affiliatesFor(master: AccountRef, words: string) {
    const members = await this.masterCms(master)
      .listMembers()
      .catch(() => []);
    const accounts = this.services.config.accounts.map((a) => ({ alias: a.alias, id: a.id }));
    return { members, affiliates: resolveAffiliates(words, { master, accounts, members }) };
  }

  async prepare(videoWord: string, affiliateWords: string, from?: string): Promise<SharePreparation> {
    const master = this.accountRef(this.masterAccount(from));
    const cms = this.masterCms(master);
    const video = await resolveVideo(videoWord, cmsVideoLookup(cms), master);
    const { members, affiliates } = await this.affiliatesFor(master, affiliateWords);
    const report = runPreflight(
      await gatherPreflight(this.deps(master), {
        video,
        affiliates,
        ...(members.length > 0 ? { members } : {}),
      }),
    );
    return { master, video, affiliates, report, decision: decideShare(report) };
  }

  private expiry(): string {
    const ttl = this.services.config.planTtlMinutes * 60_000;
    return new Date(this.services.clock.now().getTime() + ttl).toISOString();
  }

  createRequest(prep: SharePreparation, requestedBy: string): ShareRequest {
    const state: ShareRequestState =
      prep.decision.kind === 'blocked'
        ? 'blocked'
        : prep.decision.kind === 'share_now'
          ? 'sharing'
          : 'awaiting';
    const record: ShareRequest = {
      id: this.services.newId('shr'),
      kind: SHARE_KIND,
      state,
      requestedBy,
      createdAt: this.services.clock.now().toISOString(),
      expiresAt: this.expiry(),
      decisions: [],
      data: {
        master: prep.master,
        videoId: prep.video.id,
        affiliates: prep.affiliates,
        report: prep.report,
        decision: prep.decision,
      },
    };
    return this.repos.pending.insert(record) as ShareRequest;
  }

  attach(id: string, channel: string | undefined, ts: string | undefined): void {
    if (!channel || !ts) return;
    this.repos.pending.update(id, (r) => ({ ...r, channel, ts }));
  }

  get<T>(id: string, kind: string): PendingRecord<T> | undefined {
    const r = this.repos.pending.get(id);
    return r && r.kind === kind ? (r as PendingRecord<T>) : undefined;
  }

  isExpired(r: PendingRecord): boolean {
    return !!r.expiresAt && r.expiresAt <= this.services.clock.now().toISOString();
  }

  /**
   * Moves an awaiting record to `next` exactly once (two concurrent clicks: one wins), stamping who did it.
   * Expired records move to `expired` instead, so their buttons go away.
   */
  async claim<T>(
    id: string,
    kind: string,
    next: string,
    by: string,
    action: string,
    /** why, when the decider gave a reason (a rejection): kept on the decision */
    why?: string,
  ): Promise<
    { ok: true; record: PendingRecord<T> } | { ok: false; record?: PendingRecord<T>; reason: string }
  > {
    const current = this.get<T>(id, kind);
    if (!current) return { ok: false, reason: 'This request no longer exists: run the command again.' };
    if (ACTIVE_FOR_BUTTONS.has(current.state) && this.isExpired(current)) {
      const t = await this.repos.pending.transition(
        id,
        (r) => r.state === 'awaiting',
        (r) => ({ ...r, state: 'expired' }),
      );
      return {
        ok: false,
        ...(t.record ? { record: t.record as PendingRecord<T> } : {}),
        reason: 'This request expired: run the command again to re-check.',
      };
    }
    const now = this.services.clock.now();
    const at = now.toISOString();
    const t = await this.repos.pending.transition(
      id,
      (r) => r.kind === kind && r.state === 'awaiting',
      (r) => ({
        ...r,
        state: next,
        // whoever claims it runs it (an approved unshare): a dead replica's run is taken over
        lease: leaseFor(this.services.replica, now),
        decisions: [...r.decisions, { by, action, at, outcome: 'ok', ...(why ? { reason: why } : {}) }],
      }),
    );
    if (t.ok) return { ok: true, record: t.record as PendingRecord<T> };
    const last = t.record?.decisions.at(-1);
    return {
      ok: false,
      ...(t.record ? { record: t.record as PendingRecord<T> } : {}),
      reason: last
        ? `Already handled: ${last.action.replace(/_/g, ' ')} by <@${last.by}> at ${last.at}. Nothing was done twice.`
        : `This request is ${t.record?.state ?? 'gone'}: nothing to do.`,
    };
  }

  /** Gives a claimed request back to the buttons (its re-check could not run). */
  async release(id: string): Promise<void> {
    await this.repos.pending.transition(
      id,
      (r) => r.kind === SHARE_KIND && r.state === 'sharing',
      (r) => ({ ...r, state: 'awaiting', decisions: r.decisions.slice(0, -1) }),
    );
  }

  /**
   * Runs the pre-flight again for a request an operator just claimed with "Share anyway": the card may be
   * an hour old, and the warnings they accepted may no longer be the whole story. A new blocker ends the
   * request (`blocked`); a warning that was not on the card puts it back to `awaiting` with the new report,
   * so the operator accepts what is true now; otherwise it goes ahead with the fresh report.
   */
  async recheck(
    request: ShareRequest,
  ): Promise<{ outcome: 'proceed' | 'blocked' | 'changed'; record: ShareRequest }> {
    const { master, videoId, affiliates, decision: before } = request.data;
    const cms = this.masterCms(master);
    const video = await resolveVideo(videoId, cmsVideoLookup(cms), master);
    const members = await cms.listMembers().catch(() => []);
    const report = runPreflight(
      await gatherPreflight(this.deps(master), {
        video,
        affiliates,
        ...(members.length > 0 ? { members } : {}),
      }),
    );
    const decision = decideShare(report);
    const key = (f: ShareDecision['warnings'][number]) => `${f.affiliate?.id ?? ''}\0${f.check.rule}`;
    const accepted = new Set(before.warnings.map(key));
    const outcome =
      decision.kind === 'blocked'
        ? 'blocked'
        : decision.warnings.some((w) => !accepted.has(key(w)))
          ? 'changed'
          : 'proceed';
    const state: ShareRequestState =
      outcome === 'blocked' ? 'blocked' : outcome === 'changed' ? 'awaiting' : 'sharing';
    const record = this.repos.pending.update(request.id, (r) => ({
      ...r,
      state,
      // A changed request gets a full TTL again: the operator has something new to read.
      ...(outcome === 'changed' ? { expiresAt: this.expiry() } : {}),
      data: { ...(r.data as ShareRequestData), report, decision },
    })) as ShareRequest;
    return { outcome, record };
  }

  // ------------------------------------------------------------------ sharing and tracking

  private jobId(requestId: string): string {
    return `share:${requestId}`;
  }

  job(requestId: string): ShareJob | undefined {
    return this.repos.jobs.get(this.jobId(requestId)) as ShareJob | undefined;
  }

  /**
   * Shares and follows the shares to COMPLETE/ERROR. `onUpdate` gets the job after every visible change.
   * A synchronous refusal (415 SHARING_DISABLED, 409 LIVE_VIDEOS_NOT_SHAREABLE, …) ends as failed rows.
   */
  async shareAndTrack(
    request: { id: string; data: { master: AccountRef; videoId: string; affiliates: AffiliateRef[] } },
    onUpdate: (job: ShareJob) => void | Promise<void>,
    channel?: { channel?: string; ts?: string },
  ): Promise<ShareJob> {
    const { master, videoId, affiliates } = request.data;
    const now = this.services.clock.now().toISOString();
    const job: ShareJob = {
      id: this.jobId(request.id),
      kind: SHARE_KIND,
      state: 'tracking',
      createdAt: now,
      updatedAt: now,
      ...(channel?.channel ? { channel: channel.channel } : {}),
      ...(channel?.ts ? { ts: channel.ts } : {}),
      data: { requestId: request.id, master, videoId, affiliates, statuses: [], finished: false },
    };
    // Intent before effect: the job is on disk before the share call, so a restart after a crash
    // follows (and so reconciles) a share that may have been sent.
    this.#tracking.hold(job.id);
    try {
      await this.services.store.transaction(() => this.repos.jobs.upsert(this.#tracking.stamp(job)));
      return await this.#shareThenTrack(job, onUpdate);
    } finally {
      this.#tracking.release(job.id);
    }
  }

  async #shareThenTrack(job: ShareJob, onUpdate: (job: ShareJob) => void | Promise<void>): Promise<ShareJob> {
    const { master, videoId, affiliates } = job.data;
    const cms = this.masterCms(master);
    let initial: ShareRecord[];
    try {
      initial = await cms.share(
        videoId,
        affiliates.map((a) => a.id),
      );
    } catch (err) {
      if (!(err instanceof BrightcoveError)) throw err;
      const statuses = affiliates.map((affiliate): ShareStatus => {
        const words = describeShareError(
          { error_code: err.errorCode ?? 'UNKNOWN', error_message: err.message },
          affiliate.name,
        );
        return {
          videoId,
          affiliate,
          state: 'failed',
          apiStatus: `HTTP ${err.status}`,
          affiliateVideoId: null,
          errors: [words],
          acceptance: null,
          terminal: true,
          updatedAt: null,
        };
      });
      const done = this.saveJob(job.id, { statuses, finished: true }, 'done');
      await this.finishRequest(job.data.requestId);
      await onUpdate(done);
      return done;
    }
    return this.track(job, onUpdate, initial);
  }

  /** Follows a job's shares; used right after the share call and when the app restarts. */
  async track(job: ShareJob, onUpdate: (job: ShareJob) => void | Promise<void>, initial?: ShareRecord[]) {
    const { master, videoId, affiliates } = job.data;
    const cms = this.masterCms(master);
    const result = await trackShares({
      videoId,
      affiliates,
      clock: this.services.clock,
      logger: this.services.logger,
      getShare: (id) => nullIfNotFound(cms.getShare(videoId, id)),
      getAcceptance: async (affiliateId, copy) => {
        const aff = this.cmsFor(affiliateId);
        if (!aff) return undefined;
        return { affiliateVideoState: (await aff.getVideo(copy)).state };
      },
      ...(initial ? { initial } : {}),
      onChange: async (_change, all) => {
        await onUpdate(this.saveJob(job.id, { statuses: all }));
      },
    });
    const done = this.saveJob(
      job.id,
      {
        statuses: result.statuses,
        finished: result.finished,
        ...(result.stoppedReason ? { stoppedReason: result.stoppedReason } : {}),
      },
      'done',
    );
    await this.finishRequest(job.data.requestId);
    await onUpdate(done);
    return done;
  }

  private saveJob(id: string, patch: Partial<ShareTrackData>, state?: string): ShareJob {
    return this.repos.jobs.update(id, (j) => ({
      ...j,
      ...(state ? { state } : {}),
      updatedAt: this.services.clock.now().toISOString(),
      data: { ...(j.data as ShareTrackData), ...patch },
    })) as ShareJob;
  }

  private async finishRequest(requestId: string): Promise<void> {
    await this.repos.pending.transition(
      requestId,
      (r) => r.state === 'sharing',
      (r) => ({ ...r, state: 'shared' }),
    );
  }

  /**
   * Resumes a job cut short by a restart. Its intent was on disk before the share call, but the call
   * may never have reached Brightcove: affiliates without a share are shared now, then all are
   * followed as usual (a share that did go through is only followed, never sent twice).
   */
  async #resume(job: ShareJob, onUpdate: (job: ShareJob) => void | Promise<void>): Promise<ShareJob> {
    const { master, videoId, affiliates } = job.data;
    const cms = this.masterCms(master);
    const missing: AffiliateRef[] = [];
    for (const a of affiliates) if (!(await nullIfNotFound(cms.getShare(videoId, a.id)))) missing.push(a);
    if (missing.length > 0) {
      await cms.share(
        videoId,
        missing.map((a) => a.id),
      );
      this.repos.audit.append({
        actor: 'system',
        command: 'share',
        action: 'share resent after a restart',
        target: videoId,
        outcome: 'ok',
        details: `to ${missing.map((a) => a.name).join(', ')}: the interrupted call had not reached Brightcove`,
      });
    }
    return this.track(job, onUpdate);
  }

  /**
   * Follows again every share nobody follows: at start (after a restart) and whenever another replica
   * dies, each once across replicas; `cardFor` shows a job's progress (on its original message).
   */
  watchShares(cardFor: (job: ShareJob) => (job: ShareJob) => void | Promise<void>): void {
    this.#tracking.watch(async (job) => {
      await this.#resume(job as ShareJob, cardFor(job as ShareJob));
    });
  }

  /**
   * Finishes every approved unshare nobody runs, likewise. Its claim was in the store before the delete
   * call, and the run looks the share up first, so finishing it deletes nothing twice.
   */
  watchUnshares(show: (done: UnshareRequest) => Promise<void>): void {
    this.#unsharing.watch(async (record) => {
      const r = record as UnshareRequest;
      const by = [...r.decisions].reverse().find((d) => d.action === 'approve')?.by ?? 'system';
      await show(await this.runUnshare(r, by, true));
    });
  }

  /** At shutdown: stops watching and hands running work over to the next replica. */
  async close(): Promise<void> {
    await Promise.all([this.#tracking.close(), this.#unsharing.close()]);
  }

  async shares(videoWord: string, from?: string) {
    const master = this.accountRef(this.masterAccount(from));
    const cms = this.masterCms(master);
    const video = await resolveVideo(videoWord, cmsVideoLookup(cms), master);
    const [records, members] = await Promise.all([
      cms.listShares(video.id),
      cms.listMembers().catch(() => []),
    ]);
    return { master, video, records, members };
  }

  // ------------------------------------------------------------------ bulk

  /**
   * Videos of the master account for a video picker, newest changes first: by id when the words are
   * one, by reference id after `ref:`, else by the CMS's full-text search over name, description and tags.
   */
  async findVideos(words: string, limit = 20): Promise<{ id: string; name: string }[]> {
    const w = words.trim();
    if (w.length < 2) return [];
    const q = /^\d+$/.test(w)
      ? `id:${w}`
      : /^ref:/i.test(w)
        ? `reference_id:${w.slice(4)}`
        : w
            .split(/\s+/)
            .map((t) => t.replace(/["]/g, ''))
            .filter(Boolean)
            .join(' ');
    const master = this.accountRef(this.masterAccount(undefined));
    try {
      const videos = await this.masterCms(master).listPage({ q, sort: '-updated_at', limit });
      return videos.map((v) => ({ id: v.id, name: v.name ?? '' }));
    } catch (err) {
      if (err instanceof BrightcoveError && err.status === 400) return []; // a search the CMS cannot read
      throw err;
    }
  }

  async prepareBulk(query: string, affiliateWords: string, from?: string, cap = DEFAULT_BULK_CAP) {
    checkSearchQuery(query);
    const master = this.accountRef(this.masterAccount(from));
    const cms = this.masterCms(master);
    const { members, affiliates } = await this.affiliatesFor(master, affiliateWords);
    let total: number;
    let videos: CmsVideo[];
    try {
      [total, videos] = await Promise.all([
        cms.countVideos(query),
        cms.listPage({ q: query, sort: 'created_at', limit: Math.min(100, cap) }),
      ]);
    } catch (err) {
      if (err instanceof BrightcoveError && err.status === 400)
        throw new UserError(`Brightcove rejected the search \`${query}\`: ${err.message}`);
      throw err;
    }
    const deps = this.deps(master);
    const withMembers: PreflightDeps =
      members.length > 0 ? { ...deps, listAffiliates: async () => members } : deps;
    const reports = await gatherBulkPreflight(withMembers, { videos, affiliates, cap });
    return { master, plan: planBulkShare({ query, affiliates, total, reports, cap }) };
  }

  createBulk(master: AccountRef, plan: BulkSharePlan, requestedBy: string): BulkRequest {
    const record: BulkRequest = {
      id: this.services.newId('shb'),
      kind: BULK_KIND,
      state: plan.shareable.length > 0 ? 'awaiting' : 'blocked',
      requestedBy,
      createdAt: this.services.clock.now().toISOString(),
      expiresAt: this.expiry(),
      decisions: [],
      data: { master, plan },
    };
    return this.repos.pending.insert(record) as BulkRequest;
  }

  /** Shares every shareable video of a confirmed bulk plan (one POST per video); trackers run per video. */
  async executeBulk(
    record: BulkRequest,
  ): Promise<Array<{ videoId: string; error?: string; records?: ShareRecord[] }>> {
    const { master, plan } = record.data;
    const cms = this.masterCms(master);
    const ids = plan.affiliates.map((a) => a.id);
    const out: Array<{ videoId: string; error?: string; records?: ShareRecord[] }> = [];
    for (const videoId of plan.shareable) {
      try {
        out.push({ videoId, records: await cms.share(videoId, ids) });
      } catch (err) {
        if (!(err instanceof BrightcoveError)) throw err;
        out.push({ videoId, error: `${err.errorCode ?? err.status}: ${err.message}` });
      }
    }
    this.repos.pending.update(record.id, (r) => ({ ...r, state: 'done' }));
    return out;
  }

  // ------------------------------------------------------------------ unshare

  async prepareUnshare(videoWord: string, affiliateWord: string, from?: string) {
    const master = this.accountRef(this.masterAccount(from));
    const cms = this.masterCms(master);
    const video = await resolveVideo(videoWord, cmsVideoLookup(cms), master);
    const { affiliates } = await this.affiliatesFor(master, affiliateWord);
    if (affiliates.length !== 1) throw new UserError('Unshare from one affiliate at a time.', true);
    const plan = await planUnshare(
      { getShare: (v, a) => nullIfNotFound(cms.getShare(v, a)) },
      video.id,
      affiliates[0]!,
    );
    return { master, video, plan };
  }

  createUnshare(master: AccountRef, plan: UnsharePlan, requestedBy: string): UnshareRequest {
    const record: UnshareRequest = {
      id: this.services.newId('uns'),
      kind: UNSHARE_KIND,
      state: 'awaiting',
      requestedBy,
      createdAt: this.services.clock.now().toISOString(),
      expiresAt: this.expiry(),
      decisions: [],
      data: { master, plan },
    };
    return this.repos.pending.insert(record) as UnshareRequest;
  }

  /** Runs a claimed unshare and audits it: the started approval, then the outcome. */
  async runUnshare(record: UnshareRequest, by: string, resumed = false): Promise<UnshareRequest> {
    this.#unsharing.hold(record.id);
    try {
      return await this.#runUnshare(record, by, resumed);
    } finally {
      this.#unsharing.release(record.id);
    }
  }

  async #runUnshare(record: UnshareRequest, by: string, resumed: boolean): Promise<UnshareRequest> {
    const { plan } = record.data;
    const target = record.id;
    // One entry each per request, whichever run (first or resumed after a crash) writes it.
    this.repos.audit.append(
      { actor: by, command: 'unshare', action: 'approve', target, outcome: 'started', details: plan.summary },
      `a_${record.id}_approve`,
    );
    const done = await this.executeUnshare(record);
    const outcome = done.data.outcome;
    this.repos.audit.append(
      {
        actor: by,
        command: 'unshare',
        action: `unshare ${plan.videoId} from ${plan.affiliate.id}`,
        target,
        outcome: outcome?.outcome === 'unshared' || outcome?.outcome === 'already_gone' ? 'ok' : 'failed',
        details: `${
          outcome?.outcome === 'unshared'
            ? `deleted copy ${outcome.affiliateVideoId ?? '(none yet)'} in ${plan.affiliate.name}`
            : outcome && 'reason' in outcome
              ? outcome.reason
              : (outcome?.outcome ?? '')
        }${resumed ? ' (finished after a restart)' : ''}`,
      },
      `a_${record.id}_done`,
    );
    return done;
  }

  async executeUnshare(record: UnshareRequest): Promise<UnshareRequest> {
    const cms = this.masterCms(record.data.master);
    let outcome: UnshareRequestData['outcome'];
    try {
      outcome = await executeUnshare(
        {
          getShare: (v, a) => nullIfNotFound(cms.getShare(v, a)),
          unshare: (v, a) => cms.unshare(v, a),
        },
        record.data.plan,
      );
    } catch (err) {
      outcome = { outcome: 'failed', reason: err instanceof Error ? err.message : String(err) };
    }
    return this.repos.pending.update(record.id, (r) => ({
      ...r,
      state: 'done',
      data: { ...(r.data as UnshareRequestData), outcome },
    })) as UnshareRequest;
  }
}
