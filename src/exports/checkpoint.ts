/**
 * Checkpoints of a multi-year export, per account and month, so an interrupted run resumes without asking
 * Analytics again. The index lives in lowdb (`export_checkpoints`); the rows themselves go to one compact JSON
 * file per account-month beside it, because lowdb rewrites its whole file on every change and a year of daily
 * rows for a big account is megabytes.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { Store } from '../store/store.js';
import { DAILY_COLUMNS, type DailyRow } from './daily.js';
import { writeFileAtomic } from './destination.js';
import { addDaysTo, type DayRange, dayOf } from './months.js';

const CHECKPOINT_COLLECTION = 'export_checkpoints';

interface CheckpointRecord {
  /** `<accountId>:<from>:<to>` */
  id: string;
  accountId: string;
  from: string;
  to: string;
  /** file name relative to the checkpoint folder */
  file: string;
  rows: number;
  sha256: string;
  savedAt: string;
}

/** Days after which Brightcove's reconciled data stops moving (reference A4: < 3 days is provisional). */
export const PROVISIONAL_DAYS = 3;

/** A range whose data can still change is never checkpointed: a resumed run must fetch it again. */
export function isSettled(range: DayRange, now: Date, provisionalDays = PROVISIONAL_DAYS): boolean {
  return range.to < addDaysTo(dayOf(now), -provisionalDays);
}

const fileSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
});

export interface CheckpointStore {
  load(accountId: string, range: DayRange): Promise<DailyRow[] | null>;
  save(accountId: string, range: DayRange, rows: readonly DailyRow[]): Promise<void>;
}

export class ExportCheckpoints implements CheckpointStore {
  readonly #store: Store;
  readonly #dir: string;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(opts: { store: Store; dir: string; clock: Clock; logger?: Logger }) {
    this.#store = opts.store;
    this.#dir = opts.dir;
    this.#clock = opts.clock;
    this.#logger = opts.logger ?? silentLogger;
  }

  get #records() {
    return this.#store.collection<CheckpointRecord>(CHECKPOINT_COLLECTION);
  }

  static key(accountId: string, range: DayRange): string {
    return `${accountId}:${range.from}:${range.to}`;
  }

  list(): readonly CheckpointRecord[] {
    return this.#records.all();
  }

  /** The checkpointed rows, or null when there is none or its file is missing or damaged (then refetch). */
  async load(accountId: string, range: DayRange): Promise<DailyRow[] | null> {
    const rec = this.#records.get(ExportCheckpoints.key(accountId, range));
    if (!rec) return null;
    try {
      const text = await readFile(join(this.#dir, rec.file), 'utf8');
      if (createHash('sha256').update(text).digest('hex') !== rec.sha256)
        throw new Error('checksum mismatch');
      const parsed = fileSchema.parse(JSON.parse(text));
      // Written by a version with fewer columns (before the browser split): fetched again, not blank.
      const missing = DAILY_COLUMNS.filter((c) => !parsed.columns.includes(c));
      if (missing.length > 0) throw new Error(`written without ${missing.join(', ')}`);
      return parsed.rows.map(
        (values) =>
          Object.fromEntries(parsed.columns.map((c, i) => [c, values[i] ?? null])) as unknown as DailyRow,
      );
    } catch (err) {
      this.#logger.warn('export checkpoint unreadable; fetching that month again', {
        checkpoint: rec.id,
        error: err instanceof Error ? err.message : String(err),
      });
      this.#records.remove(rec.id);
      return null;
    }
  }

  /** File first, index second: a crash between the two leaves an orphan file, never a dangling record. */
  async save(accountId: string, range: DayRange, rows: readonly DailyRow[]): Promise<void> {
    const file = join(accountId, `${range.from}_${range.to}.json`);
    const text = JSON.stringify({
      columns: DAILY_COLUMNS,
      rows: rows.map((r) => DAILY_COLUMNS.map((c) => r[c])),
    });
    await writeFileAtomic(join(this.#dir, file), text);
    this.#records.upsert({
      id: ExportCheckpoints.key(accountId, range),
      accountId,
      from: range.from,
      to: range.to,
      file,
      rows: rows.length,
      sha256: createHash('sha256').update(text).digest('hex'),
      savedAt: this.#clock.now().toISOString(),
    });
    await this.#store.flush();
  }

  /** Forget an account's checkpoints (e.g. `--refetch`). */
  async clear(accountId?: string): Promise<number> {
    const doomed = this.#records.find((r) => !accountId || r.accountId === accountId);
    for (const r of doomed) {
      this.#records.remove(r.id);
      await rm(join(this.#dir, r.file), { force: true });
    }
    return doomed.length;
  }
}
