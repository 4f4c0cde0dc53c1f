import { schedule as cronSchedule } from 'node-cron';
import type { Clock } from '../clock.js';
import { type Logger, silentLogger } from '../log.js';
import { nextRunAfter } from './next-run.js';
import { parseScheduleSpec, type ScheduleSpec, validateTimeZone } from './spec.js';

export interface ScheduledJob {
  id: string;
  /** a spec or its text form (`daily 09:00`, `weekly mon 09:00`, `cron "0 9 * * 1-5"`) */
  spec: ScheduleSpec | string;
  /** IANA zone the spec's wall times are in */
  tz: string;
  /** last run start, as persisted by `onRan`; slots after it that were missed run once (catch-up) */
  lastRunAt?: Date | string;
  /** for a job that never ran: slots after this are owed (defaults to when it is added) */
  createdAt?: Date | string;
}

export type RunReason = 'scheduled' | 'catch-up' | 'manual';

export interface RunContext {
  reason: RunReason;
  /** the slot being served (for a manual run, the time it was asked for) */
  scheduledFor: Date;
  startedAt: Date;
}

/** Calls `tick` about once a minute until stopped. */
export type Ticker = (tick: () => void) => { stop(): void };

/** Production ticker: a node-cron task firing at second 0 of every minute. */
const nodeCronTicker: Ticker = (tick) => {
  const task = cronSchedule('* * * * *', () => tick(), {
    name: 'brightcove-ops-scheduler',
    noOverlap: false,
  });
  return { stop: () => void task.destroy() };
};

interface SchedulerOptions {
  clock: Clock;
  run: (job: ScheduledJob, ctx: RunContext) => Promise<void>;
  /**
   * Persist the run time (the integrator stores it and passes it back as `lastRunAt`), and say
   * whether this process runs the slot: false when another process sharing the state already
   * started it (two replicas tick at the same minute). Called when a run starts, before `run`, so a
   * crash mid-run never makes the slot run twice.
   */
  onRan?: (jobId: string, at: Date, ctx: RunContext) => boolean | undefined | Promise<boolean | undefined>;
  /** a run threw; the run callback itself should post what went wrong where users see it */
  onError?: (job: ScheduledJob, err: unknown, ctx: RunContext) => void;
  logger?: Logger;
  ticker?: Ticker;
  /** Called at the start of every tick (the integrator picks up jobs another process added). */
  beforeTick?: () => void;
}

interface JobStatus {
  id: string;
  spec: ScheduleSpec;
  tz: string;
  nextRunAt: Date;
  lastRunAt?: Date;
  running: boolean;
}

interface Entry {
  job: ScheduledJob;
  spec: ScheduleSpec;
  nextRunAt: Date;
  lastRunAt?: Date;
}

type ManualRunResult = 'started' | 'already-running' | 'unknown-job';

const MINUTE = 60_000;

function toDate(v: Date | string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Runs jobs at their wall-clock times. Each job keeps the next slot owed to it; a tick runs every job whose
 * slot has come. A job's first slot is computed from its last run (or creation), so slots missed while the
 * app was down come due at the first tick after start — once, however many were missed.
 */
export class Scheduler {
  readonly #clock: Clock;
  readonly #opts: SchedulerOptions;
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #running = new Map<string, Promise<void>>();
  #ticker: { stop(): void } | undefined;

  constructor(opts: SchedulerOptions) {
    this.#clock = opts.clock;
    this.#opts = opts;
    this.#log = opts.logger ?? silentLogger;
  }

  /** Adds or replaces a job. Throws ScheduleSpecError for a bad spec or zone. */
  add(job: ScheduledJob): JobStatus {
    const spec = typeof job.spec === 'string' ? parseScheduleSpec(job.spec) : job.spec;
    validateTimeZone(job.tz);
    const lastRunAt = toDate(job.lastRunAt);
    const baseline = lastRunAt ?? toDate(job.createdAt) ?? this.#clock.now();
    const entry: Entry = { job, spec, nextRunAt: nextRunAfter(spec, job.tz, baseline), lastRunAt };
    this.#entries.set(job.id, entry);
    return this.#status(entry);
  }

  remove(id: string): boolean {
    return this.#entries.delete(id);
  }

  get(id: string): JobStatus | undefined {
    const e = this.#entries.get(id);
    return e ? this.#status(e) : undefined;
  }

  list(): JobStatus[] {
    return [...this.#entries.values()].map((e) => this.#status(e));
  }

  isRunning(id: string): boolean {
    return this.#running.has(id);
  }

  /** Runs owed slots now (catch-up), then ticks every minute with the ticker (node-cron by default). */
  start(): string[] {
    const started = this.tick();
    if (!this.#ticker) {
      const ticker = this.#opts.ticker ?? nodeCronTicker;
      this.#ticker = ticker(() => this.tick());
    }
    return started;
  }

  /** Stops ticking and waits for runs in progress. */
  async stop(): Promise<void> {
    this.#ticker?.stop();
    this.#ticker = undefined;
    await this.idle();
  }

  /** Starts every due job; returns the ids started. Never waits for the runs themselves. */
  tick(): string[] {
    this.#opts.beforeTick?.();
    const now = this.#clock.now();
    const started: string[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.nextRunAt.getTime() > now.getTime()) continue;
      const slot = entry.nextRunAt;
      entry.nextRunAt = nextRunAfter(entry.spec, entry.job.tz, now);
      if (this.#running.has(entry.job.id)) {
        this.#log.warn('scheduler: skipped a slot, the previous run is still going', {
          job: entry.job.id,
          slot: slot.toISOString(),
        });
        continue;
      }
      // A slot more than a minute old was missed (downtime, or a late tick): this run stands in for it.
      const reason: RunReason = now.getTime() - slot.getTime() >= MINUTE ? 'catch-up' : 'scheduled';
      this.#launch(entry, { reason, scheduledFor: slot, startedAt: now });
      started.push(entry.job.id);
    }
    return started;
  }

  /** `digest run <id>`: runs a job now without touching its schedule; refuses while it is running. */
  runNow(id: string): ManualRunResult {
    const entry = this.#entries.get(id);
    if (!entry) return 'unknown-job';
    if (this.#running.has(id)) return 'already-running';
    const now = this.#clock.now();
    this.#launch(entry, { reason: 'manual', scheduledFor: now, startedAt: now });
    return 'started';
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  #launch(entry: Entry, ctx: RunContext): void {
    const id = entry.job.id;
    entry.lastRunAt = ctx.startedAt;
    const done = (async () => {
      try {
        if ((await this.#opts.onRan?.(id, ctx.startedAt, ctx)) === false) {
          this.#log.info('scheduler: another process runs this slot', {
            job: id,
            slot: ctx.scheduledFor.toISOString(),
          });
          return;
        }
        await this.#opts.run(entry.job, ctx);
      } catch (err) {
        this.#log.error('scheduler: run failed', { job: id, reason: ctx.reason, err });
        try {
          this.#opts.onError?.(entry.job, err, ctx);
        } catch (inner) {
          this.#log.error('scheduler: onError failed', { job: id, err: inner });
        }
      } finally {
        this.#running.delete(id);
      }
    })();
    // Set synchronously, before any await, so a tick in the same turn sees the job as running.
    this.#running.set(id, done);
  }

  #status(e: Entry): JobStatus {
    return {
      id: e.job.id,
      spec: e.spec,
      tz: e.job.tz,
      nextRunAt: e.nextRunAt,
      lastRunAt: e.lastRunAt,
      running: this.#running.has(e.job.id),
    };
  }
}
