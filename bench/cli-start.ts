/**
 * Cold start of the CLI as users run it (bin/brightcove-ops.js, which runs the compiled dist/): wall time
 * and peak RSS of `--version`, `--help` and `accounts`, beside `node -e 0`, the same through tsx (the
 * sources, as `npm run cli` runs them) and `node --import tsx -e 0` (the floor under tsx). Each is run
 * RUNS times as a fresh process through GNU time; the median is printed. Then, unless syncVideos is 0,
 * one whole-CLI `brightcove-ops sync neo` dry run of that many videos against the simulators (every
 * video already in Clarify and current: the listing is the work), with its wall time and peak RSS.
 * Run: npm run build && npx tsx bench/cli-start.ts [syncVideos=100000]  (SYNC_NODE_FLAGS="…" adds Node
 * flags to the sync run, after the CLI's own)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';
import { startBrightcoveSim } from '../src/sim/brightcove/index.js';
import { startClarifySim } from '../src/sim/clarify/index.js';
import { ACCOUNT_IDS } from '../src/sim/data/index.js';
import { simEnv } from '../src/sim/env.js';
import { mapVideoMetadata, recordName } from '../src/sync/metadata.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const syncVideos = Number(process.argv[2] ?? 100_000);
if (!existsSync('dist/src/cli.js')) throw new Error('no dist/: run `npm run build` first');

const dir = mkdtempSync(join(tmpdir(), 'bcops-cli-start-'));
writeFileSync(join(dir, 'brightcove-ops.yml'), 'accounts:\n  - { alias: neo, id: "111" }\n');
const env: Record<string, string | undefined> = {
  ...process.env,
  BRIGHTCOVE_OPS_CONFIG: join(dir, 'brightcove-ops.yml'),
  BRIGHTCOVE_OPS_STATE: join(dir, 'state.json'),
};

/** Wall seconds and max RSS in MB of one run under GNU time. */
function timed(args: string[], runEnv = env): { wall: number; rssMb: number; status: number | null } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { env: runEnv, encoding: 'utf8' });
  const [wall, kb] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { wall: wall!, rssMb: kb! / 1024, status: r.status };
}

const bin = 'bin/brightcove-ops.js';
const cases: [string, string[]][] = [
  ['node -e 0', [process.execPath, '-e', '0']],
  ['node --import tsx -e 0', [process.execPath, '--import', 'tsx', '-e', '0']],
  ['brightcove-ops --version', [bin, '--version']],
  ['brightcove-ops --help', [bin, '--help']],
  ['brightcove-ops accounts', [bin, 'accounts']],
  ['--help from the sources (tsx)', [process.execPath, '--import', 'tsx', 'src/cli.ts', '--help']],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`${RUNS} runs each, median (GNU time: wall s, max RSS MB)`);
for (const [label, args] of cases) {
  const runs = Array.from({ length: RUNS }, () => timed(args));
  const wall = median(runs.map((r) => r.wall));
  const rss = median(runs.map((r) => r.rssMb));
  console.log(`${label.padEnd(32)} ${wall.toFixed(2)} s  ${rss.toFixed(0)} MB`);
}

if (syncVideos > 0) {
  const bc = await startBrightcoveSim({
    dataset: { seed: 1, videosPerAccount: { neo: syncVideos }, analyticsDays: 0 },
    enforceLimits: true,
  });
  const clarify = await startClarifySim({ seed: 1 });
  for (const v of bc.data.videos[ACCOUNT_IDS.neo]!)
    clarify.bundles.add({ name: recordName(v).name, external_id: v.id, data: mapVideoMetadata(v).data });
  const cred = bc.credentials.find((c) => c.accounts.includes(ACCOUNT_IDS.neo))!;
  writeFileSync(
    join(dir, 'sync.yml'),
    `accounts:\n  - alias: neo\n    id: "${ACCOUNT_IDS.neo}"\n    credentials: { client_id: ${cred.clientId}, client_secret: ${cred.clientSecret} }\n`,
  );
  // The CLI runs in a child while the simulators answer from this process: spawnSync would block them.
  const { spawn } = await import('node:child_process');
  const result = await new Promise<{ wall: number; rssMb: number; status: number | null }>((done) => {
    let stderr = '';
    // As the launcher's shebang runs it, plus SYNC_NODE_FLAGS (to compare heap policies; later flags win).
    const nodeFlags = [...CLI_NODE_FLAGS, ...(process.env.SYNC_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
    const args = ['-f', '%e %M', process.execPath, ...nodeFlags, bin, 'sync', 'neo', '--json'];
    const child = spawn('/usr/bin/time', args, {
      env: { ...env, ...simEnv(bc, clarify), BRIGHTCOVE_OPS_CONFIG: join(dir, 'sync.yml') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (status) => {
      const [wall, kb] = (stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
      done({ wall: wall!, rssMb: kb! / 1024, status });
    });
  });
  const cms = bc.count({ api: 'cms' });
  console.log(
    `brightcove-ops sync neo (dry run, ${syncVideos} videos): exit ${String(result.status)}, ${result.wall.toFixed(1)} s, peak ${result.rssMb.toFixed(0)} MB, ${cms} CMS requests (floor ${(cms / 10).toFixed(1)} s)`,
  );
  await bc.close();
  await clarify.close();
}
