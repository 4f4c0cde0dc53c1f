import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Lease } from '../core/lease.js';
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

/** Which entries `audit` shows; all fields optional (and together). */
export interface AuditFilter {
  actor?: string;
  command?: string;
  /** an account's alias and id: an entry matches when its target or details name either as a word */
  account?: { alias: string; id: string };
  /** ISO instants, inclusive */
  since?: string;
  until?: string;
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
  /** while a claimed request runs (an approved unshare): the replica running it */
  lease?: Lease;
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
  /** while it is followed: the replica following it (see LeasedWork) */
  lease?: Lease;
  data: T;
}

/** The audit entries a state file keeps (older ones go to its archive; a database keeps them all). */
export const AUDIT_MAX = 5000;

/** The month files of entries rotated out of the state file: `audit-archive/audit-YYYY-MM.jsonl`. */
const archiveFile = (dir: string, at: string) => join(dir, `audit-${at.slice(0, 7)}.jsonl`);

/** Where a state file's audit archive is: `audit-archive/` next to it. */
export function auditArchiveDir(statePath: string): string {
  return join(dirname(statePath), 'audit-archive');
}

/** Appends entries to their month files (the archive of a state file). */
export function archiveAuditEntries(dir: string, entries: readonly AuditEntry[]): void {
  if (entries.length === 0) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const byFile = new Map<string, string[]>();
  for (const e of entries) {
    const file = archiveFile(dir, e.at);
    byFile.set(file, [...(byFile.get(file) ?? []), JSON.stringify(e)]);
  }
  for (const [file, lines] of byFile) appendFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** Every archived entry, oldest file first, once per id (a crash mid-rotation can repeat a line). */
export function readAuditArchive(dir: string): AuditEntry[] {
  if (!existsSync(dir)) return [];
  const seen = new Set<string>();
  const out: AuditEntry[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => /^audit-\d{4}-\d{2}\.jsonl$/.test(n))
    .sort())
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as AuditEntry;
        if (!seen.has(e.id)) out.push(e);
        seen.add(e.id);
      } catch {
        // a torn last line: that append never completed
      }
    }
  return out;
}

function matches(e: AuditEntry, f: AuditFilter): boolean {
  if (f.actor !== undefined && e.actor !== f.actor) return false;
  if (f.command !== undefined && e.command !== f.command) return false;
  if (f.since !== undefined && e.at < f.since) return false;
  if (f.until !== undefined && e.at > f.until) return false;
  if (f.account) {
    const { alias, id } = f.account;
    const text = `${e.target ?? ''} ${e.details ?? ''} ${e.action}`;
    const word = (w: string) =>
      new RegExp(`(^|[^\\w-])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(text);
    if (!word(alias) && !word(id)) return false;
  }
  return true;
}

export class AuditLog {
  constructor(
    private readonly entries: Collection<AuditEntry>,
    private readonly clock: Clock,
    private readonly newId: (prefix: string) => string,
    /**
     * Where entries beyond the newest AUDIT_MAX go, one JSON line each in a file per month (null: an
     * in-memory store, whose log is as short-lived as it is). Nothing is ever dropped unwritten.
     */
    readonly archiveDir: string | null = null,
    /**
     * Every entry, when the store keeps those trimmed from memory (a database): what `search` reads
     * when the newest entries in memory do not answer a question.
     */
    private readonly history?: () => Promise<readonly AuditEntry[]>,
  ) {}

  /**
   * Appends an entry. With `id`, at most once: a resumed run re-records what an interrupted run did
   * without doubling what that run had already recorded.
   */
  /** Entries appended by this process, per actor and command (see `appendedBy`). */
  readonly #appended = new Map<string, number>();

  /**
   * How many entries this process has appended for `actor`'s `command` so far: compared before and
   * after a command runs, it tells whether the command audited what it did itself.
   */
  appendedBy(actor: string, command: string): number {
    return this.#appended.get(`${actor}\0${command}`) ?? 0;
  }

  append(entry: Omit<AuditEntry, 'id' | 'at'>, id?: string): AuditEntry {
    const existing = id === undefined ? undefined : this.entries.get(id);
    if (existing) return existing;
    const key = `${entry.actor}\0${entry.command}`;
    this.#appended.set(key, (this.#appended.get(key) ?? 0) + 1);
    // What users typed can carry credentials (`--to ftp://user:pass@…`): never into the audit log.
    const clean = Object.fromEntries(
      Object.entries(entry).map(([k, v]) => [k, typeof v === 'string' ? maskSecrets(v) : v]),
    ) as Omit<AuditEntry, 'id' | 'at'>;
    const full: AuditEntry = { id: id ?? this.newId('a'), at: this.clock.now().toISOString(), ...clean };
    this.entries.insert(full);
    this.#rotate();
    return full;
  }

  /**
   * The oldest entries beyond AUDIT_MAX move to the archive (written before they leave the state file:
   * a crash between the two repeats a line, which readers skip by id, and never loses one).
   */
  #rotate(): void {
    const all = this.entries.all();
    const over = all.length - AUDIT_MAX;
    if (over <= 0) return;
    if (this.archiveDir) archiveAuditEntries(this.archiveDir, all.slice(0, over));
    this.entries.trim(AUDIT_MAX);
  }

  latest(limit: number): AuditEntry[] {
    return this.entries.all().slice(-limit).reverse();
  }

  /** The newest entries that match, newest first, at most `limit`. */
  find(filter: AuditFilter, limit: number): AuditEntry[] {
    const out: AuditEntry[] = [];
    const all = this.entries.all();
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const e = all[i] as AuditEntry;
      if (matches(e, filter)) out.push(e);
    }
    return out;
  }

  /**
   * Like `find`, and on a database also among the entries older than memory's newest AUDIT_MAX (a
   * state file's are in its archive files instead).
   */
  async search(filter: AuditFilter, limit: number): Promise<AuditEntry[]> {
    const recent = this.find(filter, limit);
    if (recent.length >= limit || !this.history || this.entries.all().length < AUDIT_MAX) return recent;
    const all = await this.history();
    const out: AuditEntry[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const e = all[i] as AuditEntry;
      if (matches(e, filter)) out.push(e);
    }
    return out;
  }

  /** When the oldest entry still in the state file was written (older ones are in the archive). */
  oldest(): string | undefined {
    return this.entries.all()[0]?.at;
  }

  /** The archive's month files, oldest first (empty when nothing was rotated yet). */
  archives(): string[] {
    const dir = this.archiveDir;
    if (!dir || !existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /^audit-\d{4}-\d{2}\.jsonl$/.test(f))
      .sort()
      .map((f) => join(dir, f));
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
    audit: new AuditLog(
      store.collection<AuditEntry>('audit'),
      clock,
      newId,
      store.path && !store.keepsTrimmed ? auditArchiveDir(store.path) : null,
      store.keepsTrimmed ? async () => (await store.allRecords('audit')) as AuditEntry[] : undefined,
    ),
    pending: store.collection<PendingRecord>('pending'),
    schedules: store.collection<ScheduleRecord>('schedules'),
    jobs: store.collection<JobRecord>('jobs'),
  };
}
