import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApplyDeps, applyPlan, memoryCheckpoint } from '../../src/sync/apply.js';
import { buildPlan, type PlanOptions, videosNeedingMedia } from '../../src/sync/plan.js';
import { allRecords, type SyncTarget } from '../../src/sync/target.js';
import { postgresTargetSchema } from '../../src/sync/targets/postgres/config.js';
import { PostgresTarget } from '../../src/sync/targets/postgres/target.js';
import type { SyncVideo, VideoMedia } from '../../src/sync/types.js';
import { createTestDatabase, pgUrl } from '../support/postgres.js';
import { instantClock, mp4, video } from './helpers.js';

/** The PostgreSQL target against a real server: batching, replays, conflicts, deletes, paging. */
describe.skipIf(!pgUrl)('PostgresTarget', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: pg.Client;
  const targets: PostgresTarget[] = [];
  const open = (over: Record<string, unknown> = {}) => {
    const t = new PostgresTarget(
      'warehouse',
      postgresTargetSchema.parse({ type: 'postgres', url: db.url, ...over }),
    );
    targets.push(t);
    return t;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  beforeEach(async () => {
    await sql.query('DROP TABLE IF EXISTS brightcove_videos');
  });
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
    await sql?.end();
    await db?.drop();
  });

  const OWNER = '1111111111001';
  const options: PlanOptions = { owner: OWNER };
  const library = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) =>
      video(String(6300000000000 + from + i), { description: `About video ${i}` }),
    );

  async function plan(target: SyncTarget, videos: SyncVideo[]) {
    const records = await allRecords(target);
    const media = new Map<string, VideoMedia>();
    for (const { video: v } of videosNeedingMedia(videos, records)) media.set(v.id, { sources: [mp4(720)] });
    return buildPlan({
      target: target.name,
      videos,
      records,
      media,
      options: { ...options, limits: target.limits },
    });
  }
  const deps = (target: SyncTarget, over: Partial<ApplyDeps> = {}): ApplyDeps => ({
    target,
    videoExists: async () => false,
    flags: { applyCreatesUpdates: true, applyDeletes: true },
    clock: instantClock,
    backoffMs: 0,
    ...over,
  });
  const count = async (where = 'true') =>
    Number((await sql.query(`SELECT count(*) AS n FROM brightcove_videos WHERE ${where}`)).rows[0].n);

  it('applies 300 creates in a few batched statements; the next plan is empty', async () => {
    const target = open();
    const videos = library(300);
    const first = await plan(target, videos);
    expect(first.counts.creates).toBe(300);
    const summary = await applyPlan(first, deps(target));
    expect(summary.created).toHaveLength(300);
    expect(summary.failed).toEqual([]);
    expect(await count()).toBe(300);
    // Apply keeps 64 in flight: a statement carries many rows, not one
    expect(target.writes.rows).toBe(300);
    expect(target.writes.statements).toBeLessThanOrEqual(300 / 16);
    const second = await plan(target, videos);
    expect(second.counts).toMatchObject({ creates: 0, updates: 0, deletes: 0, unchanged: 300 });
  });

  it('a create replayed after a crash (intent written, outcome lost) leaves one row and is counted as recovered', async () => {
    const target = open();
    const p = await plan(target, library(3));
    const checkpoint = memoryCheckpoint();
    // The first run sent the creates and died before recording them.
    await Promise.all(
      p.creates.map((c) =>
        target.create({ videoId: c.videoId, name: c.name, mediaUrl: c.mediaUrl, metadata: c.metadata }),
      ),
    );
    for (const c of p.creates) checkpoint.markIntent(c.key);
    const summary = await applyPlan(p, deps(target, { checkpoint }));
    expect(summary.created.every((c) => c.recovered)).toBe(true);
    expect(await count()).toBe(3);
    // and a plain second create of one video overwrites its row instead of adding one
    const c = p.creates[0]!;
    await target.create({ videoId: c.videoId, name: 'again', mediaUrl: c.mediaUrl, metadata: c.metadata });
    expect(await count()).toBe(3);
  });

  it('updates at the planned version; a replay is unchanged, someone else’s write is a conflict', async () => {
    const target = open();
    const videos = library(2);
    await applyPlan(await plan(target, videos), deps(target));
    const edited = videos.map((v) => ({ ...v, description: `${v.description} (edited)` }));
    const p = await plan(target, edited);
    expect(p.counts.updates).toBe(2);
    const [u0, u1] = p.updates;
    const req = (u: NonNullable<typeof u0>) => ({
      videoId: u.videoId,
      id: u.recordId,
      version: u.version,
      metadata: u.metadata,
      metadataVersion: u.metadataVersion,
    });
    expect(await target.update(req(u0!))).toBe('updated');
    // the same update again (a retried request): the row holds exactly this already
    expect(await target.update(req(u0!))).toBe('unchanged');
    // another writer changed the second row since the plan
    await sql.query(
      `UPDATE brightcove_videos SET metadata = metadata || '{"description":"theirs"}', version = version + 1 WHERE video_id = $1`,
      [u1!.videoId],
    );
    await expect(target.update(req(u1!))).rejects.toThrow(/changed by someone else since the plan was made/);
    const [row] = (
      await sql.query('SELECT description FROM brightcove_videos WHERE video_id = $1', [u0!.videoId])
    ).rows;
    expect(row.description).toBe('About video 0 (edited)');
  });

  it('deletes softly by default (the row stays with deleted_at, hidden from the listing); hard_delete removes it', async () => {
    const soft = open();
    await applyPlan(await plan(soft, library(4)), deps(soft));
    const gone = await plan(soft, library(2));
    expect(gone.counts.deletes).toBe(2);
    const summary = await applyPlan(gone, deps(soft));
    expect(summary.deleted).toHaveLength(2);
    expect(await count()).toBe(4);
    expect(await count('deleted_at IS NOT NULL')).toBe(2);
    expect((await allRecords(soft)).map((r) => r.videoId)).toHaveLength(2);
    expect(await soft.delete({ videoId: gone.deletes[0]!.videoId, id: gone.deletes[0]!.recordId })).toBe(
      'absent',
    );
    // a deleted video that comes back is live again, in the same row
    await applyPlan(await plan(soft, library(4)), deps(soft));
    expect(await count('deleted_at IS NULL')).toBe(4);
    expect(await count()).toBe(4);

    const hard = open({ hard_delete: true });
    const again = await plan(hard, library(3));
    await applyPlan(again, deps(hard));
    expect(await count()).toBe(3);
  });

  it("a sync of one account lists only that account's rows", async () => {
    const target = open();
    await applyPlan(await plan(target, library(5)), deps(target));
    const other = await buildPlan({
      target: target.name,
      videos: library(3, 100),
      records: [],
      media: new Map(library(3, 100).map((v) => [v.id, { sources: [mp4(720)] }])),
      options: { owner: '2222222222001', limits: target.limits },
    });
    await applyPlan(other, deps(target));
    expect(await count()).toBe(8);
    const mine = [];
    for await (const page of target.pages(OWNER)) mine.push(...page.records.map((r) => r.videoId));
    expect(mine).toHaveLength(5);
    expect(mine.every((id) => Number(id) < 6300000000100)).toBe(true);
    let all = 0;
    for await (const page of target.pages()) all += page.records.length;
    expect(all).toBe(8);
  });

  it('lists by keyset pages with a stable total, each row once', async () => {
    const target = open();
    await applyPlan(await plan(target, library(2500)), deps(target));
    const pages = [];
    for await (const page of target.pages()) pages.push(page);
    expect(pages.map((p) => p.records.length)).toEqual([1000, 1000, 500]);
    expect(pages.every((p) => p.total === 2500)).toBe(true);
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.id))).size).toBe(2500);
  });

  it('searches name, tags and description with stemming, best first', async () => {
    const target = open();
    const videos = [
      video('6300000000101', { name: 'Harbour festival highlights', description: 'Boats' }),
      video('6300000000102', { name: 'Weather', description: 'Storm over the harbour festival' }),
      video('6300000000103', { name: 'Sports', description: 'Cup final', tags: ['festivals'] }),
    ];
    await applyPlan(await plan(target, videos), deps(target));
    expect((await target.search('festival', 10)).map((h) => h.videoId)).toEqual([
      '6300000000101',
      '6300000000103',
      '6300000000102',
    ]);
    expect((await target.search('storm', 10)).map((h) => h.videoId)).toEqual(['6300000000102']);
    expect(await target.search('"cup final" -sports', 10)).toEqual([]);
  });
});
