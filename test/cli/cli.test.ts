import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinArgv, runCli } from '../../src/cli/run.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

function dir() {
  const d = mkdtempSync(join(tmpdir(), 'bcops-cli-'));
  writeFileSync(
    join(d, 'brightcove-ops.yml'),
    'accounts:\n  - { alias: neo, id: "111", business_unit: News }\ncredentials: { client_id: a, client_secret: cli-secret-123 }\n',
  );
  return d;
}

describe('CLI', () => {
  it('runs the same commands: accounts', async () => {
    const c = capture();
    const code = await runCli(['accounts'], {
      cwd: dir(),
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c.output,
    });
    expect(code).toBe(0);
    expect(c.out.join('\n')).toContain('neo  111  bu=News');
  });

  it('--json prints machine-readable output', async () => {
    const c = capture();
    const code = await runCli(['accounts', '--json'], {
      cwd: dir(),
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c.output,
    });
    expect(code).toBe(0);
    expect(JSON.parse(c.out.join('\n'))).toEqual([
      {
        alias: 'neo',
        id: '111',
        businessUnit: 'News',
        groups: [],
        apis: { cms: true, analytics: true, live: false, clarify: false },
      },
    ]);
  });

  it('--help and <sub> --help come from the declarations', async () => {
    const c = capture();
    await runCli(['--help'], { cwd: dir(), env: { BRIGHTCOVE_OPS_STATE: 'state.json' }, output: c.output });
    expect(c.out.join('\n')).toContain('brightcove-ops audit [--limit N]');
    const c2 = capture();
    await runCli(['audit', '--help'], {
      cwd: dir(),
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c2.output,
    });
    expect(c2.out.join('\n')).toContain('Options:\n  --limit N');
  });

  it('an unknown subcommand exits 2 (usage) with a suggestion on stderr', async () => {
    const c = capture();
    const code = await runCli(['acounts'], {
      cwd: dir(),
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c.output,
    });
    expect(code).toBe(2);
    expect(c.err.join('\n')).toContain('Did you mean accounts?');
    expect(c.out).toEqual([]);
  });

  it('invalid config exits 2 with the file, key and reason', async () => {
    const d = dir();
    writeFileSync(join(d, 'brightcove-ops.yml'), 'timezone: Nowhere/Land\n');
    const c = capture();
    const code = await runCli(['accounts'], {
      cwd: d,
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c.output,
    });
    expect(code).toBe(2);
    expect(c.err.join('\n')).toMatch(/brightcove-ops\.yml: timezone: unknown time zone/);
  });

  it('config check masks secrets', async () => {
    const c = capture();
    await runCli(['config', 'check'], {
      cwd: dir(),
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c.output,
    });
    const text = c.out.join('\n');
    expect(text).toContain('"clientId": "********');
    expect(text).not.toContain('cli-secret-123');
  });

  it('config check validates the feature sections (sync, exports) too', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'brightcove-ops.yml'),
      'accounts:\n  - { alias: neo, id: "111" }\nsync:\n  max_height: 10\n',
    );
    const c = capture();
    const code = await runCli(['config', 'check'], {
      cwd: d,
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c.output,
    });
    expect(code).toBe(2);
    expect(c.err.join('\n')).toContain('Invalid configuration: ');
    expect(c.err.join('\n')).toContain('sync.max_height must be at least 144');
  });

  it('config check names a sync target that names nothing', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'brightcove-ops.yml'),
      'accounts:\n  - { alias: neo, id: "111", target: warehose }\nsync:\n  targets:\n    warehouse: { type: postgres, url: "postgres://db/v" }\n',
    );
    const c = capture();
    const code = await runCli(['config', 'check'], {
      cwd: d,
      env: { BRIGHTCOVE_OPS_STATE: 'state.json' },
      output: c.output,
    });
    expect(code).toBe(2);
    expect(c.err.join('\n')).toContain(
      'Invalid configuration: brightcove-ops.yml accounts.neo.target: unknown sync target "warehose" (sync.targets: warehouse)',
    );
  });

  it('joinArgv keeps shell-quoted words together', () => {
    expect(joinArgv(['clip', 'j1', '--name', 'Goal of the day'])).toBe('clip j1 --name "Goal of the day"');
  });
});
