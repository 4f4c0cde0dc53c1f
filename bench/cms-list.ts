/**
 * List a 20,000-video library through the CMS client against the simulator with 30 ms latency and enforced
 * limits (10 requests/s, 20 in flight). Prints requests, 429s, wall time and the rate-limit floor.
 * Run: npx tsx bench/cms-list.ts [videos] [latencyMs]
 */
import { performance } from 'node:perf_hooks';
import { createBrightcove } from '../src/brightcove/index.js';
import { createHttpDispatcher } from '../src/http/dispatcher.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../src/sim/data/index.js';

const videos = Number(process.argv[2] ?? 20_000);
const latencyMs = Number(process.argv[3] ?? 30);

const sim = await startBrightcoveSim({
  dataset: { seed: 1, videosPerAccount: { neo: videos }, analyticsDays: 0 },
  latencyMs,
  enforceLimits: true,
});
const dispatcher = createHttpDispatcher({ env: {} });
const bc = createBrightcove({ endpoints: sim.urls, dispatcher });
const cred = sim.credentials[0]!;
const cms = bc.cms({ id: ACCOUNT_IDS.neo, credentials: cred });

const started = performance.now();
const listing = cms.listVideos();
let listed = 0;
for await (const _ of listing) listed += 1;
const wallS = (performance.now() - started) / 1000;

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
  ['duplicates dropped', String(listing.stats.duplicates)],
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
];
const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`| ${'metric'.padEnd(w)} | value |\n| ${'-'.repeat(w)} | ----- |\n`);
for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
const ok = tooMany === 0 && listed === videos && wallS <= 1.2 * floorPages;
process.stdout.write(`\ntarget (0 429s, all listed, wall <= 1.2 x floor): ${ok ? 'MET' : 'MISSED'}\n`);

await sim.close();
await dispatcher.close();
process.exit(ok ? 0 : 1);
