/**
 * The sync side of bench/sync.ts, in its own process so its peak RSS is its own: only what a sync loads
 * (the Brightcove and Clarify clients and the planner), not the simulators.
 */
import { performance } from 'node:perf_hooks';
import { createBrightcove } from '../src/brightcove/index.js';
import { ClarifyClient } from '../src/clarify/client.js';
import { createHttpDispatcher } from '../src/http/dispatcher.js';
import { collectPlan, runApply } from '../src/sync/run.js';
import { ClarifyTarget } from '../src/sync/targets/clarify/target.js';

const e = process.env;
const dispatcher = createHttpDispatcher({ env: {} });
const bc = createBrightcove({
  endpoints: { oauth: e.B_OAUTH!, cms: e.B_CMS!, analytics: e.B_CMS!, live: e.B_CMS! },
  dispatcher,
});
const cms = bc.cms({ id: e.B_ACCOUNT!, credentials: { clientId: e.B_ID!, clientSecret: e.B_SECRET! } });
const target = new ClarifyTarget(new ClarifyClient({ baseUrl: e.C_URL!, apiKey: e.C_KEY!, dispatcher }));
const mb = (bytes: number) => bytes / 1024 / 1024;
const baselineRssMb = mb(process.memoryUsage().rss);
// Where the peak happens: RSS sampled four times a second, the highest per phase of the sync.
let phase = 'listing';
const peakByPhase: Record<string, number> = {};
const sample = setInterval(() => {
  peakByPhase[phase] = Math.max(peakByPhase[phase] ?? 0, Math.round(mb(process.memoryUsage().rss)));
}, 250);
const started = performance.now();
const { plan } = await collectPlan({
  cms,
  target,
  onProgress: (p) => {
    phase = p.phase;
  },
});
const wallS = (performance.now() - started) / 1000;
// B_APPLY: then apply the creates and updates, as the Apply button does (the plan's media reused for
// videos unchanged since the plan). The parent counts the requests after the marker line.
let apply: { wallS: number; created: number; updated: number; failed: number } | undefined;
if (e.B_APPLY) {
  phase = 'apply';
  process.stdout.write('APPLY_START\n');
  const applyStarted = performance.now();
  const summary = await runApply(plan, {
    cms,
    target,
    flags: { applyCreatesUpdates: true, applyDeletes: false },
    mediaReadAt: Date.now(),
  });
  apply = {
    wallS: (performance.now() - applyStarted) / 1000,
    created: summary.created.length,
    updated: summary.updated.length,
    failed: summary.failed.length,
  };
}
clearInterval(sample);
process.stdout.write(
  `${JSON.stringify({ wallS, apply, baselineRssMb, maxRssMb: process.resourceUsage().maxRSS / 1024, peakByPhase, counts: plan.counts })}\n`,
);
await dispatcher.close();
process.exit(0);
