import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The folders tell the architecture (README, Development): only src/slack (and the app's entry) talk
 * to Slack; the framework, the feature services, the CLI and the clients never import it, and
 * commands never ask which front end they run in.
 */
const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const SLACK_FREE = [
  'src/core',
  'src/cli',
  'src/sync',
  'src/clips',
  'src/sharing',
  'src/analytics',
  'src/exports',
  'src/scheduler',
  'src/store',
  'src/brightcove',
  'src/clarify',
  'src/config',
  'src/http',
];

describe('layers', () => {
  // Slack's Block Kit *types* (@slack/types, erased when compiled) are the vocabulary of the blocks
  // src/core builds; any other @slack import would load Slack code into the CLI.
  it.each(SLACK_FREE)('%s imports neither src/slack nor @slack/* code', (dir) => {
    for (const file of sources(dir)) {
      const text = readFileSync(join(root, file), 'utf8');
      const bad =
        /from '(?:\.\.\/)+slack\/|^import (?!type )[^;]*from '@slack\/|from '@slack\/(?!types')/m.exec(text);
      expect(bad?.[0], relative(root, join(root, file))).toBeUndefined();
    }
  });

  it('src/services.ts builds the services without Slack, so the CLI never loads Bolt', () => {
    expect(readFileSync(join(root, 'src/services.ts'), 'utf8')).not.toMatch(
      /from '\.\/slack\/(?!roles)|@slack\//,
    );
  });

  it('no command asks which front end it runs in', () => {
    for (const file of sources('commands')) {
      expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(
        /surface\.kind|kind === '(cli|slack)'/,
      );
    }
  });
});
