import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CmsVideoSchema } from '../../src/brightcove/schemas.js';
import { ManualClock } from '../../src/clock.js';
import { ExportCheckpoints } from '../../src/exports/checkpoint.js';
import {
  type AnalyticsExportSpec,
  ExportFailedError,
  type ExportProgress,
  runExport,
} from '../../src/exports/run.js';
import { FileStore } from '../../src/store/store.js';
import { createFakeAnalytics, generateTruth } from './fake-analytics.js';

const ACCOUNTS = [
  { id: '1111111111001', alias: 'neo', group: 'emea', businessUnit: 'news' },
  { id: '2222222222001', alias: 'north', group: 'emea', businessUnit: 'sport' },
  { id: '4444444444001', alias: 'research', businessUnit: 'science' },
];
// 2024-11 .. 2025-12: 14 months, all settled by the clock's 2026-11-21
const TRUTH = generateTruth(
  ACCOUNTS.map((a) => a.id),
  12,
  '2024-11-01',
  426,
);

async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'exports-run-'));
  const clock = new ManualClock('2026-11-21T12:00:00Z');
  const store = await FileStore.open(null);
  const checkpoints = new ExportCheckpoints({ store, dir: join(root, 'checkpoints'), clock });
  const spec: AnalyticsExportSpec = {
    kind: 'analytics',
    accounts: ACCOUNTS,
    from: '2024-11-01',
    to: '2025-12-31',
    destination: { kind: 'folder', path: 'out/{business_unit}/{YYYY_MM}' },
    consolidate: { destination: { kind: 'folder', path: 'out/consolidated/{group}' } },
    root,
  };
  return { root, clock, store, checkpoints, spec };
}

const parseCsv = async (path: string) => (await readFile(path, 'utf8')).trimEnd().split('\n');

