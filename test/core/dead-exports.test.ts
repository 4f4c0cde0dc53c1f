import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 15: no dead exports. An export of src/ or commands/ that no other file names is either dead code
 * or a module-private helper; tsc's noUnusedLocals then catches the dead ones. (A text search, not a
 * type analysis: a name mentioned anywhere else counts as used, so this never fails on a live export.)
 */
const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const EXPORT =
  /^export (?:async )?(?:function|const|class|interface|type|let|enum|abstract class)\s+([A-Za-z_$][\w$]*)/gm;

describe('exports', () => {
  it('every export of src/ and commands/ is used by another file', () => {
    const files = ['src', 'commands', 'test', 'bench'].flatMap(sources);
    const text = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
    const dead: string[] = [];
    for (const file of files.filter((f) => f.startsWith('src/') || f.startsWith('commands/'))) {
      for (const [, name] of (text.get(file) ?? '').matchAll(EXPORT)) {
        const word = new RegExp(`\\b${name!.replace(/\$/g, '\\$')}\\b`);
        if (![...text].some(([other, t]) => other !== file && word.test(t))) dead.push(`${file}: ${name}`);
      }
    }
    expect(dead).toEqual([]);
  });
});
