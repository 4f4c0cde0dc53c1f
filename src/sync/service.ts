import type { CmsClient } from '../brightcove/index.js';
import { VideoChangeNotificationSchema } from '../brightcove/schemas.js';
import type { Clock } from '../clock.js';
import type { AccountConfig, AppConfig } from '../config/schema.js';
import { resolveAccount } from '../core/accounts.js';
import { UserError, WorkTakenOverError } from '../core/errors.js';
import { deriveHookToken, sameToken } from '../core/hook-token.js';
import type { Logger } from '../log.js';
import type { AuditLog } from '../store/repositories.js';
import type { ApplyCounts, ApplyEvent, ApplySummary } from './apply.js';
import { parseSyncConfig, planOptionsFrom, SyncConfigError } from './config.js';
import { type NoticeOutcome, type SyncCursor, type SyncCursorStore, scanMode } from './cursor.js';
import { nounOf, outcomeLine } from './format.js';
import { canonical, type LegacyCheck, type SyncPlan } from './plan.js';
import {
  type CollectProgress,
  collectChanges,
  collectPlan,
  type OtherAccounts,
  runApply,
  type SyncCms,
} from './run.js';
import type { ClaimRefusal, Phase, PlanRecord, SyncPlanData, SyncPlanStore } from './store.js';
import type { SearchHit, SyncTarget } from './target.js';
import type { SyncTargets } from './targets/index.js';

export const RERUN = 're-run `/brightcove sync`';

/** How many videos a search shows. */
const SEARCH_HITS = 10;

interface SyncServiceDeps {
  config: AppConfig;
  /** the CMS client of a configured account (a UserError when it has no credentials) */
  cmsFor(account: AccountConfig): SyncCms & Pick<CmsClient, 'listSubscriptions' | 'createSubscription'>;
  /** the configured targets (`sync.targets`), built when first used */
  targets: SyncTargets;
  plans: SyncPlanStore;
  cursors: SyncCursorStore;
  /** a configured secret the notification URLs' tokens are derived from (never stored) */
  hookKey: string;
  /** how long a running phase stays this replica's without a heartbeat */
  leaseMs: number;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

/** Where Brightcove posts CMS notifications: `POST /hooks/cms/<account id>/<token>`. */
export const CMS_HOOK_PATH = '/hooks/cms';

interface PlanRequest {
  account?: string;
  keepDeleted: boolean;
  /** list the whole library even when an incremental run would do (`--full`) */
  full?: boolean;
  /** the target to sync to (`--target`, a schedule's `target:`); default: the account's */
  target?: string;
  origin: SyncPlanData['origin'];
  by: string;
  /** where the plan is shown (its buttons are honoured only there) */
  channel?: string;
  ts?: string;
  /** which open plans of the account it replaces: `own` for a requester who is not an operator */
  replaces?: 'all' | 'own';
  onProgress?(p: CollectProgress): void;
}

interface PhaseResult {
  summary: ApplySummary;
  outcome: string;
  /** the record after the phase (undefined when it vanished) */
  finished: PlanRecord | undefined;
}

/**
 * The sync workflow, once for Slack, the CLI and schedules: plan → store → audit → claim → execute →
 * finish → resume. It owns every safety rule of a sync: ownership of target records (a sync of one
 * account never plans or performs a write to another's), the 404 checks before deletes, and the audit
 * of each mutation as it completes. Faces only render what it returns.
 */
export class SyncService {
  #watcher: NodeJS.Timeout | null = null;
  /** plan ids whose phases run in this process (never taken over from ourselves) */
  readonly #resuming = new Set<string>();

  constructor(private readonly deps: SyncServiceDeps) {}

  get plans(): SyncPlanStore {
    return this.deps.plans;
  }

  /** The configured account behind a plan (a UserError when it was removed from the config). */
  account(id: string): AccountConfig {
    const account = this.deps.config.accounts.find((a) => a.id === id);
    if (!account) throw new UserError(`Account ${id} is no longer configured: ${RERUN}.`);
    return account;
  }

  resolve(name: string | undefined): AccountConfig {
    return resolveAccount(this.deps.config, name);
  }

