/**
 * A first sync of N videos into the PostgreSQL target (issue 19): dry run, then Apply of every create,
 * against the Brightcove simulator (CMS limits enforced, the given latency) and a throwaway PostgreSQL
 * cluster (as the tests start one). The sync runs in a child process (bench/sync-postgres-worker.ts).
 * Run: npx tsx bench/sync-postgres.ts [videos=2000] [latencyMs=25]
 * B_UNLIMITED=1 lifts the CMS limits on both sides: a first sync asks for every video's sources, so at
 * Brightcove's 10 requests/s 100,000 videos take 2.8 hours; unlimited, the run shows the database side.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { ACCOUNT_IDS } from '../src/sim/data/index.js';
import { startThrowawayPostgres } from '../test/support/postgres.js';

const videos = Number(process.argv[2] ?? 2000);
const latencyMs = Number(process.argv[3] ?? 25);
const unlimited = Boolean(process.env.B_UNLIMITED);

const db = await startThrowawayPostgres();
// The cluster goes with the bench, also when it is interrupted.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    db.stop();
    process.exit(130);
  });
const bcSim = await startBrightcoveSim({
  dataset: { seed: 1, videosPerAccount: { neo: videos }, analyticsDays: 0 },
  latencyMs,
  enforceLimits: !unlimited,
});
const cred = bcSim.credentials.find((c) => c.accounts.includes(ACCOUNT_IDS.neo))!;
const worker = fileURLToPath(new URL('./sync-postgres-worker.ts', import.meta.url));
const child = spawn(process.execPath, [...CLI_NODE_FLAGS, '--import', 'tsx', worker], {
  env: {
    ...process.env,
    B_ACCOUNT: ACCOUNT_IDS.neo,
    B_OAUTH: bcSim.urls.oauth,
    B_CMS: bcSim.urls.cms,
    B_ID: cred.clientId,
    B_SECRET: cred.clientSecret,
    B_PG_URL: db.url,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
let applyFrom: number | undefined;
child.stdout.on('data', (d: Buffer) => {
  out += d.toString();
  if (applyFrom === undefined && out.includes('APPLY_START\n')) applyFrom = bcSim.requests.length;
});
const exitCode = await new Promise((r) => child.on('close', r));
if (!out.trim()) throw new Error(`sync worker exited with ${String(exitCode)} and no result`);
const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
  dryRunS: number;
  applyS: number;
  created: number;
  failed: number;
  writes: { statements: number; rows: number };
  baselineRssMb: number;
  maxRssMb: number;
  peakByPhase: Record<string, number>;
  counts: { creates: number; skipped: number; videos: number };
};
const dryRun = bcSim.requests.slice(0, applyFrom);
const cmsReq = dryRun.filter((q) => q.api === 'cms').length;
const media = dryRun.filter((q) => q.api === 'cms' && /\/(sources|assets\/renditions)$/.test(q.path)).length;
const sql = new pg.Client({ connectionString: db.url });
await sql.connect();
const rowsInTable = Number((await sql.query('SELECT count(*) AS n FROM brightcove_videos')).rows[0].n);
await sql.end();
const floorS = cmsReq / 10;
const rows: Array<[string, string]> = [
  [
    'videos, latency, CMS limits',
    `${videos}, ${latencyMs} ms, ${unlimited ? 'lifted' : '10/s and 20 in flight'}`,
  ],
  ['plan', `${r.counts.creates} creates, ${r.counts.skipped} skipped`],
  ['dry-run CMS requests (count + pages + media)', `${cmsReq} (media ${media})`],
  ['429 responses', String(bcSim.count({ status: 429 }))],
  ['dry run wall', `${r.dryRunS.toFixed(2)} s`],
  ...(unlimited
    ? []
    : ([
        ['rate-limit floor (CMS requests / 10 per s)', `${floorS.toFixed(2)} s`],
        ['dry run / floor', (r.dryRunS / floorS).toFixed(3)],
      ] as Array<[string, string]>)),
  ['Apply CMS requests (version checks, 10 ids each)', String(bcSim.requests.length - (applyFrom ?? 0))],
  ['Apply wall', `${r.applyS.toFixed(2)} s (${r.created} created, ${r.failed} failed)`],
  ['rows in brightcove_videos', String(rowsInTable)],
  [
    'insert statements / rows',
    `${r.writes.statements} / ${r.writes.rows} (${(r.writes.rows / Math.max(1, r.writes.statements)).toFixed(0)} rows a statement)`,
  ],
  ['rows per second (Apply)', (r.created / r.applyS).toFixed(0)],
  ['RSS before the sync / peak', `${r.baselineRssMb.toFixed(0)} MB / ${r.maxRssMb.toFixed(0)} MB`],
  [
    'peak RSS by phase',
    Object.entries(r.peakByPhase)
      .map(([k, v]) => `${k} ${v} MB`)
      .join(', '),
  ],
];
const w = Math.max(...rows.map((x) => x[0].length));
process.stdout.write(`| ${'metric'.padEnd(w)} | value |\n| ${'-'.repeat(w)} | ----- |\n`);
for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
await bcSim.close();
db.stop();
