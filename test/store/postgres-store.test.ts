import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DatabaseUnavailableError } from '../../src/db/postgres.js';
import { PgStore, STATE_SCHEMA_VERSION } from '../../src/store/postgres.js';
import { createRepositories, type PendingRecord } from '../../src/store/repositories.js';
import { createTestDatabase, pgUrl, takeDatabaseAway } from '../support/postgres.js';

interface Row {
  id: string;
  state: string;
}

/** The PostgreSQL state store against a real server: replicas, claims, journals, migrations, outages. */
describe.skipIf(!pgUrl)('PgStore', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const stores: PgStore[] = [];
  const open = async (url = db.url) => {
    const s = await PgStore.open({
      url,
      pool_size: 5,
      connect_timeout_ms: 2_000,
      statement_timeout_ms: 10_000,
    });
    stores.push(s);
    return s;
  };
  const admin = async <R extends pg.QueryResultRow>(sql: string, url = pgUrl as string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<R>(sql)).rows;
    } finally {
      await c.end();
    }
  };

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
    await db.drop();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  });

  it('replicas starting at once on an empty database all succeed, and share one schema', async () => {
    const all = await Promise.all([open(), open(), open(), open(), open()]);
    expect(all).toHaveLength(5);
    const [{ version }] = (await admin<{ version: number }>('SELECT version FROM bcops_schema', db.url)) as [
      { version: number },
    ];
    expect(version).toBe(STATE_SCHEMA_VERSION);
  });

  it('writes record by record; another replica sees inserts, updates and removals', async () => {
    const a = await open();
    const b = await open();
    a.collection<Row>('pending').insert({ id: 'p1', state: 'open' });
    a.collection<Row>('sync_cursors').insert({ id: 'c1', state: 'x' });
    a.collection<Row>('pending').insert({ id: 'p2', state: 'open' });
    await a.flush();
    await expect
      .poll(() =>
        b
          .collection<Row>('pending')
          .all()
          .map((r) => r.id),
      )
      .toEqual(['p1', 'p2']);
    expect(b.collection<Row>('sync_cursors').get('c1')?.state).toBe('x');
    b.collection<Row>('pending').update('p1', (r) => ({ ...r, state: 'closed' }));
    b.collection<Row>('pending').remove('p2');
    await b.flush();
    await expect.poll(() => a.collection<Row>('pending').all()).toEqual([{ id: 'p1', state: 'closed' }]);
    // The queried fields are columns; the record is whole in jsonb.
    expect(await admin('SELECT id, state, deleted FROM bcops_pending ORDER BY id', db.url)).toEqual([
      { id: 'p1', state: 'closed', deleted: false },
      { id: 'p2', state: 'open', deleted: true },
    ]);
    const fresh = await open();
    expect(fresh.collection<Row>('pending').all()).toEqual([{ id: 'p1', state: 'closed' }]);
  });

  it('20 concurrent claims split across two replicas: exactly one wins', async () => {
    const a = await open();
    const b = await open();
    a.collection<Row>('pending').insert({ id: 'plan', state: 'open' });
    await a.flush();
    const claim = (s: PgStore) =>
      s.collection<Row>('pending').transition(
        'plan',
        (r) => r.state === 'open',
        (r) => ({ ...r, state: 'running' }),
      );
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(i % 2 ? a : b)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => r.record?.state === 'running')).toBe(true);
  });

  it('journals: an intent is stored before markIntent resolves, and a replica reads it back', async () => {
    const a = await open();
    const j = await a.journal('plan_x');
    await j.markIntent('create:1');
    j.markDone('create:0', { outcome: 'created', recordId: 'r0' });
    j.markDone('delete:9', null); // a result of null is still a result
    await a.flush();
    const b = await open();
    const seen = await b.journal('plan_x');
    expect(seen.hasIntent('create:1')).toBe(true);
    expect(seen.isDone('create:1')).toBe(false);
    expect(seen.result('create:0')).toEqual({ outcome: 'created', recordId: 'r0' });
    expect(seen.isDone('delete:9')).toBe(true);
    expect(await b.journalNames()).toEqual(['plan_x']);
    await b.removeJournal('plan_x');
    expect(await a.journalNames()).toEqual([]);
  });

  it('keeps every audit entry in the table when memory keeps the newest', async () => {
    const s = await open();
    let n = 0;
    const repos = createRepositories(s, new ManualClock(), (p) => `${p}${String(++n).padStart(5, '0')}`);
    for (let i = 0; i < 5_010; i++)
      repos.audit.append({
        actor: i < 5 ? 'U0OLD' : 'U1',
        command: 'sync',
        action: `run ${i}`,
        outcome: 'ok',
      });
    await s.flush();
    expect(s.collection('audit').all()).toHaveLength(5_000);
    const [{ count }] = (await admin<{ count: string }>('SELECT count(*) FROM bcops_audit', db.url)) as [
      { count: string },
    ];
    expect(Number(count)).toBe(5_010);
    expect(repos.audit.archives()).toEqual([]);
    // The oldest are out of memory, not out of reach: `audit --user` finds them in the table.
    expect(repos.audit.find({ actor: 'U0OLD' }, 20)).toEqual([]);
    expect((await repos.audit.search({ actor: 'U0OLD' }, 20)).map((e) => e.action)).toEqual([
      'run 4',
      'run 3',
      'run 2',
      'run 1',
      'run 0',
    ]);
  });

  it('refuses a database of a newer schema version instead of downgrading it', async () => {
    await (await open()).close();
    await admin('UPDATE bcops_schema SET version = 99', db.url);
    await expect(open()).rejects.toThrow(
      new RegExp(`schema version 99, newer than this app understands \\(${STATE_SCHEMA_VERSION}\\)`),
    );
  });

  it('an unreachable or wrong URL says where (never the password) and why', async () => {
    const wrong = (pgUrl as string)
      .replace('postgres@', 'postgres:s3cret@')
      .replace(/\/postgres$/, '/nope_db');
    const err = await open(wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect((err as Error).message).toMatch(
      /PostgreSQL at 127\.0\.0\.1:\d+\/nope_db\) is unavailable: .*nope_db/,
    );
    expect((err as Error).message).not.toContain('s3cret');
    const closed = await open('postgres://u:s3cret@127.0.0.1:1/x').catch((e: unknown) => e);
    expect((closed as Error).message).toMatch(/127\.0\.0\.1:1\/x\) is unavailable: .*ECONNREFUSED/);
  });

  it('the database going away: a claim fails with "unavailable" and leaves nothing half-done, then works again', async () => {
    const s = await open();
    s.collection<Row>('pending').insert({ id: 'p', state: 'open' });
    await s.flush();
    const name = new URL(db.url).pathname.slice(1);
    await takeDatabaseAway(name);
    try {
      const claim = s.collection<Row>('pending').transition(
        'p',
        (r) => r.state === 'open',
        (r) => ({ ...r, state: 'running' }),
      );
      await expect(claim).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(claim).rejects.toThrow(/The state store \(PostgreSQL at .*\) is unavailable/);
      expect(s.collection<Row>('pending').get('p')?.state).toBe('open');
      expect(await s.writable()).toBe(false);
    } finally {
      await admin(`ALTER DATABASE ${name}_away RENAME TO ${name}`);
    }
    const again = await s.collection<Row>('pending').transition(
      'p',
      (r) => r.state === 'open',
      (r) => ({ ...r, state: 'running' }),
    );
    expect(again.ok).toBe(true);
    expect(await s.writable()).toBe(true);
  });

  it('a plain write made while the database is away is written once it is back', async () => {
    const s = await open();
    const name = new URL(db.url).pathname.slice(1);
    await takeDatabaseAway(name);
    s.collection<PendingRecord>('jobs').insert({
      id: 'j1',
      kind: 'clip',
      state: 'waiting',
      requestedBy: 'U1',
      createdAt: '',
      decisions: [],
      data: {},
    });
    await expect(s.flush()).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await admin(`ALTER DATABASE ${name}_away RENAME TO ${name}`);
    await expect
      .poll(async () => (await admin<{ id: string }>('SELECT id FROM bcops_jobs', db.url)).map((r) => r.id), {
        timeout: 5_000,
      })
      .toEqual(['j1']);
  });
});
