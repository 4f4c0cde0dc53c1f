import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { ACCOUNT_IDS, viewRows } from '../../src/sim/data/index.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { parseCsv } from '../support/csv.js';
import { CHANNEL, type Harness, MEMBER, OPERATOR, startHarness } from '../support/harness.js';

/** Views per `date|video` (and per device) from the simulator's ground truth. */
function truth(h: Harness, account: string, from: string, to: string) {
  const views = new Map<string, number>();
  const devices = new Map<string, Record<string, number>>();
  const browsers = new Map<string, Record<string, number>>();
  for (const r of viewRows(h.bc!.data, { account, from, to })) {
    const k = `${r.date}|${r.video}`;
    views.set(k, (views.get(k) ?? 0) + r.video_view);
    const d = devices.get(k) ?? {};
    const col = ['desktop', 'mobile', 'tablet', 'tv'].includes(r.device_type) ? r.device_type : 'other';
    d[col] = (d[col] ?? 0) + r.video_view;
    devices.set(k, d);
    const b = browsers.get(k) ?? {};
    b[r.browser_type] = (b[r.browser_type] ?? 0) + r.video_view;
    browsers.set(k, b);
  }
  return { views, devices, browsers };
}

const out = mkdtempSync(join(tmpdir(), 'bcops-export-e2e-'));
const exportsYaml = `exports:
  custom_fields: [topic]
  daily_fields: [business_unit, uploader]
  destinations:
    share:
      path: ${out}/share/{business_unit}/{YYYY_MM}/{account}
      consolidated_path: ${out}/share/consolidated/{group}
    flat: ${out}/flat
  schedules:
    - id: nightly
      cron: "30 6 * * *"
      scope: neo
      kind: analytics
      days: 3
      destination: flat
      channel: ${CHANNEL}
`;

