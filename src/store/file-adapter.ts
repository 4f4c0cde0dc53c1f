import {
  chmodSync,
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { SyncAdapter } from 'lowdb';

/** A state file that cannot be used as it is: start-up stops with its path and what is wrong. */
class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** What identifies one version of the file on disk (a rename gives a new inode). */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

export function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * lowdb adapter, synchronous so that a lock, a fresh read and a write can happen in one step: the
 * state file is shared by the app and the CLI (or two app instances). Writes are atomic (temporary
 * file, fsync, rename) with mode 0600, because the file holds who approved what and must not be
 * world-readable or half-written. Reads validate the shape: an empty, `null`, `[]` or otherwise
 * wrong file is an error, never silently replaced by an empty state.
 */
export class SecureJsonFile<T> implements SyncAdapter<T> {
  constructor(readonly path: string) {}

  stamp(): FileStamp | null {
    try {
      const s = statSync(this.path);
      return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  read(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
      chmodSync(this.path, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StateFileError(`${this.path}: cannot be read (${(err as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new StateFileError(
        `${this.path}: is not valid JSON (${text.trim() === '' ? 'the file is empty' : (err as Error).message}). Restore it from a backup, or move it away to start with an empty state.`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new StateFileError(
        `${this.path}: expected a JSON object with "version" and "collections", found ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}. Restore it from a backup, or move it away to start with an empty state.`,
      );
    }
    const collections = (parsed as { collections?: unknown }).collections;
    if (collections !== undefined) {
      const ok =
        typeof collections === 'object' &&
        collections !== null &&
        !Array.isArray(collections) &&
        Object.values(collections).every((c) => Array.isArray(c));
      if (!ok) throw new StateFileError(`${this.path}: "collections" must map names to lists of records.`);
    }
    return parsed as T;
  }

  write(data: T): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}

const LOCK_WAIT_MS = 10_000;
/** A holder that is alive but has held the lock this long is stuck: the lock is taken over. */
const LOCK_STALE_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * An exclusive lock next to the state file (`<file>.lock`, created with O_EXCL, holding the pid),
 * held only for the milliseconds of one read-merge-write. Synchronous, so a compare-and-set on the
 * state stays one uninterrupted step. A lock whose process is gone (kill -9) is taken over at once.
 * Hand-written rather than proper-lockfile: that library's locks are asynchronous and refreshed by
 * timers, and a claim must not yield to the event loop between its read and its write.
 */
export class FileLock {
  #depth = 0;
  constructor(readonly path: string) {}

  run<R>(fn: () => R): R {
    if (this.#depth > 0) {
      this.#depth++;
      try {
        return fn();
      } finally {
        this.#depth--;
      }
    }
    this.#acquire();
    this.#depth = 1;
    try {
      return fn();
    } finally {
      this.#depth = 0;
      this.#release();
    }
  }

  #acquire(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = openSync(this.path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (this.#stale()) {
        try {
          unlinkSync(this.path);
        } catch {
          // someone else took it over first
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new StateFileError(
          `${this.path}: the state file stayed locked for ${LOCK_WAIT_MS / 1000} s by process ${this.#holder() ?? '?'}; if no Brightcove Ops process is running, delete the lock file.`,
        );
      }
      Atomics.wait(sleeper, 0, 0, 2);
    }
  }

  #holder(): number | undefined {
    try {
      const pid = Number(readFileSync(this.path, 'utf8'));
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  #stale(): boolean {
    let age: number;
    try {
      const fd = openSync(this.path, 'r');
      try {
        age = Date.now() - fstatSync(fd).mtimeMs;
      } finally {
        closeSync(fd);
      }
    } catch {
      return false;
    }
    const pid = this.#holder();
    if (pid === undefined) return age > 1_000; // being written right now, or garbage
    if (age > LOCK_STALE_MS) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  #release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone (taken over as stale): nothing to release
    }
  }
}

/** In-memory adapter for tests and the CLI's --no-state runs. */
export class MemoryAdapter<T> implements SyncAdapter<T> {
  data: T | null = null;
  writes = 0;
  read(): T | null {
    return this.data === null ? null : (structuredClone(this.data) as T);
  }
  write(data: T): void {
    this.writes++;
    this.data = structuredClone(data);
  }
}
