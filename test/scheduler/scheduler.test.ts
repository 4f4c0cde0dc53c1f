import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import {
  type RunContext,
  type RunReason,
  type ScheduledJob,
  Scheduler,
  type Ticker,
} from '../../src/scheduler/scheduler.js';

const MINUTE = 60_000;
const noTicker: Ticker = () => ({ stop() {} });

function harness(start: string, run?: (job: ScheduledJob, ctx: RunContext) => Promise<void>) {
  const clock = new ManualClock(start);
  const runs: Array<{ id: string; at: string; reason: RunReason; slot: string }> = [];
  const persisted = new Map<string, Date>();
  const errors: string[] = [];
  const scheduler = new Scheduler({
    clock,
    ticker: noTicker,
    run: async (job, ctx) => {
      runs.push({
        id: job.id,
        at: ctx.startedAt.toISOString(),
        reason: ctx.reason,
        slot: ctx.scheduledFor.toISOString(),
      });
      await run?.(job, ctx);
    },
    onRan: (id, at) => {
      persisted.set(id, at);
      return true;
    },
    onError: (job, err) => errors.push(`${job.id}: ${(err as Error).message}`),
  });
  /** Advance minute by minute, ticking like the production node-cron task does. */
  const tickThrough = async (until: string) => {
    const end = new Date(until).getTime();
    while (clock.now().getTime() < end) {
      await clock.advance(MINUTE);
      scheduler.tick();
      await scheduler.idle();
    }
  };
  return { clock, scheduler, runs, persisted, errors, tickThrough };
}

