/**
 * Block Kit for media sharing: the pre-flight card (per affiliate pass / warning / blocker with reason and
 * fix), its tracking rows, the Share anyway / Approve unshare buttons and their stamps, the bulk preview
 * and the `shares` list. Renders plain sharing records only; never calls Brightcove.
 */

import { renderRejectModal } from '../core/approvals.js';
import {
  actions,
  type Block,
  blocksToText,
  button,
  context,
  escapeMrkdwn,
  header,
  type ModalView,
  plain,
  section,
  slackDate,
  truncate,
} from '../core/blocks.js';
import type { Reply } from '../core/types.js';
import { plural } from '../core/words.js';
import { describeBulkPlan, describeCheck, describeShareStatus, type LevelIcon } from '../sharing/describe.js';
import type { BulkRequest, ShareJob, ShareRequest, UnshareRequest } from '../sharing/service.js';
import type { ShareStatus } from '../sharing/status.js';
import type { AccountRef, PreflightCheck } from '../sharing/types.js';
import type { Decision } from '../store/repositories.js';

const SLACK_ICONS = { pass: ':white_check_mark:', warning: ':warning:', blocker: ':no_entry:' } as const;
/** Findings' levels as Slack shows them. */
export const slackLevelIcon: LevelIcon = (level) => SLACK_ICONS[level];

/** Sections per card stay well under Slack's 50 blocks whatever the number of affiliates. */
const MAX_AFFILIATE_ROWS = 15;
const MAX_BULK_ROWS = 20;

const e = escapeMrkdwn;
const who = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : e(id));

function stamp(d: Decision | undefined, verb: string): Block[] {
  if (!d) return [];
  return [context(`:lock: ${verb} by ${who(d.by)} at ${slackDate(new Date(d.at), d.at)}`)];
}

function checkLine(c: PreflightCheck): string {
  return e(describeCheck(c, slackLevelIcon));
}

const SEVERITY: Record<PreflightCheck['level'], number> = { blocker: 0, warning: 1, pass: 2 };

function checklist(checks: readonly PreflightCheck[]): string {
  return [...checks]
    .sort((a, b) => SEVERITY[a.level] - SEVERITY[b.level])
    .map(checkLine)
    .join('\n');
}

const STATE_ICON: Record<ShareStatus['state'], string> = {
  processing: ':hourglass_flowing_sand:',
  complete: ':white_check_mark:',
  complete_with_errors: ':warning:',
  failed: ':x:',
  unknown: ':grey_question:',
};

function statusLine(s: ShareStatus): string {
  return `${STATE_ICON[s.state]} ${e(describeShareStatus(s))}`;
}

function trackingBlocks(job: ShareJob | undefined): Block[] {
  if (!job) return [];
  const rows = job.data.statuses.slice(0, MAX_AFFILIATE_ROWS).map((s) => section(statusLine(s)));
  const more = job.data.statuses.length - rows.length;
  const tail: string[] = [];
  if (more > 0) tail.push(`…and ${more} more affiliates.`);
  if (job.data.stoppedReason) tail.push(`:warning: ${e(job.data.stoppedReason)}`);
  else if (job.state === 'tracking')
    tail.push('Following the shares: this card updates until each is COMPLETE or ERROR.');
  return [section('*Shares*'), ...rows, ...(tail.length ? [context(...tail)] : [])];
}

function decisionLine(r: ShareRequest): string {
  const d = r.data.decision;
  switch (r.state) {
    case 'blocked': {
      const clear = d.clearAffiliates.map((a) => e(a.name));
      const hint = clear.length > 0 ? ` ${clear.join(', ')} could be shared to on its own.` : '';
      return `:no_entry: *Not shared*: ${plural(d.blockers.length, 'blocker')} (below).${hint}`;
    }
    case 'awaiting':
      return `:warning: ${plural(d.warnings.length, 'warning')}: nothing is shared until an operator presses *Share anyway*.`;
    case 'expired':
      return ':hourglass: This request expired without a decision: run the command again to re-check.';
    case 'cancelled':
      return ':heavy_multiplication_x: Cancelled: nothing was shared.';
    default:
      return d.warnings.length > 0
        ? ':arrow_forward: Shared despite the warnings.'
        : ':arrow_forward: All checks passed: shared.';
  }
}

