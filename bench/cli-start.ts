/**
 * Cold start of the CLI: wall time and peak RSS of `brightcove-ops --help`, `--version` and `accounts`,
 * beside `node -e 0` and `node --import tsx -e 0` (the floor under tsx). Each is run RUNS times as
 * a fresh process through GNU time; the median is printed. Run: npx tsx bench/cli-start.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'bcops-cli-start-'));
writeFileSync(join(dir, 'brightcove-ops.yml'), 'accounts:\n  - { alias: neo, id: "111" }\n');
const env = {
  ...process.env,
  BRIGHTCOVE_OPS_CONFIG: join(dir, 'brightcove-ops.yml'),
  BRIGHTCOVE_OPS_STATE: join(dir, 'state.json'),
};

const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['node --import tsx -e 0', ['--import', 'tsx', '-e', '0']],
  ['brightcove-ops --version', ['--import', 'tsx', 'src/cli.ts', '--version']],
  ['brightcove-ops --help', ['--import', 'tsx', 'src/cli.ts', '--help']],
  ['brightcove-ops accounts', ['--import', 'tsx', 'src/cli.ts', 'accounts']],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`${RUNS} runs each, median (GNU time: wall s, max RSS MB)`);
for (const [label, args] of cases) {
  const walls: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, ...args], {
      env,
      encoding: 'utf8',
    });
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const [wall, kb] = last.split(' ').map(Number);
    walls.push(wall!);
    rss.push(kb! / 1024);
  }
  console.log(`${label.padEnd(28)} ${median(walls).toFixed(2)} s  ${median(rss).toFixed(0)} MB`);
}
