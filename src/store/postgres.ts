import type pg from 'pg';
import {
  DatabaseUnavailableError,
  describeUrl,
  isConnectionError,
  openPool,
  type PostgresConnection,
} from '../db/postgres.js';
import { type Journal, JournalEntries, type JournalEntry } from './journal.js';
import type { StoredRecord } from './schema.js';
import { Collection, journalNameOk, markChanged, type Store } from './store.js';

/**
 * The state in PostgreSQL, for two or more replicas on one database (`BRIGHTCOVE_OPS_DATABASE_URL`).
 *
 * Like the file store, each process keeps the working set in memory (reads and plain writes stay
 * synchronous) and writes changes soon after, record by record. Every write runs under one advisory
 * transaction lock and stamps the rows it writes with the next value of one sequence (`rev`), so
 * revisions commit in order and a replica catches up with `rev > last seen` (polled every
 * POLL_MS); removals are tombstones so they travel the same way. A `transaction` (a button claim)
 * takes the lock, catches up, runs its synchronous step on the fresh records, writes, commits:
 * two replicas can never both claim one phase.
 *
 * One table per collection that is queried (pending, jobs, schedules, audit), with the fields an
 * operator filters on as generated columns and the record whole as `jsonb`; the other collections
 * (cursors, notices, checkpoints) share `bcops_records`. Journals (intents before effects) are rows of
 * `bcops_journal`, durable before `markIntent` resolves.
 */
const POLL_MS = 200;
const RETRY_MS = 1_000;
/** The newest audit entries kept in memory (all stay in the table). */
const AUDIT_IN_MEMORY = 5_000;
/** Tombstones older than this are purged at start (a replica catches up within POLL_MS). */
const TOMBSTONE_DAYS = 7;
const LOCK = `pg_advisory_xact_lock(hashtext('brightcove_ops:state'))`;

/** The tables of the collections that have their own (generated columns: what operators query). */
const OWN_TABLES: Record<string, { table: string; columns: string }> = {
  pending: {
    table: 'bcops_pending',
    columns: `kind text GENERATED ALWAYS AS (data->>'kind') STORED,
  state text GENERATED ALWAYS AS (data->>'state') STORED,
  requested_by text GENERATED ALWAYS AS (data->>'requestedBy') STORED,
  expires_at text GENERATED ALWAYS AS (data->>'expiresAt') STORED,
  account text GENERATED ALWAYS AS (${ACCOUNT_OF()}) STORED`,
  },
  jobs: {
    table: 'bcops_jobs',
    columns: `kind text GENERATED ALWAYS AS (data->>'kind') STORED,
  state text GENERATED ALWAYS AS (data->>'state') STORED,
  updated_at text GENERATED ALWAYS AS (data->>'updatedAt') STORED,
  account text GENERATED ALWAYS AS (${ACCOUNT_OF()}) STORED`,
  },
  schedules: {
    table: 'bcops_schedules',
    columns: `kind text GENERATED ALWAYS AS (data->>'kind') STORED,
  created_by text GENERATED ALWAYS AS (data->>'createdBy') STORED,
  last_run_at text GENERATED ALWAYS AS (data->>'lastRunAt') STORED`,
  },
  audit: {
    table: 'bcops_audit',
    columns: `at text GENERATED ALWAYS AS (data->>'at') STORED,
  actor text GENERATED ALWAYS AS (data->>'actor') STORED,
  command text GENERATED ALWAYS AS (data->>'command') STORED,
  outcome text GENERATED ALWAYS AS (data->>'outcome') STORED`,
  },
};
const SHARED_TABLE = 'bcops_records';

/** The account a pending record or job is about: `data.account.id`, `data.account` or `data.master`. */
function ACCOUNT_OF(): string {
  return `coalesce(data->'data'->'account'->>'id', data->'data'->>'master',
    CASE WHEN jsonb_typeof(data->'data'->'account') = 'string' THEN data->'data'->>'account' END)`;
}

/** migrations[n] upgrades schema version n to n + 1; applied in order at start, under the lock. */
const MIGRATIONS: string[] = [
  `CREATE SEQUENCE bcops_rev;
${Object.values(OWN_TABLES)
  .map(
    ({ table, columns }) => `CREATE TABLE ${table} (
  id text PRIMARY KEY,
  rev bigint NOT NULL,
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL,
  ${columns}
);
CREATE INDEX ${table}_rev ON ${table} (rev);`,
  )
  .join('\n')}
CREATE INDEX bcops_pending_state ON bcops_pending (state, expires_at);
CREATE INDEX bcops_jobs_state ON bcops_jobs (state);
CREATE INDEX bcops_audit_at ON bcops_audit (at);
CREATE TABLE ${SHARED_TABLE} (
  collection text NOT NULL,
  id text NOT NULL,
  rev bigint NOT NULL,
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE INDEX ${SHARED_TABLE}_rev ON ${SHARED_TABLE} (rev);
CREATE TABLE bcops_journal (
  name text NOT NULL,
  key text NOT NULL,
  intent boolean NOT NULL DEFAULT false,
  done jsonb,
  PRIMARY KEY (name, key)
);`,
];
export const STATE_SCHEMA_VERSION = MIGRATIONS.length;

