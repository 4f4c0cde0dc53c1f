import { readdirSync } from 'node:fs';
import { LowSync } from 'lowdb';
import { FileLock, type FileStamp, MemoryAdapter, SecureJsonFile, sameStamp } from './file-adapter.js';
import { FileJournal, type Journal } from './journal.js';
import { migrate, type StateData, type StoredRecord } from './schema.js';

/**
 * Where the state lives, behind the repositories: a lowdb file (the embedded default, `FileStore`) or
 * PostgreSQL (`PgStore`, for replicas). Both keep the working set in memory, so reads and plain writes
 * are synchronous and cheap; both write changes soon after, record by record, merged with what other
 * processes wrote. What must be atomic across processes (a button claim, a cursor move) runs in
 * `transaction`: on the freshest state, with no other process writing in between, written before it
 * resolves.
 */
export interface Store {
  /** What and where it is, for /healthz and messages (never a password). */
  readonly description: string;
  /** The state file (null for an in-memory store or a database): the audit archive lives next to it. */
  readonly path: string | null;
  /**
   * True when records trimmed from memory stay stored (a database keeps every audit entry; a file
   * cannot grow forever, so its old entries go to the archive files).
   */
  readonly keepsTrimmed: boolean;
  /** How many writes reached the store (tests and benchmarks). */
  readonly writes: number;
  collection<T extends StoredRecord>(name: string): Collection<T>;
  /** The collections that hold records. */
  collectionNames(): string[];
  /** Every stored record of a collection, oldest first, including those trimmed from memory. */
  allRecords(name: string): Promise<readonly StoredRecord[]>;
  /** The append-only journal `name` of one run's intents and results, read fresh. */
  journal(name: string): Promise<Journal>;
  /** Names of the journals that exist, for pruning. */
  journalNames(): Promise<string[]>;
  removeJournal(name: string): Promise<void>;
  /** Runs `fn` on the freshest state, exclusively across processes, and writes what it changed. */
  transaction<R>(fn: () => R): Promise<R>;
  /** Resolves when everything changed so far is stored; rejects with the last write's error. */
  flush(): Promise<void>;
  /** For /healthz: can the store be written right now? */
  writable(): Promise<boolean>;
  /** Writes what is pending and lets go of files or connections. */
  close(): Promise<void>;
  /** @internal used by Collection: the live rows of one collection */
  rows<T extends StoredRecord>(name: string): T[];
  /** @internal Marks one record changed (present now = upsert, absent = removed). */
  changed(collection: string, id: string): void;
  /** @internal Records `trim` took out of memory (removed from a file; kept by a database). */
  trimmed(collection: string, records: readonly StoredRecord[]): void;
}

/** Marks `id` of `collection` changed in a store's map of records to write. */
export function markChanged(dirty: Map<string, Set<string>>, collection: string, id: string): void {
  const ids = dirty.get(collection) ?? new Set<string>();
  dirty.set(collection, ids);
  ids.add(id);
}

export function journalNameOk(name: string): void {
  if (!/^[a-z0-9_.-]+$/i.test(name)) throw new Error(`invalid journal name ${name}`);
}

/** How often reads look whether another process changed the file (a stat; a re-read only then). */
const REFRESH_MS = 50;

/**
 * The state, in lowdb. Changes are made in memory, synchronously, and written by one coalesced
 * write soon after. Several processes may share one file (the app and a cron'd CLI, two app
 * instances on one host), so every write is a transaction under a lock file: re-read the file if
 * another process wrote it since, lay this process's changed records over it (record by record:
 * nobody's insert or update is lost), write it back. A compare-and-set (`Collection.transition`)
 * runs entirely inside such a transaction, on the fresh records, so two processes can never both
 * claim one phase.
 */
export class FileStore implements Store {
  readonly #db: LowSync<StateData>;
  readonly #file: SecureJsonFile<StateData> | null;
  readonly #lock: FileLock | null;
  /** ids changed in memory since the last write, per collection (present now = upsert, absent = removed) */
  readonly #dirty = new Map<string, Set<string>>();
  /** the file as this process last read or wrote it */
  #stamp: FileStamp | null = null;
  #checkedAt = 0;
  #scheduled: Promise<void> | null = null;
  #writeError: unknown = null;
  readonly #journals = new Map<string, FileJournal>();
  writes = 0;

  private constructor(db: LowSync<StateData>, file: SecureJsonFile<StateData> | null) {
    this.#db = db;
    this.#file = file;
    this.#lock = file ? new FileLock(`${file.path}.lock`) : null;
  }

