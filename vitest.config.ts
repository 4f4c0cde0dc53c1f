import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
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
