import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every `:emoji:` the app writes into a message is one the sandbox console can show (issue 17). */
describe('console emoji', () => {
  it('knows every emoji code the renderers use', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
      );
    const used = new Set<string>();
    // in string literals only: `:name:` between quotes or backticks, not in comments like `undici:client:x`
    for (const f of [...files('src/slack'), ...files('commands'), ...files('src/core')])
      for (const m of readFileSync(f, 'utf8').matchAll(/['`\s(]:([a-z][a-z0-9_]+):[\s'`]/g)) used.add(m[1]!);
    const console = readFileSync('src/sandbox/console/console.js', 'utf8');
    const table = console.slice(
      console.indexOf('const EMOJI = {'),
      console.indexOf('};', console.indexOf('const EMOJI = {')),
    );
    const known = new Set([...table.matchAll(/^\s+([a-z0-9_]+): '/gm)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((e) => !known.has(e))).toEqual([]);
  });
});
