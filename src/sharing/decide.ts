/**
 * What a pre-flight report allows: share at once, share only after an operator's "Share anyway", or not at
 * all. A single blocker stops the whole request (the user asked for these affiliates together; sharing to
 * some of them silently would surprise them), and the card names every affiliate that is fine.
 */
import type { AffiliateRef, PreflightCheck, PreflightReport } from './types.js';

export type ShareDecisionKind = 'share_now' | 'needs_confirmation' | 'blocked';

export interface Finding {
  affiliate: AffiliateRef | null;
  check: PreflightCheck;
}

export interface ShareDecision {
  kind: ShareDecisionKind;
  /** the affiliates the share call goes to when it happens */
  affiliateIds: string[];
  /** who may press "Share anyway"; null when no click is needed or possible */
  confirmRole: 'operator' | null;
  blockers: Finding[];
  warnings: Finding[];
  /** affiliates with no blocker of their own (useful to suggest a narrower share) */
  clearAffiliates: AffiliateRef[];
}

function findings(report: PreflightReport, level: 'warning' | 'blocker'): Finding[] {
  const out: Finding[] = report.videoChecks
    .filter((c) => c.level === level)
    .map((check) => ({ affiliate: null, check }));
  for (const a of report.affiliates) {
    for (const check of a.checks) if (check.level === level) out.push({ affiliate: a.affiliate, check });
  }
  return out;
}

export function decideShare(report: PreflightReport): ShareDecision {
  const blockers = findings(report, 'blocker');
  const warnings = findings(report, 'warning');
  const affiliateIds = report.affiliates.map((a) => a.affiliate.id);
  const videoBlocked = report.videoChecks.some((c) => c.level === 'blocker');
  const clearAffiliates = videoBlocked
    ? []
    : report.affiliates.filter((a) => !a.checks.some((c) => c.level === 'blocker')).map((a) => a.affiliate);
  const kind: ShareDecisionKind =
    affiliateIds.length === 0 || blockers.length > 0
      ? 'blocked'
      : warnings.length > 0
        ? 'needs_confirmation'
        : 'share_now';
  return {
    kind,
    affiliateIds,
    confirmRole: kind === 'needs_confirmation' ? 'operator' : null,
    blockers,
    warnings,
    clearAffiliates,
  };
}
