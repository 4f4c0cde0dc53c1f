/**
 * Export benchmark: Analytics calls per account-month and wall time of a daily-analytics export, against the
 * old pipeline's one call per video per day. Run: `npx tsx bench/export.ts [--quick]`.
 *
 * Part 1, in process, full scale (3 years × 11 accounts × 2,000 videos): a synthetic RunAnalyticsQuery that
 * answers like `/v1/data` (the simulator's dataset only has 4 accounts and keeps every row in memory).
 * Part 2, over HTTP: the Brightcove simulator + client (createBrightcove), 4 accounts, one year.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalyticsQuery, RunAnalyticsQuery } from '../src/analytics/queries.js';
import { type BrightcoveAccount, createBrightcove } from '../src/brightcove/index.js';
import { ManualClock, systemClock } from '../src/clock.js';
import { ExportCheckpoints } from '../src/exports/checkpoint.js';
import { type ExportAccount, type ExportResult, runExport } from '../src/exports/run.js';
import { createHttpDispatcher } from '../src/http/dispatcher.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../src/sim/data/index.js';
import { FileStore } from '../src/store/store.js';

const quick = process.argv.includes('--quick');
const DAY = 86_400_000;

/** ~5% of video-days have activity, spread over 1-3 devices: rows absent otherwise, like the real API. */
function syntheticAnalytics(videos: number): RunAnalyticsQuery {
  const devices = ['desktop', 'mobile', 'tablet', 'tv'];
  return async (accountId: string, q: AnalyticsQuery) => {
    const from = Date.parse(`${q.from}T00:00:00Z`);
    const to = Date.parse(`${q.to}T00:00:00Z`);
    const seed = Number(accountId.slice(0, 3));
    const items: Record<string, unknown>[] = [];
    const byDevice = q.dimensions.includes('device_type');
    const only = q.where?.startsWith('device_type==') ? q.where.slice(13) : null;
    for (let t = from; t <= to; t += DAY) {
      const day = t / DAY;
      const date = new Date(t).toISOString().slice(0, 10);
      for (let v = 0; v < videos; v++) {
        const h = (v * 2_654_435_761 + day * 40_503 + seed) >>> 0;
        if (h % 20 !== 0) continue;
        const video = `${accountId}${String(v).padStart(5, '0')}`;
        const split = devices.slice(0, 1 + (h % 3));
        const views = split.map((_, i) => 1 + ((h >>> (i * 3)) % 7));
        if (byDevice || only) {
          split.forEach((device, i) => {
            if (!only || only === device)
              items.push({ video, date, device_type: device, video_view: views[i] });
          });
          continue;
        }
        const total = views.reduce((s, n) => s + n, 0);
        const item: Record<string, unknown> = {
          video,
          date,
          video_name: `Video ${v}`,
          video_view: total,
          video_impression: total * 3,
          video_seconds_viewed: total * 45,
          video_percent_viewed: total * 60,
          engagement_score: 60,
        };
        for (const p of [25, 50, 75, 100]) item[`video_engagement_${p}`] = Math.round(total * (1 - p / 125));
        if (q.dimensions.length === 1) items.push({ video, video_view: total });
        else items.push(item);
      }
    }
    return { item_count: items.length, items, summary: {} };
  };
}

function counting(run: RunAnalyticsQuery) {
  const byAccount = new Map<string, number>();
  const wrapped: RunAnalyticsQuery = (id, q) => {
    byAccount.set(id, (byAccount.get(id) ?? 0) + 1);
    return run(id, q);
  };
  return { run: wrapped, byAccount };
}

async function exportOnce(
  accounts: ExportAccount[],
  from: string,
  to: string,
  run: RunAnalyticsQuery,
  clockNow: Date,
  consolidate: boolean,
) {
  const root = await mkdtemp(join(tmpdir(), 'bench-export-'));
  const clock = new ManualClock(clockNow);
  const store = await FileStore.open(null);
  const checkpoints = new ExportCheckpoints({ store, dir: join(root, 'checkpoints'), clock });
  const t0 = performance.now();
  const result: ExportResult = await runExport(
    {
      kind: 'analytics',
      accounts,
      from,
      to,
      root,
      destination: { kind: 'folder', path: 'out/{group}/{YYYY_MM}' },
      consolidate: consolidate ? { destination: { kind: 'folder', path: 'out/consolidated' } } : undefined,
    },
    { runQuery: run, clock, checkpoints },
  );
  const ms = performance.now() - t0;
  // resume: everything settled is checkpointed, so a second run asks nothing again
  const again = counting(run);
  const t1 = performance.now();
  await runExport(
    {
      kind: 'analytics',
      accounts,
      from,
      to,
      root,
      destination: { kind: 'folder', path: 'out/{group}/{YYYY_MM}' },
    },
    { runQuery: again.run, clock, checkpoints },
  );
  const resumeMs = performance.now() - t1;
  await rm(root, { recursive: true, force: true });
  return { result, ms, resumeCalls: [...again.byAccount.values()].reduce((s, n) => s + n, 0), resumeMs };
}