describe('runExport (analytics)', () => {
  it('writes monthly files equal to the ground truth within 3 queries per account-month (metrics, devices, browsers)', async () => {
    const { root, clock, checkpoints, spec } = await setup();
    const fake = createFakeAnalytics(TRUTH);
    const progress: ExportProgress[] = [];
    const result = await runExport(spec, {
      runQuery: fake.run,
      clock,
      checkpoints,
      onProgress: (p) => progress.push(p),
    });
    expect(result.months).toBe(14 * 3);
    for (const a of ACCOUNTS) expect(fake.calls(a.id)).toBe(14 * 3);
    expect(result.calls).toBe(14 * 3 * 3);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    expect(progress.every((p) => p.total === 42)).toBe(true);

    // every monthly file: views per device equal the truth's sums for that account and month
    const file = join(root, 'out/sport/2025_02/daily_analytics_north_2025_02.csv');
    const lines = await parseCsv(file);
    const header = (lines[0] ?? '').split(',');
    const col = (name: string) => header.indexOf(name);
    const sum = (name: string) => lines.slice(1).reduce((s, l) => s + Number(l.split(',')[col(name)]), 0);
    const truth = TRUTH.filter((r) => r.account === '2222222222001' && r.date.startsWith('2025-02'));
    const truthSum = (pred: (d: string) => boolean) =>
      truth.filter((r) => pred(r.device)).reduce((s, r) => s + r.views, 0);
    expect(sum('views')).toBe(truthSum(() => true));
    expect(sum('views_mobile')).toBe(truthSum((d) => d === 'mobile'));
    expect(sum('views_tv')).toBe(truthSum((d) => d === 'tv'));
    expect(sum('views_tv')).toBeGreaterThan(0);
    expect(sum('views_other')).toBe(truthSum((d) => d === 'other'));
    expect(sum('impressions')).toBe(truth.reduce((s, r) => s + r.impressions, 0));
    expect(lines.length - 1).toBe(new Set(truth.map((r) => `${r.video}|${r.date}`)).size);

    // one consolidated file per group, one header, every monthly row
    const emea = result.files.find((f) => f.kind === 'consolidated' && f.group === 'emea');
    expect(emea?.path).toBe(join(root, 'out/consolidated/emea/daily_analytics_2024_2025_emea.csv'));
    const all = await parseCsv(emea?.path ?? '');
    expect(all.filter((l) => l.startsWith('date,'))).toHaveLength(1);
    const emeaRows = result.files
      .filter((f) => f.kind === 'month' && (f.account === 'neo' || f.account === 'north'))
      .reduce((s, f) => s + f.rows, 0);
    expect(all.length - 1).toBe(emeaRows);
    expect(emea?.rows).toBe(emeaRows);
    expect(result.files.filter((f) => f.kind === 'consolidated').map((f) => f.group)).toEqual([
      'emea',
      'research',
    ]);
  });

  it('consolidates into every group an account is in, not only the first', async () => {
    const { root, clock, checkpoints, spec } = await setup();
    const accounts = [
      { ...ACCOUNTS[0]!, groups: ['emea', 'news'] },
      { ...ACCOUNTS[1]!, groups: ['emea'] },
      { ...ACCOUNTS[2]!, groups: ['news'] },
    ];
    const result = await runExport(
      { ...spec, accounts, from: '2025-01-01', to: '2025-02-28' },
      { runQuery: createFakeAnalytics(TRUTH).run, clock, checkpoints },
    );
    const consolidated = result.files.filter((f) => f.kind === 'consolidated');
    expect(consolidated.map((f) => f.group)).toEqual(['emea', 'news']);
    const rowsOf = (aliases: string[]) =>
      result.files
        .filter((f) => f.kind === 'month' && aliases.includes(f.account ?? ''))
        .reduce((s, f) => s + f.rows, 0);
    expect(consolidated.find((f) => f.group === 'emea')?.rows).toBe(rowsOf(['neo', 'north']));
    expect(consolidated.find((f) => f.group === 'news')?.rows).toBe(rowsOf(['neo', 'research']));
    const news = await parseCsv(join(root, 'out/consolidated/news/daily_analytics_2025_news.csv'));
    expect(news.length - 1).toBe(rowsOf(['neo', 'research']));
  });

  it('resumes after a crash without fetching any checkpointed month again', async () => {
    const { root, clock, checkpoints, spec } = await setup();
    const crashing = createFakeAnalytics(TRUTH, { crashOnCall: 31 });
    const err = await runExport(spec, { runQuery: crashing.run, clock, checkpoints }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExportFailedError);
    expect((err as ExportFailedError).failures).toHaveLength(1);
    const saved = checkpoints.list().map((c) => `${c.accountId}:${c.from}`);
    // the two accounts that did not crash finished; the crashed one kept the months before the crash
    expect(saved.length).toBeGreaterThan(28);
    expect(saved.length).toBeLessThan(42);

    const resumed = createFakeAnalytics(TRUTH);
    const result = await runExport(spec, { runQuery: resumed.run, clock, checkpoints });
    expect(result.monthsFromCheckpoint).toBe(saved.length);
    for (const { accountId, q } of resumed.log) expect(saved).not.toContain(`${accountId}:${q.from}`);
    expect(resumed.calls()).toBe((42 - saved.length) * 3);

    // and the output equals an uninterrupted run's
    const fresh = await setup();
    const clean = await runExport(fresh.spec, {
      runQuery: createFakeAnalytics(TRUTH).run,
      clock: fresh.clock,
    });
    for (const [i, f] of clean.files.entries()) {
      expect(await readFile(result.files[i]?.path ?? '', 'utf8')).toBe(await readFile(f.path, 'utf8'));
    }
    expect(root).not.toBe(fresh.root);
  });

  it('fetches again a month checkpointed before the browser columns (its file lacks them), not blank', async () => {
    const { root, clock, store, checkpoints, spec } = await setup();
    await clock.set('2025-12-05T12:00:00Z');
    const s = { ...spec, accounts: ACCOUNTS.slice(0, 1), from: '2025-11-01', to: '2025-11-30' };
    await runExport(s, { runQuery: createFakeAnalytics(TRUTH).run, clock, checkpoints });
    const rec = checkpoints.list()[0]!;
    const file = join(root, 'checkpoints', rec.file);
    // What an earlier version wrote: the same rows without the browser columns, checksum and all.
    const saved = JSON.parse(await readFile(file, 'utf8')) as { columns: string[]; rows: unknown[][] };
    const keep = saved.columns.map((c, i) => (c.startsWith('browser_') ? -1 : i)).filter((i) => i >= 0);
    const old = JSON.stringify({
      columns: keep.map((i) => saved.columns[i]),
      rows: saved.rows.map((r) => keep.map((i) => r[i])),
    });
    await writeFile(file, old);
    store
      .collection<{ id: string; sha256: string }>('export_checkpoints')
      .update(rec.id, (r) => ({ ...r, sha256: createHash('sha256').update(old).digest('hex') }));
    const again = createFakeAnalytics(TRUTH);
    await runExport(s, { runQuery: again.run, clock, checkpoints });
    expect(again.log.map((c) => c.q.from)).toEqual(['2025-11-01', '2025-11-01', '2025-11-01']);
  });

  it("columns: pipeline writes the old pipeline's column names and video_duration; file names and folders from config", async () => {
    const { root, clock, spec } = await setup();
    const account = { ...ACCOUNTS[0]!, folder: 'Circle-1--GWM' };
    const videoIds = [...new Set(TRUTH.filter((r) => r.account === account.id).map((r) => r.video))];
    const listVideos = async function* () {
      for (const [i, id] of videoIds.entries())
        yield CmsVideoSchema.parse({
          id,
          account_id: account.id,
          name: `Video ${i}`,
          state: 'ACTIVE',
          duration: 61_400 + i * 1000,
          created_at: '2024-01-01T00:00:00Z',
          updated_at: '2024-01-01T00:00:00Z',
          custom_fields: { video_content_type: i % 2 ? 'clip' : 'episode' },
        });
    };
    const result = await runExport(
      {
        ...spec,
        accounts: [account],
        from: '2025-01-01',
        to: '2025-01-31',
        destination: { kind: 'folder', path: 'out/{folder}/{YYYY_MM}' },
        fileName: 'internet_analytics_{YYYY_MM}.csv',
        pipelineColumns: true,
        videoFields: ['video_content_type'],
        consolidate: undefined,
      } as AnalyticsExportSpec,
      { runQuery: createFakeAnalytics(TRUTH).run, clock, listVideos },
    );
    const file = result.files[0]!.path;
    expect(file).toBe(join(root, 'out', 'Circle-1--GWM', '2025_01', 'internet_analytics_2025_01.csv'));
    const [head, first] = await parseCsv(file);
    const columns = head!.split(',');
    for (const c of [
      'video_view',
      'video_impression',
      'video_engagement_25',
      'video_engagement_100',
      'views_desktop',
    ])
      expect(columns).toContain(c);
    expect(columns).not.toContain('views');
    expect(columns.slice(-2)).toEqual(['video_content_type', 'video_duration']);
    const cells = first!.split(',');
    const i = videoIds.indexOf(cells[columns.indexOf('video_id')]!);
    expect(cells.slice(-2)).toEqual([
      i % 2 ? 'clip' : 'episode',
      String(Math.round((61_400 + i * 1000) / 1000)),
    ]);
  });

  it('refetches a damaged checkpoint and never checkpoints provisional days', async () => {
    const { root, clock, checkpoints, spec } = await setup();
    await clock.set('2025-12-05T12:00:00Z');
    const s = { ...spec, accounts: ACCOUNTS.slice(0, 1), from: '2025-11-01', to: '2025-12-03' };
    await runExport(s, { runQuery: createFakeAnalytics(TRUTH).run, clock, checkpoints });
    // November ended more than 3 days ago; December 1st-3rd are still provisional
    expect(checkpoints.list().map((c) => c.from)).toEqual(['2025-11-01']);
    const again = createFakeAnalytics(TRUTH);
    await runExport(s, { runQuery: again.run, clock, checkpoints });
    expect(again.log.map((c) => c.q.from)).toEqual(['2025-12-01', '2025-12-01', '2025-12-01']);

    const file = join(root, 'checkpoints', checkpoints.list()[0]?.file ?? '');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"neo"', '"oen"'));
    const third = createFakeAnalytics(TRUTH);
    await runExport(s, { runQuery: third.run, clock, checkpoints });
    expect(third.log.map((c) => c.q.from)).toEqual([
      '2025-11-01',
      '2025-11-01',
      '2025-11-01',
      '2025-12-01',
      '2025-12-01',
      '2025-12-01',
    ]);
    expect(checkpoints.list()).toHaveLength(1);
  });

  it('limits rows to recently viewed videos with one extra query per account', async () => {
    const { clock, checkpoints, spec } = await setup();
    await clock.set('2025-03-10T12:00:00Z');
    const fake = createFakeAnalytics(TRUTH);
    const s = { ...spec, from: '2025-01-01', to: '2025-02-28', recentDays: 5, consolidate: undefined };
    const result = await runExport(s, { runQuery: fake.run, clock, checkpoints });
    for (const a of ACCOUNTS) expect(fake.calls(a.id)).toBe(1 + 2 * 3);
    const recentVideos = new Set(
      TRUTH.filter((r) => r.date >= '2025-03-05' && r.date <= '2025-03-10' && r.views > 0).map(
        (r) => r.video,
      ),
    );
    for (const f of result.files) {
      const ids = (await parseCsv(f.path)).slice(1).map((l) => l.split(',')[3] ?? '');
      expect(ids.every((id) => recentVideos.has(id))).toBe(true);
    }
    expect(result.rows).toBeGreaterThan(0);
  });

  it('rejects a template it cannot fill before making any query', async () => {
    const { clock, spec } = await setup();
    const fake = createFakeAnalytics(TRUTH);
    const bad = { ...spec, accounts: [{ id: '9', alias: 'nobu' }] };
    await expect(runExport(bad, { runQuery: fake.run, clock })).rejects.toThrow(/\{business_unit\}/);
    const month = { ...spec, consolidate: { destination: { kind: 'folder' as const, path: 'c/{YYYY_MM}' } } };
    await expect(runExport(month, { runQuery: fake.run, clock })).rejects.toThrow(/only \{group\}/);
    expect(fake.calls()).toBe(0);
  });
});

