import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrightcoveSim } from '../../src/sim/brightcove/index.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import type { PlanRecord } from '../../src/sync/store.js';
import { approveDeletes } from '../support/approve.js';
import { APPROVER, CHANNEL, type Harness, OPERATOR, startHarness } from '../support/harness.js';
import { createTestDatabase, pgUrl } from '../support/postgres.js';
import { runCliWith } from '../support/processes.js';
import { planMessage } from '../support/sync.js';

/**
 * Issue 19: a PostgreSQL database as the sync target, through the real app and a real server: the
 * plan, Apply, the approved and 404-checked deletes (soft by default) and the full-text search.
 */
describe.skipIf(!pgUrl)('sync to a PostgreSQL target', () => {
  let h: Harness;
  let bc: BrightcoveSim;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: pg.Client;
  let neo: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    h = await startHarness({
      brightcove: true,
      extraYaml: `sync:\n  targets:\n    warehouse: { type: postgres, url: "${db.url}" }\n`,
    });
    bc = h.bc as BrightcoveSim;
    neo = h.config.accounts.find((a) => a.alias === 'neo')!.id;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await h?.close();
    await db?.drop();
  });

  const rows = async (where = 'true') =>
    (
      await sql.query<{ video_id: string; name: string; deleted_at: Date | null; account_id: string }>(
        `SELECT account_id, video_id, name, deleted_at FROM brightcove_videos WHERE ${where} ORDER BY video_id`,
      )
    ).rows;

  async function apply(msg: SimMessage): Promise<void> {
    await h.slack.click(OPERATOR, 'sync.apply', msg);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Creates and updates done')),
      20_000,
    );
  }

  it('plans rows, applies them, and a second plan is empty', async () => {
    const msg = await planMessage(h, 'sync neo --full');
    expect(msg.text).toContain('Sync neo → warehouse');
    const blocks = JSON.stringify(msg.blocks);
    expect(blocks).toContain(' rows (');
    expect(blocks).not.toContain('bundle');
    const plan = (h.app.services.repos.pending.all().find((r) => r.ts === msg.ts) as PlanRecord).data.plan;
    // every video of the library but the one the simulator gives no usable rendition
    expect(plan.creates.length).toBe(bc.data.videos[neo]!.length - 1);
    expect(msg.text).toMatch(new RegExp(`: ${plan.creates.length} creates, 0 updates, 0 deletes, 1 skipped`));

    await apply(msg);
    const live = await rows(`account_id = '${neo}'`);
    expect(live.map((r) => r.video_id)).toEqual(plan.creates.map((c) => c.videoId).sort());
    expect(live.every((r) => r.deleted_at === null)).toBe(true);

    const again = await planMessage(h, 'sync neo --full');
    expect(again.text).toMatch(/: 0 creates, 0 updates, 0 deletes/);
  });

  it('finds a video by a word of its description', async () => {
    const [, second] = await rows(`account_id = '${neo}'`);
    const video = bc.data.videos[neo]!.find((v) => v.id === second!.video_id)!;
    bc.cms.updateVideo(neo, video.id, { description: 'Recorded live at the Zanzibar harbour festival' });
    const msg = await planMessage(h, 'sync neo --full');
    expect(msg.text).toMatch(/: 0 creates, 1 updates, 0 deletes/);
    await apply(msg);

    const before = h.slack.ephemerals.length;
    await h.command('search zanzibar');
    const reply = await h.slack.waitFor(() =>
      h.slack.ephemerals.slice(before).find((m) => m.ephemeralTo === OPERATOR),
    );
    expect(reply.text).toContain(`neo  ${video.id}`);
    expect(reply.text).toContain(
      `https://studio.brightcove.com/products/videocloud/media/videos/${video.id}`,
    );
    expect(reply.text.split('\n')).toHaveLength(2);
    // stemmed: the plural finds the singular
    const text = await h.ephemeralAfter('search festivals');
    expect(text).toContain(video.id);
    expect(await h.ephemeralAfter('search nowhere-to-be-found')).toContain('No video in warehouse matches');
  });

  it('searches from the terminal too: plain lines, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bcops-search-cli-'));
    writeFileSync(
      join(dir, 'brightcove-ops.yml'),
      `accounts:\n  - { alias: neo, id: "${neo}" }\nsync:\n  targets:\n    warehouse: { type: postgres, url: "${db.url}" }\n`,
    );
    const r = await runCliWith(['search', 'zanzibar'], {
      BRIGHTCOVE_OPS_CONFIG: join(dir, 'brightcove-ops.yml'),
      BRIGHTCOVE_OPS_STATE: join(dir, 'state.json'),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Top match for "zanzibar" in warehouse:\nneo {2}\d+ {2}.+ {2}https:\/\/studio\.brightcove\.com\//,
    );
    expect(r.stdout).not.toMatch(/:mag:|\*|<https/);
  }, 60_000);

  it('deletes only after an approver and a 404, keeping the row with deleted_at', async () => {
    const [first] = await rows(`account_id = '${neo}'`);
    const gone = bc.data.videos[neo]!.find((v) => v.id === first!.video_id)!;
    bc.cms.deleteVideo(neo, gone.id);
    const msg = await planMessage(h, 'sync neo --full');
    expect(msg.text).toMatch(/: 0 creates, 0 updates, 1 deletes/);
    expect((await rows(`video_id = '${gone.id}'`))[0]!.deleted_at).toBeNull();

    await approveDeletes(h.slack, APPROVER, msg);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Deletes done')),
      20_000,
    );
    const [row] = await rows(`video_id = '${gone.id}'`);
    expect(row?.deleted_at).toBeInstanceOf(Date);
    const audit = h.app.services.repos.audit.latest(50);
    expect(audit.some((a) => a.action === `delete row ${neo}:${gone.id}` && a.outcome === 'ok')).toBe(true);
    // a soft-deleted row is neither listed nor found
    expect(await h.ephemeralAfter(`search ${gone.name.split(' ')[0]}`)).not.toContain(gone.id);
    const again = await planMessage(h, 'sync neo --full');
    expect(again.text).toMatch(/: 0 creates, 0 updates, 0 deletes/);
  });

  it('refuses an unknown target by name, with the usage', async () => {
    const text = await h.ephemeralAfter('sync neo --target nope');
    expect(text).toContain('Unknown sync target "nope": the configured targets are warehouse.');
    expect(text).toMatch(/Usage:\n.*sync .*--target/);
  });
});

