import DataLoader from 'dataloader';
import type pg from 'pg';
import { DatabaseUnavailableError, isConnectionError, openPool, schemaOnce } from '../../../db/postgres.js';
import { type MetadataLimits, OWNER_KEY } from '../../metadata.js';
import {
  type CreateRequest,
  type DeleteRequest,
  type RecordNoun,
  type SearchHit,
  type SyncTarget,
  sameData,
  TargetConflictError,
  type TargetPage,
  type UpdateRequest,
} from '../../target.js';
import type { TargetRecord } from '../../types.js';
import type { PostgresTargetConfig } from './config.js';

/**
 * A `brightcove_videos` table in PostgreSQL: the library as rows a BI tool or an app can query, with a
 * full-text index over name, description and tags (the "searchable library" the Clarify index was).
 *
 * Rows are keyed by (account_id, video_id), so a replayed create can never duplicate a video. Writes
 * are batched: Apply keeps many items in flight and the creates (or updates) that arrive in one turn
 * of the event loop go out as one `INSERT … ON CONFLICT` (or one `UPDATE … FROM`), up to 500 a
 * statement. Deletes are soft by default (`deleted_at` set, the row kept for history and BI);
 * `hard_delete: true` removes the row.
 */
const TABLE = 'brightcove_videos';

/** Text and jsonb hold far more than any video carries; these only keep one row under a few MB. */
const LIMITS: MetadataLimits = {
  stringMax: 100_000,
  arrayStringMax: 10_000,
  maxKeys: 1_000,
  maxJson: 4_000_000,
  nameMax: 10_000,
};

const PAGE_SIZE = 1000;
const MAX_BATCH = 500;

/**
 * The schema, applied once per process under an advisory lock (two replicas starting together must not
 * race on CREATE). Columns are the mapped metadata users query; the whole of it stays in `metadata`.
 * `english` stemming: a search for "interviews" finds "interview".
 */
const SCHEMA = `
SELECT pg_advisory_xact_lock(hashtext('brightcove_ops:${TABLE}'));
CREATE TABLE IF NOT EXISTS ${TABLE} (
  account_id text NOT NULL,
  video_id text NOT NULL,
  name text NOT NULL,
  description text,
  long_description text,
  reference_id text,
  state text,
  tags text NOT NULL DEFAULT '',
  metadata jsonb NOT NULL,
  media_url text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A') ||
    setweight(to_tsvector('english', tags), 'A') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(long_description, '')), 'C')
  ) STORED,
  PRIMARY KEY (account_id, video_id)
);
CREATE INDEX IF NOT EXISTS ${TABLE}_search ON ${TABLE} USING gin (search);
CREATE INDEX IF NOT EXISTS ${TABLE}_video ON ${TABLE} (video_id);
`;

/** The columns derived from the mapped metadata, as SQL over the batch's `x.metadata`. */
const DERIVED = `
  x.metadata->>'description',
  x.metadata->>'long_description',
  x.metadata->>'reference_id',
  x.metadata->>'state',
  CASE WHEN jsonb_typeof(x.metadata->'tags') = 'array'
    THEN array_to_string(ARRAY(SELECT jsonb_array_elements_text(x.metadata->'tags')), ' ') ELSE '' END`;

interface Row {
  account_id: string;
  video_id: string;
  name: string;
  metadata: Record<string, unknown>;
  version: number;
}

const recordId = (account: string, videoId: string) => `${account}:${videoId}`;

function parseId(id: string): { account: string; videoId: string } {
  const at = id.indexOf(':');
  return { account: id.slice(0, at), videoId: id.slice(at + 1) };
}

function toRecord(r: Row): TargetRecord {
  return {
    id: recordId(r.account_id, r.video_id),
    videoId: r.video_id,
    name: r.name,
    version: r.version,
    metadata: r.metadata as TargetRecord['metadata'],
    metadataVersion: r.version,
  };
}

function ownerOf(metadata: Record<string, unknown>): string {
  const owner = metadata[OWNER_KEY];
  // The sync service writes the owner into every record it plans; a record without one has no key.
  if (typeof owner !== 'string' || !owner)
    throw new Error(`metadata has no ${OWNER_KEY}: cannot key the row`);
  return owner;
}

