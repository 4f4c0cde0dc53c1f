import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgStore } from '../../src/store/postgres.js';
import { FileStore, type Store } from '../../src/store/store.js';
import { createTestDatabase, pgUrl } from './postgres.js';

/**
 * Two replicas' stores on one state, by kind: one state file opened twice, and (when the run has a
 * server) one PostgreSQL database opened twice. What the replica tests of the framework run on.
 */
export const replicaStores: Record<string, () => Promise<{ a: Store; b: Store; done(): Promise<void> }>> = {
  'one state file': async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bcops-sched-'));
    const path = join(dir, 'state.json');
    const a = await FileStore.open(path);
    const b = await FileStore.open(path);
    return { a, b, done: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  ...(pgUrl
    ? {
        'one PostgreSQL database': async () => {
          const db = await createTestDatabase();
          const conn = { url: db.url, pool_size: 3, connect_timeout_ms: 5_000, statement_timeout_ms: 10_000 };
          const a = await PgStore.open(conn);
          const b = await PgStore.open(conn);
          return {
            a,
            b,
            async done() {
              await a.close();
              await b.close();
              await db.drop();
            },
          };
        },
      }
    : {}),
};
