import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Running work (an Apply, approved deletes) belongs to the replica that claimed it for as long as that
 * replica renews its lease; a replica that dies stops renewing, and another takes the work over once
 * the lease has expired and resumes it from its journal. A holder on this host whose process is gone
 * (kill -9, a restart) is taken over at once, as the state file's lock is.
 */
export interface Lease {
  /** `<host>/<pid namespace>:<pid>:<random>` of the replica holding it */
  holder: string;
  /** ISO instant after which it is free to take */
  until: string;
}

export interface Replica {
  /** This process's holder id. */
  id: string;
  leaseMs: number;
}

/**
 * This process's identity: the replica name (BRIGHTCOVE_OPS_REPLICA, e.g. a pod name) or the host
 * name, the pid namespace (two containers on one host each have a pid 1), the pid, and a random part
 * (a pid is reused after a restart).
 */
export function replicaIdentity(name: string = hostname()): string {
  return `${name}/${pidNamespace()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0'; // not Linux: the host name alone tells hosts apart
  }
}

export function leaseFor(replica: Replica, now: Date): Lease {
  return { holder: replica.id, until: new Date(now.getTime() + replica.leaseMs).toISOString() };
}

/** Whether the work under `lease` has nobody running it: no lease, an expired one, or a dead holder here. */
export function isOrphaned(lease: Lease | undefined, me: string, now: Date): boolean {
  if (!lease) return true; // claimed by a version without leases, or left by a crash before one was set
  if (lease.holder === me) return false; // ours: running in this process
  if (Date.parse(lease.until) <= now.getTime()) return true;
  return holderIsGone(lease.holder, me);
}

function holderIsGone(holder: string, me: string): boolean {
  const [theirs, pidText] = holder.split(':');
  const [mine] = me.split(':');
  // Only a process in this host's pid namespace can be looked up; elsewhere the lease must expire.
  if (theirs !== mine) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true; // our pid, another random part: a previous life of this process id
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
