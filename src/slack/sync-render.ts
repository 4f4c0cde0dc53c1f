/**
 * Block Kit of /brightcove sync: the listing progress, the plan with its buttons (replaced by stamps
 * once clicked), apply progress and the closing summary. Rendering only: no API calls.
 */

import { renderRejectModal } from '../core/approvals.js';
import {
  actions,
  type Block,
  button,
  context,
  escapeMrkdwn,
  fields,
  header,
  type ModalView,
  plain,
  section,
  slackDate,
  truncate,
} from '../core/blocks.js';
import { errorIdOf, UserError } from '../core/errors.js';
import type { Reply } from '../core/types.js';
import type { ApplyCounts, ApplySummary } from '../sync/apply.js';
import {
  applyStats,
  capital,
  costLine,
  formatStats,
  newKeysLine,
  nounOf,
  otherAccountsNote,
  outcomeLine,
  planStats,
  scanLine,
} from '../sync/format.js';
import type { SyncPlan } from '../sync/plan.js';
import type { CollectProgress } from '../sync/run.js';
import type { Phase, PhaseState, PlanRecord } from '../sync/store.js';
import type { RecordNoun, SyncTarget } from '../sync/target.js';

/** Items of each kind shown in the message; the rest is in the file. */
const FIRST_ITEMS = 5;

const n = (x: number) => x.toLocaleString('en-US');

export function who(actor: string): string {
  return /^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}>` : escapeMrkdwn(actor);
}

function when(iso: string | undefined): string {
  return iso ? slackDate(new Date(iso)) : '';
}

function syncTitle(accountAlias: string, target: string): string {
  return `Sync ${accountAlias} → ${target}`;
}

export function renderProgress(
  accountAlias: string,
  target: Pick<SyncTarget, 'name' | 'noun'>,
  p: CollectProgress,
): Reply {
  const videos = p.videoCount ? `${n(p.videos)} of about ${n(p.videoCount)}` : n(p.videos);
  const records = p.recordTotal ? `${n(p.records)} of ${n(p.recordTotal)}` : n(p.records);
  const lines = [
    `Videos fetched: ${videos}`,
    `${capital(target.name)} ${target.noun.many} fetched: ${records}`,
  ];
  if (p.phase !== 'listing') lines.push(`Media of new videos: ${n(p.media)} of ${n(p.mediaTotal)}`);
  const text = `${syncTitle(accountAlias, target.name)}: dry run in progress…\n${lines.join('\n')}`;
  return {
    text,
    blocks: [
      section(
        `:hourglass_flowing_sand: *${escapeMrkdwn(syncTitle(accountAlias, target.name))}*: dry run in progress…`,
      ),
      section(lines.join('\n')),
    ],
    data: { progress: p },
  };
}

function list(title: string, items: string[], total: number): Block[] {
  if (total === 0) return [];
  const more = total > items.length ? `\n…and ${n(total - items.length)} more in the plan file` : '';
  return [section(truncate(`*${title}* (${n(total)})\n${items.join('\n')}${more}`, 2900))];
}

function name(s: string): string {
  return escapeMrkdwn(truncate(s || '(no name)', 80));
}

function planItems(plan: SyncPlan): Block[] {
  const f = FIRST_ITEMS;
  const noun = nounOf(plan);
  const ordinary = plan.updates.filter((u) => !u.newKeysOnly);
  return [
    ...list(
      'Creates',
      plan.creates
        .slice(0, f)
        .map((i) => `• \`${i.videoId}\` ${name(i.videoName)} (${i.rendition.height}p ${i.rendition.origin})`),
      plan.creates.length,
    ),
    ...list(
      'Updates',
      ordinary
        .slice(0, f)
        .map(
          (i) =>
            `• \`${i.videoId}\` ${name(i.videoName)}: ${escapeMrkdwn(truncate(i.changedKeys.join(', '), 120))}`,
        ),
      ordinary.length,
    ),
    ...list(
      'Deletes (video missing from the library; checked again before each delete)',
      plan.deletes
        .slice(0, f)
        .map(
          (i) =>
            `• \`${i.videoId}\` ${noun.one} ${escapeMrkdwn(i.recordId)}${i.recordName ? ` ${name(i.recordName)}` : ''}`,
        ),
      plan.deletes.length,
    ),
    ...list(
      'Skipped',
      plan.skipped
        .slice(0, f)
        .map((i) => `• \`${i.videoId}\` ${name(i.videoName)}: ${escapeMrkdwn(truncate(i.message, 160))}`),
      plan.skipped.length,
    ),
    ...list(
      'Problems',
      plan.problems.slice(0, f).map((p) => `• ${escapeMrkdwn(truncate(p.message, 200))}`),
      plan.problems.length,
    ),
  ];
}

