#!/usr/bin/env -S node --optimize-for-size
// The flags after `node` are src/node-flags.ts's (a heap policy; see there). They are written out here
// because this file runs before any TypeScript can be loaded.
// Runs the TypeScript sources through tsx, so the package needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
