/**
 * The Node flags of the terminal CLI: `npm run cli` and bin/brightcove-ops.js spell them out (they run
 * before any TypeScript loads; test/node-flags.test.ts holds them to this list), and bench/sync.ts runs
 * the sync process it measures with them.
 *
 * The heap limit is a growth policy more than a cap. V8 lets the heap grow to up to 4× what is live
 * between full collections when its limit is 2 GB or more (the default limit is ~4 GB on a machine
 * with plenty of memory), and scales that factor down to 1.3× for smaller limits. At 1.5 GB it is at
 * most 1.8×: a 100,000-video sync (50–80 MB live) peaked at 260–370 MB RSS with the default and at
 * 222–238 MB with this, at the same speed. 1.5 GB still holds a sync of well over a million videos
 * (under 1 KB live per video); on a machine with less memory than that, lower it.
 *
 * The Slack app (`npm start`) keeps V8's defaults on purpose: with this limit the ack latency under a
 * burst of commands was measurably worse (bench/ack.ts, interleaved runs: median p99 93 vs 78 ms), and
 * acks are what the app must never be late with. Measurements: bench/README-sync.md.
 *
 * `--optimize-for-size` makes V8 favour memory over speed (smaller young generation, earlier full
 * collections, less eager optimization). The CLI's long runs wait on Brightcove's 10 requests a second,
 * not on the CPU: a whole-CLI 100,000-video dry run peaked at 157 MB instead of 226 MB in the same
 * 108–111 s (bench/cli-start.ts; a 1 MB semi-space on top of it made no further difference).
 */
export const CLI_NODE_FLAGS: readonly string[] = ['--max-old-space-size=1536', '--optimize-for-size'];