const phaseLabel: Record<Phase, string> = { apply: 'Creates and updates', deletes: 'Deletes' };

/** Who may press the plan's buttons (the app checks before anything happens or any form opens). */
function whoMayClick(phases: Record<Phase, PhaseState>): string {
  const parts = [];
  if (phases.apply.status === 'pending') parts.push('*Apply*: operators');
  if (phases.deletes.status === 'pending') parts.push('*Approve* or *Reject* deletes: approvers only');
  parts.push('*Discard*: operators or the requester');
  return parts.join(' · ');
}

/** Who must still confirm a mass delete, and who has (several approvers: `roles.approvals`). */
function massApprovals(needed: number, given: readonly { by: string; at: string }[]): string {
  if (needed <= 1) return 'An approver must confirm by typing the count.';
  const so = given.length
    ? ` Approved so far by ${given.map((a) => `${who(a.by)} at ${when(a.at)}`).join(', ')} (${given.length} of ${needed}).`
    : '';
  return `${needed} different approvers must each confirm by typing the count.${so}`;
}

function stamp(phase: Phase, s: PhaseState): string | null {
  if (!s.by) return null;
  if (s.status === 'rejected')
    return `:no_entry_sign: ${phaseLabel[phase]} rejected by ${who(s.by)} at ${when(s.at)}${s.reason ? `: “${escapeMrkdwn(truncate(s.reason, 500))}”` : ''}`;
  const verb = phase === 'apply' ? 'applied' : 'approved';
  if (s.status === 'running')
    return `:hourglass_flowing_sand: ${phaseLabel[phase]} ${verb} by ${who(s.by)} at ${when(s.at)}: in progress (see the thread)`;
  return `:white_check_mark: ${phaseLabel[phase]} ${verb} by ${who(s.by)} at ${when(s.at)}${s.outcome ? `: ${escapeMrkdwn(s.outcome)}` : ''}`;
}

/**
 * The confirmation of a plan's deletes, opened by the app after the approver check (a button's own
 * confirm dialog would show to anyone). A mass delete is confirmed by typing the number of deletes.
 */
export function renderDeleteModal(record: PlanRecord): ModalView {
  const c = record.data.plan.counts;
  const mass = record.data.massDelete !== undefined;
  return {
    type: 'modal',
    callback_id: 'sync.confirm_deletes',
    private_metadata: JSON.stringify({ plan: record.id, channel: record.channel ?? '' }),
    title: plain(
      mass ? 'Confirm a mass delete' : `Delete ${n(c.deletes)} ${nounOf(record.data.plan).many}?`,
      24,
    ),
    submit: plain(mass ? 'Delete' : `Delete ${n(c.deletes)}`, 24),
    close: plain('Cancel', 24),
    blocks: [
      section(
        `This deletes *${n(c.deletes)}* ${escapeMrkdwn(record.data.plan.target)} ${nounOf(record.data.plan).many} of *${escapeMrkdwn(record.data.account.alias)}* whose videos are missing. Each video's absence is checked with the CMS again right before its ${nounOf(record.data.plan).one} is deleted.`,
      ),
      ...(mass
        ? [
            {
              type: 'input' as const,
              block_id: MASS_DELETE_BLOCK,
              label: plain(`Type ${c.deletes} to confirm`, 2000),
              element: {
                type: 'plain_text_input' as const,
                action_id: MASS_DELETE_BLOCK,
                placeholder: plain(String(c.deletes), 150),
              },
            },
          ]
        : []),
    ],
  };
}

