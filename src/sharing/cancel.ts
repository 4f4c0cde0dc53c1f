import { refuseAction, showOnMessage } from '../core/refuse.js';
import type { ActionContext, Reply } from '../core/types.js';
import type { PendingRecord } from '../store/repositories.js';

interface CancelRules<T> {
  command: 'share' | 'unshare';
  kind: string;
  /** whether the clicker may cancel a request made by `requestedBy` */
  mayCancel(requestedBy: string | undefined): Promise<boolean>;
  denied: string;
  render(record: PendingRecord<T>): Reply;
}

/** The Cancel button of share, bulk share and unshare requests: allowed clickers only, acts once, audited. */
export async function cancelRequest<T>(ctx: ActionContext, rules: CancelRules<T>): Promise<void> {
  const entry = { command: rules.command, action: 'cancel' };
  const svc = ctx.services.sharing;
  const current = svc.get<T>(ctx.value, rules.kind);
  if (!(await rules.mayCancel(current?.requestedBy))) return refuseAction(ctx, entry, rules.denied);
  const claim = await svc.claim<T>(ctx.value, rules.kind, 'cancelled', ctx.actor.userId, 'cancel');
  if (!claim.ok) return refuseAction(ctx, entry, claim.reason);
  ctx.services.repos.audit.append({ actor: ctx.actor.userId, ...entry, target: ctx.value, outcome: 'ok' });
  await showOnMessage(ctx, rules.render(claim.record));
}
