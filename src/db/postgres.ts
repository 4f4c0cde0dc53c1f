/**
 * What the app's PostgreSQL users share (the sync target, the export warehouse): the connection
 * settings in the config, the pool built from them, and how a database that cannot be reached is told
 * to a user: what it is, where it is (host, port, database: never the user or password), the reason.
 */
import pg from 'pg';
import { z } from 'zod';
import { RefusalError } from '../core/errors.js';

/** The connection keys of a `type: postgres` entry (spread into its strict schema). */
export const postgresConnectionShape = {
  url: z
    .string({ message: 'url is required: postgres://user:password@host:5432/database' })
    .regex(
      /^postgres(ql)?:\/\//,
      'url must start with postgres:// (e.g. postgres://user@host:5432/database)',
    ),
  pool_size: z.number().int().min(1).max(100).default(10),
  connect_timeout_ms: z.number().int().min(100).default(5_000),
  statement_timeout_ms: z.number().int().min(100).default(60_000),
};

export interface PostgresConnection {
  url: string;
  pool_size: number;
  connect_timeout_ms: number;
  statement_timeout_ms: number;
}

export function openPool(c: PostgresConnection): pg.Pool {
  const pool = new pg.Pool({
    connectionString: c.url,
    max: c.pool_size,
    connectionTimeoutMillis: c.connect_timeout_ms,
    statement_timeout: c.statement_timeout_ms,
    // A CLI run ends when its work does, not when idle connections time out.
    allowExitOnIdle: true,
  });
  // An idle client that loses its server emits here; without a listener the process would crash.
  pool.on('error', () => {});
  // So does a client in use when the server ends its connection (a failover, an administrator): the
  // query it runs fails and is handled there; the event itself must not take the process down.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Applies a schema (idempotent DDL, under its own advisory lock) the first time a caller needs it; a
 * failure (the server was down) is tried again by the next caller.
 */
export function schemaOnce(pool: pg.Pool, schema: string): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () =>
    (ready ??= pool.query(schema).then(
      () => undefined,
      (err: unknown) => {
        ready = undefined;
        throw err;
      },
    ));
}

/** `host:port/database` of a URL: where a database is, for messages (never the user or password). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

/**
 * The database cannot be reached: a refusal that says which one and where (not bad input, so no usage;
 * not a bug, so no error id and no stack trace).
 */
export class DatabaseUnavailableError extends RefusalError {
  override name = 'DatabaseUnavailableError';
  constructor(what: string, configKey: string, url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    // The state store's URL usually comes from the environment; the others' from the YAML file. What
    // fails on the state store is a whole transaction, rolled back: the user may simply try again.
    const [verb, advice] =
      configKey === 'state'
        ? [
            'unavailable',
            'Nothing was changed; try again in a moment. If it persists, check that the database is up and BRIGHTCOVE_OPS_DATABASE_URL (or state.url in brightcove-ops.yml).',
          ]
        : ['unreachable', `Check that the database is up and ${configKey}.url in brightcove-ops.yml.`];
    super(`${what} (PostgreSQL at ${describeUrl(url)}) is ${verb}: ${reason}. ${advice}`);
  }
}

/**
 * Whether an error means the server could not be reached or used (network, authentication, a missing
 * database, shutdown), as opposed to an SQL error, which is a bug or a conflict.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return false;
  const code = (err as { code?: unknown } | null)?.code;
  // SQLSTATE classes 08 (connection), 28 (authorization), 3D (no such database), 57P (shutdown).
  if (typeof code !== 'string') return true;
  return /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EHOSTUNREACH|08|28|3D|57P)/.test(code);
}
