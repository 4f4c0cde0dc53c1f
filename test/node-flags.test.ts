import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../src/node-flags.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

// The launchers cannot import src/node-flags.ts (they run before TypeScript loads), so they spell the
// flags out; dropping one silently would bring back a sync that peaks at twice the memory.
describe('every launcher runs Node with the app flags', () => {
  const flags = NODE_FLAGS.join(' ');

  it('npm start and npm run cli', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.start).toBe(`node ${flags} --import tsx src/main.ts`);
    expect(scripts.cli).toBe(`node ${flags} --import tsx src/cli.ts`);
  });

  it('bin/brightcove-ops.js, whose shebang works when it is run directly', async () => {
    expect(read('bin/brightcove-ops.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    const { stdout } = await promisify(execFile)(new URL('bin/brightcove-ops.js', root).pathname, ['help'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });
    expect(stdout).toContain('brightcove-ops sync');
  });
});
