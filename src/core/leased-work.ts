import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { StoredRecord } from '../store/schema.js';
import type { Collection, Store } from '../store/store.js';
import { isOrphaned, type Lease, leaseFor, type Replica } from './lease.js';

/** A record of work that runs somewhere (a clip followed, a share tracked, an unshare run, an export). */
export interface Leased extends StoredRecord {
  lease?: Lease;
}

interface LeasedWorkOptions<T extends Leased> {
  /** what the work is called in logs ("clip tracking") */
  name: string;
  records: Collection<T>;
  store: Pick<Store, 'transaction'>;
  /** whether the record is work somebody should be running now (not finished, not waiting for a click) */
  running: (record: T) => boolean;
  /**
   * Whether a graceful stop hands the work over at once: for work that only watches (tracking), where
   * a moment of two replicas at it costs nothing. Work that changes things waits for its lease to expire.
   */
  handOverAtStop?: boolean;
  /** whether another replica may take a running record over when its holder dies (default: all may) */
  resumable?: (record: T) => boolean;
  replica: Replica;
  clock: Clock;
  logger: Logger;
}

/**
 * One kind of running work shared by replicas: the replica that runs a record holds its lease and
 * renews it (one write for all it holds, every third of a lease); a watcher on every replica takes
 * over records nobody renews (a crashed replica, or one whose process on this host is gone) and
 * resumes them, each exactly once, whichever replica notices first. The work itself (tracking,
 * unsharing, exporting) stays in its feature's service; this only decides who runs it.
 */
export class LeasedWork<T extends Leased> {
  /** records this process runs → what to do when another replica has taken one over */
  readonly #held = new Map<string, () => void>();
  #heartbeat: NodeJS.Timeout | null = null;
  #watcher: NodeJS.Timeout | null = null;

  constructor(private readonly opts: LeasedWorkOptions<T>) {}

  /** `record` with this replica's lease: write it with the record that starts the work. */
  stamp<R extends T>(record: R): R {
    return { ...record, lease: leaseFor(this.opts.replica, this.opts.clock.now()) };
  }

  /**
   * Keeps the lease on `id` (stamped or taken over by this replica) while its work runs here.
   * `onLost` runs if the heartbeat finds another replica has taken it over (this one was presumed dead).
   */
  hold(id: string, onLost: () => void = () => undefined): void {
    this.#held.set(id, onLost);
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => void this.#renew(), this.#period());
    this.#heartbeat.unref();
  }

  /** The work on `id` has ended here (its record says so, or it was handed over). */
  release(id: string): void {
    this.#held.delete(id);
    if (this.#held.size > 0 || !this.#heartbeat) return;
    clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  /** Running records nobody runs: no lease (an older version or a crash before one was set), or a dead one. */
  orphaned(): T[] {
    const now = this.opts.clock.now();
    return this.opts.records.find((r) => !this.#held.has(r.id) && this.#mayTake(r, now));
  }

  #mayTake(r: T, now: Date): boolean {
    return (
      this.opts.running(r) &&
      (this.opts.resumable?.(r) ?? true) &&
      isOrphaned(r.lease, this.opts.replica.id, now)
    );
  }

  /** Takes an orphaned record over (once across replicas) and holds it; undefined when another was first. */
  async takeOver(id: string, onLost?: () => void): Promise<T | undefined> {
    const now = this.opts.clock.now();
    const t = await this.opts.records.transition(
      id,
      (r) => this.#mayTake(r, now),
      (r) => ({ ...r, lease: leaseFor(this.opts.replica, now) }),
    );
    if (!t.ok) return undefined;
    this.hold(id, onLost);
    return t.record;
  }

  /**
   * Resumes orphaned records through `resume`: at once (a restart after a crash), then every third of
   * a lease, so a running replica takes a dead one's work over without a restart of its own. `resume`
   * gets a record already held; the lease is released when it settles.
   */
  watch(resume: (record: T) => Promise<void>): void {
    const scan = async () => {
      for (const record of this.orphaned()) {
        const taken = await this.takeOver(record.id);
        if (!taken) continue; // another replica was first
        this.opts.logger.info(`resuming ${this.opts.name}`, { id: record.id, from: record.lease?.holder });
        void resume(taken)
          .catch((err: unknown) =>
            this.opts.logger.error(`resumed ${this.opts.name} failed`, { id: taken.id, err }),
          )
          .finally(() => this.release(taken.id));
      }
    };
    const tick = () =>
      void scan().catch((err: unknown) => this.opts.logger.warn(`${this.opts.name}: scan failed`, { err }));
    tick();
    this.#watcher ??= setInterval(tick, this.#period());
    this.#watcher.unref();
  }

  /**
   * At shutdown: stops watching and renewing. With `handOverAtStop`, what this process holds is handed
   * over at once (its lease ends now), so in a rolling deploy the next replica resumes it within a third
   * of a lease instead of a whole one.
   */
  async close(): Promise<void> {
    if (this.#watcher) clearInterval(this.#watcher);
    this.#watcher = null;
    const ids = [...this.#held.keys()];
    for (const id of ids) this.release(id);
    if (ids.length === 0 || !this.opts.handOverAtStop) return;
    const now = this.opts.clock.now().toISOString();
    await this.#forEachMine(ids, (r) => ({
      ...r,
      lease: { holder: this.opts.replica.id, until: now },
    })).catch((err: unknown) => this.opts.logger.warn(`${this.opts.name}: leases not handed over`, { err }));
  }

  async #renew(): Promise<void> {
    const ids = [...this.#held.keys()];
    const lease = leaseFor(this.opts.replica, this.opts.clock.now());
    try {
      for (const { id, ended } of await this.#forEachMine(ids, (r) => ({ ...r, lease }))) {
        const onLost = this.#held.get(id);
        this.release(id);
        if (ended) continue;
        this.opts.logger.warn(`${this.opts.name}: taken over by another replica; stopping here`, { id });
        onLost?.();
      }
    } catch (err) {
      // The database is away: the lease runs on; if it expires first, another replica takes over.
      this.opts.logger.warn(`${this.opts.name}: lease not renewed`, { err });
    }
  }

  /**
   * Applies `patch`, in one write, to each of `ids` that still runs under this replica's lease; returns
   * the others: ended (no longer running) or taken over. A record not written yet is left alone.
   */
  #forEachMine(ids: readonly string[], patch: (r: T) => T): Promise<{ id: string; ended: boolean }[]> {
    return this.opts.store.transaction(() => {
      const others: { id: string; ended: boolean }[] = [];
      for (const id of ids) {
        const r = this.opts.records.get(id);
        if (!r) continue;
        if (!this.opts.running(r)) others.push({ id, ended: true });
        else if (r.lease?.holder === this.opts.replica.id) this.opts.records.update(id, patch);
        else others.push({ id, ended: false });
      }
      return others;
    });
  }

  #period(): number {
    return Math.max(1_000, Math.floor(this.opts.replica.leaseMs / 3));
  }
}
