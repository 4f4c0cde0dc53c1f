import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, type Harness, OPERATOR, startHarness } from '../support/harness.js';
import { pgUrl, takeDatabaseAway } from '../support/postgres.js';
import { planMessage } from '../support/sync.js';

/**
 * The state database going away under a running app (issue 20): a click gets "state store
 * unavailable, try again" and nothing is half-done; once the database is back the same click works.
 */
describe.skipIf(!pgUrl)('the state database going away under a running app', () => {
  let h: Harness;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true, store: 'postgres' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('Apply while it is away: refused with what to do, no create sent; Apply once it is back: done', async () => {
    const plan = await planMessage(h, 'sync neo');
    const posts = () => h.clarify!.requests.filter((r) => r.method === 'POST').length;
    const name = new URL(h.databaseUrl as string).pathname.slice(1);
    await takeDatabaseAway(name);
    try {
      expect((await h.slack.click(OPERATOR, 'sync.apply', plan)).status).toBe(200);
      const refused = await h.slack.waitFor(() =>
        h.slack.lastEphemeral(OPERATOR)?.text.includes('state store')
          ? h.slack.lastEphemeral(OPERATOR)
          : undefined,
      );
      expect(refused.text).toMatch(
        /The state store \(PostgreSQL at 127\.0\.0\.1:\d+\/bcops_\w+\) is unavailable/,
      );
      expect(refused.text).toContain('Nothing was changed; try again in a moment');
      expect(refused.text).not.toMatch(/error id|Usage/i);
      expect(posts()).toBe(0);
      const health = await fetch(`${h.app.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ok: false, store: 'not writable' });
    } finally {
      await admin(`ALTER DATABASE ${name}_away RENAME TO ${name}`);
    }
    expect((await h.slack.click(OPERATOR, 'sync.apply', plan)).status).toBe(200);
    await h.slack.waitFor(() =>
      h.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith('Creates and updates done')),
    );
    expect(posts()).toBeGreaterThan(0);
  });
});
