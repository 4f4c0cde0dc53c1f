import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { type ClarifySim, startClarifySim } from '../../src/sim/clarify/index.js';
import { simEnv } from '../../src/sim/env.js';
import { cliWorkspace } from '../support/harness.js';

/**
 * The CLI as a user runs it (a child process, no TTY): plain text without Slack markup on every
 * subcommand, problems on stderr with exit 2 (usage) or 1, exactly one JSON document for --json.
 */
const SLACK_MARKUP =
  /(?<![\w:]):(?=[a-z0-9_+-]*[a-z_+])[a-z0-9_+-]+:(?![\w:/])|(^|\s)\*[A-Za-z][^*\n]*\*|<@U|<#C|<https?:|&lt;|&gt;|&amp;|\[[A-Z][a-z]+(?: [a-z]+)*\] \[[A-Z]|```/m;

let bc: BrightcoveSim;
let clarify: ClarifySim;
let ws: { dir: string; env: Record<string, string> };

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: ws.dir,
        ...ws.env,
        ...simEnv(bc, clarify),
        BRIGHTCOVE_OPS_CONFIG: join(ws.dir, 'brightcove-ops.yml'),
        // charts and CSVs of the runs land in the workspace, never in the repository
        BRIGHTCOVE_OPS_OUT: join(ws.dir, 'out'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI speaks terminal', () => {
  beforeAll(async () => {
    bc = await startBrightcoveSim({ dataset: { videosPerAccount: 8, analyticsDays: 10 } });
    clarify = await startClarifySim();
    ws = cliWorkspace(bc, 'terminal');
  });
  afterAll(async () => {
    await bc?.close();
    await clarify?.close();
  });

  it('--version prints the package version and exits 0', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^brightcove-ops \d+\.\d+\.\d+$/);
  });

  const READS: string[][] = [
    ['help'],
    ['help', 'clip'],
    ['accounts'],
    ['audit'],
    ['config', 'check'],
    ['sync', 'neo'],
    ['report', 'neo', '--days', '3'],
    ['digest', 'list'],
    ['shares', 'ref:none'],
    ['clips'],
  ];

  it('hints name the command as it is typed in a terminal', async () => {
    const r = await cli(['digest', 'list']);
    expect(r.stdout).toContain('brightcove-ops digest add');
    expect(r.stdout).not.toContain('/brightcove');
  }, 60_000);

  it('times and timecodes survive the markup removal', async () => {
    const r = await cli(['help', 'clip']);
    expect(r.stdout).toContain('from 00:02:00 to 00:03:00');
    expect(r.stdout).toContain('from 01:10:18:15 to 01:11:08:15');
  }, 60_000);

  it.each(READS)(
    'plain text, no Slack markup: %s',
    async (...args) => {
      const r = await cli(args);
      const all = `${r.stdout}\n${r.stderr}`;
      expect(SLACK_MARKUP.exec(all)?.[0], all).toBeUndefined();
    },
    60_000,
  );

  it.each([['accounts'], ['audit'], ['sync', 'neo'], ['digest', 'list'], ['report', 'neo', '--days', '3']])(
    '--json prints exactly one JSON document on stdout: %s',
    async (...args) => {
      const r = await cli([...args, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
    },
    60_000,
  );

  it.each([
    [['acounts'], 2, 'Did you mean accounts'],
    [['sync', 'nowhere'], 2, 'Unknown account'],
    [['clip', 'nope', 'last', '90s'], 2, 'Usage'],
    [['report', '--days', 'abc'], 2, 'Usage'],
  ])(
    'a problem goes to stderr with its exit code: %s',
    async (args, code, says) => {
      const r = await cli(args as string[]);
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(says);
      expect(r.stdout).toBe('');
      expect(SLACK_MARKUP.exec(r.stderr)?.[0], r.stderr).toBeUndefined();
    },
    60_000,
  );

  it('clip with no arguments lists the live jobs to clip (the form has no terminal)', async () => {
    const r = await cli(['clip']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Live jobs to clip');
    expect(r.stdout).toContain(bc.data.liveJobs[0]!.id);
    expect(SLACK_MARKUP.exec(r.stdout)?.[0]).toBeUndefined();
  }, 60_000);

  it('--out writes charts and CSVs to the folder given, and prints their paths', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bcops-out-'));
    const r = await cli(['report', 'neo', '--days', '3', '--csv', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(out);
    expect(files.some((f) => f.endsWith('.png'))).toBe(true);
    expect(files.some((f) => f.endsWith('.csv'))).toBe(true);
    for (const f of files) expect(r.stdout).toContain(join(out, f));
    expect(r.stdout).not.toContain('in the thread');
    expect(existsSync(join(ws.dir, files[0]!))).toBe(false);
  }, 60_000);
});

describe('--json holds results, not progress', () => {
  it('report --json is one document with the report, not the "working" message before it', async () => {
    bc = await startBrightcoveSim({ dataset: { videosPerAccount: 4, analyticsDays: 10 } });
    clarify = await startClarifySim();
    ws = cliWorkspace(bc, 'json');
    try {
      const r = await cli(['report', 'neo', '--days', '3', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as unknown;
      const entries = Array.isArray(doc) ? doc : [doc];
      expect(JSON.stringify(entries)).not.toMatch(/Building|working|in progress/i);
      expect(JSON.stringify(entries)).toMatch(/views/i);
    } finally {
      await bc.close();
      await clarify.close();
    }
  }, 60_000);
});
