import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { parseCsv } from '../support/csv.js';
import { CHANNEL, type Harness, OPERATOR, startHarness } from '../support/harness.js';
import { createTestDatabase, pgUrl } from '../support/postgres.js';

/**
 * Issue 19: PostgreSQL as an export destination. The tables hold the same rows, with the same numbers,
 * as the CSV export of the same range; a re-run changes no row; deletions leave with the month.
 */
describe.skipIf(!pgUrl)('export to a PostgreSQL destination', () => {
  let h: Harness;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: pg.Client;
  const out = mkdtempSync(join(tmpdir(), 'bcops-export-pg-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    h = await startHarness({
      brightcove: { dataset: { videosPerAccount: 10, analyticsDays: 120 } },
      extraYaml: `exports:
  custom_fields: [topic]
  destinations:
    flat: ${out}/flat
    warehouse: { type: postgres, url: "${db.url}" }
    down: { type: postgres, url: "postgres://bi:hunter22@127.0.0.1:1/video", connect_timeout_ms: 1000 }
`,
    });
  });
  afterAll(async () => {
    await sql?.end();
    await h?.close();
    await db?.drop();
  });

  async function run(text: string, title: string): Promise<SimMessage> {
    const before = h.slack.messages.length;
    await h.command(text, OPERATOR);
    return h.slack.waitFor(
      () =>
        h.slack.messages
          .slice(before)
          .find(
            (m) => m.channel === CHANNEL && m.text.startsWith(title) && / (finished|failed): /.test(m.text),
          ),
      20_000,
      `${title} result`,
    );
  }

  /** A table's rows as the CSV shows them: numbers as numbers, NULL as an empty cell. */
  const asCsv = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.join(',');
    return String(v);
  };
  const same = (csv: string, db: string) =>
    csv === db || (csv !== '' && db !== '' && !Number.isNaN(Number(csv)) && Number(csv) === Number(db));

  it('daily analytics: the table equals the CSV files of the same range, number for number', async () => {
    const range = '--from 2026-09-15 --to 2026-11-20';
    const files = await run(`export analytics neo-group ${range} --dest flat`, 'Analytics export neo-group');
    expect(files.text).toContain('finished:');
    const done = await run(
      `export analytics neo-group ${range} --dest warehouse`,
      'Analytics export neo-group',
    );
    expect(done.text).toMatch(/finished: 1 table · [\d,]+ rows/);
    expect(done.text).toContain('Written to destination `warehouse` (PostgreSQL 127.0.0.1:');
    expect(JSON.stringify(done.blocks)).toMatch(/brightcove_daily: [\d,]+ rows upserted \(9 transactions\)/);

    const csv = readdirSync(join(out, 'flat'))
      .filter((f) => f.startsWith('daily_analytics_'))
      .flatMap((f) => parseCsv(readFileSync(join(out, 'flat', f), 'utf8')));
    expect(csv.length).toBeGreaterThan(100);
    const { rows } = await sql.query("SELECT *, to_char(date, 'YYYY-MM-DD') AS date FROM brightcove_daily");
    expect(rows).toHaveLength(csv.length);
    const byKey = new Map(rows.map((r) => [`${r.account_id}|${r.video_id}|${r.date}`, r]));
    for (const c of csv) {
      const r = byKey.get(`${c.account_id}|${c.video_id}|${c.date}`);
      expect(r, `${c.account_id} ${c.video_id} ${c.date}`).toBeDefined();
      for (const [col, value] of Object.entries(c)) {
        if (!same(value, asCsv(r[col]))) expect(`${col}=${asCsv(r[col])}`).toBe(`${col}=${value}`);
      }
    }
  });

  it('a re-run changes no row (row versions included)', async () => {
    const versions = async () =>
      (
        await sql.query(
          'SELECT account_id, video_id, date, xmin::text AS v FROM brightcove_daily ORDER BY 1, 2, 3',
        )
      ).rows;
    const before = await versions();
    const again = await run(
      'export analytics neo-group --from 2026-09-15 --to 2026-11-20 --dest warehouse',
      'Analytics export neo-group',
    );
    expect(again.text).toContain('finished:');
    expect(await versions()).toEqual(before);
  });

  it('catalogue: the table equals the CSV, and a video gone from the account leaves the table', async () => {
    await run('export catalog neo --to flat', 'Catalogue export neo');
    const done = await run('export catalog neo --to warehouse', 'Catalogue export neo');
    expect(done.text).toContain('finished: 1 table');
    const csv = parseCsv(readFileSync(join(out, 'flat', 'catalog_neo.csv'), 'utf8'));
    const { rows } = await sql.query('SELECT * FROM brightcove_catalog ORDER BY video_id');
    expect(rows.map((r) => r.video_id)).toEqual(csv.map((c) => c.id).sort());
    for (const r of rows) {
      const c = csv.find((x) => x.id === r.video_id)!;
      expect([r.name, asCsv(r.tags), r.state, r.duration_ms ?? '', r.custom_fields.topic ?? '']).toEqual([
        c.name,
        c.tags,
        c.state,
        c.duration === '' ? '' : c.duration,
        c.topic,
      ]);
      expect(r.created_at.toISOString()).toBe(new Date(c.created_at!).toISOString());
    }
    const neo = h.config.accounts.find((a) => a.alias === 'neo')!.id;
    const gone = h.bc!.data.videos[neo]![0]!;
    h.bc!.cms.deleteVideo(neo, gone.id);
    await run('export catalog neo --to warehouse', 'Catalogue export neo');
    const after = await sql.query('SELECT video_id FROM brightcove_catalog');
    expect(after.rows.map((r) => r.video_id)).not.toContain(gone.id);
    expect(after.rows).toHaveLength(rows.length - 1);
  });

  it('refuses --consolidate for a database and names an unreachable one without its password', async () => {
    const text = await h.ephemeralAfter('export analytics neo --days 3 --consolidate --dest warehouse');
    expect(text).toContain('destination "warehouse" is a database');
    const failed = await run('export analytics neo --days 3 --dest down', 'Analytics export neo');
    expect(failed.text).toContain('Export destination down (PostgreSQL at 127.0.0.1:1/video) is unreachable');
    expect(failed.text).not.toContain('hunter22');
  });
});
