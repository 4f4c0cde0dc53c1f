import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default is one worker less than the cores: one worker on a 2-core box. Most tests wait
    // on sockets and child processes, not the CPU, so three at once take about half the time.
    maxWorkers: 3,
    globalSetup: ['test/support/tmpdir.ts', 'test/support/postgres.ts'],
    projects: [
      { extends: true, test: { name: 'all', include: ['test/**/*.test.ts'] } },
      // The same end-to-end tests with the app's state in PostgreSQL (test/support/postgres.ts
      // openTestStore): both stores must keep every promise the tests check.
      {
        extends: true,
        test: {
          name: 'e2e-postgres',
          include: ['test/e2e/**/*.test.ts'],
          env: { BCOPS_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
