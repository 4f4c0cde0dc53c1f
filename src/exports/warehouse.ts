/**
 * The PostgreSQL export destination: the catalogue and the daily analytics as tables a BI tool reads,
 * instead of a folder of CSVs. Same rows as the CSV files, typed.
 *
 * - `brightcove_daily`, keyed by (account_id, video_id, date): one transaction per account-month.
 * - `brightcove_catalog`, keyed by (account_id, video_id): one transaction per account; it holds the
 *   account's last catalogue export (a video no longer in it is removed).
 *
 * Each transaction loads the rows into a temporary table, removes what the export no longer has and
 * upserts the rest, writing only rows whose values changed: a re-run or a resumed run leaves the
 * tables as they were, row versions included, and a reader sees the old month or the new, never half.
 */
import type pg from 'pg';
import { z } from 'zod';
import {
  DatabaseUnavailableError,
  describeUrl,
  isConnectionError,
  openPool,
  type PostgresConnection,
  postgresConnectionShape,
  schemaOnce,
} from '../db/postgres.js';
import type { CatalogRow } from './catalog.js';
import { DAILY_COLUMNS, type DailyRow } from './daily.js';
import type { DayRange } from './months.js';

/** `exports.destinations.<name>` of `type: postgres`. */
export const warehouseDestinationSchema = z.strictObject({
  type: z.literal('postgres'),
  ...postgresConnectionShape,
});

export const DAILY_TABLE = 'brightcove_daily';
export const CATALOG_TABLE = 'brightcove_catalog';

const DAILY_TYPES = {
  date: 'date',
  account: 'text',
  account_id: 'text',
  video_id: 'text',
  video_name: 'text',
  views: 'bigint',
  impressions: 'bigint',
  play_rate: 'double precision',
  engagement_score: 'double precision',
  retention_25: 'double precision',
  retention_50: 'double precision',
  retention_75: 'double precision',
  retention_100: 'double precision',
  percent_viewed: 'double precision',
  seconds_viewed: 'double precision',
  views_desktop: 'bigint',
  views_mobile: 'bigint',
  views_tablet: 'bigint',
  views_tv: 'bigint',
  views_other: 'bigint',
  browser_chrome: 'bigint',
  browser_edge: 'bigint',
  browser_firefox: 'bigint',
  browser_ie: 'bigint',
  browser_opera: 'bigint',
  browser_safari: 'bigint',
  browser_other: 'bigint',
} as const satisfies Record<keyof DailyRow, string>;

/** Columns added after the first release of the table: tables created before gain them at start. */
const ADDED_DAILY_COLUMNS: readonly (keyof typeof DAILY_TYPES)[] = [
  'views_tv',
  ...DAILY_COLUMNS.filter((c) => c.startsWith('browser_')),
];

const CATALOG_TYPES = {
  account_id: 'text',
  video_id: 'text',
  name: 'text',
  reference_id: 'text',
  duration_ms: 'bigint',
  created_at: 'timestamptz',
  published_at: 'timestamptz',
  state: 'text',
  tags: 'text[]',
  custom_fields: 'jsonb',
} as const;

const columns = (types: Record<string, string>) =>
  Object.entries(types)
    .map(([c, t]) => `${c} ${t}`)
    .join(', ');

const SCHEMA = `
SELECT pg_advisory_xact_lock(hashtext('brightcove_ops:exports'));
CREATE TABLE IF NOT EXISTS ${DAILY_TABLE} (${columns(DAILY_TYPES)},
  exported_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account_id, video_id, date));
CREATE INDEX IF NOT EXISTS ${DAILY_TABLE}_date ON ${DAILY_TABLE} (date);
${ADDED_DAILY_COLUMNS.map((c) => `ALTER TABLE ${DAILY_TABLE} ADD COLUMN IF NOT EXISTS ${c} ${DAILY_TYPES[c]};`).join('\n')}
CREATE TABLE IF NOT EXISTS ${CATALOG_TABLE} (${columns(CATALOG_TYPES)},
  exported_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account_id, video_id));
`;

/** Rows go to the server in chunks: a month of a large account is millions of rows. */
const CHUNK = 5_000;

/** Where an export writes tables; `runExport` calls it instead of writing files. */
export interface TableWriter {
  /** what to tell users: e.g. "PostgreSQL db.internal:5432/video" */
  readonly where: string;
  writeDaily(accountId: string, range: DayRange, rows: readonly DailyRow[]): Promise<void>;
  writeCatalog(accountId: string, rows: readonly CatalogRow[]): Promise<void>;
  close(): Promise<void>;
}

