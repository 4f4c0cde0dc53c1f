#!/usr/bin/env -S node --max-old-space-size=1536
// The flags after `node` are src/node-flags.ts's CLI_NODE_FLAGS (a heap policy; see there), written out
// because this file runs before any TypeScript can be loaded.
// Runs the TypeScript sources through tsx, so the package needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