export function renderShareCard(r: ShareRequest, job?: ShareJob): Reply {
  const { report } = r.data;
  const v = report.video;
  const targets = r.data.affiliates.map((a) => a.name).join(', ');
  const ref = v.referenceId ? ` (ref \`${e(v.referenceId)}\`)` : '';
  const blocks: Block[] = [
    header(truncate(`Share “${v.name}” → ${targets}`, 150)),
    section(`Video *${v.id}*${ref} “${e(v.name)}” from *${e(report.master.name)}*\n${decisionLine(r)}`),
  ];
  // A checklist, one check a line (⛔ blockers, then ⚠️ warnings, then ✅ passes), not paragraphs.
  blocks.push(section(`*The video*\n${checklist(report.videoChecks)}`));
  for (const a of report.affiliates.slice(0, MAX_AFFILIATE_ROWS))
    blocks.push(
      section(
        `${slackLevelIcon(a.level)} *${e(a.affiliate.name)}* (${a.affiliate.id})\n${checklist(a.checks)}`,
      ),
    );
  if (report.affiliates.length > MAX_AFFILIATE_ROWS)
    blocks.push(context(`…and ${report.affiliates.length - MAX_AFFILIATE_ROWS} more affiliates.`));
  blocks.push(...trackingBlocks(job));
  const decided = r.decisions.at(-1);
  // "Share anyway" re-runs the pre-flight; when that changed the answer, say so instead of stamping.
  const rechecked = decided?.action === 'confirm' && (r.state === 'awaiting' || r.state === 'blocked');
  if (rechecked) {
    blocks.push(
      context(
        `:arrows_counterclockwise: Checked again when ${who(decided.by)} pressed Share anyway at ${slackDate(new Date(decided.at), decided.at)}: ${
          r.state === 'blocked'
            ? 'now blocked, nothing was shared.'
            : 'new warnings since the card was posted. Nothing was shared: read them, then press Share anyway again.'
        }`,
      ),
    );
  }
  if (r.state === 'awaiting') {
    blocks.push(
      actions(
        `share_${r.id}`,
        button('share.confirm', 'Share anyway', r.id, {
          style: 'primary',
          confirm: {
            title: 'Share despite warnings?',
            text: `Shares video ${v.id} to ${targets} although ${plural(r.data.decision.warnings.length, 'check')} warned.`,
            confirm: 'Share anyway',
          },
        }),
        button('share.cancel', 'Cancel', r.id),
      ),
    );
  } else if (decided && !rechecked) {
    blocks.push(...stamp(decided, decided.action === 'cancel' ? 'Cancelled' : 'Shared anyway'));
  }
  blocks.push(context(`request ${r.id}`));
  return {
    text: blocksToText(blocks),
    blocks,
    data: {
      request: r.id,
      state: r.state,
      decision: r.data.decision.kind,
      report,
      ...(job ? { shares: job.data.statuses, finished: job.data.finished } : {}),
    },
  };
}

export function renderShares(
  master: AccountRef,
  video: { id: string; name: string },
  statuses: ShareStatus[],
): Reply {
  const title = `Shares of “${video.name}” (${video.id}) from ${master.name}`;
  const blocks: Block[] = [header(truncate(title, 150))];
  if (statuses.length === 0) blocks.push(section('Not shared to any affiliate.'));
  else {
    for (const s of statuses.slice(0, 40)) blocks.push(section(statusLine(s)));
    if (statuses.length > 40) blocks.push(context(`…and ${statuses.length - 40} more.`));
  }
  return { text: blocksToText(blocks), blocks, data: { master, video: video.id, shares: statuses } };
}

/** The confirmation of an unshare, opened by the app after the approver check. */
export function renderUnshareConfirm(r: UnshareRequest): ModalView {
  return {
    type: 'modal',
    callback_id: 'unshare.approve',
    private_metadata: JSON.stringify({ id: r.id, channel: r.channel ?? '' }),
    title: plain('Delete the copy?', 24),
    submit: plain('Unshare', 24),
    close: plain('Cancel', 24),
    blocks: [section(`:warning: ${e(truncate(r.data.plan.summary, 2800))}`)],
  };
}

/** The Reject form of an unshare. */
export function renderUnshareReject(r: UnshareRequest): ModalView {
  return renderRejectModal(
    'unshare.reject',
    r,
    'Reject the unshare',
    `Reject the unshare of video ${r.data.plan.videoId} from *${e(r.data.plan.affiliate.name)}*.`,
  );
}

