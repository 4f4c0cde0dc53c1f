/**
 * Ack latency of /brightcove over loopback in HTTP mode: 500 signed slash commands, 50 at a time.
 * Slack allows 3000 ms; our target is p99 < 100 ms. Run: npm run bench:ack
 * A burst of 200 at once: BENCH_CONCURRENCY=200 BENCH_TOTAL=200 npx tsx bench/ack.ts
 * The same load against a bare node:http server (the floor): ACK_APP=bench/ack-floor.mjs …
 *
 * The app runs in its own process (as in production), so the simulator and the load generator do
 * not share its event loop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startSlackSim } from '../src/sim/slack/index.js';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const SECRET = 'bench-signing-secret';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const slack = await startSlackSim({ channels: { C0OPS: 'video-ops' } });
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'bcops-bench-'));
const child = spawn(
  process.execPath,
  [
    // as `npm start` runs it (V8's defaults); ACK_NODE_FLAGS adds flags to compare heap policies
    ...(process.env.ACK_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
    '--import',
    'tsx',
    // ACK_APP=bench/ack-floor.mjs: a bare signature-checking server instead of the app (the floor)
    process.env.ACK_APP ?? 'src/main.ts',
  ],
  {
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      BRIGHTCOVE_OPS_STATE: join(dir, 'state.json'),
      BRIGHTCOVE_OPS_CONFIG: '',
      BRIGHTCOVE_ACCOUNT_ID: '1',
      BRIGHTCOVE_CLIENT_ID: 'a',
      BRIGHTCOVE_CLIENT_SECRET: 'b',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
// The app must not outlive the bench, whatever happens to it.
process.on('exit', () => child.kill('SIGKILL'));
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 200; i++) {
  const ok = await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  await new Promise((r) => setTimeout(r, 100));
}

/**
 * The load generator runs in a worker thread: the Slack simulator (which receives every reply on its
 * response_url) stays on this thread, so neither delays the other's clock readings.
 */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const { Agent, request } = require(workerData.undici);
const { url, secret, bodies, concurrency } = workerData;
const dispatcher = new Agent({ connections: concurrency });
async function run(bodies) {
  const latencies = [];
  let failures = 0;
  let next = 0;
  // Signed before the clock starts: the generator's own work must not count as the app's latency.
  const ts = Math.floor(Date.now() / 1000);
  const list = bodies.map((raw) => ({
    raw,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + raw).digest('hex'),
    },
  }));
  async function one() {
    while (next < list.length) {
      const { raw, headers } = list[next++];
      const t0 = performance.now();
      const res = await request(url, { method: 'POST', headers, body: raw, dispatcher });
      await res.body.text();
      latencies.push(performance.now() - t0);
      if (res.statusCode !== 200) failures++;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, one));
  return { latencies, failures, wall: performance.now() - started };
}
(async () => {
  await run(bodies.warmup);
  await new Promise((r) => setTimeout(r, 500));
  parentPort.postMessage(await run(bodies.measured));
  await dispatcher.close();
})();
`;
const payload = () => new URLSearchParams(slack.commandPayload('accounts', 'U0BENCH', 'C0OPS')).toString();
const worker = new Worker(LOAD_WORKER, {
  eval: true,
  workerData: {
    undici: createRequire(import.meta.url).resolve('undici'),
    url: `${base}/slack/events`,
    secret: SECRET,
    concurrency: CONCURRENCY,
    // Warm up (JIT, keep-alive sockets) so the figures describe a running app, not its first second.
    bodies: {
      warmup: Array.from({ length: WARMUP }, payload),
      measured: Array.from({ length: TOTAL }, payload),
    },
  },
});
const { latencies, failures, wall } = await new Promise<{
  latencies: number[];
  failures: number;
  wall: number;
}>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log('| requests | concurrency | non-200 | p50 ack (ms) | p99 ack (ms) | max (ms) | wall (s) |');
console.log('|---|---|---|---|---|---|---|');
console.log(
  `| ${TOTAL} | ${CONCURRENCY} | ${failures} | ${pct(50).toFixed(1)} | ${pct(99).toFixed(1)} | ${pct(100).toFixed(1)} | ${(wall / 1000).toFixed(2)} |`,
);
await new Promise((r) => setTimeout(r, 500));
child.kill('SIGTERM');
await slack.close();
await worker.terminate();
