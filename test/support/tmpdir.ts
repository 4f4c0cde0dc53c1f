import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest global setup: every test's temporary folders (state files, configs, export destinations, the
 * sandbox's) go under one folder per run, removed when the run ends, so runs do not pile up in /tmp.
 * The test processes are forked after this runs, so they inherit TMPDIR.
 */
export default function setup(): () => void {
  // Each vitest project runs the global setups again: one folder per run, not one nested per project
  // (Chromium's socket path under three nested folders is too long for a Unix socket).
  if (process.env.BCOPS_TEST_TMPDIR) return () => {};
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'bcops-test-run-'));
  process.env.TMPDIR = root;
  process.env.BCOPS_TEST_TMPDIR = root;
  return () => {
    delete process.env.BCOPS_TEST_TMPDIR;
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
