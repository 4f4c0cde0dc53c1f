/**
 * The sync side of bench/sync-postgres.ts, in its own process so its peak RSS is its own: a first sync
 * of a library into the PostgreSQL target, dry run then Apply, as `sync neo --target warehouse` + Apply.
 */
import { performance } from 'node:perf_hooks';
import { createBrightcove } from '../src/brightcove/index.js';
import { createHttpDispatcher } from '../src/http/dispatcher.js';
import { collectPlan, runApply } from '../src/sync/run.js';
import { postgresTargetSchema } from '../src/sync/targets/postgres/config.js';
import { PostgresTarget } from '../src/sync/targets/postgres/target.js';

const e = process.env;
const dispatcher = createHttpDispatcher({ env: {} });
// B_UNLIMITED: no CMS rate limit in the client either (the simulator enforces none then), to measure
// the PostgreSQL side of a library too large to list at 10 requests a second here.
const bc = createBrightcove({
  endpoints: { oauth: e.B_OAUTH!, cms: e.B_CMS!, analytics: e.B_CMS!, live: e.B_CMS! },
  dispatcher,
  ...(e.B_UNLIMITED ? { limits: { cmsIntervalMs: 0, cmsConcurrency: 20 } } : {}),
});
const cms = bc.cms({ id: e.B_ACCOUNT!, credentials: { clientId: e.B_ID!, clientSecret: e.B_SECRET! } });
const target = new PostgresTarget(
  'warehouse',
  postgresTargetSchema.parse({ type: 'postgres', url: e.B_PG_URL }),
);
const mb = (bytes: number) => bytes / 1024 / 1024;
const baselineRssMb = mb(process.memoryUsage().rss);
let phase = 'listing';
const peakByPhase: Record<string, number> = {};
const sample = setInterval(() => {
  peakByPhase[phase] = Math.max(peakByPhase[phase] ?? 0, Math.round(mb(process.memoryUsage().rss)));
}, 250);
const started = performance.now();
const { plan } = await collectPlan({
  cms,
  target,
  options: { owner: e.B_ACCOUNT!, limits: target.limits },
  onProgress: (p) => {
    phase = p.phase;
  },
});
const dryRunS = (performance.now() - started) / 1000;
phase = 'apply';
process.stdout.write('APPLY_START\n');
const applyStarted = performance.now();
const summary = await runApply(plan, {
  cms,
  target,
  flags: { applyCreatesUpdates: true, applyDeletes: false },
  mediaReadAt: Date.now(),
});
const applyS = (performance.now() - applyStarted) / 1000;
clearInterval(sample);
process.stdout.write(
  `${JSON.stringify({
    dryRunS,
    applyS,
    created: summary.created.length,
    failed: summary.failed.length,
    writes: target.writes,
    baselineRssMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    peakByPhase,
    counts: plan.counts,
  })}\n`,
);
await target.close();
await dispatcher.close();
process.exit(0);
