#!/usr/bin/env -S node --max-old-space-size=1536 --optimize-for-size
// The flags after `node` are src/node-flags.ts's CLI_NODE_FLAGS (a heap policy; see there), written out
// because this file runs before any TypeScript can be loaded.
//
// Runs the compiled CLI (dist/, built by `npm ci` through the `prepare` script, or `npm run build`):
// compiling the sources on every start through tsx cost a second and ~40 MB before any work. Without
// a build (a checkout where install scripts did not run) it falls back to the sources through tsx.
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