export class PostgresTarget implements SyncTarget {
  readonly noun: RecordNoun = { one: 'row', many: 'rows' };
  readonly limits = LIMITS;
  readonly applyConcurrency = 64;
  /** batched write statements sent and the rows they carried (the bench's rows per statement) */
  readonly writes = { statements: 0, rows: 0 };
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #hardDelete: boolean;
  readonly #ready: () => Promise<void>;
  readonly #creates: DataLoader<CreateRequest, { id: string }>;
  readonly #updates: DataLoader<UpdateRequest, 'updated' | 'unchanged'>;

  constructor(
    readonly name: string,
    config: PostgresTargetConfig,
  ) {
    this.#url = config.url;
    this.#hardDelete = config.hard_delete;
    this.#pool = openPool(config);
    this.#ready = schemaOnce(this.#pool, SCHEMA);
    const batching = { cache: false, maxBatchSize: MAX_BATCH } as const;
    this.#creates = new DataLoader((reqs) => this.#createBatch(reqs), batching);
    this.#updates = new DataLoader((reqs) => this.#updateBatch(reqs), batching);
  }

  /** Runs a statement once the schema is in place; a connection failure names the target, never the password. */
  async #query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      await this.#ready();
      return await this.#pool.query<R>(text, values);
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  #unavailable(err: unknown): unknown {
    return isConnectionError(err)
      ? new DatabaseUnavailableError(`Sync target ${this.name}`, `sync.targets.${this.name}`, this.#url, err)
      : err;
  }