  readonly keepsTrimmed = false;

  static async open(path: string | null): Promise<FileStore> {
    const file = path ? new SecureJsonFile<StateData>(path) : null;
    const db = new LowSync<StateData>(file ?? new MemoryAdapter<StateData>(), {
      version: 1,
      collections: {},
    });
    const store = new FileStore(db, file);
    const write = store.#transaction(() => {
      store.#stamp = file?.stamp() ?? null;
      db.read();
      const before = db.data.version;
      db.data = migrate(db.data);
      return before !== db.data.version;
    });
    if (write) store.#markAll();
    return store;
  }

  collection<T extends StoredRecord>(name: string): Collection<T> {
    return new Collection<T>(this, name);
  }

  collectionNames(): string[] {
    return Object.keys(this.#db.data.collections);
  }

  /** A file keeps no trimmed records (the audit's are in its archive files). */
  async allRecords(name: string): Promise<readonly StoredRecord[]> {
    return this.rows(name);
  }

  get path(): string | null {
    return this.#file?.path ?? null;
  }

  get description(): string {
    return this.#file ? `state file ${this.#file.path}` : 'in-memory state';
  }

  /** Where journals live: `<state file>.journal/` (none for an in-memory store). */
  get #journalDir(): string | null {
    return this.#file ? `${this.#file.path}.journal` : null;
  }

  /**
   * The append-only journal `name` (one per run that mutates something outside: intents and results).
   * Opened once per store; in memory when the store is.
   */
  async journal(name: string): Promise<Journal> {
    return this.#journal(name);
  }

  #journal(name: string): FileJournal {
    journalNameOk(name);
    let j = this.#journals.get(name);
    if (!j) {
      j = FileJournal.open(this.#journalDir ? `${this.#journalDir}/${name}.jsonl` : null);
      this.#journals.set(name, j);
    }
    return j;
  }

  /** Names of the journals that exist (on disk, or opened in memory), for pruning. */
  async journalNames(): Promise<string[]> {
    const names = new Set(this.#journals.keys());
    const dir = this.#journalDir;
    if (dir) {
      try {
        for (const f of readdirSync(dir)) if (f.endsWith('.jsonl')) names.add(f.slice(0, -'.jsonl'.length));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return [...names];
  }

  async removeJournal(name: string): Promise<void> {
    this.#journal(name).remove();
    this.#journals.delete(name);
  }

  /** @internal used by Collection */
  rows<T extends StoredRecord>(name: string): T[] {
    this.#refreshSoon();
    const c = this.#db.data.collections;
    if (!Object.hasOwn(c, name)) c[name] = [];
    return c[name] as T[];
  }

  /** @internal Marks one record changed; the write happens soon, coalesced with other changes. */
  changed(collection: string, id: string): void {
    markChanged(this.#dirty, collection, id);
    this.#schedule();
  }

  trimmed(collection: string, records: readonly StoredRecord[]): void {
    for (const r of records) this.changed(collection, r.id);
  }

  /**
   * Runs `fn` on the freshest state, with no other process writing in between, and writes what it
   * changed before returning. What a button claim needs. (Synchronous under the file lock; a promise
   * for the interface a database needs.)
   */
  async transaction<R>(fn: () => R): Promise<R> {
    return this.#transaction(() => {
      this.#merge();
      const result = fn();
      this.#write();
      return result;
    });
  }

  #transaction<R>(fn: () => R): R {
    return this.#lock ? this.#lock.run(fn) : fn();
  }

  #markAll(): void {
    for (const [name, rows] of Object.entries(this.#db.data.collections))
      for (const r of rows) this.changed(name, r.id);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = (async () => {
      // Let the current burst of synchronous changes finish before writing once.
      await new Promise((r) => setImmediate(r));
      this.#scheduled = null;
      try {
        this.#transaction(() => {
          this.#merge();
          this.#write();
        });
      } catch (err) {
        this.#writeError = err;
      }
    })();
  }

  /** Another process wrote the file since we last saw it: take its records, keep our changed ones. */
  #merge(): void {
    if (!this.#file) return;
    const now = this.#file.stamp();
    if (now === null || sameStamp(now, this.#stamp)) return;
    const disk = migrate(this.#file.read());
    const mine = this.#db.data.collections;
    for (const [name, ids] of this.#dirty) {
      const ours = new Map((mine[name] ?? []).filter((r) => ids.has(r.id)).map((r) => [r.id, r]));
      const rows = Object.hasOwn(disk.collections, name) ? (disk.collections[name] as StoredRecord[]) : [];
      const merged: StoredRecord[] = [];
      for (const r of rows) {
        if (!ids.has(r.id)) merged.push(r);
        else if (ours.has(r.id)) {
          merged.push(ours.get(r.id)!);
          ours.delete(r.id);
        }
        // else: we removed it
      }
      merged.push(...ours.values());
      disk.collections[name] = merged;
    }
    this.#db.data = disk;
    this.#stamp = now;
  }

  #refreshSoon(): void {
    if (!this.#file || this.#dirty.size > 0) return;
    const t = Date.now();
    if (t - this.#checkedAt < REFRESH_MS) return;
    this.#checkedAt = t;
    // Without pending changes a fresh read needs no lock: writes are atomic renames.
    try {
      this.#merge();
    } catch (err) {
      this.#writeError = err;
    }
  }

  #write(): void {
    if (this.#dirty.size === 0) return;
    this.#db.write();
    this.#dirty.clear();
    this.#stamp = this.#file?.stamp() ?? null;
    this.writes++;
  }

  /** Resolves when everything changed so far is on disk. */
  async flush(): Promise<void> {
    while (this.#scheduled) await this.#scheduled;
    if (this.#writeError) {
      const err = this.#writeError;
      this.#writeError = null;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    for (const j of this.#journals.values()) j.close();
  }

  /** For /healthz: can the state file be written right now? */
  async writable(): Promise<boolean> {
    try {
      this.#transaction(() => {
        this.#merge();
        if (this.#file) this.#db.write();
        this.#dirty.clear();
        this.#stamp = this.#file?.stamp() ?? null;
      });
      await this.flush();
      return true;
    } catch {
      return false;
    }
  }
}

/** A typed view of one collection. Mutations are synchronous in memory, then flushed. */
export class Collection<T extends StoredRecord> {
  constructor(
    private readonly store: Store,
    readonly name: string,
  ) {}

  all(): readonly T[] {
    return this.store.rows<T>(this.name);
  }

  get(id: string): T | undefined {
    return this.all().find((r) => r.id === id);
  }

  find(pred: (r: T) => boolean): T[] {
    return this.all().filter(pred);
  }

  insert(record: T): T {
    const rows = this.store.rows<T>(this.name);
    if (rows.some((r) => r.id === record.id)) throw new Error(`${this.name}: duplicate id ${record.id}`);
    rows.push(record);
    this.store.changed(this.name, record.id);
    return record;
  }

  upsert(record: T): T {
    const rows = this.store.rows<T>(this.name);
    const i = rows.findIndex((r) => r.id === record.id);
    if (i >= 0) rows[i] = record;
    else rows.push(record);
    this.store.changed(this.name, record.id);
    return record;
  }

  /** Applies `fn` to the record and saves it; returns the new record, or undefined when absent. */
  update(id: string, fn: (r: T) => T): T | undefined {
    const rows = this.store.rows<T>(this.name);
    const i = rows.findIndex((r) => r.id === id);
    const current = rows[i];
    if (i < 0 || !current) return undefined;
    const next = fn(current);
    rows[i] = next;
    this.store.changed(this.name, id);
    return next;
  }

  /**
   * Atomic compare-and-set: applies `patch` only when `guard` holds for the current record, read
   * fresh from the store under its lock and written before the lock is released. This is what makes
   * a button act once when two clicks arrive together, in one process or in two.
   */
  transition(
    id: string,
    guard: (r: T) => boolean,
    patch: (r: T) => T,
  ): Promise<{ ok: true; record: T } | { ok: false; record?: T }> {
    return this.store.transaction(() => {
      const current = this.get(id);
      if (!current) return { ok: false };
      if (!guard(current)) return { ok: false, record: current };
      const record = this.update(id, patch) as T;
      return { ok: true, record };
    });
  }

  remove(id: string): boolean {
    const rows = this.store.rows<T>(this.name);
    const i = rows.findIndex((r) => r.id === id);
    if (i < 0) return false;
    rows.splice(i, 1);
    this.store.changed(this.name, id);
    return true;
  }

  /** Keeps the newest `max` records (by insertion order): audit logs and caches must not grow forever. */
  trim(max: number): void {
    const rows = this.store.rows<T>(this.name);
    if (rows.length > max) {
      this.store.trimmed(this.name, rows.splice(0, rows.length - max));
    }
  }
}
