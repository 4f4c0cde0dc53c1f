import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ScheduleService } from '../../src/core/schedules.js';
import { silentLogger } from '../../src/log.js';
import type { Store } from '../../src/store/store.js';
import { replicaStores as stores } from '../support/replica-stores.js';

/**
 * Two replicas on one state, each with its own scheduler ticking at the same minute: every slot runs
 * once, on whichever claims it first; a slot missed while both were down is caught up once.
 */
describe.each(Object.keys(stores))('schedules on two replicas sharing %s', (kind) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
  });

  async function replicas(now: string) {
    const { a, b, done } = await stores[kind]!();
    cleanup = done;
    const clock = new ManualClock(now);
    const runs: string[] = [];
    const make = (store: Store, name: string) => {
      const s = new ScheduleService(store.collection('schedule_runs'), store, clock, silentLogger, () => ({
        stop() {},
      }));
      s.register('digest', async (job, ctx) => {
        runs.push(`${name} ${job.id} ${ctx.reason} ${ctx.scheduledFor.toISOString()}`);
      });
      s.add({
        id: 'dg_1',
        kind: 'digest',
        spec: 'daily 09:00',
        tz: 'UTC',
        createdAt: '2026-11-20T08:00:00Z',
        data: {},
      });
      return s;
    };
    return { clock, runs, a: make(a, 'A'), b: make(b, 'B') };
  }

  it('a digest due at 09:00 runs once, whichever replica ticks first', async () => {
    const { clock, runs, a, b } = await replicas('2026-11-20T08:59:00Z');
    for (let day = 0; day < 3; day++) {
      await clock.set(`2026-11-2${day}T09:00:00Z`);
      a.scheduler.tick();
      b.scheduler.tick();
      await a.scheduler.idle();
      await b.scheduler.idle();
    }
    expect(runs.map((r) => r.split(' ').slice(1).join(' '))).toEqual([
      'dg_1 scheduled 2026-11-20T09:00:00.000Z',
      'dg_1 scheduled 2026-11-21T09:00:00.000Z',
      'dg_1 scheduled 2026-11-22T09:00:00.000Z',
    ]);
  });

  it('slots missed while every replica was down are caught up once when both start', async () => {
    const { runs, a, b } = await replicas('2026-11-23T10:00:00Z');
    a.start();
    b.start();
    await a.scheduler.idle();
    await b.scheduler.idle();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/dg_1 catch-up 2026-11-20T09:00:00.000Z$/);
  });

  it('a digest added (or removed) on one replica is scheduled (or dropped) on the other at its next tick', async () => {
    const { a: sa, b: sb, done } = await stores[kind]!();
    cleanup = done;
    const clock = new ManualClock('2026-11-20T08:00:00Z');
    const b = new ScheduleService(sb.collection('schedule_runs'), sb, clock, silentLogger, () => ({
      stop() {},
    }));
    const stored = sb.collection<{ id: string; kind: string; spec: string; tz: string }>('schedules');
    b.watch('digest', () => stored.all().map((r) => ({ ...r, data: {} })));
    b.start();
    sa.collection<{ id: string; kind: string; spec: string; tz: string }>('schedules').insert({
      id: 'dg_9',
      kind: 'digest',
      spec: 'daily 09:00',
      tz: 'UTC',
    });
    await sa.flush();
    await expect
      .poll(() => {
        b.scheduler.tick();
        return b.scheduler.get('dg_9')?.nextRunAt.toISOString();
      })
      .toBe('2026-11-20T09:00:00.000Z');
    sa.collection('schedules').remove('dg_9');
    await sa.flush();
    await expect
      .poll(() => {
        b.scheduler.tick();
        return b.scheduler.get('dg_9');
      })
      .toBeUndefined();
    await b.stop();
  });

  it('a manual run is never refused, and does not use up the next slot', async () => {
    const { clock, runs, a, b } = await replicas('2026-11-20T08:30:00Z');
    expect(a.runNow('dg_1')).toBe('started');
    await a.scheduler.idle();
    await clock.set('2026-11-20T09:00:00Z');
    b.scheduler.tick();
    await b.scheduler.idle();
    expect(runs.map((r) => r.split(' ').slice(0, 3).join(' '))).toEqual([
      'A dg_1 manual',
      'B dg_1 scheduled',
    ]);
  });
});
