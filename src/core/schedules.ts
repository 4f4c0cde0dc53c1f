import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { type RunContext, type ScheduledJob, Scheduler, type Ticker } from '../scheduler/scheduler.js';
import type { Collection, Store } from '../store/store.js';

/** One scheduled task: a digest, a scheduled sync, a scheduled export. `kind` picks its runner. */
export interface ScheduleJob<T = unknown> {
  id: string;
  kind: string;
  spec: string;
  tz: string;
  createdAt?: string;
  data: T;
}

type ScheduleRunner = (job: ScheduleJob, ctx: RunContext) => Promise<void>;

interface RunRecord {
  id: string;
  lastRunAt: string;
}

/**
 * Runs every scheduled task of every feature through one Scheduler. Last-run times are persisted in
 * the state store so a run missed while the app was down happens once at start, never twice; and a
 * slot is claimed there (one transaction: "no run started since this slot came due"), so of two
 * replicas ticking at 09:00 exactly one runs it.
 */
export class ScheduleService {
  readonly #runners = new Map<string, ScheduleRunner>();
  readonly #jobs = new Map<string, ScheduleJob>();
  readonly #stored = new Map<string, () => ScheduleJob[]>();
  readonly scheduler: Scheduler;

  constructor(
    private readonly runs: Collection<RunRecord>,
    store: Pick<Store, 'transaction'>,
    clock: Clock,
    private readonly logger: Logger,
    ticker?: Ticker,
  ) {
    this.scheduler = new Scheduler({
      clock,
      logger,
      ...(ticker ? { ticker } : {}),
      run: (job, ctx) => this.#run(job, ctx),
      onRan: (id, at, ctx) =>
        store.transaction(() => {
          const last = this.runs.get(id)?.lastRunAt;
          // A manual run is asked for by someone: it runs (and counts as the latest run) regardless.
          if (ctx.reason !== 'manual' && last !== undefined && Date.parse(last) >= ctx.scheduledFor.getTime())
            return false;
          this.runs.upsert({ id, lastRunAt: at.toISOString() });
          return true;
        }),
      onError: (job, err) => this.logger.error('scheduled run failed', { job: job.id, err }),
      beforeTick: () => this.#reconcile(),
    });
  }

  /**
   * Tasks of `kind` live in the state (digests users add): every tick schedules the ones `list`
   * returns and drops the ones it no longer does, so a digest added or removed on another replica
   * runs (or stops) here too.
   */
  watch(kind: string, list: () => ScheduleJob[]): void {
    this.#stored.set(kind, list);
  }

  #reconcile(): void {
    for (const [kind, list] of this.#stored) {
      const wanted = new Map(list().map((j) => [j.id, j]));
      for (const [id, job] of this.#jobs)
        if (job.kind === kind && !wanted.has(id)) {
          this.#jobs.delete(id);
          this.scheduler.remove(id);
        }
      for (const job of wanted.values()) {
        const known = this.#jobs.get(job.id);
        if (known && known.spec === job.spec && known.tz === job.tz) continue;
        try {
          this.add(job);
        } catch (err) {
          if (!known) this.logger.warn('task not scheduled: bad spec or zone', { id: job.id, err });
        }
      }
    }
  }

  /** Each feature says how its kind of task runs. */
  register(kind: string, runner: ScheduleRunner): void {
    this.#runners.set(kind, runner);
  }

  /** Adds (or replaces) a task. Throws ScheduleSpecError for a bad spec or zone. */
  add(job: ScheduleJob): void {
    const lastRunAt = this.runs.get(job.id)?.lastRunAt;
    const scheduled: ScheduledJob = {
      id: job.id,
      spec: job.spec,
      tz: job.tz,
      ...(lastRunAt ? { lastRunAt } : {}),
      ...(job.createdAt ? { createdAt: job.createdAt } : {}),
    };
    this.scheduler.add(scheduled);
    this.#jobs.set(job.id, job);
  }

  remove(id: string): boolean {
    this.#jobs.delete(id);
    this.runs.remove(id);
    return this.scheduler.remove(id);
  }

  job(id: string): ScheduleJob | undefined {
    return this.#jobs.get(id);
  }

  runNow(id: string) {
    return this.scheduler.runNow(id);
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  async #run(scheduled: ScheduledJob, ctx: RunContext): Promise<void> {
    const job = this.#jobs.get(scheduled.id);
    if (!job) return;
    const runner = this.#runners.get(job.kind);
    if (!runner) {
      this.logger.warn('no runner for scheduled task', { id: job.id, kind: job.kind });
      return;
    }
    await runner(job, ctx);
  }
}
