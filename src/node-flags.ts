/**
 * The Node flags every launcher of the app passes: `npm start`, `npm run cli` and
 * bin/brightcove-ops.js (which cannot import this file, so test/node-flags.test.ts holds them to it),
 * and bench/sync.ts for the sync process it measures.
 *
 * `--optimize-for-size` makes V8 collect before its heap grows far past what is live. By default, on a
 * machine with a lot of memory, V8 lets the heap reach up to ~4× the live size between full collections:
 * a 100,000-video sync holds 50–80 MB but peaked at 290–370 MB RSS; with this flag it peaks at ~180 MB, at
 * the same speed (a sync waits on Brightcove's rate limit, not on the CPU). Unlike
 * `--max-old-space-size` it caps nothing, so a bigger library still fits.
 */
export const NODE_FLAGS: readonly string[] = ['--optimize-for-size'];
