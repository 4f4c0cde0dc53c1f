import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * lowdb adapter that writes atomically (temporary file, fsync, rename) with mode 0600,
 * because the state file holds who approved what and must not be world-readable or half-written.
 */
export class SecureJsonFile<T> implements Adapter<T> {
  constructor(readonly path: string) {}

  async read(): Promise<T | null> {
    try {
      const text = await readFile(this.path, 'utf8');
      await chmod(this.path, 0o600);
      return JSON.parse(text) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async write(data: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
  }
}

/** In-memory adapter for tests and the CLI's --no-state runs. */
export class MemoryAdapter<T> implements Adapter<T> {
  data: T | null = null;
  writes = 0;
  async read(): Promise<T | null> {
    return this.data === null ? null : (structuredClone(this.data) as T);
  }
  async write(data: T): Promise<void> {
    this.writes++;
    this.data = structuredClone(data);
  }
}
