import type { Clock } from '../clock.js';
import { isOrphaned, type Lease, leaseFor, type Replica } from '../core/lease.js';
import type { Journal } from '../store/journal.js';
import type { Decision, PendingRecord } from '../store/repositories.js';
import type { Collection, Store } from '../store/store.js';
import type { NoticeOutcome, SyncCursor } from './cursor.js';
import type { SyncPlan } from './plan.js';

const PLAN_KIND = 'sync.plan';

/** The two things a plan's buttons do, approved separately (operators vs approvers). */
export type Phase = 'apply' | 'deletes';

export interface PhaseState {
  /** rejected: an approver declined it, with a reason (the deletes; the plan's other phase stays) */
  status: 'none' | 'pending' | 'running' | 'done' | 'rejected';
  by?: string;
  at?: string;
  /** why it was rejected, as the approver typed it */
  reason?: string;
  finishedAt?: string;
  /** one line for the stamp, e.g. "3 created, 1 updated, 0 failed" */
  outcome?: string;
  /** while running: the replica running it, renewed by its heartbeat (see core/lease.ts) */
  lease?: Lease;
  /** the approvals a phase needing several approvers has so far (each a different approver) */
  approvals?: { by: string; at: string }[];
}

export interface SyncPlanData {
  account: { alias: string; id: string };
  keepDeleted: boolean;
  /** how it was asked for: by a user in Slack or the CLI, or a schedule */
  origin: 'slack' | 'cli' | 'schedule';
  plan: SyncPlan;
  phases: Record<Phase, PhaseState>;
  /** where the apply progress goes (the plan message's thread) */
  threadTs?: string;
  /**
   * Set when the deletes exceed the mass-delete limits (share of the account's records or count):
   * approving them needs the count typed into a confirmation, not a click.
   */
  /** `approvals`: how many different approvers must confirm it (roles.approvals when the plan was made) */
  massDelete?: { share: number; limit: string; approvals?: number };
  /** the plan that replaced this one (state superseded), so its message can point to it */
  supersededBy?: { id: string; channel?: string; ts?: string };
  /** where incremental syncs start once this plan's changes are in the target */
  next?: SyncCursor;
  /** the notifications this plan accounted for */
  notices?: NoticeOutcome;
}

export type PlanRecord = PendingRecord<SyncPlanData>;

/*
 * A plan's states: open → (each phase: pending → running → done, or pending → rejected) → closed; open → discarded | expired
 * | superseded. Every change goes through `Collection.transition`, synchronous in memory, so two clicks
 * at once cannot both claim a phase.
 */

export type ClaimRefusal =
  | { reason: 'missing' }
  | { reason: 'expired' | 'discarded' | 'superseded' | 'closed'; record: PlanRecord }
  | { reason: 'already'; record: PlanRecord; phase: PhaseState }
  | { reason: 'nothing'; record: PlanRecord }
  | { reason: 'approved-by-you'; record: PlanRecord };

const JOURNAL_PREFIX = 'sync-';
const journalName = (planId: string) => `${JOURNAL_PREFIX}${planId}`;

interface NewPlan {
  account: { alias: string; id: string };
  keepDeleted: boolean;
  origin: SyncPlanData['origin'];
  plan: SyncPlan;
  requestedBy: string;
  channel?: string;
  ts?: string;
  /**
   * Which open plans of the same account this one may replace. Default all; a member's dry run
   * replaces only the member's own plans, never an operator's (issue 14).
   */
  replaces?: 'all' | 'own';
  massDelete?: SyncPlanData['massDelete'];
  next?: SyncCursor;
  notices?: NoticeOutcome;
}

export class SyncPlanStore {
  constructor(
    private readonly pending: Collection<PendingRecord>,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMinutes: number,
    private readonly newId: (prefix: string) => string,
    private readonly replica: Replica,
  ) {}

  get(id: string): PlanRecord | undefined {
    const r = this.pending.get(id);
    return r && r.kind === PLAN_KIND ? (r as PlanRecord) : undefined;
  }

