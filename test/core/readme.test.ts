import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  it('documents every subcommand with an example', () => {
    for (const c of allCommands) {
      expect(readme, c.name).toContain(`\`${c.name}`);
      expect(readme, c.name).toMatch(new RegExp(`(/brightcove|brightcove-ops) ${c.name}\\b`));
    }
  });
});
