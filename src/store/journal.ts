import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

interface Entry {
  intent?: true;
  done?: unknown;
}

/**
 * One run's intents and results (a sync Apply's creates and deletes): after a crash, an intent without
 * a result is the only thing that must be looked up before anything is repeated.
 */
export interface Journal {
  isDone(key: string): boolean;
  /** What markDone recorded (undefined when not done). */
  result(key: string): unknown;
  hasIntent(key: string): boolean;
  /** Durable when it resolves: the mutation may be sent then. */
  markIntent(key: string): Promise<void>;
  /**
   * Not waited for: a result lost in a crash leaves its intent, which is reconciled by looking the
   * effect up, so it costs a lookup, never a duplicate.
   */
  markDone(key: string, result: unknown): void;
  /** How many keys are done. */
  size(): number;
  /** Every key with its intent and result (`state export`, `state migrate`). */
  entries(): JournalEntry[];
  /** Lets go of the file or the pending writes (the journal stays; `removeJournal` deletes it). */
  close(): void;
}

export interface JournalEntry {
  key: string;
  intent: boolean;
  /** the result, when done (null is a result) */
  done?: unknown;
}

/** The entries of a journal, as read back from any store. */
export class JournalEntries {
  readonly #entries = new Map<string, Entry>();

  intent(key: string): void {
    const e = this.#entries.get(key) ?? {};
    e.intent = true;
    this.#entries.set(key, e);
  }

  done(key: string, result: unknown): void {
    const e = this.#entries.get(key) ?? {};
    e.done = result ?? null;
    this.#entries.set(key, e);
  }

  isDone(key: string): boolean {
    return this.#entries.get(key)?.done !== undefined;
  }

  result(key: string): unknown {
    return this.#entries.get(key)?.done;
  }

  hasIntent(key: string): boolean {
    return this.#entries.get(key)?.intent === true;
  }

  size(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.done !== undefined) n++;
    return n;
  }

  list(): JournalEntry[] {
    return [...this.#entries].map(([key, e]) => ({
      key,
      intent: e.intent === true,
      ...(e.done !== undefined ? { done: e.done } : {}),
    }));
  }
}

/**
 * An append-only log of one run's mutations, next to the state file: before each external mutation
 * its intent is appended and fsync'd, after it its result. The state file is rewritten whole and
 * in batches, so it cannot carry one durable line per create or delete; this can. After a crash,
 * an intent without a result is the only thing that must be looked up before anything is repeated.
 */
export class FileJournal implements Journal {
  readonly #entries = new JournalEntries();
  #fd: number | null = null;

  private constructor(readonly path: string | null) {}

  /** Opens (or creates) the journal at `path`; null keeps it in memory (tests, no state file). */
  static open(path: string | null): FileJournal {
    const j = new FileJournal(path);
    if (!path) return j;
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      let row: { k?: unknown; i?: unknown; d?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        continue; // the torn last line of a crash: that append never completed
      }
      if (typeof row.k !== 'string') continue;
      if (row.i) j.#entries.intent(row.k);
      if ('d' in row) j.#entries.done(row.k, row.d);
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    j.#fd = openSync(path, 'a', 0o600);
    return j;
  }

  isDone(key: string): boolean {
    return this.#entries.isDone(key);
  }

  result(key: string): unknown {
    return this.#entries.result(key);
  }

  hasIntent(key: string): boolean {
    return this.#entries.hasIntent(key);
  }

  /** fsync'd before it resolves. */
  async markIntent(key: string): Promise<void> {
    this.#append({ k: key, i: 1 }, true);
    this.#entries.intent(key);
  }

  /** Not fsync'd (see Journal). */
  markDone(key: string, result: unknown): void {
    this.#append({ k: key, d: result ?? null }, false);
    this.#entries.done(key, result);
  }

  size(): number {
    return this.#entries.size();
  }

  entries(): JournalEntry[] {
    return this.#entries.list();
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** Closes and deletes the file: the run can no longer resume. */
  remove(): void {
    this.close();
    if (this.path) rmSync(this.path, { force: true });
  }

  #append(row: Record<string, unknown>, sync: boolean): void {
    if (!this.path) return;
    // Reopened after close(): a journal is closed between runs so a long-lived app holds no descriptor per plan.
    this.#fd ??= openSync(this.path, 'a', 0o600);
    writeSync(this.#fd, `${JSON.stringify(row)}\n`);
    if (sync) fsyncSync(this.#fd);
  }
}