describe('Scheduler', () => {
  it('runs at the right minute in the job zone across the Paris spring-forward change', async () => {
    const h = harness('2026-03-27T12:00:00Z');
    h.scheduler.add({ id: 'paris', spec: 'daily 09:00', tz: 'Europe/Paris' });
    h.scheduler.add({ id: 'ny', spec: 'weekly sun 09:00', tz: 'America/New_York' });
    h.scheduler.start();
    await h.tickThrough('2026-03-30T12:00:00Z');
    expect(h.runs.filter((r) => r.id === 'paris').map((r) => r.at)).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    expect(h.runs.filter((r) => r.id === 'ny').map((r) => r.at)).toEqual(['2026-03-29T13:00:00.000Z']);
    expect(new Set(h.runs.map((r) => r.reason))).toEqual(new Set(['scheduled']));
  });

  it('runs a repeated wall time once on the New York fall-back day', async () => {
    const h = harness('2026-10-31T12:00:00Z');
    h.scheduler.add({ id: 'j', spec: 'daily 01:30', tz: 'America/New_York' });
    await h.tickThrough('2026-11-02T12:00:00Z');
    expect(h.runs.map((r) => r.at)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('catches up a slot missed during downtime exactly once, then returns to the schedule', async () => {
    // Last ran on Mar 1; the app was down until Mar 5 12:00 (four 09:00 slots missed).
    const h = harness('2026-03-05T12:00:00Z');
    h.scheduler.add({
      id: 'd',
      spec: 'daily 09:00',
      tz: 'Europe/Paris',
      lastRunAt: '2026-03-01T08:00:00.000Z',
    });
    expect(h.scheduler.start()).toEqual(['d']);
    await h.scheduler.idle();
    expect(h.scheduler.tick()).toEqual([]);
    await h.tickThrough('2026-03-06T12:00:00Z');
    expect(h.runs).toEqual([
      { id: 'd', at: '2026-03-05T12:00:00.000Z', reason: 'catch-up', slot: '2026-03-02T08:00:00.000Z' },
      { id: 'd', at: '2026-03-06T08:00:00.000Z', reason: 'scheduled', slot: '2026-03-06T08:00:00.000Z' },
    ]);
    expect(h.persisted.get('d')?.toISOString()).toBe('2026-03-06T08:00:00.000Z');
  });

  it('does not run again after a restart when the run time was persisted', async () => {
    const first = harness('2026-03-05T07:59:00Z');
    first.scheduler.add({
      id: 'd',
      spec: 'daily 09:00',
      tz: 'Europe/Paris',
      lastRunAt: '2026-03-04T08:00:00Z',
    });
    first.scheduler.start();
    await first.tickThrough('2026-03-05T08:01:00Z');
    expect(first.runs.map((r) => r.at)).toEqual(['2026-03-05T08:00:00.000Z']);
    await first.scheduler.stop();

    // Restart a few minutes later with what onRan persisted.
    const second = harness('2026-03-05T08:05:00Z');
    second.scheduler.add({
      id: 'd',
      spec: 'daily 09:00',
      tz: 'Europe/Paris',
      lastRunAt: first.persisted.get('d'),
    });
    expect(second.scheduler.start()).toEqual([]);
    await second.tickThrough('2026-03-05T20:00:00Z');
    expect(second.runs).toEqual([]);
  });

  it('never catches up a new job for slots before it existed, but does for slots after createdAt', async () => {
    const h = harness('2026-03-05T12:00:00Z');
    h.scheduler.add({ id: 'new', spec: 'daily 09:00', tz: 'Europe/Paris' });
    h.scheduler.add({
      id: 'created',
      spec: 'daily 09:00',
      tz: 'Europe/Paris',
      createdAt: '2026-03-05T06:00:00Z',
    });
    expect(h.scheduler.start()).toEqual(['created']);
    expect(h.scheduler.get('new')?.nextRunAt.toISOString()).toBe('2026-03-06T08:00:00.000Z');
  });

  it('prevents overlapping runs of one job and skips the slot that would overlap', async () => {
    let release: () => void = () => {};
    let calls = 0;
    // Only the first run hangs until released.
    const h = harness('2026-03-05T07:59:00Z', () =>
      calls++ === 0 ? new Promise<void>((r) => (release = r)) : Promise.resolve(),
    );
    h.scheduler.add({ id: 'slow', spec: 'cron "*/5 * * * *"', tz: 'UTC' });
    h.scheduler.start();
    await h.clock.advance(MINUTE);
    expect(h.scheduler.tick()).toEqual(['slow']); // 08:00
    expect(h.scheduler.isRunning('slow')).toBe(true);
    expect(h.scheduler.runNow('slow')).toBe('already-running');
    await h.clock.set('2026-03-05T08:05:00Z');
    expect(h.scheduler.tick()).toEqual([]); // still running: 08:05 is skipped
    release();
    await h.scheduler.idle();
    expect(h.scheduler.get('slow')?.nextRunAt.toISOString()).toBe('2026-03-05T08:10:00.000Z');
    await h.clock.set('2026-03-05T08:10:00Z');
    expect(h.scheduler.tick()).toEqual(['slow']);
    await h.scheduler.idle();
    expect(h.runs.map((r) => r.at)).toEqual(['2026-03-05T08:00:00.000Z', '2026-03-05T08:10:00.000Z']);
  });

  it('does not run twice when ticked twice in the same minute', async () => {
    const h = harness('2026-03-05T08:00:00Z');
    h.scheduler.add({ id: 'd', spec: 'daily 09:00', tz: 'Europe/Paris', lastRunAt: '2026-03-04T08:00:00Z' });
    expect(h.scheduler.tick()).toEqual(['d']);
    await h.scheduler.idle();
    await h.clock.advance(30_000);
    expect(h.scheduler.tick()).toEqual([]);
    expect(h.runs).toHaveLength(1);
  });

  it('reports a failed run and keeps scheduling', async () => {
    const h = harness('2026-03-05T07:59:00Z', () => Promise.reject(new Error('analytics down')));
    h.scheduler.add({ id: 'd', spec: 'daily 09:00', tz: 'Europe/Paris' });
    await h.tickThrough('2026-03-06T08:00:00Z');
    expect(h.errors).toEqual(['d: analytics down', 'd: analytics down']);
  });

  it('runs a job on demand without moving its schedule', async () => {
    const h = harness('2026-03-05T10:00:00Z');
    h.scheduler.add({ id: 'd', spec: 'daily 09:00', tz: 'Europe/Paris' });
    expect(h.scheduler.runNow('d')).toBe('started');
    expect(h.scheduler.runNow('nope')).toBe('unknown-job');
    await h.scheduler.idle();
    expect(h.runs[0]?.reason).toBe('manual');
    expect(h.scheduler.get('d')?.nextRunAt.toISOString()).toBe('2026-03-06T08:00:00.000Z');
  });

  it('ticks from its ticker after start and stops it on stop', async () => {
    const clock = new ManualClock('2026-03-05T07:59:00Z');
    let onTick: (() => void) | undefined;
    let stopped = false;
    const ran: string[] = [];
    const scheduler = new Scheduler({
      clock,
      ticker: (tick) => {
        onTick = tick;
        return { stop: () => (stopped = true) };
      },
      run: async (job) => void ran.push(job.id),
    });
    scheduler.add({ id: 'd', spec: 'daily 08:00', tz: 'UTC' });
    scheduler.start();
    await clock.advance(MINUTE);
    onTick?.();
    await scheduler.stop();
    expect(ran).toEqual(['d']);
    expect(stopped).toBe(true);
  });

  it('rejects a bad spec or zone when a job is added', () => {
    const h = harness('2026-03-05T07:59:00Z');
    expect(() => h.scheduler.add({ id: 'x', spec: 'daily 25:00', tz: 'UTC' })).toThrow(
      /hours go from 00 to 23/,
    );
    expect(() => h.scheduler.add({ id: 'x', spec: 'daily 09:00', tz: 'Nowhere/City' })).toThrow(
      /not a time zone/,
    );
  });
});
