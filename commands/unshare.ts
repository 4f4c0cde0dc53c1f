import { z } from 'zod';
import { askApprovers, formRecordId, readReason, tellRequester } from '../src/core/approvals.js';
import { escapeMrkdwn } from '../src/core/blocks.js';
import { reportFailure } from '../src/core/dispatch.js';
import { defineGrammar } from '../src/core/grammar.js';
import { refusalReply, refuseAction, showOnMessage } from '../src/core/refuse.js';
import {
  type ActionContext,
  type Actor,
  defineCommand,
  type Services,
  type ViewContext,
  type ViewResult,
} from '../src/core/types.js';
import { cancelRequest } from '../src/sharing/cancel.js';
import { UNSHARE_KIND, type UnshareRequest, type UnshareRequestData } from '../src/sharing/service.js';
import { renderUnshare, renderUnshareConfirm, renderUnshareReject } from '../src/slack/share-render.js';
import { MASTER_FLAG } from './shared-flags.js';

interface UnshareArgs {
  video: string;
  affiliate: string;
  from?: string;
}

const grammar = defineGrammar({
  usage: ['unshare <video-id|ref:REF> from <affiliate> [--from <account>]'],
  flags: { from: MASTER_FLAG },
});

const show = (ctx: ActionContext, record: UnshareRequest) => showOnMessage(ctx, renderUnshare(record));

/** Same rules as sync deletes: approvers only (fail closed), optional four-eyes, acts once, stamped, audited. */
async function approverRefusal(
  services: Services,
  actor: Actor,
  id: string,
  verb: string,
): Promise<string | null> {
  if (!(await services.roles.isApprover(actor)))
    return `Only approvers can ${verb} an unshare. ${services.roles.describe('approver')}`;
  const current = services.sharing.get<UnshareRequestData>(id, UNSHARE_KIND);
  if (verb === 'approve' && services.roles.fourEyes && current?.requestedBy === actor.userId)
    return 'Four-eyes rule: someone other than the person who asked must approve this unshare.';
  return null;
}

/**
 * Approve or Reject clicked: after the role check (never before) the app opens its form. A request no
 * longer waiting gets its reason instead (a claim on it changes nothing: it is not awaiting, or it is
 * marked expired).
 */
async function onDecideClick(ctx: ActionContext, verb: 'approve' | 'reject'): Promise<void> {
  const { services, actor } = ctx;
  const refuse = (text: string) => refuseAction(ctx, { command: 'unshare', action: verb }, text);
  const why = await approverRefusal(services, actor, ctx.value, verb);
  if (why) return refuse(why);
  const svc = services.sharing;
  const record = svc.get<UnshareRequestData>(ctx.value, UNSHARE_KIND);
  if (record?.state !== 'awaiting' || svc.isExpired(record)) {
    const claim = await svc.claim<UnshareRequestData>(
      ctx.value,
      UNSHARE_KIND,
      'awaiting',
      actor.userId,
      verb,
    );
    if (!claim.ok) {
      if (claim.record) await show(ctx, claim.record);
      return refuse(claim.reason);
    }
  }
  if (record)
    await ctx.surface.openModal(
      verb === 'approve' ? renderUnshareConfirm(record) : renderUnshareReject(record),
    );
}

