import { Low } from 'lowdb';
import { MemoryAdapter, SecureJsonFile } from './file-adapter.js';
import { migrate, type StateData, type StoredRecord } from './schema.js';

/**
 * lowdb rewrites the whole file on every write, so changes are made in memory (synchronously, which
 * makes every compare-and-set atomic within the process) and flushed by one writer that coalesces
 * all changes made while the previous write was running.
 */
export class Store {
  readonly #db: Low<StateData>;
  #dirty = false;
  #writing: Promise<void> | null = null;
  #writeError: unknown = null;
  writes = 0;

  private constructor(db: Low<StateData>) {
    this.#db = db;
  }

  static async open(path: string | null): Promise<Store> {
    const adapter = path ? new SecureJsonFile<StateData>(path) : new MemoryAdapter<StateData>();
    const db = new Low<StateData>(adapter, { version: 1, collections: {} });
    await db.read();
    const before = db.data.version;
    db.data = migrate(db.data);
    const store = new Store(db);
    if (before !== db.data.version) store.#schedule();
    return store;
  }

  collection<T extends StoredRecord>(name: string): Collection<T> {
    return new Collection<T>(this, name);
  }

  /** @internal used by Collection */
  rows<T extends StoredRecord>(name: string): T[] {
    const c = this.#db.data.collections;
    c[name] ??= [];
    return c[name] as T[];
  }

  /** Marks the state changed; the write happens soon, coalesced with other changes. */
  changed(): void {
    this.#schedule();
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#writing) return;
    this.#writing = (async () => {
      // Let the current burst of synchronous changes finish before writing once.
      await new Promise((r) => setImmediate(r));
      while (this.#dirty) {
        this.#dirty = false;
        try {
          await this.#db.write();
          this.writes++;
        } catch (err) {
          this.#writeError = err;
        }
      }
      this.#writing = null;
    })();
  }

  /** Resolves when everything changed so far is on disk. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#writeError) {
      const err = this.#writeError;
      this.#writeError = null;
      throw err;
    }
  }

  /** For /healthz: can the state file be written right now? */
  async writable(): Promise<boolean> {
    try {
      this.#schedule();
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
    this.store.changed();
    return record;
  }

  upsert(record: T): T {
    const rows = this.store.rows<T>(this.name);
    const i = rows.findIndex((r) => r.id === record.id);
    if (i >= 0) rows[i] = record;
    else rows.push(record);
    this.store.changed();
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
    this.store.changed();
    return next;
  }

  /**
   * Atomic compare-and-set: applies `patch` only when `guard` holds for the current record.
   * This is what makes a button act once when two clicks arrive together.
   */
  transition(
    id: string,
    guard: (r: T) => boolean,
    patch: (r: T) => T,
  ): { ok: true; record: T } | { ok: false; record?: T } {
    const current = this.get(id);
    if (!current) return { ok: false };
    if (!guard(current)) return { ok: false, record: current };
    const record = this.update(id, patch) as T;
    return { ok: true, record };
  }

  remove(id: string): boolean {
    const rows = this.store.rows<T>(this.name);
    const i = rows.findIndex((r) => r.id === id);
    if (i < 0) return false;
    rows.splice(i, 1);
    this.store.changed();
    return true;
  }

  /** Keeps the newest `max` records (by insertion order): audit logs and caches must not grow forever. */
  trim(max: number): void {
    const rows = this.store.rows<T>(this.name);
    if (rows.length > max) {
      rows.splice(0, rows.length - max);
      this.store.changed();
    }
  }
}
