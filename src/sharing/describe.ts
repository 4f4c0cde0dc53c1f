/**
 * Text helpers for the sharing results: one line per finding, for the CLI, Slack fallbacks and logs. The
 * Block Kit card is built by the Slack layer from the same plain result types.
 */

import { plural } from '../core/words.js';
import type { BulkSharePlan } from './bulk.js';
import type { ShareDecision } from './decide.js';
import type { ShareStatus } from './status.js';
import type { CheckLevel, PreflightCheck, PreflightReport } from './types.js';

/** How a finding's level is marked; renderers pass their own (Slack: emoji). */
export type LevelIcon = (level: CheckLevel) => string;

const PLAIN: Record<CheckLevel, string> = { pass: '[ok]', warning: '[warn]', blocker: '[block]' };

const plainLevelIcon: LevelIcon = (level) => PLAIN[level];

/** `[warn] Already shared to Neo North … → Share anyway only if …` */
export function describeCheck(check: PreflightCheck, icon: LevelIcon = plainLevelIcon): string {
  const fix = check.fix ? ` → ${check.fix}` : '';
  return `${icon(check.level)} ${check.reason}${fix}`;
}

export function describeReport(report: PreflightReport, icon: LevelIcon = plainLevelIcon): string[] {
  const ref = report.video.referenceId ? ` (ref ${report.video.referenceId})` : '';
  const lines = [
    `Pre-flight for “${report.video.name}” ${report.video.id}${ref} from ${report.master.name}:`,
  ];
  for (const c of report.videoChecks) lines.push(`  ${describeCheck(c, icon)}`);
  for (const a of report.affiliates) {
    lines.push(`${icon(a.level)} ${a.affiliate.name} (${a.affiliate.id}):`);
    for (const c of a.checks) lines.push(`    ${describeCheck(c, icon)}`);
  }
  return lines;
}

export function describeDecision(decision: ShareDecision): string {
  switch (decision.kind) {
    case 'share_now':
      return 'All checks passed: sharing now.';
    case 'needs_confirmation':
      return `${decision.warnings.length} warning(s): an operator can press “Share anyway”.`;
    case 'blocked': {
      if (decision.affiliateIds.length === 0) return 'No affiliate to share to.';
      const clear = decision.clearAffiliates.map((a) => a.name);
      const hint = clear.length > 0 ? ` Only ${clear.join(', ')} could be shared to on its own.` : '';
      return `Not shared: ${plural(decision.blockers.length, 'blocker')}.${hint}`;
    }
  }
}

const STATE_WORDS: Record<ShareStatus['state'], string> = {
  processing: 'processing',
  complete: 'shared',
  complete_with_errors: 'shared, with errors',
  failed: 'failed',
  unknown: 'in an unknown state',
};

/** `Neo South: shared as 6400000001001, waiting for Neo South to accept it (no auto-accept).` */
export function describeShareStatus(s: ShareStatus): string {
  let line = `${s.affiliate.name}: ${STATE_WORDS[s.state]}`;
  if (s.state === 'unknown') line += ` (Brightcove says ${s.apiStatus})`;
  if (s.affiliateVideoId) line += ` as ${s.affiliateVideoId}`;
  if (s.acceptance === 'pending') line += `, waiting for ${s.affiliate.name} to accept it (no auto-accept)`;
  else if (s.acceptance === 'accepted') line += ', live in their account';
  else if (s.acceptance === 'inactive') line += `, but ${s.affiliate.name} set it inactive`;
  line += '.';
  for (const e of s.errors) line += ` ${e.words} ${e.fix}`;
  return line;
}

export function describeBulkPlan(plan: BulkSharePlan, icon: LevelIcon = plainLevelIcon): string[] {
  const lines = [plan.summary, ...plan.queryWarnings.map((w) => `${icon('warning')} ${w}`)];
  for (const row of plan.rows) {
    const level: CheckLevel =
      row.decision === 'blocked' ? 'blocker' : row.decision === 'needs_confirmation' ? 'warning' : 'pass';
    const first = row.blockers[0] ?? row.warnings[0];
    const who = first?.affiliate ? `${first.affiliate.name}: ` : '';
    lines.push(
      `${icon(level)} ${row.video.id} “${row.video.name}”${first ? ` — ${who}${first.check.reason}` : ''}`,
    );
  }
  return lines;
}
