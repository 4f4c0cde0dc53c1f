import { isDeepStrictEqual } from 'node:util';
import type { JournalEntry } from './journal.js';
import {
  AUDIT_MAX,
  type AuditEntry,
  archiveAuditEntries,
  auditArchiveDir,
  readAuditArchive,
} from './repositories.js';
import type { StoredRecord } from './schema.js';
import type { Store } from './store.js';

/** One line of a transfer's report: what the source held, what the target holds now. */
interface TransferCount {
  what: string;
  source: number;
  target: number;
}

export interface TransferReport {
  counts: TransferCount[];
  /** every record and journal entry of the source is in the target, equal */
  verified: boolean;
  /** what differs, when not verified */
  problems: string[];
}

/**
 * `state migrate` (state file → PostgreSQL) and `state export` (PostgreSQL → a state file, for backup):
 * copies every collection, the audit (a file's archive included: a database keeps the audit whole) and
 * every journal, then reads the target back and compares, record by record. Idempotent: copying
 * again upserts the same records by id, so an interrupted migration is simply run again.
 */
export async function transferState(
  from: Store,
  to: Store,
  /** reopens the target, to verify what it really stored (not what this process holds in memory) */
  reopen: () => Promise<Store>,
): Promise<TransferReport> {
  const source = new Map<string, readonly StoredRecord[]>();
  for (const name of from.collectionNames()) source.set(name, await from.allRecords(name));
  // A file's audit beyond its newest entries lives in its archive files.
  if (from.path && !from.keepsTrimmed) {
    const archived = readAuditArchive(auditArchiveDir(from.path));
    const inFile = new Set((source.get('audit') ?? []).map((e) => e.id));
    source.set('audit', [...archived.filter((e) => !inFile.has(e.id)), ...(source.get('audit') ?? [])]);
  }
  for (const [name, records] of source) {
    let toWrite = records;
    // A file keeps the newest audit entries; the older ones go to its archive (as rotation would).
    if (name === 'audit' && to.path && !to.keepsTrimmed && records.length > AUDIT_MAX) {
      const present = new Set((await to.allRecords('audit')).map((e) => e.id));
      archiveAuditEntries(
        auditArchiveDir(to.path),
        (records.slice(0, records.length - AUDIT_MAX) as AuditEntry[]).filter((e) => !present.has(e.id)),
      );
      toWrite = records.slice(-AUDIT_MAX);
    }
    const target = to.collection(name);
    for (const r of toWrite) target.upsert(r);
  }
  const journals = new Map<string, JournalEntry[]>();
  for (const name of await from.journalNames()) {
    const entries = (await from.journal(name)).entries();
    journals.set(name, entries);
    const target = await to.journal(name);
    for (const e of entries) {
      if (e.intent) await target.markIntent(e.key);
      if ('done' in e) target.markDone(e.key, e.done);
    }
    target.close();
  }
  await to.close();
  await from.close();

  const check = await reopen();
  try {
    const counts: TransferCount[] = [];
    const problems: string[] = [];
    for (const [name, records] of source) {
      let stored = await check.allRecords(name);
      if (name === 'audit' && check.path && !check.keepsTrimmed)
        stored = [...readAuditArchive(auditArchiveDir(check.path)), ...stored];
      const byId = new Map(stored.map((r) => [r.id, r]));
      const missing = records.filter((r) => !isDeepStrictEqual(byId.get(r.id), r));
      if (missing.length > 0)
        problems.push(`${name}: ${missing.length} records missing or different (first: ${missing[0]?.id})`);
      counts.push({ what: name, source: records.length, target: new Set(stored.map((r) => r.id)).size });
    }
    let sourceEntries = 0;
    let targetEntries = 0;
    for (const [name, entries] of journals) {
      const stored = new Map((await check.journal(name)).entries().map((e) => [e.key, e]));
      sourceEntries += entries.length;
      targetEntries += stored.size;
      const differ = entries.filter((e) => !isDeepStrictEqual(stored.get(e.key), e));
      if (differ.length > 0) problems.push(`journal ${name}: ${differ.length} entries missing or different`);
    }
    counts.push({
      what: `journal entries (${journals.size} journals)`,
      source: sourceEntries,
      target: targetEntries,
    });
    return { counts, verified: problems.length === 0, problems };
  } finally {
    await check.close();
  }
}
