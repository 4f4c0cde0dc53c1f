/**
 * Incremental dry run of /brightcove sync after a full one: N videos, all mirrored and current in
 * Clarify, then `changed` of them edited (and as many new ones, `newFraction` of `changed`) after the
 * cursor; CMS limits enforced and latency on both simulators. What it costs to ask only for changes.
 * Run: npx tsx bench/sync-incremental.ts [videos=100000] [changedFraction=0] [latencyMs=25] [newShare=0.5]
 */
import { performance } from 'node:perf_hooks';
import { createBrightcove } from '../src/brightcove/index.js';
import { ClarifyClient } from '../src/clarify/client.js';
import { createHttpDispatcher } from '../src/http/dispatcher.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { startClarifySim } from '../src/sim/clarify/index.js';
import { ACCOUNT_IDS } from '../src/sim/data/index.js';
import type { SyncCursor } from '../src/sync/cursor.js';
import { mapVideoMetadata, recordName } from '../src/sync/metadata.js';
import { collectChanges } from '../src/sync/run.js';
import { ClarifyTarget } from '../src/sync/targets/clarify/target.js';

const videos = Number(process.argv[2] ?? 100_000);
const changedFraction = Number(process.argv[3] ?? 0);
const latencyMs = Number(process.argv[4] ?? 25);
const newShare = Number(process.argv[5] ?? 0.5);

const bcSim = await startBrightcoveSim({
  dataset: { seed: 1, videosPerAccount: { neo: videos }, analyticsDays: 0 },
  latencyMs,
  enforceLimits: true,
});
const clarify = await startClarifySim({ latencyMs, seed: 1 });
const account = ACCOUNT_IDS.neo;
const library = bcSim.data.videos[account]!;
for (const v of library)
  clarify.bundles.add({ name: recordName(v).name, external_id: v.id, data: mapVideoMetadata(v).data });

// The cursor a full sync left a minute ago; the changes come after it.
const since = new Date(Date.now() - 60_000).toISOString();
const cursor: SyncCursor = {
  id: `${account}:clarify`,
  account,
  target: 'clarify',
  since,
  before: library.filter((v) => Date.parse(v.created_at) <= Date.parse(since)).length,
  fullAt: since,
  options: '{}',
};
const changed = Math.round(videos * changedFraction);
const created = Math.round(changed * newShare);
const edited = changed - created;
const step = edited ? Math.floor(library.length / edited) : 0;
for (let i = 0; i < edited; i++)
  bcSim.cms.updateVideo(account, library[i * step]!.id, { name: `Edited ${i}` });
// new uploads with sources (copied from a video that has MP4s)
const withSources = library.find((v) => (bcSim.data.sources[v.id] ?? []).some((s) => s.container === 'MP4'))!;
for (let i = 0; i < created; i++) bcSim.cms.addVideo(account, { name: `New ${i}` }, withSources.id);
const before = { cms: bcSim.count({ api: 'cms' }), clarify: clarify.requests.length };

const dispatcher = createHttpDispatcher({ env: {} });
const bc = createBrightcove({
  endpoints: { ...bcSim.urls },
  dispatcher,
});
const cred = bcSim.credentials.find((c) => c.accounts.includes(account))!;
const cms = bc.cms({
  id: account,
  credentials: { clientId: cred.clientId, clientSecret: cred.clientSecret },
});
const target = new ClarifyTarget(
  new ClarifyClient({ baseUrl: clarify.url, apiKey: clarify.apiKey, dispatcher }),
);
const started = performance.now();
const result = await collectChanges({
  cms,
  target,
  cursor,
  overlapMs: 0,
  notices: [],
  startedAt: new Date().toISOString(),
});
const wallS = (performance.now() - started) / 1000;
if ('fullNeeded' in result) throw new Error(`a full run was needed: ${result.fullNeeded}`);

const cmsReq = bcSim.count({ api: 'cms' }) - before.cms;
const pages = Math.ceil(changed / 100);
const sources = bcSim.requests.filter(
  (r) => r.api === 'cms' && /\/(sources|assets\/renditions)$/.test(r.path),
).length;
const c = result.plan.counts;
const rows: Array<[string, string]> = [
  ['videos / changed (edited + new)', `${videos} / ${changed} (${edited} + ${created})`],
  ['latency (both APIs)', `${latencyMs} ms`],
  ['plan', `${c.creates} creates, ${c.updates} updates, ${c.deletes} deletes, ${c.skipped} skipped`],
  ['CMS requests (counts + pages + media)', `${cmsReq} (media ${sources})`],
  ['changed pages + their sources', `${pages + sources}`],
  [
    'CMS requests / (changed pages + sources)',
    pages + sources ? (cmsReq / (pages + sources)).toFixed(3) : 'n/a',
  ],
  ['Clarify requests (one lookup per changed video)', String(clarify.requests.length - before.clarify)],
  ['429 responses', String(bcSim.count({ status: 429 }))],
  ['wall time', `${wallS.toFixed(2)} s`],
];
const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`| ${'metric'.padEnd(w)} | value |\n| ${'-'.repeat(w)} | ----- |\n`);
for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
await dispatcher.close();
await bcSim.close();
await clarify.close();
