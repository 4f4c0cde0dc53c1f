/**
 * Dry run of /brightcove sync: N videos against about N Clarify bundles (95% matched and current, 5% of
 * videos new, as many orphan bundles), with latency on both simulators and the CMS limits enforced.
 * The sync runs in a child process (bench/sync-worker.ts) so its peak RSS is not mixed with the simulators'.
 * Run: npx tsx bench/sync.ts [videos=10000] [latencyMs=25] [newFraction=0.05]
 * The sync process gets the CLI's Node flags (src/node-flags.ts); SYNC_NODE_FLAGS="…" adds more after them.
 * B_APPLY=1: then apply the creates and updates as the Apply button does, and count what that asks the CMS.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { startClarifySim } from '../src/sim/clarify/index.js';
import { ACCOUNT_IDS } from '../src/sim/data/index.js';
import { mapVideoMetadata, recordName } from '../src/sync/metadata.js';

const videos = Number(process.argv[2] ?? 10_000);
const latencyMs = Number(process.argv[3] ?? 25);
const newFraction = Number(process.argv[4] ?? 0.05);

const bcSim = await startBrightcoveSim({
  dataset: { seed: 1, videosPerAccount: { neo: videos }, analyticsDays: 0 },
  latencyMs,
  enforceLimits: true,
});
const clarify = await startClarifySim({ latencyMs, seed: 1 });
const library = bcSim.data.videos[ACCOUNT_IDS.neo]!;
const every = newFraction > 0 ? Math.round(1 / newFraction) : 0;
let orphans = 0;
library.forEach((v, i) => {
  if (every && i % every === 0) {
    clarify.bundles.add({ name: `gone ${i}`, external_id: `77${String(i).padStart(11, '0')}` });
    orphans++;
    return;
  }
  clarify.bundles.add({ name: recordName(v).name, external_id: v.id, data: mapVideoMetadata(v).data });
});
const cred = bcSim.credentials.find((c) => c.accounts.includes(ACCOUNT_IDS.neo))!;

// before an Apply adds to them
const bundlesBefore = clarify.bundles.size;
const worker = fileURLToPath(new URL('./sync-worker.ts', import.meta.url));
// The sync process runs with the CLI's Node flags, as `brightcove-ops sync` does. SYNC_NODE_FLAGS adds flags
// after them, to compare heap policies (the later flag wins: "--max-old-space-size=4144" is the app's default).
const extraFlags = (process.env.SYNC_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...CLI_NODE_FLAGS, ...extraFlags, '--import', 'tsx', worker], {
  env: {
    ...process.env,
    B_ACCOUNT: ACCOUNT_IDS.neo,
    B_OAUTH: bcSim.urls.oauth,
    B_CMS: bcSim.urls.cms,
    B_ID: cred.clientId,
    B_SECRET: cred.clientSecret,
    C_URL: clarify.url,
    C_KEY: clarify.apiKey,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
  cwd: process.cwd(),
});
let out = '';
let applyFrom: number | undefined;
child.stdout.on('data', (d: Buffer) => {
  out += d.toString();
  if (applyFrom === undefined && out.includes('APPLY_START\n')) applyFrom = bcSim.requests.length;
});
const exitCode = await new Promise((r) => child.on('close', r));
if (!out.trim()) throw new Error(`sync worker exited with ${String(exitCode)} and no result`);
const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
  wallS: number;
  apply?: { wallS: number; created: number; updated: number; failed: number };
  baselineRssMb: number;
  maxRssMb: number;
  peakByPhase: Record<string, number>;
  counts: {
    creates: number;
    deletes: number;
    skipped: number;
    updates: number;
    videos: number;
    records: number;
  };
};

// The dry run's requests are those before the Apply marker (all of them without B_APPLY).
const dryRun = bcSim.requests.slice(0, applyFrom);
const applied = applyFrom === undefined ? [] : bcSim.requests.slice(applyFrom);
const isMedia = (r: { api: string; path: string }) =>
  r.api === 'cms' && /\/(sources|assets\/renditions)$/.test(r.path);
const cmsReq = dryRun.filter((r) => r.api === 'cms').length;
const pages = dryRun.filter((r) => r.api === 'cms' && r.path.endsWith('/videos')).length;
const sources = dryRun.filter(isMedia).length;
const bundlePages = clarify.requests.filter((r) => r.method === 'GET' && r.path === '/v1/bundles').length;
const minimum = 1 + Math.ceil(videos / 100) + Math.ceil(bundlesBefore / 100) + sources;
const total = cmsReq + bundlePages + bcSim.count({ api: 'oauth' });
const floorS = cmsReq / 10;
const latencyS = latencyMs / 1000;
const listingBoundFloorS =
  latencyS + Math.max((cmsReq - sources) / 10, bundlePages * latencyS) + sources / 10 + latencyS;
const applyRows: Array<[string, string]> = result.apply
  ? [
      [
        'Apply (creates and updates)',
        `${result.apply.created} created, ${result.apply.updated} updated, ${result.apply.failed} failed, ${result.apply.wallS.toFixed(2)} s`,
      ],
      [
        'Apply CMS requests (media again / version checks, 10 ids each)',
        `${applied.filter((r) => r.api === 'cms').length} (${applied.filter(isMedia).length} / ${applied.filter((r) => r.api === 'cms' && /\/videos\/[^/]+$/.test(r.path)).length})`,
      ],
      ['dry run + Apply wall', `${(result.wallS + result.apply.wallS).toFixed(2)} s`],
    ]
  : [];
const rows: Array<[string, string]> = [
  ['videos / bundles', `${videos} / ${bundlesBefore} (${orphans} orphans)`],
  ['latency (both APIs)', `${latencyMs} ms`],
  [
    'plan',
    `${result.counts.creates} creates, ${result.counts.updates} updates, ${result.counts.deletes} deletes, ${result.counts.skipped} skipped`,
  ],
  ['CMS requests (count + pages + media)', `${cmsReq} (pages ${pages}, media ${sources})`],
  ['Clarify requests (bundle pages)', String(bundlePages)],
  ['token requests', String(bcSim.count({ api: 'oauth' }))],
  ['all requests', String(total)],
  ['minimum (count + video pages + bundle pages + media of new videos)', String(minimum)],
  ['requests / minimum', (total / minimum).toFixed(3)],
  ['429 responses', String(bcSim.count({ status: 429 }))],
  ['wall time (sync process)', `${result.wallS.toFixed(2)} s`],
  ['rate-limit floor (CMS requests / 10 per s)', `${floorS.toFixed(2)} s`],
  ['wall / floor', (result.wallS / floorS).toFixed(3)],
  // No client can end sooner than the floor plus the token request before the first call and the
  // last response after the last start: two latencies.
  [
    'wall / (floor + 2 latencies: the token before, the last response after)',
    (result.wallS / (floorS + (2 * latencyMs) / 1000)).toFixed(3),
  ],
  // Clarify pages by cursor (each page's `next` link names the next one), so its listing takes one
  // latency per page whatever the limits; media are asked for only once both listings are complete
  // (a video's bundle may be on the last page), at the CMS rate.
  [
    'floor with Clarify’s cursor paging: token + max(CMS listing / 10 per s, bundle pages × latency) + media / 10 per s + latency',
    `${listingBoundFloorS.toFixed(2)} s (wall / it: ${(result.wallS / listingBoundFloorS).toFixed(3)})`,
  ],
  [
    'max CMS requests in flight (server-side)',
    String(bcSim.runtime.maxInFlight.cms.get(ACCOUNT_IDS.neo) ?? 0),
  ],
  ['RSS of the sync process before the sync (Node, tsx, modules)', `${result.baselineRssMb.toFixed(0)} MB`],
  ['peak RSS of the sync process', `${result.maxRssMb.toFixed(0)} MB`],
  ...applyRows,
  [
    'peak RSS by phase (sampled every 250 ms)',
    Object.entries(result.peakByPhase)
      .map(([k, v]) => `${k} ${v} MB`)
      .join(', '),
  ],
];
const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`| ${'metric'.padEnd(w)} | value |\n| ${'-'.repeat(w)} | ----- |\n`);
for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
await bcSim.close();
await clarify.close();
