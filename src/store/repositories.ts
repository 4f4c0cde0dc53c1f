import type { Clock } from '../clock.js';
import { maskSecrets } from '../log.js';
import type { Collection, Store } from './store.js';

type AuditOutcome = 'ok' | 'refused' | 'failed' | 'started';

export interface AuditEntry {
  id: string;
  at: string;
  /** Slack user id, or cli:<user> */
  actor: string;
  command: string;
  /** what was done: "run", "approve_deletes", "delete bundle 123", … */
  action: string;
  target?: string;
  outcome: AuditOutcome;
  details?: string;
  errorId?: string;
}

/** A decision stamped on a record (who clicked what, when). */
export interface Decision {
  by: string;
  action: string;
  at: string;
  outcome: AuditOutcome;
  /** why, when the decider gave a reason (a rejection) */
  reason?: string;
}

/**
 * A record that waits for someone: a sync plan, a share request, an unshare. Its `state` moves only
 * through `Collection.transition`, which is what makes buttons idempotent.
 */
export interface PendingRecord<T = unknown> {
  id: string;
  kind: string;
  state: string;
  requestedBy: string;
  createdAt: string;
  expiresAt?: string;
  fingerprint?: string;
  channel?: string;
  ts?: string;
  decisions: Decision[];
  data: T;
}

/** A scheduled task: digest, sync or export. */
export interface ScheduleRecord<T = unknown> {
  id: string;
  kind: string;
  spec: string;
  tz: string;
  channel?: string;
  createdBy: string;
  createdAt: string;
  lastRunAt?: string;
  data: T;
}

/** Something followed over time: a clip job, a share, an export run. */
export interface JobRecord<T = unknown> {
  id: string;
  kind: string;
  state: string;
  createdAt: string;
  updatedAt: string;
  channel?: string;
  ts?: string;
  data: T;
}

const AUDIT_MAX = 5000;

export class AuditLog {
  constructor(
    private readonly entries: Collection<AuditEntry>,
    private readonly clock: Clock,
    private readonly newId: (prefix: string) => string,
  ) {}

  /**
   * Appends an entry. With `id`, at most once: a resumed run re-records what an interrupted run did
   * without doubling what that run had already recorded.
   */
  append(entry: Omit<AuditEntry, 'id' | 'at'>, id?: string): AuditEntry {
    const existing = id === undefined ? undefined : this.entries.get(id);
    if (existing) return existing;
    // What users typed can carry credentials (`--to ftp://user:pass@…`): never into the audit log.
    const clean = Object.fromEntries(
      Object.entries(entry).map(([k, v]) => [k, typeof v === 'string' ? maskSecrets(v) : v]),
    ) as Omit<AuditEntry, 'id' | 'at'>;
    const full: AuditEntry = { id: id ?? this.newId('a'), at: this.clock.now().toISOString(), ...clean };
    this.entries.insert(full);
    this.entries.trim(AUDIT_MAX);
    return full;
  }

  latest(limit: number): AuditEntry[] {
    return this.entries.all().slice(-limit).reverse();
  }
}

export interface Repositories {
  audit: AuditLog;
  pending: Collection<PendingRecord>;
  schedules: Collection<ScheduleRecord>;
  jobs: Collection<JobRecord>;
}

export function createRepositories(
  store: Store,
  clock: Clock,
  newId: (prefix: string) => string,
): Repositories {
  return {
    audit: new AuditLog(store.collection<AuditEntry>('audit'), clock, newId),
    pending: store.collection<PendingRecord>('pending'),
    schedules: store.collection<ScheduleRecord>('schedules'),
    jobs: store.collection<JobRecord>('jobs'),
  };
}
