import { plural } from '../core/words.js';
import type { ApplySummary } from './apply.js';
import { utcMinute } from './cursor.js';
import type { Trim } from './metadata.js';
import type { SyncPlan } from './plan.js';
import type { Phase } from './store.js';
import type { RecordNoun } from './target.js';

const GENERIC: RecordNoun = { one: 'record', many: 'records' };

/** What the plan's target calls its records ("bundle", "row"); plans saved before nouns: "record". */
export function nounOf(plan: Pick<SyncPlan, 'noun'>): RecordNoun {
  return plan.noun ?? GENERIC;
}

export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface StatsInput {
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  /** Records that had a video id before the run (the original's base for `total`). */
  recordsWithVideoId: number;
}

/**
 * The original tool's closing block (reference/clarify.md §1.10), plus the skipped count it never
 * showed. `total` is projected the same way: records with a video id + created − deleted.
 */
export function formatStats(s: StatsInput, noun: RecordNoun): string {
  const total = s.recordsWithVideoId + s.created - s.deleted;
  return [
    `${capital(noun.one)} stats:`,
    `  created: ${s.created}`,
    `  updated: ${s.updated}`,
    `  deleted: ${s.deleted}`,
    `  total:   ${total}`,
    `  skipped: ${s.skipped}`,
  ].join('\n');
}

/** What a dry run would do, in the same block. */
export function planStats(plan: SyncPlan): StatsInput {
  return {
    created: plan.counts.creates,
    updated: plan.counts.updates,
    deleted: plan.counts.deletes,
    skipped: plan.counts.skipped,
    recordsWithVideoId: plan.counts.recordsWithVideoId,
  };
}

export function applyStats(summary: ApplySummary): StatsInput {
  return {
    created: summary.created.length,
    updated: summary.updated.length,
    deleted: summary.deleted.length,
    skipped: summary.skipped.length,
    recordsWithVideoId: summary.recordsWithVideoId,
  };
}

function trimNote(trims: readonly Trim[]): string {
  return trims.length
    ? `  [trimmed: ${trims.map((t) => `${t.key} ${t.action} (${t.detail})`).join('; ')}]`
    : '';
}

/**
 * What a plan left alone because it may belong to another account sharing the target; empty when
 * nothing was (plans made before ownership existed have no such counts).
 */
export function otherAccountsNote(c: SyncPlan['counts']): string {
  const parts: string[] = [];
  if (c.otherAccounts) parts.push(`${c.otherAccounts} owned by other accounts`);
  if (c.legacyKept) parts.push(`${c.legacyKept} without an owner whose video another account has`);
  return parts.length ? `Left alone: ${parts.join(', ')} (records of other accounts are never changed)` : '';
}

/** The whole plan as plain text, one item a line (for a file upload or the CLI). */
/** Which way the library was read, and why: every plan says so. */
export function scanLine(plan: SyncPlan): string | undefined {
  const s = plan.scan;
  if (!s) return undefined;
  return s.mode === 'incremental'
    ? `Incremental: videos changed since ${s.changedSince ? utcMinute(s.changedSince) : 'the last sync'} (${s.reason})`
    : `Full listing: ${s.reason}`;
}

/**
 * What Apply would cost, for a target that bills creates by media minutes: the creates' durations
 * (the CMS's, in ms) summed and rounded up; undefined when nothing is billed.
 */
export function costLine(plan: SyncPlan): string | undefined {
  if (plan.billedBy !== 'media-minutes' || plan.creates.length === 0) return undefined;
  let ms = 0;
  let unknown = 0;
  for (const c of plan.creates) {
    const d = c.metadata.duration;
    if (typeof d === 'number' && d > 0) ms += d;
    else unknown++;
  }
  const minutes = Math.ceil(ms / 60_000).toLocaleString('en-US');
  const without = unknown ? `, ${plural(unknown, 'video')} without a duration not counted` : '';
  return `Media to send: ${minutes} min in ${plural(plan.creates.length, 'create')}${without}. ${capital(plan.target)} bills by media minutes: applying the creates uses credit.`;
}

/** The updates that only add keys their records never had, and those keys (first seen first). */
function newKeyUpdates(plan: SyncPlan): { updates: SyncPlan['updates']; keys: string[] } {
  const updates = plan.updates.filter((u) => u.newKeysOnly);
  const keys = [...new Set(updates.flatMap((u) => u.changedKeys))];
  return { updates, keys };
}

/**
 * "N bundles gain new keys …": records written by the original tool (or before a key was added) get
 * the keys this version writes. Said once, as its own line, not as N edits; applied with the updates.
 */