  /** Only `owner`'s rows when given: every row names its account, so a sync never reads another's. */
  async *pages(owner?: string): AsyncIterable<TargetPage> {
    const mine = owner ?? null;
    const total = Number(
      (
        await this.#query<{ n: string }>(
          `SELECT count(*) AS n FROM ${TABLE} WHERE deleted_at IS NULL AND ($1::text IS NULL OR account_id = $1)`,
          [mine],
        )
      ).rows[0]?.n ?? 0,
    );
    // Keyset pagination: each page starts after the last key of the one before (no OFFSET scans).
    let after: [string, string] = ['', ''];
    for (;;) {
      const { rows } = await this.#query<Row>(
        `SELECT account_id, video_id, name, metadata, version FROM ${TABLE}
         WHERE deleted_at IS NULL AND ($3::text IS NULL OR account_id = $3) AND (account_id, video_id) > ($1, $2)
         ORDER BY account_id, video_id LIMIT ${PAGE_SIZE}`,
        [...after, mine],
      );
      if (rows.length > 0) yield { records: rows.map(toRecord), total };
      const last = rows.at(-1);
      if (!last || rows.length < PAGE_SIZE) return;
      after = [last.account_id, last.video_id];
    }
  }

  async findByVideoId(videoId: string): Promise<TargetRecord[]> {
    const { rows } = await this.#query<Row>(
      `SELECT account_id, video_id, name, metadata, version FROM ${TABLE}
       WHERE video_id = $1 AND deleted_at IS NULL ORDER BY account_id`,
      [videoId],
    );
    return rows.map(toRecord);
  }

  create(req: CreateRequest): Promise<{ id: string }> {
    return this.#creates.load(req);
  }

  update(req: UpdateRequest): Promise<'updated' | 'unchanged'> {
    return this.#updates.load(req);
  }

  /**
   * One upsert for the batch. A row that is there already (a create replayed after a crash, or a
   * soft-deleted video that came back) is overwritten with what the plan says and made live again.
   */
  async #createBatch(reqs: readonly CreateRequest[]): Promise<Array<{ id: string } | Error>> {
    const items: Array<{ id: string } | Error> = [];
    const rows: Array<Record<string, unknown>> = [];
    // The last of two creates of one key in a batch wins; both resolve to the same row.
    for (const r of reqs) {
      try {
        const account = ownerOf(r.metadata);
        rows.push({
          account_id: account,
          video_id: r.videoId,
          name: r.name,
          metadata: r.metadata,
          media_url: r.mediaUrl,
        });
        items.push({ id: recordId(account, r.videoId) });
      } catch (err) {
        items.push(err as Error);
      }
    }
    const unique = [...new Map(rows.map((r) => [`${r.account_id}\0${r.video_id}`, r])).values()];
    if (unique.length === 0) return items;
    this.writes.statements++;
    this.writes.rows += unique.length;
    try {
      await this.#query(
        `INSERT INTO ${TABLE} AS t (account_id, video_id, name, metadata, media_url,
           description, long_description, reference_id, state, tags)
         SELECT x.account_id, x.video_id, x.name, x.metadata, x.media_url, ${DERIVED}
         FROM jsonb_to_recordset($1::jsonb) AS x(account_id text, video_id text, name text, metadata jsonb, media_url text)
         ON CONFLICT (account_id, video_id) DO UPDATE SET
           name = EXCLUDED.name, metadata = EXCLUDED.metadata, media_url = EXCLUDED.media_url,
           description = EXCLUDED.description, long_description = EXCLUDED.long_description,
           reference_id = EXCLUDED.reference_id, state = EXCLUDED.state, tags = EXCLUDED.tags,
           version = t.version + 1, updated_at = now(), deleted_at = NULL`,
        [JSON.stringify(unique)],
      );
    } catch (err) {
      return reqs.map(() => err as Error);
    }
    return items;
  }

  /**
   * One conditional update for the batch: a row changes only at the version the plan read. A row that
   * did not (someone wrote it since, or this update already ran before a crash) is looked at: holding
   * exactly the plan's data is 'unchanged', anything else a conflict the next plan resolves.
   */
  async #updateBatch(reqs: readonly UpdateRequest[]): Promise<Array<'updated' | 'unchanged' | Error>> {
    const keyed = reqs.map((r) => ({ ...parseId(r.id), req: r }));
    const rows = keyed.map(({ account, videoId, req }) => ({
      account_id: account,
      video_id: videoId,
      version: req.version,
      name: req.name ?? null,
      metadata: req.metadata,
    }));
    let changed: Set<string>;
    this.writes.statements++;
    this.writes.rows += rows.length;
    try {
      const { rows: done } = await this.#query<{ account_id: string; video_id: string }>(
        `UPDATE ${TABLE} AS t SET
           name = coalesce(x.name, t.name), metadata = x.metadata,
           description = d.description, long_description = d.long_description,
           reference_id = d.reference_id, state = d.state, tags = d.tags,
           version = t.version + 1, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(account_id text, video_id text, version int, name text, metadata jsonb),
         LATERAL (SELECT ${DERIVED}) AS d(description, long_description, reference_id, state, tags)
         WHERE t.account_id = x.account_id AND t.video_id = x.video_id
           AND t.version = x.version AND t.deleted_at IS NULL
         RETURNING t.account_id, t.video_id`,
        [JSON.stringify(rows)],
      );
      changed = new Set(done.map((d) => recordId(d.account_id, d.video_id)));
    } catch (err) {
      return reqs.map(() => err as Error);
    }
    return Promise.all(
      keyed.map(async ({ account, videoId, req }) => {
        if (changed.has(recordId(account, videoId))) return 'updated' as const;
        try {
          const { rows: now } = await this.#query<Row>(
            `SELECT account_id, video_id, name, metadata, version FROM ${TABLE}
             WHERE account_id = $1 AND video_id = $2 AND deleted_at IS NULL`,
            [account, videoId],
          );
          const row = now[0];
          const nameOk = req.name === undefined || row?.name === req.name;
          if (row && nameOk && sameData(row.metadata, req.metadata)) return 'unchanged' as const;
          return new TargetConflictError(
            row
              ? `row ${req.id} for video ${req.videoId} was changed by someone else since the plan was made`
              : `row ${req.id} for video ${req.videoId} was deleted since the plan was made`,
          );
        } catch (err) {
          return err as Error;
        }
      }),
    );
  }

  async delete(req: DeleteRequest): Promise<'deleted' | 'absent'> {
    const { account, videoId } = parseId(req.id);
    const { rowCount } = this.#hardDelete
      ? await this.#query(
          `DELETE FROM ${TABLE} WHERE account_id = $1 AND video_id = $2 AND deleted_at IS NULL`,
          [account, videoId],
        )
      : await this.#query(
          `UPDATE ${TABLE} SET deleted_at = now(), updated_at = now()
           WHERE account_id = $1 AND video_id = $2 AND deleted_at IS NULL`,
          [account, videoId],
        );
    return rowCount ? 'deleted' : 'absent';
  }

  /** The best matches for some words: name and tags weigh most, then description (`search` command). */
  async search(words: string, limit = 10): Promise<SearchHit[]> {
    const { rows } = await this.#query<SearchHit>(
      `SELECT account_id AS "accountId", video_id AS "videoId", name, description
       FROM ${TABLE}, websearch_to_tsquery('english', $1) AS q
       WHERE deleted_at IS NULL AND search @@ q
       ORDER BY ts_rank(search, q) DESC, name, video_id LIMIT $2`,
      [words, limit],
    );
    return rows;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