function table(rows: (string | number)[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

async function part1() {
  const accounts = quick ? 3 : 11;
  const videos = quick ? 500 : 2000;
  const [from, to] = quick ? ['2025-01-01', '2025-06-30'] : ['2023-01-01', '2025-12-31'];
  const list: ExportAccount[] = Array.from({ length: accounts }, (_, i) => ({
    id: `${100 + i}0000000001`,
    alias: `acct${i + 1}`,
    group: i < 6 ? 'emea' : 'amer',
  }));
  const counted = counting(syntheticAnalytics(videos));
  const r = await exportOnce(list, from, to, counted.run, new Date('2026-11-21T12:00:00Z'), true);
  const monthsPerAccount = r.result.months / accounts;
  const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY) + 1;
  const perVideoCalls = accounts * videos * days;
  console.log(
    `\nPart 1: in process, synthetic /v1/data, ${accounts} accounts × ${videos} videos, ${from}..${to}`,
  );
  console.log(
    table([
      ['approach', 'analytics calls', 'per account-month', 'per day of data', 'wall time'],
      [
        'runExport (video,date + device_type + browser_type)',
        r.result.calls,
        (r.result.calls / r.result.months).toFixed(2),
        (r.result.calls / days).toFixed(2),
        `${(r.ms / 1000).toFixed(1)} s`,
      ],
      [
        'runExport resumed (all checkpointed)',
        r.resumeCalls,
        '0.00',
        '0.00',
        `${(r.resumeMs / 1000).toFixed(1)} s`,
      ],
      [
        'old pipeline: one call per video per day',
        perVideoCalls,
        (perVideoCalls / r.result.months).toFixed(0),
        (perVideoCalls / days).toFixed(0),
        'n/a',
      ],
    ]),
  );
  console.log(
    `rows ${r.result.rows}, files ${r.result.files.length}, months/account ${monthsPerAccount}, ` +
      `max calls for one account ${Math.max(...counted.byAccount.values())}`,
  );
}

async function part2() {
  const clock = systemClock;
  const days = quick ? 60 : 365;
  const videos = quick ? 50 : 200;
  const t = performance.now();
  const sim = await startBrightcoveSim({
    clock,
    enforceLimits: true,
    dataset: { videosPerAccount: videos, analyticsDays: days, now: clock.now() },
  });
  const genMs = performance.now() - t;
  const dispatcher = createHttpDispatcher({ env: {} });
  const bc = createBrightcove({
    endpoints: sim.urls,
    dispatcher,
    clock,
    limits: { analyticsProcessingRetryMs: 0 },
  });
  const cred = sim.credentials.find((c) => c.clientId === 'sim-client-all') ?? sim.credentials[0];
  if (!cred) throw new Error('simulator has no credentials');
  const aliases = Object.keys(ACCOUNT_IDS) as (keyof typeof ACCOUNT_IDS)[];
  const bcAccounts = new Map<string, BrightcoveAccount>(
    aliases.map((alias) => [
      ACCOUNT_IDS[alias],
      {
        id: ACCOUNT_IDS[alias],
        alias,
        credentials: { clientId: cred.clientId, clientSecret: cred.clientSecret },
      },
    ]),
  );
  const run: RunAnalyticsQuery = async (id, q) => {
    const account = bcAccounts.get(id);
    if (!account) throw new Error(`unknown account ${id}`);
    const r = await bc.analytics(account).query(q);
    return { item_count: r.itemCount, items: r.items, summary: r.summary };
  };
  const counted = counting(run);
  const now = clock.now();
  const to = new Date(now.getTime() - DAY).toISOString().slice(0, 10);
  const from = new Date(now.getTime() - days * DAY).toISOString().slice(0, 10);
  const list = aliases.map((alias) => ({ id: ACCOUNT_IDS[alias], alias }));
  const r = await exportOnce(list, from, to, counted.run, now, false);
  const httpCalls = sim.count({ api: 'analytics' });
  console.log(
    `\nPart 2: over HTTP (Brightcove simulator + client), ${list.length} accounts × ${videos} videos, ${from}..${to}`,
  );
  console.log(
    table([
      [
        'accounts',
        'account-months',
        'analytics calls',
        'per account-month',
        'HTTP /v1 requests (run + resume)',
        'rows',
        'wall time',
      ],
      [
        list.length,
        r.result.months,
        r.result.calls,
        (r.result.calls / r.result.months).toFixed(2),
        httpCalls,
        r.result.rows,
        `${(r.ms / 1000).toFixed(1)} s`,
      ],
    ]),
  );
  console.log(
    `resume: ${r.resumeCalls} calls (only unsettled months), ${(r.resumeMs / 1000).toFixed(1)} s; dataset generation ${(genMs / 1000).toFixed(1)} s`,
  );
  await sim.close();
  await dispatcher.close();
}

await part1();
await part2();
