/**
 * List a 20,000-video library through the CMS client against the simulator with 30 ms latency and enforced
 * limits (10 requests/s, 20 in flight). Prints requests, 429s, wall time and the rate-limit floor.
 * Run: npx tsx bench/cms-list.ts [videos] [latencyMs]
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createBrightcove } from '../src/brightcove/index.js';
import { createHttpDispatcher } from '../src/http/dispatcher.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../src/sim/data/index.js';

const e = process.env;
if (e.B_CMS) {
  // The client side, in its own process (as the app is): the simulator's work must not delay its writes.
  const dispatcher = createHttpDispatcher({ env: {} });
  const bc = createBrightcove({
    endpoints: { oauth: e.B_OAUTH!, cms: e.B_CMS, analytics: e.B_CMS, live: e.B_CMS },
    dispatcher,
  });
  const cms = bc.cms({ id: e.B_ACCOUNT!, credentials: { clientId: e.B_ID!, clientSecret: e.B_SECRET! } });
  const started = performance.now();
  const listing = cms.listVideos();
  let listed = 0;
  for await (const _ of listing) listed += 1;
  const wallS = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ wallS, listed, duplicates: listing.stats.duplicates })}\n`);
  await dispatcher.close();
  process.exit(0);
}

const videos = Number(process.argv[2] ?? 20_000);
const latencyMs = Number(process.argv[3] ?? 30);

const sim = await startBrightcoveSim({
  dataset: { seed: 1, videosPerAccount: { neo: videos }, analyticsDays: 0 },
  latencyMs,
  enforceLimits: true,
});
const cred = sim.credentials[0]!;
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
  env: {
    ...process.env,
    B_ACCOUNT: ACCOUNT_IDS.neo,
    B_OAUTH: sim.urls.oauth,
    B_CMS: sim.urls.cms,
    B_ID: cred.clientId,
    B_SECRET: cred.clientSecret,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (d: Buffer) => {
  out += d.toString();
});
await new Promise((r) => child.on('close', r));
const { wallS, listed, duplicates } = JSON.parse(out.trim().split('\n').at(-1)!) as {
  wallS: number;
  listed: number;
  duplicates: number;
};

const cmsRequests = sim.count({ api: 'cms' });
const pageRequests = sim.requests.filter(
  (r) => r.api === 'cms' && r.path.endsWith('/videos') && !r.path.includes('/counts/'),
);
const tooMany = sim.count({ status: 429 });
const floorPages = pageRequests.length / 10;
const floorAll = cmsRequests / 10;
const rows: Array<[string, string]> = [
  ['videos in library', String(videos)],
  ['videos listed (unique)', String(listed)],
  ['duplicates dropped', String(duplicates)],
  ['latency per request', `${latencyMs} ms`],
  ['page requests (limit=100)', String(pageRequests.length)],
  ['CMS requests (pages + count)', String(cmsRequests)],
  ['token requests', String(sim.count({ api: 'oauth' }))],
  ['429 responses', String(tooMany)],
  ['max in flight (server-side)', String(sim.runtime.maxInFlight.cms.get(ACCOUNT_IDS.neo) ?? 0)],
  ['wall time', `${wallS.toFixed(2)} s`],
  ['floor: pages / 10 per s', `${floorPages.toFixed(2)} s`],
  ['wall / floor', (wallS / floorPages).toFixed(3)],
  ['floor incl. count request', `${floorAll.toFixed(2)} s (ratio ${(wallS / floorAll).toFixed(3)})`],
  // the token before the first request and the last response after the last start: no client ends sooner
  [
    'floor incl. count + 2 latencies (token, last response)',
    `${(floorAll + (2 * latencyMs) / 1000).toFixed(2)} s (ratio ${(wallS / (floorAll + (2 * latencyMs) / 1000)).toFixed(3)})`,
  ],
];
const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`| ${'metric'.padEnd(w)} | value |\n| ${'-'.repeat(w)} | ----- |\n`);
for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
const ok = tooMany === 0 && listed === videos && wallS <= 1.2 * floorPages;
process.stdout.write(`\ntarget (0 429s, all listed, wall <= 1.2 x floor): ${ok ? 'MET' : 'MISSED'}\n`);

await sim.close();
process.exit(ok ? 0 : 1);
