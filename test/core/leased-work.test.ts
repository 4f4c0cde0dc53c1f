import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { type Leased, LeasedWork } from '../../src/core/leased-work.js';
import { silentLogger } from '../../src/log.js';
import type { Store } from '../../src/store/store.js';
import { replicaStores as stores } from '../support/replica-stores.js';

interface Task extends Leased {
  state: 'running' | 'done';
}

/**
 * Running work on two replicas sharing one state: held by the replica that runs it, taken over once
 * by the other when that one stops renewing, handed over at once at a graceful stop.
 */
describe.each(Object.keys(stores))('leased work on two replicas sharing %s', (kind) => {
  let cleanup: (() => Promise<void>) | undefined;
  const works: LeasedWork<Task>[] = [];
  afterEach(async () => {
    for (const w of works.splice(0)) await w.close();
    await cleanup?.();
  });

  async function replicas(leaseMs = 3_000) {
    const { a, b, done } = await stores[kind]!();
    cleanup = done;
    const clock = new ManualClock('2026-12-01T09:00:00Z');
    // a's own clock: where a lags (a stalled or partitioned replica), its renewals come too late
    const clockA = new ManualClock('2026-12-01T09:00:00Z');
    const make = (store: Store, id: string, clock: ManualClock) => {
      const w = new LeasedWork<Task>({
        name: 'task',
        handOverAtStop: true,
        records: store.collection<Task>('tasks'),
        store,
        running: (t) => t.state === 'running',
        replica: { id: `${id}/0:1:x`, leaseMs },
        clock,
        logger: silentLogger,
      });
      works.push(w);
      return w;
    };
    const workA = make(a, 'host-a', clockA);
    const workB = make(b, 'host-b', clock);
    return {
      clock: { advance: (ms: number) => Promise.all([clock.advance(ms), clockA.advance(ms)]) },
      clockB: clock,
      a,
      b,
      workA,
      workB,
    };
  }

  /** Starts a task on `store` under `work`'s lease, as a feature's service does. */
  async function start(store: Store, work: LeasedWork<Task>, id: string): Promise<void> {
    work.hold(id);
    await store.transaction(() =>
      store.collection<Task>('tasks').insert(work.stamp({ id, state: 'running' })),
    );
  }

  it("a live replica's work is nobody else's; once its lease has expired it is taken over exactly once", async () => {
    const { clock, a, b, workA, workB } = await replicas();
    await start(a, workA, 't1');
    await a.flush();
    await vi.waitFor(() => expect(b.collection<Task>('tasks').get('t1')).toBeDefined());
    expect(workB.orphaned()).toEqual([]);
    expect(await workB.takeOver('t1')).toBeUndefined();
    await clock.advance(3_001);
    expect(workB.orphaned().map((t) => t.id)).toEqual(['t1']);
    // Two takers at once (b twice, as two scans would): one wins.
    const [first, second] = await Promise.all([workB.takeOver('t1'), workB.takeOver('t1')]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect((first ?? second)?.lease?.holder).toBe('host-b/0:1:x');
  });

  it('finished work is never taken over', async () => {
    const { clock, a, b, workA, workB } = await replicas();
    await start(a, workA, 't2');
    await a.transaction(() => a.collection<Task>('tasks').update('t2', (t) => ({ ...t, state: 'done' })));
    workA.release('t2');
    await a.flush();
    await clock.advance(10_000);
    await vi.waitFor(() => expect(b.collection<Task>('tasks').get('t2')?.state).toBe('done'));
    expect(workB.orphaned()).toEqual([]);
    expect(await workB.takeOver('t2')).toBeUndefined();
  });

  it("the watcher resumes a dead replica's work without a restart; the replica presumed dead is told it lost it", async () => {
    const { clockB, a, workA, workB } = await replicas();
    await start(a, workA, 't3');
    const lost = vi.fn();
    workA.hold('t3', lost);
    await a.flush();
    const resumed: string[] = [];
    workB.watch(async (t) => {
      resumed.push(t.id);
    });
    // a stalls: its clock stays behind, so what it renews has expired by b's, and b takes the task over
    await clockB.advance(3_001);
    await vi.waitFor(() => expect(resumed).toEqual(['t3']), { timeout: 5_000 });
    // a's heartbeat (every second) finds b's lease on it: a stops, b runs it.
    await vi.waitFor(() => expect(lost).toHaveBeenCalledOnce(), { timeout: 5_000 });
  });

  it('a graceful stop hands the work over at once, not after a whole lease', async () => {
    const { a, workA, workB } = await replicas(60_000);
    await start(a, workA, 't4');
    await a.flush();
    await workA.close();
    await a.flush();
    await vi.waitFor(() => expect(workB.orphaned().map((t) => t.id)).toEqual(['t4']));
  });
});
