import { describe, expect, it } from 'vitest';
import { isOrphaned, leaseFor, replicaIdentity } from '../../src/core/lease.js';

describe('leases on running work', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  const me = replicaIdentity('host-a');

  it('names a replica by host, pid namespace, pid and a random part', () => {
    expect(me).toMatch(new RegExp(`^host-a/\\d+:${process.pid}:[0-9a-f]{8}$`));
    expect(replicaIdentity('host-a')).not.toBe(me);
  });

  it('is held for leaseMs from now', () => {
    expect(leaseFor({ id: me, leaseMs: 30_000 }, now)).toEqual({
      holder: me,
      until: '2026-12-03T10:00:30.000Z',
    });
  });

  it('work with no lease, or an expired one, is orphaned; our own never is', () => {
    expect(isOrphaned(undefined, me, now)).toBe(true);
    const other = 'host-b/1:42:abcd';
    expect(isOrphaned({ holder: other, until: '2026-12-03T10:00:01Z' }, me, now)).toBe(false);
    expect(isOrphaned({ holder: other, until: '2026-12-03T10:00:00Z' }, me, now)).toBe(true);
    expect(isOrphaned({ holder: me, until: '2026-12-03T09:00:00Z' }, me, now)).toBe(false);
  });

  it('a live lease of a dead process in this pid namespace is taken at once; of a live one, not', () => {
    const [hostNs] = me.split(':');
    const until = '2026-12-03T11:00:00Z';
    expect(isOrphaned({ holder: `${hostNs}:4194305:dead`, until }, me, now)).toBe(true);
    // pid 1 always runs; another host's pid is never looked up here
    expect(isOrphaned({ holder: `${hostNs}:1:init`, until }, me, now)).toBe(false);
    expect(isOrphaned({ holder: 'host-b/1:4194305:dead', until }, me, now)).toBe(false);
  });
});
