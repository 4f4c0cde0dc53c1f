import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

// The launchers cannot import src/node-flags.ts (they run before TypeScript loads), so they spell the
// flags out; dropping one silently would bring back a 100k-video sync that peaks at 300+ MB.
describe('the CLI launchers run Node with the CLI flags', () => {
  const flags = CLI_NODE_FLAGS.join(' ');

  it('npm run cli', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.cli).toBe(`node ${flags} --import tsx src/cli.ts`);
  });

  it('bin/brightcove-ops.js, whose shebang works when it is run directly', async () => {
    expect(read('bin/brightcove-ops.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    const { stdout } = await promisify(execFile)(new URL('bin/brightcove-ops.js', root).pathname, ['help'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });
    expect(stdout).toContain('brightcove-ops sync');
  });

  it('npm ci without dev dependencies still installs: the build step falls back to the sources', async () => {
    // `npm ci --omit=dev` has no tsc; a failing postinstall would fail the whole install.
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const { stdout } = await promisify(execFile)('/bin/sh', ['-c', scripts.postinstall!], {
      cwd: new URL('.', root).pathname,
      env: { PATH: '/nonexistent' },
    });
    expect(stdout).toContain('runs the sources through tsx');
  });
});