/** A decision sent from its form: checked again, claimed once, audited, shown on the card, told. */
async function onDecide(ctx: ViewContext, verb: 'approve' | 'reject'): Promise<ViewResult> {
  const { services, actor, surface } = ctx;
  const id = formRecordId(ctx);
  const refuse = async (text: string) => {
    services.repos.audit.append({
      actor: actor.userId,
      command: 'unshare',
      action: verb,
      target: id,
      outcome: 'refused',
      details: text,
    });
    await surface.reply(refusalReply(text));
  };
  const why = await approverRefusal(services, actor, id, verb);
  if (why) {
    await refuse(why);
    return undefined;
  }
  let reason: string | undefined;
  if (verb === 'reject') {
    const read = readReason(ctx);
    if ('errors' in read) return read;
    reason = read.reason;
  }
  const svc = services.sharing;
  const claim = await svc.claim<UnshareRequestData>(
    id,
    UNSHARE_KIND,
    verb === 'approve' ? 'executing' : 'rejected',
    actor.userId,
    verb,
    reason,
  );
  const record = claim.record;
  const message = record?.channel && record.ts ? surface.message(record.channel, record.ts) : undefined;
  const showCard = async (r: UnshareRequest) => {
    message?.update(renderUnshare(r));
    await message?.flush();
  };
  if (!claim.ok) {
    if (claim.record) await showCard(claim.record);
    await refuse(claim.reason);
    return undefined;
  }
  void (async () => {
    await showCard(claim.record);
    let told: string;
    if (verb === 'reject') {
      services.repos.audit.append({
        actor: actor.userId,
        command: 'unshare',
        action: 'reject',
        target: id,
        outcome: 'ok',
        details: reason ?? '',
      });
      told = `your unshare of video ${claim.record.data.plan.videoId} was rejected by <@${actor.userId}>: “${escapeMrkdwn(reason ?? '')}”. Nothing was deleted.`;
    } else {
      const done = await svc.runUnshare(claim.record, actor.userId);
      await showCard(done);
      const o = done.data.outcome;
      told = `your unshare of video ${done.data.plan.videoId} was approved by <@${actor.userId}>: ${o?.outcome === 'failed' ? `not unshared: ${escapeMrkdwn(o.reason ?? '')}` : 'unshared'}.`;
    }
    await tellRequester(services, surface, {
      requestedBy: claim.record.requestedBy,
      decidedBy: actor.userId,
      ...(message ? { message } : {}),
      text: told,
    });
  })().catch((err: unknown) =>
    reportFailure(err, { actor, surface, services }, 'unshare', `unshare.${verb}`),
  );
  return undefined;
}

function onCancel(ctx: ActionContext): Promise<void> {
  const { services, actor } = ctx;
  return cancelRequest<UnshareRequestData>(ctx, {
    command: 'unshare',
    kind: UNSHARE_KIND,
    mayCancel: async (requestedBy) =>
      requestedBy === actor.userId ||
      (await services.roles.isOperator(actor)) ||
      (await services.roles.isApprover(actor)),
    denied: 'Only the person who asked, an operator or an approver can cancel this unshare.',
    render: renderUnshare,
  });
}

export const unshare = defineCommand<UnshareArgs>({
  name: 'unshare',
  topic: 'Sharing',
  summary: "Remove a share: deletes the affiliate's copy, so it waits for an approver's click.",
  grammar,
  examples: ['unshare 6301234567001 from neo-north'],
  mutates: true,
  args: grammar.tokens.transform((t, ctx): UnshareArgs => {
    const p = t.positionals;
    if (p.length !== 3 || p[1]?.toLowerCase() !== 'from') {
      ctx.addIssue({ code: 'custom', message: `Name one video and one affiliate: ${grammar.usage[0]}` });
      return z.NEVER;
    }
    return { video: p[0]!, affiliate: p[2]!, ...(t.flags.from ? { from: t.flags.from } : {}) };
  }),
  async run({ args, services, surface, actor }) {
    const svc = services.sharing;
    const { master, plan } = await svc.prepareUnshare(args.video, args.affiliate, args.from);
    const record = svc.createUnshare(master, plan, actor.userId);
    const message = await surface.post(renderUnshare(record));
    svc.attach(record.id, message.channel, message.ts);
    await askApprovers(services, surface, {
      what: `An unshare of video ${plan.videoId} from ${escapeMrkdwn(plan.affiliate.name)}`,
      requestedBy: actor.userId,
      message,
    });
    services.repos.audit.append({
      actor: actor.userId,
      command: 'unshare',
      action: 'request',
      target: record.id,
      outcome: 'ok',
      details: plan.summary,
    });
  },
  actions: {
    approve: (ctx) => onDecideClick(ctx, 'approve'),
    reject: (ctx) => onDecideClick(ctx, 'reject'),
    cancel: onCancel,
  },
  views: { approve: (ctx) => onDecide(ctx, 'approve'), reject: (ctx) => onDecide(ctx, 'reject') },
  start(services, host) {
    services.sharing.watchUnshares(async (done) => {
      if (!done.channel || !done.ts) return;
      const message = host.channel(done.channel).message(done.channel, done.ts);
      message.update(renderUnshare(done));
      await message.flush();
    });
  },
});