describe.skipIf(!pgUrl)('an unreachable PostgreSQL target', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      brightcove: true,
      // Port 1 on loopback: nothing listens there, the connection is refused at once.
      extraYaml:
        'sync:\n  targets:\n    warehouse: { type: postgres, url: "postgres://sync:s3cret-pw@127.0.0.1:1/video", connect_timeout_ms: 1000 }\n',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says which target cannot be reached and where, never the password', async () => {
    await h.command('sync neo');
    const { text: shown } = await h.slack.waitFor(() =>
      h.slack.channelMessages(CHANNEL).find((m) => m.text.includes('the dry run failed')),
    );
    expect(shown).toContain('Sync target warehouse (PostgreSQL at 127.0.0.1:1/video) is unreachable');
    expect(shown).not.toContain('s3cret-pw');
    expect(shown).not.toMatch(/error id/);
  });
});

describe('a target name that names nothing', () => {
  it('stops the app at start with the key and the configured names', async () => {
    await expect(
      startHarness({
        brightcove: true,
        extraYaml:
          'sync:\n  targets:\n    warehouse: { type: postgres, url: "postgres://db.internal/video" }\n  schedules:\n    - { account: neo, cron: "0 6 * * *", channel: C0OPS, target: warehose }\n',
      }),
    ).rejects.toThrow(
      'brightcove-ops.yml sync.schedules.0.target: unknown sync target "warehose" (sync.targets: warehouse)',
    );
  });
});
