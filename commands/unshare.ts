import { z } from 'zod';
import { defineGrammar } from '../src/core/grammar.js';
import { refuseAction, showOnMessage } from '../src/core/refuse.js';
import { type ActionContext, defineCommand } from '../src/core/types.js';
import { cancelRequest } from '../src/sharing/cancel.js';
import { UNSHARE_KIND, type UnshareRequest, type UnshareRequestData } from '../src/sharing/service.js';
import { renderUnshare } from '../src/slack/share-render.js';
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
async function onApprove(ctx: ActionContext): Promise<void> {
  const { services, actor } = ctx;
  const refuse = (text: string) => refuseAction(ctx, { command: 'unshare', action: 'approve' }, text);
  if (!(await services.roles.isApprover(actor)))
    return refuse(`Only approvers can approve an unshare. ${services.roles.describe('approver')}`);
  const svc = services.sharing;
  const current = svc.get<UnshareRequestData>(ctx.value, UNSHARE_KIND);
  if (services.roles.fourEyes && current?.requestedBy === actor.userId)
    return refuse('Four-eyes rule: someone other than the person who asked must approve this unshare.');
  const claim = svc.claim<UnshareRequestData>(ctx.value, UNSHARE_KIND, 'executing', actor.userId, 'approve');
  if (!claim.ok) {
    if (claim.record) await show(ctx, claim.record);
    return refuse(claim.reason);
  }
  await show(ctx, claim.record);
  const done = await svc.runUnshare(claim.record, actor.userId);
  await show(ctx, done);
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
    services.repos.audit.append({
      actor: actor.userId,
      command: 'unshare',
      action: 'request',
      target: record.id,
      outcome: 'ok',
      details: plan.summary,
    });
  },
  actions: { approve: onApprove, cancel: onCancel },
  start(services, host) {
    // An approved unshare cut short by a crash: its claim was on disk before the delete call, and the
    // run looks the share up first, so finishing it deletes nothing twice.
    const svc = services.sharing;
    for (const record of svc.interruptedUnshares()) {
      const message =
        record.channel && record.ts
          ? host.channel(record.channel).message(record.channel, record.ts)
          : undefined;
      const by = [...record.decisions].reverse().find((d) => d.action === 'approve')?.by ?? 'system';
      void svc
        .runUnshare(record, by, true)
        .then(async (done) => {
          message?.update(renderUnshare(done));
          await message?.flush();
        })
        .catch((err: unknown) =>
          services.logger.error('resumed unshare failed', { request: record.id, err }),
        );
    }
  },
});
