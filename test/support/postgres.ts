/**
 * A real PostgreSQL for the tests and benches: a throwaway cluster (`initdb` in a temporary folder)
 * on a free loopback port, started once per vitest run by the global setup below and stopped after it.
 * Each test file then creates its own database (`createTestDatabase`), so files run in parallel.
 *
 * Debian's PostgreSQL keeps its binaries under /usr/lib/postgresql/<version>/bin (not on PATH), and
 * `initdb` refuses to run as root: as root the cluster is created and run as the `postgres` user.
 * Where no server can be started the PostgreSQL tests skip with a notice, except under CI, where the
 * run fails instead: CI must never skip them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { PgStore } from '../../src/store/postgres.js';
import { FileStore, type Store } from '../../src/store/store.js';

const URL_ENV = 'BCOPS_TEST_DATABASE_URL';

function binDir(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'pg_ctl'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ThrowawayPostgres {
  url: string;
  stop(): void;
}

/** Starts a cluster; throws with the reason when it cannot. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  if (!bin) throw new Error('no PostgreSQL binaries (apt-get install postgresql, or set PG_BIN)');
  // Under /tmp itself: the run's TMPDIR is private to root, and the postgres user must reach the folder.
  const dir = mkdtempSync('/tmp/bcops-pg-');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = join(bin, cmd);
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
    const res = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (res.status !== 0)
      throw new Error(`${cmd} failed: ${(res.stderr || res.stdout || String(res.error)).trim()}`);
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  // Durability is not what these tests measure: no fsync keeps a 2-core box fast.
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** vitest global setup: one cluster for the run, its URL in the environment the test forks inherit. */
export default async function setup(): Promise<() => void> {
  if (process.env[URL_ENV]) return () => {};
  try {
    const server = await startThrowawayPostgres();
    process.env[URL_ENV] = server.url;
    return () => server.stop();
  } catch (err) {
    if (process.env.CI)
      throw new Error(`CI needs a PostgreSQL server for its tests: ${(err as Error).message}`);
    console.warn(`\n[postgres] PostgreSQL tests will be SKIPPED: ${(err as Error).message}\n`);
    return () => {};
  }
}

/** The run's server, or undefined (the PostgreSQL tests then skip: `describe.skipIf(!pgUrl)`). */
export const pgUrl: string | undefined = process.env[URL_ENV];

/** A fresh database on the run's server for one test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!pgUrl) throw new Error('no PostgreSQL server for this run');
  const name = `bcops_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = pgUrl.replace(/\/postgres$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * The store a test app runs on: in memory, or, when the run sets BCOPS_TEST_STORE=postgres (the
 * `e2e-postgres` project), PostgreSQL in a fresh database, so the same tests cover both stores.
 */
export async function openTestStore(
  kind?: 'postgres',
): Promise<{ store: Store; url?: string; drop(): Promise<void> }> {
  if (kind !== 'postgres' && process.env.BCOPS_TEST_STORE !== 'postgres')
    return { store: await FileStore.open(null), drop: async () => {} };
  const db = await createTestDatabase();
  const store = await PgStore.open({
    url: db.url,
    pool_size: 4,
    connect_timeout_ms: 5_000,
    statement_timeout_ms: 30_000,
  });
  return {
    store,
    url: db.url,
    async drop() {
      await store.close().catch(() => undefined);
      await db.drop();
    },
  };
}

/**
 * Ends every session of database `name` and renames it away, so connecting to it fails as if its server
 * were gone ("database … does not exist"); tries again when a pool reconnected in between.
 * `ALTER DATABASE <name>_away RENAME TO <name>` brings it back.
 */
export async function takeDatabaseAway(name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      await c.query(`ALTER DATABASE ${name} RENAME TO ${name}_away`);
      return;
    } catch (err) {
      if (attempt >= 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
    } finally {
      await c.end();
    }
  }
}