/** The Reject form of a plan's deletes. */
export function renderRejectDeletesModal(record: PlanRecord): ModalView {
  const c = record.data.plan.counts;
  return renderRejectModal(
    'sync.reject_deletes',
    record,
    'Reject the deletes',
    `Reject the *${n(c.deletes)}* deletes of *${escapeMrkdwn(record.data.account.alias)}*'s ${escapeMrkdwn(record.data.plan.target)} ${nounOf(record.data.plan).many} (plan ${record.id}).`,
  );
}

export const MASS_DELETE_BLOCK = 'count';

/** The progress message of a dry run that failed: what happened and what to do (never the stack). */
export function renderPlanFailed(accountAlias: string, target: string, err: unknown): Reply {
  const why =
    err instanceof UserError
      ? escapeMrkdwn(truncate(err.message, 300))
      : `something went wrong (error id ${errorIdOf(err)}). Run the sync again; if it keeps failing, give the error id to whoever runs Brightcove Ops`;
  const text = `${syncTitle(accountAlias, target)}: the dry run failed: ${why}.`;
  return { text, blocks: [section(`:x: ${text}`)] };
}

/** The plan message: counts, first items, then buttons for what is still pending or stamps. */
export function renderPlan(record: PlanRecord): Reply {
  const { plan, account, phases } = record.data;
  const c = plan.counts;
  const title = syncTitle(account.alias, plan.target);
  const noun = nounOf(plan);
  const scan = scanLine(plan);
  const blocks: Block[] = [
    header(`${title}: plan`),
    fields([
      `*Creates*\n${n(c.creates)}`,
      `*Updates*\n${n(c.updates - (c.newKeysOnly ?? 0))}`,
      `*Deletes*\n${n(c.deletes)}`,
      `*Unchanged*\n${n(c.unchanged)}`,
      `*Skipped*\n${n(c.skipped)}`,
      `*Problems*\n${n(c.problems)}`,
    ]),
    context(
      `${n(c.videos)} videos, ${n(c.records)} ${noun.many} (${n(c.recordsWithoutVideoId)} without a video id, left alone)${record.data.keepDeleted ? ' · --keep-deleted: no deletes planned' : ''}`,
    ),
    ...(otherAccountsNote(c) ? [context(escapeMrkdwn(otherAccountsNote(c)))] : []),
    ...(scan ? [context(escapeMrkdwn(scan))] : []),
    ...(costLine(plan) ? [context(`:moneybag: ${escapeMrkdwn(costLine(plan) as string)}`)] : []),
    ...(newKeysLine(plan) ? [context(`:sparkles: ${escapeMrkdwn(newKeysLine(plan) as string)}`)] : []),
    ...planItems(plan),
  ];
  const stamps = (['apply', 'deletes'] as const)
    .map((p) => stamp(p, phases[p]))
    .filter((s): s is string => s !== null);
  const discard = record.decisions.find((d) => d.action === 'discard');
  if (record.state === 'discarded' && discard)
    stamps.push(`:wastebasket: Discarded by ${who(discard.by)} at ${when(discard.at)}`);
  if (record.state === 'expired')
    stamps.push(`:hourglass: This plan expired at ${when(record.expiresAt)}: re-run \`/brightcove sync\``);
  if (record.state === 'superseded') {
    const by = record.data.supersededBy;
    const where = by ? ` (${by.id}${by.channel ? ` in <#${by.channel}>` : ''})` : '';
    stamps.push(
      `:arrows_counterclockwise: A newer plan${where} replaced this one: use it, or re-run \`/brightcove sync\``,
    );
  }
  if (stamps.length) blocks.push(section(stamps.join('\n')));

  if (record.state === 'open') {
    const buttons = [];
    if (phases.apply.status === 'pending') {
      buttons.push(
        button('sync.apply', `Apply ${n(c.creates)} creates and ${n(c.updates)} updates`, record.id, {
          style: 'primary',
        }),
      );
    }
    const mass = record.data.massDelete;
    if (phases.deletes.status === 'pending' && mass) {
      // A mass delete is approved by typing its count in a form the app opens after the role check.
      blocks.push(
        section(
          `:warning: *Mass delete:* ${n(c.deletes)} deletes (${Math.round(mass.share * 100)}% of ${escapeMrkdwn(account.alias)}'s records), ${escapeMrkdwn(mass.limit)}. ${massApprovals(mass.approvals ?? 1, phases.deletes.approvals ?? [])}`,
        ),
      );
      buttons.push(
        button('sync.confirm_deletes', `Review ${n(c.deletes)} deletes…`, record.id, { style: 'danger' }),
      );
    } else if (phases.deletes.status === 'pending') {
      // No confirm on the button: the app opens the confirmation after checking the clicker is an approver.
      buttons.push(
        button('sync.approve_deletes', `Approve ${n(c.deletes)} deletes…`, record.id, { style: 'danger' }),
      );
    }
    if (phases.deletes.status === 'pending')
      buttons.push(button('sync.reject_deletes', 'Reject deletes…', record.id));
    if (buttons.length) {
      buttons.push(button('sync.discard', 'Discard', record.id));
      blocks.push(actions(`sync-plan-${record.id}`, ...buttons));
      blocks.push(context(whoMayClick(phases)));
    }
    blocks.push(
      context(
        `Requested by ${who(record.requestedBy)} · expires ${when(record.expiresAt)} · plan ${record.id} · fingerprint ${plan.fingerprint.slice(0, 12)}`,
      ),
    );
  } else if (record.state === 'closed' && c.creates + c.updates + c.deletes === 0) {
    blocks.push(section(`:white_check_mark: Nothing to do: the ${noun.many} match the library.`));
  }

  const text = [
    `${title}: ${n(c.creates)} creates, ${n(c.updates)} updates, ${n(c.deletes)} deletes, ${n(c.skipped)} skipped (plan ${record.id}, ${record.state})`,
    ...stamps.map((s) => s.replace(/:[a-z_]+: /, '')),
  ].join('\n');
  return {
    text,
    blocks,
    data: { plan: record.id, state: record.state, counts: c, fingerprint: plan.fingerprint },
  };
}