describe('export end to end', () => {
  let h: Harness;
  const summaries = (from: number, title: string) =>
    h.slack.messages.slice(from).filter((m) => m.channel === CHANNEL && m.text.startsWith(title));
  async function finished(from: number, title: string): Promise<SimMessage> {
    return h.slack.waitFor(
      () => summaries(from, title).find((m) => / (finished|failed): /.test(m.text)),
      15_000,
      `${title} result`,
    );
  }

  beforeAll(async () => {
    h = await startHarness({
      brightcove: { dataset: { videosPerAccount: 10, analyticsDays: 120 } },
      extraYaml: exportsYaml,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('bad options give precise usage errors', async () => {
    for (const [text, expected] of [
      ['export --days 3', 'say what to export'],
      ['export videos', '"videos" is not an export'],
      ['export analytics neo', 'say which days'],
      ['export analytics neo --from 2026-02-30', '--from must be a date YYYY-MM-DD'],
      ['export analytics neo --from 2026-10-01 --to 2026-09-01', 'is after --to'],
      ['export analytics neo --from 2026-10-01 --to share', 'use --dest share'],
      ['export analytics neo --days 3 --from 2026-10-01', 'either --days N or --from/--to'],
      ['export analytics neo --days 3 --active', '--active only goes with export catalog'],
      ['export catalog neo --recent 5', '--recent only goes with export analytics'],
      ['export catalog neo --years 24', '--years takes years separated by commas'],
      ['export catalog neo --format xml', '--format must be csv, json or both'],
      ['export catalog neo research', 'at most one account'],
      ['export catalog nosuch', 'Unknown account or group `nosuch`'],
      ['export catalog neo --to nowhere', 'No destination `nowhere`. Configured destinations: share, flat'],
      ['export analytics neo --days 3 --consolidate --dest share --from 2026-10-01', 'either --days'],
    ] as const) {
      expect((await h.ephemeralAfter(text, OPERATOR)).toLowerCase(), text).toContain(expected.toLowerCase());
    }
    // writing to a shared folder changes things: operators only
    expect(await h.ephemeralAfter('export catalog neo --to share', MEMBER)).toContain('Only operators');
  });

  it('analytics CSV uploaded in the thread equals the ground truth, 3 calls per account-month', async () => {
    const before = h.slack.messages.length;
    const calls0 = h.bc!.count({ api: 'analytics' });
    await h.command('export analytics neo --from 2026-09-01 --to 2026-11-20', MEMBER);
    const summary = await finished(before, 'Analytics export neo');
    expect(summary.text).toContain('finished: 3 files');
    // one progress message, updated into the summary (not a message per month)
    expect(summaries(before, 'Analytics export neo')).toHaveLength(1);
    expect(h.bc!.count({ api: 'analytics' }) - calls0).toBe(9);
    const files = await h.slack.waitFor(
      () => {
        const f = [...h.slack.files.values()].filter((x) => x.threadTs === summary.ts);
        return f.length === 3 ? f : undefined;
      },
      10_000,
      'files in thread',
    );
    expect(files.map((f) => f.filename).sort()).toEqual([
      'daily_analytics_neo_2026_09.csv',
      'daily_analytics_neo_2026_10.csv',
      'daily_analytics_neo_2026_11.csv',
    ]);
    const rows = files.flatMap((f) => parseCsv(f.content.toString('utf8')));
    const t = truth(h, ACCOUNT_IDS.neo, '2026-09-01', '2026-11-20');
    const got = new Map(rows.map((r) => [`${r.date}|${r.video_id}`, Number(r.views)]));
    expect(got.size).toBeGreaterThan(50);
    expect(got).toEqual(t.views);
    // the daily_fields column holds real values (not only empty cells)
    expect(rows.filter((r) => r.business_unit).length).toBeGreaterThan(0);
    for (const r of rows) {
      const d = t.devices.get(`${r.date}|${r.video_id}`) ?? {};
      expect(
        [r.views_desktop, r.views_mobile, r.views_tablet, r.views_tv, r.views_other].map(Number),
      ).toEqual([d.desktop ?? 0, d.mobile ?? 0, d.tablet ?? 0, d.tv ?? 0, d.other ?? 0]);
      // the video's custom field as a column (exports.daily_fields, issue 18 item 13)
      const video = h.bc!.data.videos[ACCOUNT_IDS.neo]!.find((v) => v.id === r.video_id);
      expect([r.business_unit, r.uploader], r.video_id).toEqual([
        String(video?.custom_fields.business_unit ?? ''),
        String(video?.custom_fields.uploader ?? ''),
      ]);
      // the same views split by browser (issue 18 item 14)
      const b = t.browsers.get(`${r.date}|${r.video_id}`) ?? {};
      const browsers = ['chrome', 'edge', 'firefox', 'ie', 'opera', 'safari', 'other'] as const;
      expect(browsers.map((x) => Number(r[`browser_${x}`]))).toEqual(browsers.map((x) => b[x] ?? 0));
    }
    const audit = h.app.services.repos.audit.latest(5);
    expect(audit.some((e) => e.command === 'export' && e.action === 'analytics' && e.outcome === 'ok')).toBe(
      true,
    );
  });

  it('refuses a second export of the same months to a destination while the first is writing them', async () => {
    const before = h.slack.messages.length;
    const first = 'Analytics export neo 2026-05-01..2026-06-30';
    const second = 'Analytics export neo 2026-06-01..2026-07-31';
    // slow Analytics answers keep the first export running while the second arrives
    h.bc!.faults.latencyMs = 150;
    try {
      await h.command('export analytics neo --from 2026-05-01 --to 2026-06-30 --dest flat', OPERATOR);
      await h.slack.waitFor(() => summaries(before, first)[0], 5_000, 'first progress message');
      await h.command('export analytics neo --from 2026-06-01 --to 2026-07-31 --dest flat', OPERATOR);
      const refused = await finished(before, second);
      expect(refused.text).toContain(
        `${second} failed: ${first} is still writing the same months to \`flat\`.`,
      );
      expect(refused.text).toContain('Wait for it to finish, then run it again');
      expect((await finished(before, first)).text).toContain(' finished: 2 files');
    } finally {
      h.bc!.faults.latencyMs = 0;
    }
    const audit = h.app.services.repos.audit.latest(5);
    expect(audit.some((e) => e.command === 'export' && e.outcome === 'refused')).toBe(true);
    // once the first has finished, the same export runs
    const again = h.slack.messages.length;
    await h.command('export analytics neo --from 2026-06-01 --to 2026-07-31 --dest flat', OPERATOR);
    expect((await finished(again, second)).text).toContain(' finished: 2 files');
  });

  it('resumes after an injected crash without re-fetching checkpointed months', async () => {
    const bc = h.bc!;
    const research = ACCOUNT_IDS.research;
    const log = bc.runtime.requests;
    const push = log.push.bind(log);
    let analytics = 0;
    // the 7th Analytics query (the third month's first) and everything after it fail: the run dies there
    log.push = (...entries) => {
      for (const e of entries)
        if (e.api === 'analytics' && ++analytics === 7) bc.runtime.faults.errorRate = 1;
      return push(...entries);
    };
    bc.runtime.faults.errorStatus = 500;
    const text = 'export analytics research --from 2026-08-01 --to 2026-11-20';
    let before = h.slack.messages.length;
    await h.command(text, OPERATOR);
    const failed = await finished(before, 'Analytics export research');
    expect(failed.text).toContain('failed: export failed for 1 account: research');
    expect(failed.text).toContain('checkpointed');
    log.push = push;
    bc.runtime.faults.errorRate = 0;

    const mark = log.length;
    before = h.slack.messages.length;
    await h.command(text, OPERATOR);
    const done = await finished(before, 'Analytics export research');
    expect(done.text).toContain('finished: 4 files');
    expect(done.text).toContain('2 months from checkpoints');
    const again = log.slice(mark).filter((r) => r.api === 'analytics' && r.account === research);
    // August and September were checkpointed: only October and November are asked for, 3 queries each
    expect(again.map((r) => r.query.from).sort()).toEqual([
      '2026-10-01',
      '2026-10-01',
      '2026-10-01',
      '2026-11-01',
      '2026-11-01',
      '2026-11-01',
    ]);
    const files = await h.slack.waitFor(
      () => {
        const f = [...h.slack.files.values()].filter((x) => x.threadTs === done.ts);
        return f.length === 4 ? f : undefined;
      },
      10_000,
      'files',
    );
    const rows = files.flatMap((f) => parseCsv(f.content.toString('utf8')));
    const got = new Map(rows.map((r) => [`${r.date}|${r.video_id}`, Number(r.views)]));
    expect(got).toEqual(truth(h, research, '2026-08-01', '2026-11-20').views);
  });

  it('catalogue to a destination with templated paths, filtered by year and state', async () => {
    const before = h.slack.messages.length;
    await h.command('export catalog neo-group --years 2025,2026 --active --format both --to share', OPERATOR);
    const summary = await finished(before, 'Catalogue export neo-group');
    expect(summary.text).toContain('finished: 6 files');
    expect(summary.text).toContain('Written to destination `share`');
    for (const a of h.config.accounts.filter((x) => x.alias.startsWith('neo'))) {
      const folder = join(out, 'share', a.businessUnit ?? '', '2026_11', a.alias);
      const csv = parseCsv(readFileSync(join(folder, `catalog_${a.alias}.csv`), 'utf8'));
      const json = JSON.parse(readFileSync(join(folder, `catalog_${a.alias}.json`), 'utf8')) as unknown[];
      const expected = (h.bc!.data.videos[a.id] ?? []).filter(
        (v) =>
          v.state === 'ACTIVE' && v.published_at && ['2025', '2026'].includes(v.published_at.slice(0, 4)),
      );
      expect(csv.map((r) => r.id).sort()).toEqual(expected.map((v) => v.id).sort());
      expect(json).toHaveLength(expected.length);
      for (const r of csv) {
        const v = expected.find((x) => x.id === r.id)!;
        expect(r.name).toBe(v.name);
        expect(r.topic).toBe(v.custom_fields.topic ?? '');
      }
    }
    // nothing attached when written to a destination
    expect([...h.slack.files.values()].filter((f) => f.threadTs === summary.ts)).toHaveLength(0);
    const audit = h.app.services.repos.audit.latest(5);
    expect(
      audit.some((e) => e.command === 'export' && e.outcome === 'ok' && e.details?.includes('→ share')),
    ).toBe(true);
  });

  it('a scheduled export runs at its minute and says what it wrote', async () => {
    const clock = h.clock as ManualClock;
    const sched = h.app.services.schedules.scheduler;
    await clock.set('2026-11-22T06:29:00Z');
    expect(sched.tick()).toEqual([]);
    const before = h.slack.messages.length;
    await clock.advance(60_000);
    expect(sched.tick()).toEqual(['export:nightly']);
    await sched.idle();
    const msg = await finished(before, 'Scheduled analytics export neo');
    expect(msg.text).toContain('Scheduled analytics export neo 2026-11-19..2026-11-21 finished: 1 file');
    expect(msg.text).toContain('Written to destination `flat`');
    const csv = parseCsv(readFileSync(join(out, 'flat', 'daily_analytics_neo_2026_11.csv'), 'utf8'));
    const got = new Map(csv.map((r) => [`${r.date}|${r.video_id}`, Number(r.views)]));
    expect(got).toEqual(truth(h, ACCOUNT_IDS.neo, '2026-11-19', '2026-11-21').views);
  });
});
