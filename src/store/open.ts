import type { AppConfig } from '../config/schema.js';
import { FileStore, type Store } from './store.js';

/**
 * The configured state store: PostgreSQL when a database URL is set (the state file is then neither
 * read nor written, even if BRIGHTCOVE_OPS_STATE is set too), the lowdb file otherwise. The
 * PostgreSQL driver is loaded only then, so the file store's CLI runs do not pay for it.
 */
export async function openStore(config: Pick<AppConfig, 'statePath' | 'stateDatabase'>): Promise<Store> {
  if (!config.stateDatabase) return FileStore.open(config.statePath);
  const { PgStore } = await import('./postgres.js');
  return PgStore.open(config.stateDatabase);
}