describe('runExport (catalog)', () => {
  it('writes CSV and JSON per account to the templated folder', async () => {
    const { root, clock } = await setup();
    const videos = (accountId: string) =>
      [1, 2].map((n) =>
        CmsVideoSchema.parse({
          id: `${accountId}${n}`,
          account_id: accountId,
          name: `Video ${n}`,
          state: n === 1 ? 'ACTIVE' : 'INACTIVE',
          created_at: '2024-01-01T00:00:00Z',
          updated_at: '2024-01-01T00:00:00Z',
          custom_fields: { business_unit: 'news' },
        }),
      );
    const result = await runExport(
      {
        kind: 'catalog',
        accounts: ACCOUNTS.slice(0, 2),
        customFields: ['business_unit'],
        activeOnly: true,
        formats: ['csv', 'json'],
        destination: { kind: 'folder', path: 'catalog/{YYYY_MM}/{account}' },
        root,
      },
      {
        clock,
        listVideos: async function* (a) {
          yield* videos(a.id);
        },
      },
    );
    expect(result.rows).toBe(2);
    expect(await readdir(join(root, 'catalog/2026_11/neo'))).toEqual(['catalog_neo.csv', 'catalog_neo.json']);
    expect(await parseCsv(join(root, 'catalog/2026_11/north/catalog_north.csv'))).toEqual([
      'account_id,id,name,reference_id,duration,created_at,published_at,state,tags,business_unit',
      '2222222222001,22222222220011,Video 1,,,2024-01-01T00:00:00Z,,ACTIVE,,news',
    ]);
  });
});
