import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, OPERATOR, SIGNING_SECRET } from '../support/harness.js';
import { createTestDatabase, pgUrl } from '../support/postgres.js';
import { planOn, startWorld, type World } from '../support/processes.js';

/**
 * kill -9 of a real app process while its batched INSERT into a PostgreSQL target is sent and not yet
 * answered (the table is locked by another session, so the statement waits inside the server). The
 * statement then commits with nobody to hear it: the restarted app must finish Apply without a second
 * row for any video, and its summary must count what the table holds.
 */
describe.skipIf(!pgUrl)('kill -9 during Apply to a PostgreSQL target', () => {
  let w: World;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await w?.close();
    await sql?.end();
    await db?.drop();
  });

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('the restarted app finishes it with one row per video', async () => {
    w = await startWorld(`sync:\n  targets:\n    warehouse: { type: postgres, url: "${db.url}" }\n`, {
      dataset: { videosPerAccount: 40, analyticsDays: 0 },
    });
    const neo = w.bc.data.accounts.find((a) => a.alias === 'neo')!.id;
    const first = await w.startApp();
    const plan = await planOn(w, first);
    const creates = Number(/(\d+) creates/.exec(plan.text)![1]);
    expect(creates).toBeGreaterThan(20);

    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    // Readers pass, writers wait: the app's INSERT is in the server, unanswered.
    await locker.query('LOCK TABLE brightcove_videos IN SHARE ROW EXCLUSIVE MODE');
    await w.slack.click(OPERATOR, 'sync.apply', plan);
    await waitFor('an INSERT waiting on the lock', async () => {
      const { rows } = await sql.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO brightcove_videos%'`,
      );
      return rows.length > 0 ? true : undefined;
    });
    await first.kill9();
    await locker.query('COMMIT');
    await locker.end();
    // The orphaned statement commits on its own once the lock is gone.
    const committed = await waitFor('the orphaned insert to commit', async () => {
      const { rows } = await sql.query<{ n: string }>('SELECT count(*) AS n FROM brightcove_videos');
      const n = Number(rows[0]?.n ?? 0);
      return n > 0 ? n : undefined;
    });
    expect(committed).toBeLessThanOrEqual(creates);

    const second = await w.startApp();
    w.slack.connectApp(`${second.url}/slack/events`, SIGNING_SECRET);
    const done = await w.slack.waitFor(
      () => w.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith('Creates and updates done')),
      60_000,
    );
    const { rows } = await sql.query<{ video_id: string; n: string }>(
      'SELECT video_id, count(*) AS n FROM brightcove_videos WHERE account_id = $1 GROUP BY video_id',
      [neo],
    );
    expect(rows).toHaveLength(creates);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const created = Number(/(\d+) created/.exec(done.text)![1]);
    const resumed = Number(/(\d+) done before a restart/.exec(done.text)?.[1] ?? '0');
    expect(created + resumed).toBe(creates);
    expect(done.text).toContain('0 failed');
  }, 180_000);
});
