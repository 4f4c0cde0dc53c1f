import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { int, pick, type Rng, seededRng } from '../../src/sim/data/rng.js';
import { cliWorkspace, type Harness, MEMBER, OPERATOR, startHarness } from '../support/harness.js';

/**
 * Seeded hostile input (issue 14) through the Slack endpoint and the CLI: whatever is typed, the
 * answer is never an error id or a stack trace, and a refusal of bad input shows the usage or
 * points at `help <subcommand>`.
 */
const WORDS = [
  // subcommands and their literals
  ...[
    'help',
    'accounts',
    'sync',
    'clip',
    'clips',
    'share',
    'shares',
    'unshare',
    'report',
    'digest',
    'export',
  ],
  ...['audit', 'config', 'check', 'status', 'last', 'from', 'to', 'for', 'add', 'list', 'remove', 'run'],
  ...[
    'daily',
    'weekly',
    'cron',
    'mon',
    'catalog',
    'analytics',
    'all',
    'neo',
    'research',
    'news',
    'ref:seal-0042',
  ],
  // names that live on Object.prototype
  ...['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', 'valueOf'],
  // values
  ...['90s', '2m', '-1', '0', '1e9', '99999999999999999999', '01:02:03:04', '25:61:61:99', '2026-13-45'],
  ...['2026-11-01', '2026-11-30T10:00:00Z', '08:30', '"0 6 * * *"', '* * *', '6301234567001', 'NaN'],
  // markup and injection
  ...['<!channel>', '<@U0APPROVER>', '<#C0OPS>', '*bold*', '_it_', '~s~', '`x`', '&amp;', '&lt;b&gt;'],
  ...['"a quoted name"', '"unclosed', "'single'", 'ü', '🎬', '\u202e', 'ftp://u:p@h/x.mp4', 's3://b/'],
  // flags
  ...['--days', '--days=3', '--days=abc', '--from', '--to', '--name', '--tags', '--dest', '--format'],
  ...['--limit', '--tz', '--keep-deleted', '--apply', '--x', '--__proto__', '--constructor', '--', '-h'],
  ...['--json', '--query', '--csv', '--years', '--recent', '--no-wait', '--profile', '--credentials'],
];

const SUBCOMMANDS = WORDS.slice(0, 11);
const NAMES = ['neo', 'research', 'all', 'news', 'constructor', '__proto__', 'toString', 'valueOf', 'x'];

/** Mostly a real subcommand first and a name second, so the random tail reaches the commands' own checks. */
function line(rng: Rng): string {
  const words = Array.from({ length: int(rng, 0, 5) }, () => pick(rng, WORDS));
  if (rng() < 0.5) words.unshift(pick(rng, NAMES));
  if (rng() < 0.85) words.unshift(pick(rng, SUBCOMMANDS));
  return words.join(' ');
}

const ERROR_ID = /E-[0-9a-f]{8}|Something went wrong|error id/i;
const STACK = /\n\s+at .+:\d+:\d+|TypeError|ReferenceError|Cannot read prop/;

describe('fuzz: hostile input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('through the Slack endpoint: 1,000 seeded commands, no error id, no stack trace', async () => {
    const rng = seededRng(14);
    const inputs = Array.from({ length: 1000 }, () => line(rng));
    for (const text of inputs) {
      // A member: mutating commands are refused, but reads and dry runs run for real.
      const res = await h.command(text, MEMBER);
      expect(res.status, text).toBe(200);
    }
    // Let the background work of the last commands finish.
    await new Promise((r) => setTimeout(r, 1500));
    const said = [...h.slack.ephemerals, ...h.slack.channelMessages('C0OPS')];
    for (const m of said) {
      expect(m.text, m.text).not.toMatch(ERROR_ID);
      expect(m.text, m.text).not.toMatch(STACK);
    }
    expect(h.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  }, 120_000);

  it.each([
    ['sync constructor', 'Unknown account or group `constructor`'],
    ['report __proto__', 'Unknown account or group `__proto__`'],
    ['export catalog neo --dest __proto__', 'No destination'],
    ['sync toString', 'Unknown account or group `toString`'],
  ])('a prototype name is an ordinary unknown name: %s', async (text, says) => {
    const reply = await h.ephemeralAfter(text);
    expect(reply).toContain(says);
    expect(reply).toContain('Usage');
  });

  it('refusals found against the live job, and missing or unknown accounts, show the usage too', async () => {
    const [live, finished] = h.bc!.data.liveJobs;
    const hoursBefore = (hours: number) =>
      new Date(Date.parse(finished!.created_at) - hours * 3_600_000).toISOString();
    const cases: [string, string][] = [
      [`clip ${finished!.id} from ${hoursBefore(2)} to ${hoursBefore(1)}`, 'before live job'],
      [`clip ${live!.id} from 00:05:00 to 00:01:00`, 'The end is before the start'],
      [`clip ${live!.id} from 99:00:00 to 99:01:00`, 'long so far'],
      ['clip 0123456789abcdef0123456789abcdef last 60s', 'No live job'],
      ['sync', 'name one'],
      ['report nope', 'Unknown account or group `nope`'],
    ];
    for (const [text, says] of cases) {
      const reply = await h.ephemeralAfter(text, OPERATOR);
      expect(reply, text).toContain(says);
      expect(reply, text).toContain('Usage');
      expect(reply, text).toContain(`help ${text.split(' ')[0]}`);
    }
  });

  it('through the CLI: 2,000 seeded command lines, exit 0/1/2, usage or help on every usage error', async () => {
    const { dir, env } = cliWorkspace(h.bc!, 'fuzz');
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(dir, 'empty'), '');
    const rng = seededRng(41);
    for (let i = 0; i < 2000; i++) {
      const argv = line(rng).split(' ').filter(Boolean);
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await runCli(argv, {
        cwd: dir,
        env: { ...env, BRIGHTCOVE_OPS_OUT: out, LOG_LEVEL: 'silent' },
        output: { out: (t) => stdout.push(t), err: (t) => stderr.push(t) },
      });
      const all = `${stdout.join('\n')}\n${stderr.join('\n')}`;
      const what = `brightcove-ops ${argv.join(' ')} → ${code}\n${all}`;
      expect([0, 1, 2], what).toContain(code);
      expect(all, what).not.toMatch(ERROR_ID);
      expect(all, what).not.toMatch(STACK);
      if (code === 2) expect(all, what).toMatch(/Usage|help/);
    }
  }, 300_000);
});
