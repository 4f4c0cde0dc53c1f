import { runCli } from './cli/run.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`brightcove-ops: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
