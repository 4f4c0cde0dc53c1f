import { readdirSync } from 'node:fs';
import { LowSync } from 'lowdb';
import { FileLock, type FileStamp, MemoryAdapter, SecureJsonFile, sameStamp } from './file-adapter.js';
import { Journal } from './journal.js';
import { migrate, type StateData, type StoredRecord } from './schema.js';

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
export class Store {
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
  readonly #journals = new Map<string, Journal>();
  writes = 0;

  private constructor(db: LowSync<StateData>, file: SecureJsonFile<StateData> | null) {
    this.#db = db;
    this.#file = file;
    this.#lock = file ? new FileLock(`${file.path}.lock`) : null;
  }

  static async open(path: string | null): Promise<Store> {
    const file = path ? new SecureJsonFile<StateData>(path) : null;
    const db = new LowSync<StateData>(file ?? new MemoryAdapter<StateData>(), {
      version: 1,
      collections: {},
    });
    const store = new Store(db, file);
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

  /** The state file (null for an in-memory store). */
  get path(): string | null {
    return this.#file?.path ?? null;
  }

  /** Where journals live: `<state file>.journal/` (none for an in-memory store). */
  get #journalDir(): string | null {
    return this.#file ? `${this.#file.path}.journal` : null;
  }

  /**
   * The append-only journal `name` (one per run that mutates something outside: intents and results).
   * Opened once per store; in memory when the store is.
   */
  journal(name: string): Journal {
    if (!/^[a-z0-9_.-]+$/i.test(name)) throw new Error(`invalid journal name ${name}`);
    let j = this.#journals.get(name);
    if (!j) {
      j = Journal.open(this.#journalDir ? `${this.#journalDir}/${name}.jsonl` : null);
      this.#journals.set(name, j);
    }
    return j;
  }

  /** Names of the journals that exist (on disk, or opened in memory), for pruning. */
  journalNames(): string[] {
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

  removeJournal(name: string): void {
    this.journal(name).remove();
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
    const ids = this.#dirty.get(collection) ?? new Set<string>();
    this.#dirty.set(collection, ids);
    ids.add(id);
    this.#schedule();
  }

  /**
   * Runs `fn` on the freshest state, with no other process writing in between, and writes what it
   * changed before returning. What a button claim needs.
   */
  transaction<R>(fn: () => R): R {
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
   * fresh from the file under its lock and written before the lock is released. This is what makes
   * a button act once when two clicks arrive together, in one process or in two.
   */
  transition(
    id: string,
    guard: (r: T) => boolean,
    patch: (r: T) => T,
  ): { ok: true; record: T } | { ok: false; record?: T } {
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
      for (const r of rows.splice(0, rows.length - max)) this.store.changed(this.name, r.id);
    }
  }
}