export function renderUnshare(r: UnshareRequest): Reply {
  const { plan, outcome } = r.data;
  const blocks: Block[] = [
    header(truncate(`Unshare video ${plan.videoId} from ${plan.affiliate.name}`, 150)),
    section(`:warning: ${e(plan.summary)}\nRequested by ${who(r.requestedBy)}; needs an approver's click.`),
  ];
  const d = r.decisions.at(-1);
  if (r.state === 'awaiting') {
    blocks.push(
      actions(
        `unshare_${r.id}`,
        // No confirm on the button: the app opens its confirmation after the approver check.
        button('unshare.approve', 'Approve unshare…', r.id, { style: 'danger' }),
        button('unshare.reject', 'Reject…', r.id),
        button('unshare.cancel', 'Cancel', r.id),
      ),
      context('*Approve* or *Reject*: approvers only · *Cancel*: the requester, operators or approvers'),
    );
  } else if (r.state === 'cancelled') blocks.push(...stamp(d, 'Cancelled'));
  else if (r.state === 'rejected' && d)
    blocks.push(
      context(
        `:no_entry_sign: Rejected by ${who(d.by)} at ${slackDate(new Date(d.at), d.at)}${d.reason ? `: “${e(truncate(d.reason, 500))}”` : ''}`,
      ),
    );
  else if (r.state === 'expired')
    blocks.push(context(':hourglass: Expired without approval: run unshare again.'));
  else blocks.push(...stamp(d, 'Approved'));
  if (r.state === 'executing') blocks.push(section(':hourglass_flowing_sand: Unsharing…'));
  if (outcome) {
    const line =
      outcome.outcome === 'unshared'
        ? `:white_check_mark: Unshared: ${e(plan.affiliate.name)}'s copy${outcome.affiliateVideoId ? ` ${outcome.affiliateVideoId}` : ''} is being deleted.`
        : outcome.outcome === 'already_gone'
          ? ':white_check_mark: Already unshared: nothing left to delete.'
          : `:x: Not unshared: ${e(outcome.reason)}`;
    blocks.push(section(line));
  }
  blocks.push(context(`request ${r.id}`));
  return { text: blocksToText(blocks), blocks, data: { request: r.id, state: r.state, plan, outcome } };
}

interface BulkResultRow {
  videoId: string;
  error?: string;
}

export function renderBulk(r: BulkRequest, results?: BulkResultRow[]): Reply {
  const { plan } = r.data;
  const lines = describeBulkPlan(plan, slackLevelIcon);
  const [summary, ...rest] = lines;
  const warnings = rest.slice(0, plan.queryWarnings.length);
  const rows = rest.slice(plan.queryWarnings.length);
  const blocks: Block[] = [
    header(truncate(`Bulk share: ${plan.query} → ${plan.affiliates.map((a) => a.name).join(', ')}`, 150)),
    section(e(summary ?? '')),
  ];
  if (warnings.length) blocks.push(section(warnings.map(e).join('\n')));
  if (rows.length) {
    const shown = rows.slice(0, MAX_BULK_ROWS);
    blocks.push(section(shown.map(e).join('\n')));
    if (rows.length > shown.length)
      blocks.push(context(`…and ${rows.length - shown.length} more checked videos.`));
  }
  const d = r.decisions.at(-1);
  if (r.state === 'awaiting' && plan.confirmLabel) {
    blocks.push(
      actions(
        `bulk_${r.id}`,
        button('share.confirm_bulk', plan.confirmLabel, r.id, {
          style: 'primary',
          confirm: { title: 'Share these videos?', text: truncate(plan.summary, 290), confirm: 'Share' },
        }),
        button('share.cancel_bulk', 'Cancel', r.id),
      ),
    );
  } else if (d) blocks.push(...stamp(d, d.action === 'cancel' ? 'Cancelled' : 'Confirmed'));
  if (results) {
    const failed = results.filter((x) => x.error);
    blocks.push(
      section(
        `:arrow_forward: Share requested for ${results.length - failed.length} of ${plural(results.length, 'video')}; follow each with \`/brightcove shares <video>\`.${failed.length ? `\n${failed.map((f) => `:x: ${f.videoId}: ${e(f.error ?? '')}`).join('\n')}` : ''}`,
      ),
    );
  }
  blocks.push(context(`request ${r.id}`));
  return { text: blocksToText(blocks), blocks, data: { request: r.id, state: r.state, plan, results } };
}