export class PostgresWarehouse implements TableWriter {
  readonly #pool: pg.Pool;
  readonly #ready: () => Promise<void>;

  constructor(
    private readonly name: string,
    private readonly connection: PostgresConnection,
  ) {
    this.#pool = openPool(connection);
    this.#ready = schemaOnce(this.#pool, SCHEMA);
  }

  get where(): string {
    return `PostgreSQL ${describeUrl(this.connection.url)}`;
  }

  writeDaily(accountId: string, range: DayRange, rows: readonly DailyRow[]): Promise<void> {
    const names = Object.keys(DAILY_TYPES);
    return this.#replace({
      table: DAILY_TABLE,
      types: DAILY_TYPES,
      key: ['account_id', 'video_id', 'date'],
      rows: rows.map((r) => names.map((c) => r[c as keyof DailyRow])),
      scope: {
        where: 'account_id = $1 AND date BETWEEN $2 AND $3',
        values: [accountId, range.from, range.to],
      },
    });
  }

  writeCatalog(accountId: string, rows: readonly CatalogRow[]): Promise<void> {
    return this.#replace({
      table: CATALOG_TABLE,
      types: CATALOG_TYPES,
      key: ['account_id', 'video_id'],
      rows: rows.map((r) => [
        r.account_id,
        r.id,
        r.name,
        r.reference_id,
        r.duration,
        r.created_at,
        r.published_at,
        r.state,
        r.tags,
        JSON.stringify(r.custom),
      ]),
      scope: { where: 'account_id = $1', values: [accountId] },
    });
  }

  /**
   * In one transaction: the rows into a temporary table, then the scope's rows the export no longer
   * has deleted, and the rest upserted where a value differs.
   */
  async #replace(job: {
    table: string;
    types: Record<string, string>;
    key: string[];
    rows: unknown[][];
    scope: { where: string; values: unknown[] };
  }): Promise<void> {
    const names = Object.keys(job.types);
    const client = await this.#connect();
    try {
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE incoming (${columns(job.types)}) ON COMMIT DROP`);
      for (let i = 0; i < job.rows.length; i += CHUNK) {
        const chunk = job.rows.slice(i, i + CHUNK);
        // One array parameter per column: a chunk is one statement whatever its size.
        const params = names.map((_, c) => chunk.map((r) => r[c] ?? null));
        const unnest = names
          .map((n, c) => `$${c + 1}::${job.types[n] === 'text[]' ? 'text' : job.types[n]}[]`)
          .join(', ');
        if (job.types.tags === 'text[]') {
          // unnest flattens arrays of arrays: tags go as JSON text and come back as text[]
          const t = names.indexOf('tags');
          params[t] = chunk.map((r) => JSON.stringify(r[t] ?? []));
          await client.query(
            `INSERT INTO incoming (${names.join(', ')}) SELECT ${names
              .map((n) =>
                n === 'tags' ? `ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb))` : `u.${n}`,
              )
              .join(', ')} FROM unnest(${unnest}) AS u(${names.join(', ')})`,
            params,
          );
        } else {
          await client.query(
            `INSERT INTO incoming (${names.join(', ')}) SELECT * FROM unnest(${unnest})`,
            params,
          );
        }
      }
      const keys = job.key.join(', ');
      await client.query(
        `DELETE FROM ${job.table} AS t WHERE ${job.scope.where.replaceAll(/\b(account_id|date)\b/g, 't.$1')}
         AND NOT EXISTS (SELECT 1 FROM incoming i WHERE ${job.key.map((k) => `i.${k} = t.${k}`).join(' AND ')})`,
        job.scope.values,
      );
      const values = names.filter((n) => !job.key.includes(n));
      await client.query(
        `INSERT INTO ${job.table} AS t (${names.join(', ')}) SELECT ${names.join(', ')} FROM incoming
         ON CONFLICT (${keys}) DO UPDATE SET ${values.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}, exported_at = now()
         WHERE (${values.map((n) => `t.${n}`).join(', ')}) IS DISTINCT FROM (${values.map((n) => `EXCLUDED.${n}`).join(', ')})`,
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.#unavailable(err);
    } finally {
      client.release();
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      await this.#ready();
      return await this.#pool.connect();
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  #unavailable(err: unknown): unknown {
    return isConnectionError(err)
      ? new DatabaseUnavailableError(
          `Export destination ${this.name}`,
          `exports.destinations.${this.name}`,
          this.connection.url,
          err,
        )
      : err;
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