  /**
   * Resumes running phases whose replica is gone: at once (a restart after a crash), then every third
   * of a lease, so a running replica finishes a dead one's Apply without a restart of its own. Each
   * is taken over once, whichever replica notices first; `resume` runs it (and says so in Slack).
   */
  watchOrphans(resume: (record: PlanRecord, phase: Phase) => Promise<void>): void {
    const scan = async () => {
      for (const { record, phases } of this.deps.plans.orphaned()) {
        for (const phase of phases) {
          const key = `${record.id}:${phase}`;
          if (this.#resuming.has(key)) continue;
          const taken = await this.deps.plans.takeOver(record.id, phase);
          if (!taken) continue; // another replica was first
          this.#resuming.add(key);
          void resume(taken, phase)
            .catch((err: unknown) => this.deps.logger.error('resumed sync failed', { plan: record.id, err }))
            .finally(() => this.#resuming.delete(key));
        }
      }
    };
    const tick = () =>
      void scan().catch((err: unknown) => this.deps.logger.warn('orphaned sync scan failed', { err }));
    tick();
    this.#watcher ??= setInterval(tick, Math.max(1_000, Math.floor(this.deps.leaseMs / 3)));
    this.#watcher.unref();
  }

  /** Stops watching and closes the targets' connections (at shutdown). */
  close(): Promise<void> {
    if (this.#watcher) clearInterval(this.#watcher);
    this.#watcher = null;
    return this.deps.targets.close();
  }

  /**
   * The library's best matches for some words, from a target with a full-text index (`asked`, else
   * the only such target).
   */
  async search(words: string, asked?: string): Promise<{ target: string; hits: SearchHit[] }> {
    const searchable = this.deps.targets.searchable();
    const name = asked ?? (searchable.length === 1 ? searchable[0] : undefined);
    if (name === undefined) {
      throw new UserError(
        searchable.length === 0
          ? 'Search needs a PostgreSQL sync target: add one under sync.targets in brightcove-ops.yml (type: postgres) and sync the library into it.'
          : `Several targets can be searched (${searchable.join(', ')}): pass --target <name>.`,
        searchable.length > 0,
      );
    }
    if (!searchable.includes(name)) {
      throw new UserError(
        `Sync target "${name}" cannot be searched${searchable.length ? `: use ${searchable.join(' or ')}` : ''}.`,
        true,
      );
    }
    const target = await this.deps.targets.get(name);
    return { target: name, hits: (await target.search?.(words, SEARCH_HITS)) ?? [] };
  }

  /** The target a sync of `account` uses (`asked`, else the account's, else the only one configured). */
  targetFor(account: AccountConfig, asked?: string): Promise<SyncTarget> {
    try {
      return this.deps.targets.get(this.deps.targets.nameFor(account, asked));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Lists both sides, plans, saves the plan (superseding older ones) and audits it. */
  async plan(
    req: PlanRequest,
    account = this.resolve(req.account),
  ): Promise<{
    record: PlanRecord;
    superseded: PlanRecord[];
  }> {
    const cms = this.deps.cmsFor(account);
    const target = await this.targetFor(account, req.target);
    const cfg = this.#syncConfig();
    const planOptions = planOptionsFrom(cfg, req.keepDeleted);
    const options = { ...planOptions, limits: target.limits, owner: account.id, ...this.#legacyOwner() };
    // What the records were written with: keepDeleted decides deletes, not what a record holds.
    const { keepDeleted: _k, ...written } = options;
    const optionsKey = canonical(written);
    const startedAt = this.deps.clock.now().toISOString();
    const cursor = this.deps.cursors.get(account.id, target.name);
    const common = {
      cms,
      target,
      options,
      otherAccounts: this.otherAccounts(account, target.name),
      logger: this.deps.logger,
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    };
    const pending = this.deps.cursors.pendingNotices(account.id).map((n) => n.videoId);
    let scan = scanMode(cursor, {
      enabled: cfg.incremental.enabled,
      full: req.full === true,
      fullEveryMs: cfg.incremental.full_every_hours * 3_600_000,
      now: Date.parse(startedAt),
      options: optionsKey,
      target: target.name,
    });
    let collected: { plan: SyncPlan; createdUpTo: number; notices: NoticeOutcome } | undefined;
    let changedSince: string | undefined;
    if (scan.mode === 'incremental' && cursor) {
      const changes = await collectChanges({
        ...common,
        cursor,
        overlapMs: cfg.incremental.overlap_minutes * 60_000,
        notices: pending,
        startedAt,
      });
      if ('fullNeeded' in changes) scan = { mode: 'full', reason: `count check: ${changes.fullNeeded}` };
      else {
        collected = changes;
        changedSince = changes.changedSince;
      }
    }
    if (!collected) {
      const full = await collectPlan({ ...common, countCreatedUpTo: startedAt });
      const deleted = new Set(full.plan.deletes.map((d) => d.videoId));
      collected = {
        ...full,
        // The listing covers every notice so far: the 404s it plans as deletes wait for their approval.
        notices: {
          existing: pending.filter((id) => !deleted.has(id)),
          deleted: pending.filter((id) => deleted.has(id)),
        },
      };
    }
    const plan: SyncPlan = {
      ...collected.plan,
      noun: target.noun,
      ...(target.billedBy ? { billedBy: target.billedBy } : {}),
      scan: { mode: scan.mode, reason: scan.reason, ...(changedSince ? { changedSince } : {}) },
    };
    const next: SyncCursor = {
      id: `${account.id}:${target.name}`,
      account: account.id,
      target: target.name,
      since: startedAt,
      before: collected.createdUpTo,
      fullAt: scan.mode === 'full' ? startedAt : (cursor?.fullAt ?? startedAt),
      options: optionsKey,
    };
    // An incremental plan sees a few records: the share is of the account's library as last counted.
    const massDelete = this.#massDelete(plan.counts, scan.mode === 'incremental' ? (cursor?.before ?? 0) : 0);
    const { record, superseded } = await this.deps.plans.create({
      ...(massDelete ? { massDelete } : {}),
      account: { alias: account.alias, id: account.id },
      keepDeleted: req.keepDeleted,
      origin: req.origin,
      plan,
      next,
      notices: collected.notices,
      requestedBy: req.by,
      replaces: req.replaces ?? 'all',
      ...(req.channel ? { channel: req.channel } : {}),
      ...(req.ts ? { ts: req.ts } : {}),
    });
    const c = plan.counts;
    const others = c.otherAccounts + c.legacyKept;
    this.deps.audit.append({
      actor: req.by,
      command: 'sync',
      action: 'plan',
      target: record.id,
      outcome: 'ok',
      details: `${account.alias} → ${target.name} (${scan.mode}): ${c.creates} creates, ${c.updates} updates, ${c.deletes} deletes, ${c.skipped} skipped${others ? `, ${others} records of other accounts left alone` : ''}`,
    });
    // 404s without a record of this account: nothing to delete, nothing to keep the notice for.
    if (!req.keepDeleted) {
      const planned = new Set([...collected.notices.existing, ...collected.notices.deleted]);
      await this.deps.cursors.dropNotices(
        account.id,
        pending.filter((id) => !planned.has(id)),
        startedAt,
      );
    }
    // Nothing to apply: the target is in step with the library up to this run's start.
    if (plan.counts.creates + plan.counts.updates === 0) await this.#advance(record);
    return { record, superseded };
  }

  /**
   * Claims a phase exactly once; audited when it starts. A mass delete that needs several approvers
   * (`massDelete.approvals`) is claimed by the last of them: before, each approval is recorded and
   * audited, and `waitingFor` says how many more are needed (the phase does not run yet).
   */
  async claim(
    id: string,
    phase: Phase,
    by: string,
    /** how it was approved, for the audit (e.g. a typed mass-delete confirmation) */
    how?: string,
  ): Promise<{ ok: true; record: PlanRecord; waitingFor: number } | ({ ok: false } & ClaimRefusal)> {
    const needed = phase === 'deletes' ? (this.deps.plans.get(id)?.data.massDelete?.approvals ?? 1) : 1;
    const claim =
      needed > 1
        ? await this.deps.plans.approve(id, phase, by, needed)
        : { ...(await this.deps.plans.claim(id, phase, by)), waitingFor: 0 };
    if (!claim.ok) return claim;
    const approvals = claim.record.data.phases[phase].approvals ?? [];
    const count = needed > 1 ? `approval ${approvals.length} of ${needed}` : '';
    const details = [
      how,
      count,
      claim.waitingFor === 0 && needed > 1 ? `approved by ${approvals.map((a) => a.by).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    this.deps.audit.append({
      actor: by,
      command: 'sync',
      action: actionOf(phase),
      target: id,
      // an approval that does not start the deletes yet is done when it is recorded
      outcome: claim.waitingFor > 0 ? 'ok' : 'started',
      ...(details ? { details } : {}),
    });
    return claim;
  }

  /**
   * Runs claimed phases (creates and updates first, deletes last). Every delete, and every delete
   * refused because the video still exists, is audited as it completes; each phase's outcome is
   * stamped on the plan and audited. On a crash the phases stay running and `interrupted()` lists
   * them for a resume from their checkpoints.
   */
  async execute(
    record: PlanRecord,
    phases: readonly Phase[],
    by: string,
    onProgress?: (c: ApplyCounts) => void,
  ): Promise<PhaseResult> {
    const account = this.account(record.data.account.id);
    const audit = this.deps.audit;
    const deleteEntry = (recordId: string, videoId: string, outcome: unknown) => {
      const kept = outcome === 'video_exists';
      audit.append(
        {
          actor: by,
          command: 'sync',
          action: `${kept ? 'keep' : 'delete'} ${nounOf(record.data.plan).one} ${recordId}`,
          target: videoId,
          outcome: kept ? 'refused' : 'ok',
          details: kept
            ? 'video still exists in the CMS'
            : outcome === 'absent'
              ? 'already gone'
              : 'video confirmed missing (404)',
        },
        // One entry per record and plan, whichever run (first or resumed) writes it.
        `a_${record.id}_delete_${recordId}`,
      );
    };
    const onItem = (e: ApplyEvent) => {
      if (e.kind === 'deleted') deleteEntry(e.recordId, e.videoId, e.recovered ? 'absent' : 'deleted');
      else if (e.kind === 'kept') deleteEntry(e.recordId, e.videoId, 'video_exists');
    };
    const checkpoint = await this.deps.plans.checkpoint(record.id);
    // Only a resumed run has anything in its journal to reconcile (a first run skips the O(deletes) pass).
    if (phases.includes('deletes') && checkpoint.size() > 0) {
      // A crash can come between a delete and its audit entry (the state file is written in
      // batches, the journal line by line): what the journal says was done is audited now.
      for (const d of record.data.plan.deletes) {
        const done = checkpoint.isDone(d.key)
          ? (checkpoint.result(d.key) as { outcome?: unknown })
          : undefined;
        if (done) deleteEntry(d.recordId, d.videoId, done.outcome);
      }
    }
    // The heartbeat: while this runs, the phases stay this replica's (another takes over only when it
    // stops). A replica that finds its run taken over (it stalled past its lease) starts no more items.
    const lost = new AbortController();
    const heartbeat = setInterval(
      () =>
        void this.deps.plans.renew(record.id, phases).then(
          (mine) => {
            if (mine || lost.signal.aborted) return;
            this.deps.logger.warn('sync: lease lost, another replica took this run over', {
              plan: record.id,
            });
            lost.abort();
          },
          (err: unknown) => this.deps.logger.warn('sync: lease not renewed', { plan: record.id, err }),
        ),
      Math.max(500, Math.floor(this.deps.leaseMs / 3)),
    );
    heartbeat.unref();
    let summary: ApplySummary;
    try {
      summary = await runApply(record.data.plan, {
        cms: this.deps.cmsFor(account),
        target: await this.deps.targets.get(record.data.plan.target),
        flags: { applyCreatesUpdates: phases.includes('apply'), applyDeletes: phases.includes('deletes') },
        otherAccounts: this.otherAccounts(account, record.data.plan.target),
        checkpoint,
        mediaReadAt: Date.parse(record.createdAt),
        clock: this.deps.clock,
        logger: this.deps.logger,
        onItem,
        ...(onProgress ? { onProgress } : {}),
        signal: lost.signal,
      });
    } catch (err) {
      if (err instanceof WorkTakenOverError) throw err; // the other replica audits the outcome
      // Left running: a restart resumes it from its checkpoints.
      for (const phase of phases)
        audit.append({
          actor: by,
          command: 'sync',
          action: actionOf(phase),
          target: record.id,
          outcome: 'failed',
          details: err instanceof Error ? err.message : String(err),
        });
      throw err;
    } finally {
      clearInterval(heartbeat);
      checkpoint.close();
    }
    let finished: PlanRecord | undefined;
    const outcomes: string[] = [];
    for (const phase of phases) {
      const outcome = outcomeLine(phase, summary);
      outcomes.push(outcome);
      finished = await this.deps.plans.finish(record.id, phase, outcome);
      audit.append({
        actor: by,
        command: 'sync',
        action: actionOf(phase),
        target: record.id,
        outcome: summary.failed.length ? 'failed' : 'ok',
        details: outcome,
      });
    }
    await this.deps.plans.release(record.id);
    if (phases.includes('apply') && summary.failed.length === 0) await this.#advance(record);
    const notices = record.data.notices;
    if (phases.includes('deletes') && notices?.deleted.length && record.data.next)
      await this.deps.cursors.dropNotices(account.id, notices.deleted, record.data.next.since);
    return { summary, outcome: outcomes.join('; '), finished };
  }

  /**
   * An approver declines the plan's deletes, with a reason: once (a second reject or an approve after
   * it is refused), audited. The records stay; the deletes' notices stay too, so the next sync plans
   * them again for whoever decides then.
   */
  async reject(id: string, by: string, reason: string): ReturnType<SyncPlanStore['reject']> {
    const t = await this.deps.plans.reject(id, 'deletes', by, reason);
    if (t.ok)
      this.deps.audit.append({
        actor: by,
        command: 'sync',
        action: 'reject_deletes',
        target: id,
        outcome: 'ok',
        details: reason,
      });
    return t;
  }

  async discard(id: string, by: string): ReturnType<SyncPlanStore['discard']> {
    const t = await this.deps.plans.discard(id, by);
    if (t.ok)
      this.deps.audit.append({ actor: by, command: 'sync', action: 'discard', target: id, outcome: 'ok' });
    return t;
  }

  /**
   * The other configured accounts, as the owners of legacy records may be: which of some video ids
   * they still have (≤ 10 ids per CMS call). Accounts without credentials can't be asked; then no
   * legacy record can be proven an orphan.
   */
  otherAccounts(account: AccountConfig, target: string): OtherAccounts {
    const others = this.deps.config.accounts.filter(
      (a) => a.id !== account.id && this.#targetOf(a) === target,
    );
    return {
      have: async (videoIds): Promise<LegacyCheck> => {
        const elsewhere = new Set<string>();
        const unchecked: string[] = [];
        if (!videoIds.length) return { elsewhere, unchecked };
        for (const other of others) {
          if (!other.credentials) {
            unchecked.push(other.alias);
            continue;
          }
          for (const v of await this.deps.cmsFor(other).getVideos([...videoIds])) elsewhere.add(v.id);
        }
        return { elsewhere, unchecked };
      },
    };
  }

  /**
   * Moves the account's cursor to the plan's run, once its changes are in the target. Not when a
   * video's media could not be read: it was not planned, and the next run must see it again.
   */
  async #advance(record: PlanRecord): Promise<void> {
    const { next, notices, plan } = record.data;
    if (!next || plan.skipped.some((s) => s.reason === 'media_not_fetched')) return;
    await this.deps.cursors.advance(next);
    // Covered by this run, or by a later one that already moved the cursor further.
    if (notices?.existing.length)
      await this.deps.cursors.dropNotices(next.account, notices.existing, next.since);
  }

  /** The token in an account's notification URL: derived from the configured secret, never stored. */
  hookToken(accountId: string): string {
    return deriveHookToken(this.deps.hookKey, `brightcove-ops/cms-notifications/${accountId}`);
  }

  /**
   * A `video-change` notification posted to `/hooks/cms/<account>/<token>`. Brightcove does not sign
   * them, so the token is the only proof of origin: a wrong one changes nothing. A notice only says
   * "look at this video"; the next sync looks it up before acting on it, so replays and any order are harmless.
   */
  receiveNotification(
    accountId: string,
    token: string,
    payload: unknown,
  ): 'accepted' | 'refused' | 'invalid' {
    const account = this.deps.config.accounts.find((a) => a.id === accountId);
    if (!account || !sameToken(token, this.hookToken(account.id))) return 'refused';
    const parsed = VideoChangeNotificationSchema.safeParse(payload);
    if (!parsed.success || parsed.data.account_id !== account.id) return 'invalid';
    this.deps.cursors.notice(account.id, parsed.data.video, this.deps.clock.now().toISOString());
    return 'accepted';
  }

  /**
   * Subscribes every account with credentials to `video-change` notifications at `publicUrl`
   * (once: an existing subscription to the same URL is kept). Without the notifications scope the
   * account still syncs; its deletes are found by the count check and the reconciliation.
   */
  async subscribe(publicUrl: string): Promise<void> {
    const base = publicUrl.replace(/\/+$/, '');
    for (const account of this.deps.config.accounts) {
      if (!account.credentials) continue;
      const endpoint = `${base}${CMS_HOOK_PATH}/${encodeURIComponent(account.id)}/${this.hookToken(account.id)}`;
      try {
        const cms = this.deps.cmsFor(account);
        if ((await cms.listSubscriptions()).some((s) => s.endpoint === endpoint)) continue;
        const sub = await cms.createSubscription(endpoint);
        this.deps.audit.append({
          actor: 'app',
          command: 'sync',
          action: 'subscribe',
          target: account.id,
          outcome: 'ok',
          details: `${account.alias}: video-change notifications to ${base}${CMS_HOOK_PATH}/… (subscription ${sub.id})`,
        });
      } catch (err) {
        this.deps.logger.warn(
          'CMS notifications are off for this account; deletes are found by the count check and the reconciliation',
          {
            account: account.alias,
            err,
          },
        );
      }
    }
  }

  /** An account's target name, or undefined when it has none to choose (several, none named). */
  #targetOf(account: AccountConfig): string | undefined {
    try {
      return this.deps.targets.nameFor(account);
    } catch {
      return undefined;
    }
  }

  #syncConfig() {
    try {
      return parseSyncConfig(this.deps.config.sync);
    } catch (err) {
      if (err instanceof SyncConfigError) throw new UserError(err.message);
      throw err;
    }
  }

  /** Whether a plan's deletes are a mass delete: above the configured share of the account's records, or count. */
  #massDelete(c: SyncPlan['counts'], library = 0): SyncPlanData['massDelete'] {
    const { share, count, min_count } = this.#syncConfig().mass_delete;
    const own = Math.max(1, c.recordsWithVideoId - c.otherAccounts, library);
    const part = c.deletes / own;
    const needed = this.deps.config.roles.approvals;
    const approvals = needed > 1 ? { approvals: needed } : {};
    if (c.deletes > count) return { share: part, limit: `more than ${count} records`, ...approvals };
    // A handful of deletes is never "mass", whatever the share of a tiny index.
    if (c.deletes >= min_count && part > share)
      return {
        share: part,
        limit: `more than ${Math.round(share * 100)}% of the account's records`,
        ...approvals,
      };
    return undefined;
  }

  #legacyOwner(): { legacyOwner?: string } {
    const name = this.#syncConfig().legacy_owner;
    return name ? { legacyOwner: this.resolve(name).id } : {};
  }
}

export function actionOf(phase: Phase): 'apply' | 'approve_deletes' {
  return phase === 'apply' ? 'apply' : 'approve_deletes';
}