/** The state database refuses to start: it was written by a newer version of the app. */
class NewerSchemaError extends Error {
  override readonly name = 'NewerSchemaError';
}

interface ChangeRow {
  c: string;
  id: string;
  rev: string;
  deleted: boolean;
  data: StoredRecord;
}

/** Every table's rows as (collection, id, rev, deleted, data), for one UNION ALL. */
function unionOf(where: string): string {
  return [
    ...Object.entries(OWN_TABLES).map(
      ([c, { table }]) => `SELECT '${c}' AS c, id, rev, deleted, data FROM ${table} WHERE ${where}`,
    ),
    `SELECT collection AS c, id, rev, deleted, data FROM ${SHARED_TABLE} WHERE ${where}`,
  ].join('\nUNION ALL\n');
}

type Snapshot = { rows: Map<string, StoredRecord[]>; dirty: Map<string, Set<string>> };

export class PgStore implements Store {
  readonly path = null;
  readonly keepsTrimmed = true;
  readonly description: string;
  writes = 0;
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #data = new Map<string, StoredRecord[]>();
  readonly #dirty = new Map<string, Set<string>>();
  readonly #journals = new Set<PgJournal>();
  /** Records trimmed from memory before they were written: written from here, then let go. */
  readonly #unwrittenTrimmed = new Map<string, Map<string, StoredRecord>>();
  #lastRev = 0n;
  /** Everything that talks to the database runs one at a time (a promise chain). */
  #chain: Promise<unknown> = Promise.resolve();
  #scheduled: Promise<void> | null = null;
  #writeError: unknown = null;
  #poller: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(pool: pg.Pool, url: string) {
    this.#pool = pool;
    this.#url = url;
    this.description = `PostgreSQL at ${describeUrl(url)}`;
  }

  /**
   * Connects, migrates the schema (idempotent, under the lock: replicas starting together on an empty
   * database all succeed) and loads the working set. A database that cannot be reached, or whose
   * schema is newer than this app, stops start-up with where it is and why.
   */
  static async open(c: PostgresConnection): Promise<PgStore> {
    const pool = openPool(c);
    const store = new PgStore(pool, c.url);
    try {
      await migrateSchema(pool, store.description);
      await store.#load();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw store.#explain(err);
    }
    store.#poller = setInterval(() => void store.#poll(), POLL_MS);
    store.#poller.unref();
    return store;
  }

  collection<T extends StoredRecord>(name: string): Collection<T> {
    return new Collection<T>(this, name);
  }

  collectionNames(): string[] {
    return [...this.#data.keys()];
  }

  async allRecords(name: string): Promise<readonly StoredRecord[]> {
    await this.flush();
    const own = OWN_TABLES[name];
    const { rows } = own
      ? await this.#query<{ data: StoredRecord }>(
          `SELECT data FROM ${own.table} WHERE NOT deleted ORDER BY seq`,
        )
      : await this.#query<{ data: StoredRecord }>(
          `SELECT data FROM ${SHARED_TABLE} WHERE collection = $1 AND NOT deleted ORDER BY seq`,
          [name],
        );
    return rows.map((r) => r.data);
  }

  rows<T extends StoredRecord>(name: string): T[] {
    let rows = this.#data.get(name);
    if (!rows) {
      rows = [];
      this.#data.set(name, rows);
    }
    return rows as T[];
  }

  changed(collection: string, id: string): void {
    markChanged(this.#dirty, collection, id);
    this.#schedule();
  }

  /**
   * Trimmed records leave memory only: the table keeps them (the audit's history). One trimmed before
   * it was ever written is held until it is.
   */
  trimmed(collection: string, records: readonly StoredRecord[]): void {
    const dirty = this.#dirty.get(collection);
    const unwritten = records.filter((r) => dirty?.has(r.id));
    if (unwritten.length === 0) return;
    const held = this.#unwrittenTrimmed.get(collection) ?? new Map<string, StoredRecord>();
    this.#unwrittenTrimmed.set(collection, held);
    for (const r of unwritten) held.set(r.id, r);
  }

  async journal(name: string): Promise<Journal> {
    journalNameOk(name);
    // `finished`: a result may be JSON null, which the driver reads back as the same null as "no result".
    const { rows } = await this.#query<{ key: string; intent: boolean; done: unknown; finished: boolean }>(
      'SELECT key, intent, done, done IS NOT NULL AS finished FROM bcops_journal WHERE name = $1',
      [name],
    );
    const entries = new JournalEntries();
    for (const r of rows) {
      if (r.intent) entries.intent(r.key);
      if (r.finished) entries.done(r.key, r.done);
    }
    const j = new PgJournal(
      this.#pool,
      name,
      entries,
      (e) => this.#explain(e),
      (done) => this.#journals.delete(done),
    );
    this.#journals.add(j);
    return j;
  }

  async journalNames(): Promise<string[]> {
    const { rows } = await this.#query<{ name: string }>('SELECT DISTINCT name FROM bcops_journal');
    return rows.map((r) => r.name);
  }

  async removeJournal(name: string): Promise<void> {
    for (const j of this.#journals)
      if (j.name === name) {
        await j.settle();
        this.#journals.delete(j);
      }
    await this.#query('DELETE FROM bcops_journal WHERE name = $1', [name]);
  }

  /**
   * Under the lock: catch up, run `fn` on the fresh records, write what changed, commit. When the
   * database fails part-way, what `fn` changed in memory is undone, so the claim did not happen here
   * either, and the caller hears "state store unavailable".
   */
  transaction<R>(fn: () => R): Promise<R> {
    return this.#exclusive(async () => {
      const client = await this.#connect().catch((err: unknown) => {
        throw this.#explain(err);
      });
      let before: Snapshot | null = null;
      try {
        await client.query('BEGIN');
        await client.query(`SELECT ${LOCK}`);
        await this.#pull(client);
        before = this.#snapshot();
        const result = fn();
        await this.#push(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (before) this.#restore(before);
        throw this.#explain(err);
      } finally {
        client.release();
      }
    });
  }

  async flush(): Promise<void> {
    while (this.#scheduled) await this.#scheduled;
    for (const j of this.#journals) await j.settle();
    if (this.#writeError) {
      const err = this.#writeError;
      this.#writeError = null;
      throw err;
    }
  }

  async writable(): Promise<boolean> {
    try {
      const { rows } = await this.#pool.query<{ ok: boolean }>('SELECT NOT pg_is_in_recovery() AS ok');
      return rows[0]?.ok === true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#poller) clearInterval(this.#poller);
    if (this.#retry) clearTimeout(this.#retry);
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      await this.#chain.catch(() => undefined);
      await this.#pool.end().catch(() => undefined);
    }
  }

  /** Runs `step` after everything queued before it (and before anything queued after). */
  #exclusive<R>(step: () => Promise<R>): Promise<R> {
    const run = this.#chain.then(step, step);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #connect(): Promise<pg.PoolClient> {
    if (this.#closed) throw new Error('the state store is closed');
    return this.#pool.connect();
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(sql, params);
    } catch (err) {
      throw this.#explain(err);
    }
  }

  /** A lost connection is the store being unavailable (a refusal: "try again"); anything else a bug. */
  #explain(err: unknown): unknown {
    if (err instanceof NewerSchemaError || err instanceof DatabaseUnavailableError) return err;
    if (isConnectionError(err))
      return new DatabaseUnavailableError('The state store', 'state', this.#url, err);
    return err;
  }

  async #load(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      // One snapshot: the rows and the revision they are current to.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows: top } = await client.query<{ rev: string | null }>(
        `SELECT max(rev)::text AS rev FROM (${unionOf('true')}) AS everything`,
      );
      const { rows: live } = await client.query<ChangeRow & { seq: string }>(
        `SELECT c, id, rev, deleted, data, seq FROM (
          ${[
            ...Object.entries(OWN_TABLES)
              .filter(([c]) => c !== 'audit')
              .map(
                ([c, { table }]) =>
                  `SELECT '${c}' AS c, id, rev, deleted, data, seq FROM ${table} WHERE NOT deleted`,
              ),
            `SELECT collection AS c, id, rev, deleted, data, seq FROM ${SHARED_TABLE} WHERE NOT deleted`,
            `(SELECT 'audit' AS c, id, rev, deleted, data, seq FROM ${OWN_TABLES.audit?.table}
              WHERE NOT deleted ORDER BY seq DESC LIMIT ${AUDIT_IN_MEMORY})`,
          ].join('\nUNION ALL\n')}
        ) AS live ORDER BY seq`,
      );
      await client.query('COMMIT');
      for (const r of live) this.rows(r.c).push(r.data);
      this.#lastRev = BigInt(top[0]?.rev ?? '0');
      await client.query(
        `DELETE FROM ${SHARED_TABLE} WHERE deleted AND changed_at < now() - interval '${TOMBSTONE_DAYS} days'`,
      );
      for (const { table } of Object.values(OWN_TABLES))
        await client.query(
          `DELETE FROM ${table} WHERE deleted AND changed_at < now() - interval '${TOMBSTONE_DAYS} days'`,
        );
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Takes what other replicas wrote since the last look; records changed here and not written yet win. */
  async #pull(client: pg.ClientBase): Promise<void> {
    const { rows } = await client.query<ChangeRow>(
      `SELECT c, id, rev::text AS rev, deleted, data FROM (${unionOf('rev > $1')}) AS changes ORDER BY rev`,
      [this.#lastRev.toString()],
    );
    for (const ch of rows) {
      const rev = BigInt(ch.rev);
      if (rev > this.#lastRev) this.#lastRev = rev;
      if (this.#dirty.get(ch.c)?.has(ch.id)) continue;
      const list = this.rows(ch.c);
      const i = list.findIndex((r) => r.id === ch.id);
      if (ch.deleted) {
        if (i >= 0) list.splice(i, 1);
      } else if (i >= 0) list[i] = ch.data;
      else list.push(ch.data);
    }
  }

  /** Writes the records changed here (upserts and tombstones), stamped with fresh revisions. */
  async #push(client: pg.ClientBase): Promise<void> {
    if (this.#dirty.size === 0) return;
    const dirty = new Map(this.#dirty);
    this.#dirty.clear();
    try {
      let top = this.#lastRev;
      for (const [c, ids] of dirty) {
        const present = new Map([
          ...(this.#unwrittenTrimmed.get(c) ?? []),
          ...this.rows(c).map((r) => [r.id, r] as const),
        ]);
        const upserts = [...ids].filter((id) => present.has(id));
        const removed = [...ids].filter((id) => !present.has(id));
        const own = OWN_TABLES[c];
        const revs: { rev: string }[] = [];
        if (upserts.length > 0) {
          const json = upserts.map((id) => JSON.stringify(present.get(id)));
          const { rows } = own
            ? await client.query<{ rev: string }>(
                `INSERT INTO ${own.table} AS t (id, rev, seq, data)
                 SELECT x.id, x.rev, x.rev, x.data::jsonb
                 FROM (SELECT id, data, nextval('bcops_rev') AS rev FROM unnest($1::text[], $2::text[]) AS u(id, data)) AS x
                 ON CONFLICT (id) DO UPDATE SET rev = EXCLUDED.rev, data = EXCLUDED.data, changed_at = now(),
                   seq = CASE WHEN t.deleted THEN EXCLUDED.seq ELSE t.seq END, deleted = false
                 RETURNING rev::text AS rev`,
                [upserts, json],
              )
            : await client.query<{ rev: string }>(
                `INSERT INTO ${SHARED_TABLE} AS t (collection, id, rev, seq, data)
                 SELECT $1, x.id, x.rev, x.rev, x.data::jsonb
                 FROM (SELECT id, data, nextval('bcops_rev') AS rev FROM unnest($2::text[], $3::text[]) AS u(id, data)) AS x
                 ON CONFLICT (collection, id) DO UPDATE SET rev = EXCLUDED.rev, data = EXCLUDED.data, changed_at = now(),
                   seq = CASE WHEN t.deleted THEN EXCLUDED.seq ELSE t.seq END, deleted = false
                 RETURNING rev::text AS rev`,
                [c, upserts, json],
              );
          revs.push(...rows);
        }
        if (removed.length > 0) {
          const { rows } = own
            ? await client.query<{ rev: string }>(
                `UPDATE ${own.table} SET deleted = true, rev = nextval('bcops_rev'), changed_at = now()
                 WHERE id = ANY($1::text[]) AND NOT deleted RETURNING rev::text AS rev`,
                [removed],
              )
            : await client.query<{ rev: string }>(
                `UPDATE ${SHARED_TABLE} SET deleted = true, rev = nextval('bcops_rev'), changed_at = now()
                 WHERE collection = $1 AND id = ANY($2::text[]) AND NOT deleted RETURNING rev::text AS rev`,
                [c, removed],
              );
          revs.push(...rows);
        }
        for (const { rev } of revs) if (BigInt(rev) > top) top = BigInt(rev);
      }
      // Under the lock, after a pull: nothing committed between the pull and these revisions.
      this.#lastRev = top;
      for (const c of dirty.keys()) this.#unwrittenTrimmed.delete(c);
      this.writes++;
    } catch (err) {
      this.#remark(dirty);
      throw err;
    }
  }

  #remark(dirty: Map<string, Set<string>>): void {
    for (const [c, ids] of dirty) for (const id of ids) markChanged(this.#dirty, c, id);
  }

  #snapshot(): Snapshot {
    return {
      rows: new Map([...this.#data].map(([c, rows]) => [c, rows.slice()])),
      dirty: new Map([...this.#dirty].map(([c, ids]) => [c, new Set(ids)])),
    };
  }

  #restore(s: Snapshot): void {
    for (const [c, rows] of this.#data) rows.splice(0, rows.length, ...(s.rows.get(c) ?? []));
    this.#dirty.clear();
    for (const [c, ids] of s.dirty) this.#dirty.set(c, ids);
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = (async () => {
      // Let the current burst of synchronous changes finish, then write them in one transaction.
      await new Promise((r) => setImmediate(r));
      this.#scheduled = null;
      try {
        await this.transaction(() => undefined);
        this.#writeError = null;
      } catch (err) {
        this.#writeError = err;
        // What was not written stays marked; it is tried again while the database is away.
        this.#retry ??= setTimeout(() => {
          this.#retry = null;
          if (this.#dirty.size > 0) this.#schedule();
        }, RETRY_MS);
        this.#retry.unref();
      }
    })();
  }

  async #poll(): Promise<void> {
    if (this.#closed || this.#scheduled) return;
    await this.#exclusive(async () => {
      if (this.#closed) return;
      const client = await this.#pool.connect();
      try {
        await this.#pull(client);
      } finally {
        client.release();
      }
    }).catch(() => undefined); // /healthz reports a database that is away; the next poll tries again
  }
}

/** Creates or upgrades the schema, once, under the lock; refuses a newer one. */
async function migrateSchema(pool: pg.Pool, description: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT ${LOCK}`);
    await client.query('CREATE TABLE IF NOT EXISTS bcops_schema (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM bcops_schema');
    let version = rows[0]?.version ?? 0;
    if (version > STATE_SCHEMA_VERSION) {
      throw new NewerSchemaError(
        `The state database (${description}) has schema version ${version}, newer than this app understands (${STATE_SCHEMA_VERSION}). Upgrade the app; it never downgrades a database.`,
      );
    }
    if (rows.length === 0) await client.query('INSERT INTO bcops_schema (version) VALUES (0)');
    for (; version < STATE_SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version] as string);
    await client.query('UPDATE bcops_schema SET version = $1', [version]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** A journal in `bcops_journal`: intents written (and committed) before they resolve. */
class PgJournal implements Journal {
  readonly #pending = new Set<Promise<void>>();
  readonly #known: JournalEntries;

  constructor(
    private readonly pool: pg.Pool,
    readonly name: string,
    known: JournalEntries,
    private readonly explain: (err: unknown) => unknown,
    /** the store lets go of a closed journal once its results are written */
    private readonly onClosed: (j: PgJournal) => void,
  ) {
    this.#known = known;
  }

  isDone(key: string): boolean {
    return this.#known.isDone(key);
  }

  result(key: string): unknown {
    return this.#known.result(key);
  }

  hasIntent(key: string): boolean {
    return this.#known.hasIntent(key);
  }

  size(): number {
    return this.#known.size();
  }

  entries(): JournalEntry[] {
    return this.#known.list();
  }

  async markIntent(key: string): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO bcops_journal (name, key, intent) VALUES ($1, $2, true)
         ON CONFLICT (name, key) DO UPDATE SET intent = true`,
        [this.name, key],
      );
    } catch (err) {
      throw this.explain(err);
    }
    this.#known.intent(key);
  }

  markDone(key: string, result: unknown): void {
    this.#known.done(key, result);
    const write = this.pool
      .query(
        `INSERT INTO bcops_journal (name, key, done) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (name, key) DO UPDATE SET done = EXCLUDED.done`,
        [this.name, key, JSON.stringify(result ?? null)],
      )
      .then(
        () => undefined,
        () => undefined, // a lost result costs a lookup on resume, never a duplicate (see Journal)
      );
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /** Resolves when the results marked so far are written (or given up). */
  async settle(): Promise<void> {
    await Promise.all(this.#pending);
  }

  close(): void {
    void this.settle().then(() => this.onClosed(this));
  }
}
