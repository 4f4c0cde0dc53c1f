/**
 * The state file's shape. Every collection holds records with an id; their payload types belong to
 * the features that own them (plans to sync, clips to clips, …) and are declared in ./records.ts.
 */
const CURRENT_VERSION = 1;

export interface StoredRecord {
  id: string;
}

export interface StateData {
  version: number;
  collections: Record<string, StoredRecord[]>;
}

type Migration = (data: StateData) => StateData;

/** migrations[n] upgrades version n to n + 1. */
const migrations: Migration[] = [
  // v0 (no version field, flat arrays) → v1 (collections)
  (data) => {
    const legacy = data as unknown as Record<string, unknown>;
    const collections: Record<string, StoredRecord[]> = {};
    for (const [key, value] of Object.entries(legacy)) {
      if (Array.isArray(value)) collections[key] = value as StoredRecord[];
    }
    return { version: 1, collections: { ...collections, ...(data.collections ?? {}) } };
  },
];

export function migrate(data: StateData | null): StateData {
  if (!data) return { version: CURRENT_VERSION, collections: {} };
  let current: StateData = { ...data, version: data.version ?? 0 };
  if (current.version > CURRENT_VERSION) {
    throw new Error(
      `state file version ${current.version} is newer than this app understands (${CURRENT_VERSION}); upgrade the app`,
    );
  }
  while (current.version < CURRENT_VERSION) {
    const step = migrations[current.version];
    if (!step) throw new Error(`no migration from state version ${current.version}`);
    current = step(current);
  }
  return current;
}