  /**
   * Saves a new plan. Older open plans for the same account and target are superseded: their inputs
   * may have changed, so their buttons must not act any more.
   */
  async create(n: NewPlan): Promise<{ record: PlanRecord; superseded: PlanRecord[] }> {
    const now = this.clock.now();
    const id = this.newId('plan');
    const superseded: PlanRecord[] = [];
    const by = { id, ...(n.channel ? { channel: n.channel } : {}), ...(n.ts ? { ts: n.ts } : {}) };
    for (const old of this.pending.find((r) => r.kind === PLAN_KIND && r.state === 'open') as PlanRecord[]) {
      if (old.data.account.id !== n.account.id || old.data.plan.target !== n.plan.target) continue;
      if (n.replaces === 'own' && old.requestedBy !== n.requestedBy) continue;
      const t = await this.#transition(
        old.id,
        (r) => r.state === 'open' && !running(r),
        (r) => ({ ...r, state: 'superseded', data: { ...r.data, supersededBy: by } }),
      );
      if (t.ok) superseded.push(t.record);
    }
    const { creates, updates, deletes } = n.plan.counts;
    const phases: Record<Phase, PhaseState> = {
      apply: { status: creates + updates > 0 ? 'pending' : 'none' },
      deletes: { status: deletes > 0 ? 'pending' : 'none' },
    };
    const record: PlanRecord = {
      id,
      kind: PLAN_KIND,
      // A plan with nothing to do has no buttons to wait for.
      state: creates + updates + deletes > 0 ? 'open' : 'closed',
      requestedBy: n.requestedBy,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.ttlMinutes * 60_000).toISOString(),
      fingerprint: n.plan.fingerprint,
      ...(n.channel ? { channel: n.channel } : {}),
      ...(n.ts ? { ts: n.ts } : {}),
      decisions: [],
      data: {
        account: n.account,
        keepDeleted: n.keepDeleted,
        origin: n.origin,
        plan: n.plan,
        phases,
        ...(n.massDelete ? { massDelete: n.massDelete } : {}),
        ...(n.next ? { next: n.next } : {}),
        ...(n.notices ? { notices: n.notices } : {}),
      },
    };
    this.pending.insert(record as PendingRecord);
    return { record, superseded };
  }

  /** Open plans nobody let expire, newest first (App Home). */
  open(): PlanRecord[] {
    return (this.pending.find((r) => r.kind === PLAN_KIND && r.state === 'open') as PlanRecord[])
      .filter((r) => !this.isExpired(r))
      .reverse();
  }

  /** Where the plan message is, once posted. */
  setMessage(id: string, channel: string, ts: string): void {
    this.pending.update(id, (r) => ({ ...r, channel, ts }));
  }

  isExpired(r: PlanRecord): boolean {
    return r.expiresAt !== undefined && this.clock.now().getTime() >= Date.parse(r.expiresAt);
  }

  /**
   * Claims a phase for `actor` exactly once. Refuses expired, discarded, superseded plans, and a
   * phase someone already claimed. An expired plan is marked so its buttons can be replaced.
   */
  claim(
    id: string,
    phase: Phase,
    actor: string,
  ): Promise<{ ok: true; record: PlanRecord } | ({ ok: false } & ClaimRefusal)> {
    return this.#decide(id, phase, (r, at) => ({
      ...r,
      decisions: [...r.decisions, decision(actor, phase, at)],
      data: {
        ...r.data,
        phases: {
          ...r.data.phases,
          [phase]: { status: 'running', by: actor, at, lease: leaseFor(this.replica, this.clock.now()) },
        },
      },
    }));
  }

  /**
   * One approver's approval of a phase that needs `needed` different approvers: recorded while fewer
   * have approved (the phase stays pending, `waitingFor` says how many more), the claim itself with the
   * last. Refused like a claim, and when this approver has approved already. Two clicks of one approver
   * at once count once (the approval is keyed by who gave it).
   */
  async approve(
    id: string,
    phase: Phase,
    actor: string,
    needed: number,
  ): Promise<{ ok: true; record: PlanRecord; waitingFor: number } | ({ ok: false } & ClaimRefusal)> {
    const current = this.get(id);
    const mine = current?.data.phases[phase];
    if (current && mine?.status === 'pending' && mine.approvals?.some((a) => a.by === actor))
      return { ok: false, reason: 'approved-by-you', record: current };
    const t = await this.#decide(id, phase, (r, at) => {
      const before = r.data.phases[phase].approvals ?? [];
      if (before.some((a) => a.by === actor)) return r;
      const approvals = [...before, { by: actor, at }];
      const s: PhaseState =
        approvals.length < needed
          ? { ...r.data.phases[phase], approvals }
          : { status: 'running', by: actor, at, lease: leaseFor(this.replica, this.clock.now()), approvals };
      const stamp: Decision =
        s.status === 'running'
          ? decision(actor, phase, at)
          : { by: actor, action: 'approve_deletes', at, outcome: 'ok' };
      return {
        ...r,
        decisions: [...r.decisions, stamp],
        data: { ...r.data, phases: { ...r.data.phases, [phase]: s } },
      };
    });
    if (!t.ok) return t;
    const s = t.record.data.phases[phase];
    return { ...t, waitingFor: s.status === 'running' ? 0 : needed - (s.approvals?.length ?? 0) };
  }

  /**
   * The heartbeat of running phases: extends this replica's lease on them. False when a phase is no
   * longer this replica's (finished, or taken over by another replica that presumed this one dead).
   */
  async renew(id: string, phases: readonly Phase[]): Promise<boolean> {
    const mine = (r: PlanRecord) =>
      phases.every(
        (p) => r.data.phases[p].status === 'running' && r.data.phases[p].lease?.holder === this.replica.id,
      );
    const lease = leaseFor(this.replica, this.clock.now());
    const t = await this.#transition(id, mine, (r) => ({
      ...r,
      data: {
        ...r.data,
        phases: Object.fromEntries(
          Object.entries(r.data.phases).map(([p, s]) => [
            p,
            phases.includes(p as Phase) ? { ...s, lease } : s,
          ]),
        ) as Record<Phase, PhaseState>,
      },
    }));
    return t.ok;
  }

  /**
   * Takes over a running phase whose replica is gone (its lease expired, or its process here died):
   * once, whichever replica notices first.
   */
  async takeOver(id: string, phase: Phase): Promise<PlanRecord | undefined> {
    const now = this.clock.now();
    const t = await this.#transition(
      id,
      (r) =>
        r.data.phases[phase].status === 'running' &&
        isOrphaned(r.data.phases[phase].lease, this.replica.id, now),
      (r) => ({
        ...r,
        data: {
          ...r.data,
          phases: {
            ...r.data.phases,
            [phase]: { ...r.data.phases[phase], lease: leaseFor(this.replica, now) },
          },
        },
      }),
    );
    return t.ok ? t.record : undefined;
  }

  /**
   * Rejects a pending phase exactly once, with the approver's reason; refused like a claim (someone
   * approved or rejected it first, the plan expired…). The plan closes when nothing else is left.
   */
  reject(
    id: string,
    phase: Phase,
    actor: string,
    reason: string,
  ): Promise<{ ok: true; record: PlanRecord } | ({ ok: false } & ClaimRefusal)> {
    return this.#decide(id, phase, (r, at) => {
      const phases = {
        ...r.data.phases,
        [phase]: { status: 'rejected', by: actor, at, reason } as PhaseState,
      };
      return {
        ...r,
        state: Object.values(phases).some((p) => p.status === 'pending' || p.status === 'running')
          ? r.state
          : 'closed',
        decisions: [...r.decisions, { by: actor, action: `reject_${phase}`, at, outcome: 'ok', reason }],
        data: { ...r.data, phases },
      };
    });
  }

  /** Moves a pending phase on once (claim or reject), or says why not. */
  async #decide(
    id: string,
    phase: Phase,
    change: (r: PlanRecord, at: string) => PlanRecord,
  ): Promise<{ ok: true; record: PlanRecord } | ({ ok: false } & ClaimRefusal)> {
    const current = this.get(id);
    if (!current) return { ok: false, reason: 'missing' };
    if (current.state === 'open' && this.isExpired(current)) {
      const t = await this.#transition(
        id,
        (r) => r.state === 'open' && !running(r),
        (r) => ({ ...r, state: 'expired' }),
      );
      if (t.ok) return { ok: false, reason: 'expired', record: t.record };
    }
    const at = this.clock.now().toISOString();
    const t = await this.#transition(
      id,
      (r) => r.state === 'open' && !this.isExpired(r) && r.data.phases[phase].status === 'pending',
      (r) => change(r, at),
    );
    if (t.ok) return { ok: true, record: t.record };
    const r = t.record ?? current;
    if (r.state !== 'open') return { ok: false, reason: r.state as 'expired', record: r };
    if (this.isExpired(r)) return { ok: false, reason: 'expired', record: r };
    const ps = r.data.phases[phase];
    if (ps.status === 'none') return { ok: false, reason: 'nothing', record: r };
    return { ok: false, reason: 'already', record: r, phase: ps };
  }

  /** Marks a running phase done; the plan closes when nothing is left to approve. */
  async finish(id: string, phase: Phase, outcome: string): Promise<PlanRecord | undefined> {
    const at = this.clock.now().toISOString();
    const t = await this.#transition(
      id,
      (r) => r.data.phases[phase].status === 'running',
      (r) => {
        const phases = {
          ...r.data.phases,
          [phase]: { ...r.data.phases[phase], status: 'done', finishedAt: at, outcome },
        };
        const left = Object.values(phases).some((p) => p.status === 'pending' || p.status === 'running');
        return { ...r, state: left || r.state !== 'open' ? r.state : 'closed', data: { ...r.data, phases } };
      },
    );
    return t.ok ? t.record : this.get(id);
  }

  /** Discards what was not applied yet. Refused while a phase runs (it finishes first). */
  discard(
    id: string,
    actor: string,
  ): Promise<{ ok: true; record: PlanRecord } | { ok: false; record?: PlanRecord }> {
    const at = this.clock.now().toISOString();
    return this.#transition(
      id,
      (r) => r.state === 'open' && !running(r),
      (r) => ({
        ...r,
        state: 'discarded',
        decisions: [...r.decisions, { by: actor, action: 'discard', at, outcome: 'ok' }],
      }),
    );
  }

  /**
   * Running phases nobody runs any more (their replica crashed, restarted or lost its database): the
   * watcher takes them over and resumes them from their journals.
   */
  orphaned(): { record: PlanRecord; phases: Phase[] }[] {
    const now = this.clock.now();
    return (this.pending.find((r) => r.kind === PLAN_KIND) as PlanRecord[])
      .map((record) => ({
        record,
        phases: (['apply', 'deletes'] as const).filter(
          (p) =>
            record.data.phases[p].status === 'running' &&
            isOrphaned(record.data.phases[p].lease, this.replica.id, now),
        ),
      }))
      .filter((x) => x.phases.length > 0);
  }

  /**
   * The plan's journal: each item's intent (fsync'd before the call that mutates the target) and
   * result, so a crashed apply resumes where it stopped and looks up what it may have sent.
   */
  async checkpoint(planId: string): Promise<Journal> {
    const journal = await this.store.journal(journalName(planId));
    await this.#adoptLegacyCheckpoint(planId, journal);
    return journal;
  }

  /**
   * Versions before the journal kept checkpoints in the state file (`sync_checkpoints`, with
   * `<key>#attempt` for a create that may have been sent): an Apply interrupted before an upgrade
   * resumes from them instead of starting over.
   */
  async #adoptLegacyCheckpoint(planId: string, journal: Journal): Promise<void> {
    const legacy = this.store.collection<{ id: string; done: Record<string, unknown> }>('sync_checkpoints');
    const row = legacy.get(planId);
    if (!row) return;
    for (const [key, result] of Object.entries(row.done)) {
      if (key.endsWith('#attempt')) await journal.markIntent(key.slice(0, -'#attempt'.length));
      else journal.markDone(key, result);
    }
    legacy.remove(planId);
  }

  /** After a run: the journal is closed, and deleted once the plan can no longer run. */
  async release(planId: string): Promise<void> {
    const r = this.get(planId);
    if (!r || (r.state !== 'open' && !running(r))) await this.store.removeJournal(journalName(planId));
    else (await this.checkpoint(planId)).close();
  }

  /** Drops the journals of plans that can no longer run. */
  async prune(): Promise<number> {
    let n = 0;
    for (const name of await this.store.journalNames()) {
      if (!name.startsWith(JOURNAL_PREFIX)) continue;
      const r = this.get(name.slice(JOURNAL_PREFIX.length));
      if (!r || (r.state !== 'open' && !running(r))) {
        await this.store.removeJournal(name);
        n++;
      }
    }
    return n;
  }

  async #transition(id: string, guard: (r: PlanRecord) => boolean, patch: (r: PlanRecord) => PlanRecord) {
    const t = await this.pending.transition(
      id,
      (r) => r.kind === PLAN_KIND && guard(r as PlanRecord),
      (r) => patch(r as PlanRecord) as PendingRecord,
    );
    return t as { ok: true; record: PlanRecord } | { ok: false; record?: PlanRecord };
  }
}

function running(r: PlanRecord): boolean {
  return r.data.phases.apply.status === 'running' || r.data.phases.deletes.status === 'running';
}

function decision(by: string, phase: Phase, at: string): Decision {
  return { by, action: phase === 'apply' ? 'apply' : 'approve_deletes', at, outcome: 'started' };
}