export function renderApplyProgress(phase: Phase, counts: ApplyCounts): Reply {
  const what = phase === 'apply' ? 'Applying creates and updates' : 'Deleting confirmed orphans';
  const line = `${what}: ${n(counts.done)} of ${n(counts.total)} (created ${n(counts.created)}, updated ${n(counts.updated)}, deleted ${n(counts.deleted)}, kept ${n(counts.notDeleted)}, failed ${n(counts.failed)})`;
  return { text: line, blocks: [section(`:hourglass_flowing_sand: ${line}`)], data: { progress: counts } };
}

/** One line for the stamp on the plan message. */
export function renderApplySummary(phase: Phase, summary: ApplySummary, noun: RecordNoun): Reply {
  const stats = formatStats(applyStats(summary), noun);
  const blocks: Block[] = [
    section(
      `${summary.failed.length ? ':warning:' : ':white_check_mark:'} *${phase === 'apply' ? 'Creates and updates' : 'Deletes'} done*: ${escapeMrkdwn(outcomeLine(phase, summary))}`,
    ),
    section(`\`\`\`${stats}\`\`\``),
  ];
  const reasons: string[] = [];
  for (const f of summary.failed.slice(0, 10))
    reasons.push(`• failed \`${f.videoId}\`: ${escapeMrkdwn(truncate(f.reason, 200))}`);
  for (const k of summary.notDeletedVideoExists.slice(0, 10))
    reasons.push(
      `• kept ${noun.one} ${escapeMrkdwn(k.recordId)}: video \`${k.videoId}\` still exists in the CMS`,
    );
  const skippedNow = summary.skipped.filter((s) => !s.key.startsWith('skip:'));
  for (const s of skippedNow.slice(0, 10))
    reasons.push(`• skipped \`${s.videoId}\`: ${escapeMrkdwn(truncate(s.reason, 200))}`);
  if (reasons.length) blocks.push(section(truncate(reasons.join('\n'), 2900)));
  const text = `${phase === 'apply' ? 'Creates and updates' : 'Deletes'} done: ${outcomeLine(phase, summary)}\n${stats}`;
  return {
    text,
    blocks,
    data: {
      created: summary.created.length,
      updated: summary.updated.length,
      deleted: summary.deleted.length,
      skipped: summary.skipped.length,
      failed: summary.failed,
      notDeletedVideoExists: summary.notDeletedVideoExists,
    },
  };
}

/** The original tool's stats block for a dry run, plus skipped. */
export function planStatsText(plan: SyncPlan): string {
  return formatStats(planStats(plan), nounOf(plan));
}
