/**
 * One digest over 11 accounts × 2,000 videos × 30 days of daily analytics, against the simulator with
 * 50 ms latency per request and enforced limits (one Analytics query in flight per account). Runs exactly
 * what a digest run does minus Slack: the report queries for all accounts in parallel, cached name lookups,
 * the Block Kit summary and the PNG chart. Prints Analytics calls per account (target ≤ 4) and wall time.
 * Run: npx tsx bench/digest.ts [accounts=11] [videos=2000] [days=30] [latencyMs=50]
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { renderTrendPng } from '../src/analytics/chart.js';
import { VideoNameCache } from '../src/analytics/names.js';
import { addDays, lastDays } from '../src/analytics/period.js';
import { buildReport } from '../src/analytics/report.js';
import { analyticsRunner } from '../src/analytics/service.js';
import { type BrightcoveAccount, createBrightcove } from '../src/brightcove/index.js';
import { createHttpDispatcher } from '../src/http/dispatcher.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { DEVICES, generateDataset, makeVideo, seededRng } from '../src/sim/data/index.js';
import type { DailyViews } from '../src/sim/data/types.js';
import { renderReport } from '../src/slack/report-render.js';

const nAccounts = Number(process.argv[2] ?? 11);
const nVideos = Number(process.argv[3] ?? 2000);
const days = Number(process.argv[4] ?? 30);
const latencyMs = Number(process.argv[5] ?? 50);
const NOW = new Date('2026-11-21T12:00:00Z');
const today = NOW.toISOString().slice(0, 10);

// ---- dataset: 11 accounts sharing one credential, daily rows for 2 × `days` (the digest compares periods)
const t0 = performance.now();
const data = generateDataset({ seed: 3, videosPerAccount: 0, analyticsDays: 0, now: NOW });
const template = data.accounts[0]!;
data.accounts = [];
data.videos = {};
const rng = seededRng(11);
const rows: DailyViews[] = [];
for (let a = 0; a < nAccounts; a++) {
  const id = `${String(a + 1).padStart(3, '0')}0000000001`;
  data.accounts.push({ ...template, id, alias: `acct${a + 1}`, name: `Account ${a + 1}` });
  const vids = Array.from({ length: nVideos }, (_, i) =>
    makeVideo({
      accountId: id,
      id: `7${String(a + 1).padStart(2, '0')}${String(i + 1).padStart(7, '0')}001`,
      createdAt: NOW.getTime() - 400 * 86_400_000 + i,
      name: `Video ${a + 1}-${i + 1}`,
    }),
  );
  data.videos[id] = vids;
  for (let d = 2 * days; d >= 1; d--) {
    const date = addDays(today, -d);
    for (const v of vids) {
      // a long tail: most videos are not watched on a given day
      if (rng() > 0.3) continue;
      for (const device of DEVICES) {
        if (rng() > 0.4) continue;
        const views = Math.floor(rng() * 30);
        rows.push({
          account: id,
          video: v.id,
          date,
          device_type: device,
          browser_type: 'chrome',
          video_view: views,
          video_impression: views + Math.floor(rng() * 20),
          play_request: views,
          video_seconds_viewed: views * 60,
          video_percent_viewed: views * 55,
        });
      }
    }
  }
}
data.analytics = rows;
data.credentials = [
  { clientId: 'bench-client', clientSecret: 'bench-secret-0001', accounts: data.accounts.map((a) => a.id) },
];
const genS = (performance.now() - t0) / 1000;

const clock = { now: () => NOW, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
const sim = await startBrightcoveSim({ dataset: data, latencyMs, enforceLimits: true, clock });
const dispatcher = createHttpDispatcher({ env: {} });
const bc = createBrightcove({ endpoints: sim.urls, dispatcher, clock });
const cred = { clientId: 'bench-client', clientSecret: 'bench-secret-0001' };
const accounts = new Map<string, BrightcoveAccount>(
  data.accounts.map((a) => [a.id, { id: a.id, alias: a.alias, credentials: cred }]),
);
const acct = (id: string) => accounts.get(id)!;
const names = new VideoNameCache(async (id, ids) => {
  const videos = await bc.cms(acct(id)).getVideos(ids);
  return new Map(videos.map((v) => [v.id, v.name]));
});

const started = performance.now();
const report = await buildReport({
  run: analyticsRunner((id) => bc.analytics(acct(id))),
  scope: { label: 'all', accountIds: [...accounts.keys()] },
  period: lastDays(days, today),
  today,
  now: NOW,
  names,
});
const queriedS = (performance.now() - started) / 1000;
const summary = renderReport(report, { title: 'Daily digest' });
const png = await renderTrendPng(report.daily, { title: 'Daily views by device: all' });
const wallS = (performance.now() - started) / 1000;
// BENCH_PNG=/tmp/digest.png keeps the chart for a look
if (process.env.BENCH_PNG) await writeFile(process.env.BENCH_PNG, png);

const perAccount = [...accounts.keys()].map(
  (id) => sim.requests.filter((r) => r.api === 'analytics' && r.query.accounts === id).length,
);
const analyticsCalls = sim.count({ api: 'analytics' });
const maxInFlight = Math.max(...[...sim.runtime.maxInFlight.analytics.values()]);
const out: Array<[string, string]> = [
  ['accounts × videos × days', `${nAccounts} × ${nVideos} × ${days} (+ ${days} previous days)`],
  ['daily rows in the simulator', rows.length.toLocaleString('en-US')],
  ['latency per request', `${latencyMs} ms`],
  ['Analytics calls (total)', String(analyticsCalls)],
  ['Analytics calls per account', `max ${Math.max(...perAccount)}, min ${Math.min(...perAccount)}`],
  ['max Analytics queries in flight per account', String(maxInFlight)],
  ['429 responses', String(sim.count({ status: 429 }))],
  ['CMS calls (name lookups)', String(sim.count({ api: 'cms' }))],
  ['token requests', String(sim.count({ api: 'oauth' }))],
  ['views in period', report.current.views.toLocaleString('en-US')],
  [
    'summary blocks / chart PNG',
    `${summary.blocks?.length ?? 0} blocks / ${(png.length / 1024).toFixed(0)} KiB`,
  ],
  ['wall time: queries', `${queriedS.toFixed(2)} s`],
  ['wall time: queries + summary + chart', `${wallS.toFixed(2)} s`],
  ['(dataset generation, not timed)', `${genS.toFixed(1)} s`],
];
const w = Math.max(...out.map((r) => r[0].length));
process.stdout.write(`| ${'metric'.padEnd(w)} | value |\n| ${'-'.repeat(w)} | ----- |\n`);
for (const [k, v] of out) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
const ok = Math.max(...perAccount) <= 4 && maxInFlight <= 1;
process.stdout.write(`\ntarget (≤ 4 Analytics calls per account, 1 in flight): ${ok ? 'MET' : 'MISSED'}\n`);

await sim.close();
await dispatcher.close();