export function newKeysLine(plan: SyncPlan): string | undefined {
  const { updates, keys } = newKeyUpdates(plan);
  if (updates.length === 0) return undefined;
  const noun = nounOf(plan);
  const shown = keys.length > 6 ? `${keys.slice(0, 6).join(', ')}, …` : keys.join(', ');
  return `${plural(updates.length, noun.one, noun.many)} ${updates.length === 1 ? 'gains' : 'gain'} new keys this version writes (${shown}); Apply writes them with the updates.`;
}

export function formatPlanText(plan: SyncPlan): string {
  const c = plan.counts;
  const scan = scanLine(plan);
  const out: string[] = [
    `Sync plan for ${plan.target} (fingerprint ${plan.fingerprint})`,
    ...(scan ? [scan] : []),
    ...(costLine(plan) ? [costLine(plan) as string] : []),
    ...(newKeysLine(plan) ? [newKeysLine(plan) as string] : []),
    `Videos: ${c.videos}  Records: ${c.records} (${c.recordsWithoutVideoId} without a video id, left alone)`,
    `Creates: ${c.creates}  Updates: ${c.updates}  Deletes: ${c.deletes}  Unchanged: ${c.unchanged}  Skipped: ${c.skipped}  Problems: ${c.problems}`,
  ];
  const others = otherAccountsNote(c);
  if (others) out.push(others);
  const section = (title: string, lines: string[]) => {
    out.push('', `== ${title} (${lines.length})`);
    out.push(...(lines.length ? lines : ['(none)']));
  };
  section(
    'Creates',
    plan.creates.map(
      (i) =>
        `+ ${i.videoId}  "${i.videoName}"  ${i.rendition.height}p ${i.rendition.codec} (${i.rendition.origin})${trimNote(i.trims)}`,
    ),
  );
  const gaining = newKeyUpdates(plan);
  section(
    'Updates',
    plan.updates
      .filter((u) => !u.newKeysOnly)
      .map(
        (i) =>
          `~ ${i.videoId}  "${i.videoName}"  record ${i.recordId}  changes: ${i.changedKeys.join(', ')}${trimNote(i.trims)}`,
      ),
  );
  if (gaining.updates.length)
    section(
      `${capital(nounOf(plan).many)} gaining new keys`,
      gaining.updates.map((i) => `~ ${i.videoId}  record ${i.recordId}  adds: ${i.changedKeys.join(', ')}`),
    );
  section(
    'Deletes (video missing from the library; confirmed again before deleting)',
    plan.deletes.map(
      (i) => `- ${i.videoId}  record ${i.recordId}${i.recordName ? `  "${i.recordName}"` : ''}`,
    ),
  );
  section(
    'Skipped',
    plan.skipped.map((i) => `! ${i.videoId}  "${i.videoName}"  ${i.reason}: ${i.message}`),
  );
  section(
    'Problems',
    plan.problems.map((p) => `? ${p.kind}: ${p.message}${p.recordIds ? ` [${p.recordIds.join(', ')}]` : ''}`),
  );
  return `${out.join('\n')}\n`;
}

/** The end-of-apply report: counts, then every failure and kept record with its reason. */
export function formatApplyText(summary: ApplySummary, noun: RecordNoun): string {
  const out = [formatStats(applyStats(summary), noun)];
  if (summary.failed.length) {
    out.push(
      '',
      `Failed (${summary.failed.length}):`,
      ...summary.failed.map((f) => `  ${f.videoId}: ${f.reason}`),
    );
  }
  if (summary.notDeletedVideoExists.length) {
    out.push(
      '',
      `Not deleted, video still exists (${summary.notDeletedVideoExists.length}):`,
      ...summary.notDeletedVideoExists.map((n) => `  ${n.videoId} (${noun.one} ${n.recordId})`),
    );
  }
  const n = summary.notApplied;
  if (n.creates + n.updates + n.deletes) {
    out.push('', `Not applied in this run: ${n.creates} creates, ${n.updates} updates, ${n.deletes} deletes`);
  }
  if (summary.resumed.length)
    out.push('', `Already done by an earlier run (looked up in the target): ${summary.resumed.length}`);
  return `${out.join('\n')}\n`;
}

/** One line for a finished phase's stamp, e.g. "3 created, 1 updated, 0 failed". */
export function outcomeLine(phase: Phase, s: ApplySummary): string {
  const parts =
    phase === 'apply'
      ? [`${s.created.length} created`, `${s.updated.length} updated`]
      : [`${s.deleted.length} deleted`, `${s.notDeletedVideoExists.length} kept (video exists)`];
  if (s.resumed.length) parts.push(`${s.resumed.length} done before a restart (looked up)`);
  parts.push(`${s.failed.length} failed`);
  return parts.join(', ');
}
