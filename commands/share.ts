import { z } from 'zod';
import { RefusalError, UserError } from '../src/core/errors.js';
import { formValue, formValues, submitAsCommand, word } from '../src/core/forms.js';
import { defineGrammar } from '../src/core/grammar.js';
import { refusalReply, refuseAction, showOnMessage } from '../src/core/refuse.js';
import {
  type ActionContext,
  type CommandContext,
  defineCommand,
  type Host,
  type PostedMessage,
  type Services,
  type ViewContext,
  type ViewResult,
} from '../src/core/types.js';
import { plural } from '../src/core/words.js';
import { DEFAULT_BULK_CAP } from '../src/sharing/bulk.js';
import { cancelRequest } from '../src/sharing/cancel.js';
import {
  BULK_KIND,
  type BulkRequestData,
  SHARE_KIND,
  type ShareJob,
  type ShareRequest,
  type ShareRequestData,
  type ShareService,
} from '../src/sharing/service.js';
import { renderShareForm } from '../src/slack/form-render.js';
import { renderBulk, renderShareCard } from '../src/slack/share-render.js';
import { MASTER_FLAG } from './shared-flags.js';

type ShareArgs =
  | { mode: 'one'; video: string; affiliates: string; from?: string }
  | { mode: 'bulk'; query: string; affiliates: string; from?: string }
  /** `share` alone: the form (in Slack), the usage (in a terminal) */
  | { mode: 'form' };

const grammar = defineGrammar({
  usage: [
    'share <video-id|ref:REF> to <affiliate>[,<affiliate>…] [--from <account>]',
    'share --query "<CMS search>" to <affiliate>[,<affiliate>…] [--from <account>]',
  ],
  flags: {
    from: MASTER_FLAG,
    query: {
      description: `bulk: share the videos matching a CMS search (first ${DEFAULT_BULK_CAP} shown, then confirm)`,
      check: z
        .string({ message: '--query needs a CMS search in quotes, e.g. --query "tags:promo"' })
        .optional(),
    },
  },
});
const USAGE_HINT = grammar.usage[0];

/** Renders the card for a request and its tracking job, reading both fresh from the store. */
function cardUpdater(svc: ShareService, requestId: string, message: PostedMessage | undefined) {
  return (job: ShareJob) => {
    const request = svc.get<ShareRequestData>(requestId, SHARE_KIND);
    if (request && message) message.update(renderShareCard(request, job));
  };
}

/** Shares and follows; the card is updated at each visible change and once more at the end. */
async function shareNow(
  services: Services,
  request: ShareRequest,
  message: PostedMessage | undefined,
  by: string,
) {
  const svc = services.sharing;
  const update = cardUpdater(svc, request.id, message);
  const targets = request.data.affiliates.map((a) => a.id).join(',');
  try {
    const job = await svc.shareAndTrack(request, update, {
      ...(message?.channel ? { channel: message.channel } : {}),
      ...(message?.ts ? { ts: message.ts } : {}),
    });
    const failed = job.data.statuses.filter(
      (s) => s.state === 'failed' || s.state === 'complete_with_errors',
    );
    services.repos.audit.append({
      actor: by,
      command: 'share',
      action: 'share',
      target: `${request.data.videoId} → ${targets}`,
      outcome: failed.length > 0 || !job.data.finished ? 'failed' : 'ok',
      details: job.data.statuses
        .map(
          (s) =>
            `${s.affiliate.name}: ${s.state}${s.errors.length ? ` (${s.errors.map((x) => x.code).join(', ')})` : ''}`,
        )
        .join('; '),
    });
    await message?.flush();
    return job;
  } catch (err) {
    services.repos.audit.append({
      actor: by,
      command: 'share',
      action: 'share',
      target: `${request.data.videoId} → ${targets}`,
      outcome: 'failed',
      details: err instanceof Error ? err.message : String(err),
    });
    throw err;
  }
}

async function runOne(ctx: CommandContext<ShareArgs>, args: Extract<ShareArgs, { mode: 'one' }>) {
  const { services, surface, actor } = ctx;
  const svc = services.sharing;
  const prep = await svc.prepare(args.video, args.affiliates, args.from);
  const request = svc.createRequest(prep, actor.userId);
  const message = await surface.post(renderShareCard(request));
  svc.attach(request.id, message.channel, message.ts);
  services.repos.audit.append({
    actor: actor.userId,
    command: 'share',
    action: 'preflight',
    target: request.id,
    outcome: request.state === 'blocked' ? 'refused' : 'ok',
    details: `${prep.video.id} → ${prep.affiliates.map((a) => a.name).join(', ')}: ${prep.decision.kind} (${prep.decision.blockers.length} blockers, ${prep.decision.warnings.length} warnings)`,
  });
  if (request.state === 'awaiting' && !surface.buttons) {
    // Nothing to click here: the warnings above stand unless --yes (or an answer at a terminal) confirms them.
    const confirmed =
      ctx.yes === true || (await surface.confirm?.('Share anyway, despite the warnings above?')) === true;
    if (!confirmed) {
      await surface.reply(
        refusalReply(
          'Nothing was shared: the pre-flight found warnings (above). Read them, then run the same command with --yes to share anyway.',
        ),
      );
      return;
    }
    const claim = await svc.claim<ShareRequestData>(
      request.id,
      SHARE_KIND,
      'sharing',
      actor.userId,
      'confirm',
    );
    if (!claim.ok) return surface.reply(refusalReply(claim.reason));
    const audit = () =>
      services.repos.audit.append({
        actor: actor.userId,
        command: 'share',
        action: 'confirm',
        target: request.id,
        outcome: 'started',
        details: ctx.yes ? '--yes' : 'confirmed at the terminal',
      });
    const refusal = await recheckAndShare(
      services,
      claim.record as ShareRequest,
      message,
      actor.userId,
      audit,
    );
    if (refusal) return surface.reply(refusalReply(refusal));
    const final = svc.get<ShareRequestData>(request.id, SHARE_KIND) ?? request;
    await surface.reply(renderShareCard(final, svc.job(request.id)));
    return;
  }
  if (request.state !== 'sharing') return;
  const running = shareNow(services, request, message, actor.userId);
  // The terminal waits for the outcome; in Slack the card carries it, so the request returns at once.
  if (!surface.background) {
    const job = await running;
    const final = svc.get<ShareRequestData>(request.id, SHARE_KIND) ?? request;
    await surface.reply(renderShareCard(final, job));
  } else {
    running.catch((err: unknown) => services.logger.error('share failed', { request: request.id, err }));
  }
}

async function runBulk(ctx: CommandContext<ShareArgs>, args: Extract<ShareArgs, { mode: 'bulk' }>) {
  const { services, surface, actor } = ctx;
  const svc = services.sharing;
  const { master, plan } = await svc.prepareBulk(args.query, args.affiliates, args.from, DEFAULT_BULK_CAP);
  const record = svc.createBulk(master, plan, actor.userId);
  const message = await surface.post(renderBulk(record));
  svc.attach(record.id, message.channel, message.ts);
  services.repos.audit.append({
    actor: actor.userId,
    command: 'share',
    action: 'bulk_preview',
    target: record.id,
    outcome: 'ok',
    details: `${plan.query}: ${plan.total} match, ${plan.shareable.length} shareable`,
  });
}

/**
 * "Share anyway", from the button or the terminal's --yes, on a claimed request: the pre-flight runs
 * again (things may have changed since the card), and only a clean result shares. Returns why not.
 */
async function recheckAndShare(
  services: Services,
  claimed: ShareRequest,
  message: PostedMessage | undefined,
  by: string,
  started: () => void,
): Promise<string | undefined> {
  const svc = services.sharing;
  let checked: Awaited<ReturnType<ShareService['recheck']>>;
  try {
    checked = await svc.recheck(claimed);
  } catch (err) {
    // Could not check: nothing is shared, and the button stays for another try.
    await svc.release(claimed.id);
    return `Could not re-run the pre-flight (${err instanceof Error ? err.message : String(err)}). Nothing was shared: try Share anyway again in a moment.`;
  }
  if (message) {
    message.update(renderShareCard(checked.record));
    await message.flush();
  }
  if (checked.outcome !== 'proceed') {
    return checked.outcome === 'blocked'
      ? 'The pre-flight now finds a blocker (see the card): nothing was shared.'
      : 'The pre-flight found new warnings since the card was posted (see the card): nothing was shared. Read them, then confirm again.';
  }
  started();
  await shareNow(services, checked.record, message, by);
  return undefined;
}

async function onConfirm(ctx: ActionContext, kind: typeof SHARE_KIND | typeof BULK_KIND): Promise<void> {
  const { services, actor } = ctx;
  const action = kind === SHARE_KIND ? 'confirm' : 'confirm_bulk';
  const refuse = (text: string) => refuseAction(ctx, { command: 'share', action }, text);
  const started = () =>
    services.repos.audit.append({
      actor: actor.userId,
      command: 'share',
      action,
      target: ctx.value,
      outcome: 'started',
    });
  // Role first (fail closed): a refused click changes nothing.
  if (!(await services.roles.isOperator(actor)))
    return refuse(`Only operators can share. ${services.roles.describe('operator')}`);
  const svc = services.sharing;
  const claim = await svc.claim<ShareRequestData | BulkRequestData>(
    ctx.value,
    kind,
    'sharing',
    actor.userId,
    action,
  );
  if (!claim.ok) {
    if (claim.record && ctx.message) {
      ctx.message.update(
        kind === SHARE_KIND
          ? renderShareCard(claim.record as ShareRequest, svc.job(claim.record.id))
          : renderBulk(claim.record as never),
      );
      await ctx.message.flush();
    }
    return refuse(claim.reason);
  }
  if (kind === SHARE_KIND) {
    const refusal = await recheckAndShare(
      services,
      claim.record as ShareRequest,
      ctx.message,
      actor.userId,
      started,
    );
    if (refusal) await refuse(refusal);
    return;
  }
  started();
  const record = claim.record as Parameters<typeof renderBulk>[0];
  ctx.message?.update(renderBulk(record));
  const results = await svc.executeBulk(record);
  const done = svc.get<BulkRequestData>(record.id, BULK_KIND) ?? record;
  await showOnMessage(ctx, renderBulk(done, results));
  services.repos.audit.append({
    actor: actor.userId,
    command: 'share',
    action: 'share_bulk',
    target: record.id,
    outcome: results.some((r) => r.error) ? 'failed' : 'ok',
    details: `${plural(results.length, 'video')} to ${record.data.plan.affiliates.map((a) => a.name).join(', ')}${
      results.some((r) => r.error)
        ? `; failed: ${results
            .filter((r) => r.error)
            .map((r) => r.videoId)
            .join(', ')}`
        : ''
    }`,
  });
}

function onCancel(ctx: ActionContext, kind: typeof SHARE_KIND | typeof BULK_KIND): Promise<void> {
  const { services, actor } = ctx;
  return cancelRequest<ShareRequestData | BulkRequestData>(ctx, {
    command: 'share',
    kind,
    mayCancel: async (requestedBy) =>
      requestedBy === actor.userId || (await services.roles.isOperator(actor)),
    denied: `Only operators or the person who asked can cancel. ${services.roles.describe('operator')}`,
    render: (record) =>
      kind === SHARE_KIND ? renderShareCard(record as ShareRequest) : renderBulk(record as never),
  });
}

function watchTrackers(services: Services, host: Host): void {
  const svc = services.sharing;
  svc.watchShares((job) => {
    const message =
      job.channel && job.ts ? host.channel(job.channel).message(job.channel, job.ts) : undefined;
    const update = cardUpdater(svc, job.data.requestId, message);
    return async (j) => {
      await update(j);
      if (j.state === 'done') await message?.flush();
    };
  });
}

/** `share` alone: operators get the form; a terminal the usage. */
async function openShareForm({ services, surface, actor }: CommandContext<ShareArgs>): Promise<void> {
  if (!surface.buttons) throw new UserError(`Name a video and the affiliates: ${USAGE_HINT}`, true);
  if (!(await services.roles.isOperator(actor)))
    throw new RefusalError(`Only operators can share videos. ${services.roles.describe('operator')}`);
  await surface.openModal(renderShareForm(services.config, surface.channelId));
}

/** The form sent: `share <video> to <affiliates> [--from <account>]`, checked, then run as typed. */
async function submitShareForm(ctx: ViewContext): Promise<ViewResult> {
  const video = formValue(ctx.values, 'video') ?? '';
  const to = formValues(ctx.values, 'to');
  if (/\s/.test(video)) return { errors: { video: 'One video: its id, or ref: and its reference id.' } };
  if (to.length === 0) return { errors: { to: 'Pick at least one affiliate account.' } };
  const from = formValue(ctx.values, 'from');
  const text = `share ${word(video)} to ${to.map(word).join(',')}${from ? ` --from ${word(from)}` : ''}`;
  return submitAsCommand(ctx, text, (problem) => (/--from|master/i.test(problem) ? 'from' : 'video'));
}

const affiliateList = (words: string[]) => words.join(',');

export const share = defineCommand<ShareArgs>({
  name: 'share',
  topic: 'Sharing',
  summary:
    'Share a video with affiliate accounts: a pre-flight card first, then the share followed to COMPLETE or ERROR.',
  grammar,
  examples: [
    'share 6301234567001 to neo-north',
    'share ref:seal-0042 to neo-north,neo-south --from neo',
    'share --query "tags:promo" to neo-north',
  ],
  // Opening the form changes nothing; what it sends is `share …`, checked and audited as typed.
  mutates: (args) => args.mode !== 'form',
  args: grammar.tokens.transform((t, ctx): ShareArgs => {
    const p = t.positionals;
    const from = t.flags.from ? { from: t.flags.from } : {};
    if (t.flags.query !== undefined) {
      if (p[0]?.toLowerCase() !== 'to' || p.length < 2) {
        ctx.addIssue({
          code: 'custom',
          message: `With --query, name the affiliates: ${grammar.usage[1]}`,
        });
        return z.NEVER;
      }
      return { mode: 'bulk', query: t.flags.query, affiliates: affiliateList(p.slice(1)), ...from };
    }
    if (p.length === 0 && !t.flags.from) return { mode: 'form' };
    if (p.length === 0) {
      ctx.addIssue({ code: 'custom', message: `Name a video and the affiliates: ${USAGE_HINT}` });
      return z.NEVER;
    }
    if (p[1]?.toLowerCase() !== 'to' || p.length < 3) {
      ctx.addIssue({
        code: 'custom',
        message: `After the video, write \`to\` and the affiliates: ${USAGE_HINT}`,
      });
      return z.NEVER;
    }
    return { mode: 'one', video: p[0]!, affiliates: affiliateList(p.slice(2)), ...from };
  }),
  async run(ctx) {
    if (ctx.args.mode === 'form') return openShareForm(ctx);
    if (ctx.args.mode === 'bulk') return runBulk(ctx, ctx.args);
    return runOne(ctx, ctx.args);
  },
  views: { form: submitShareForm },
  // the form's video picker: what the master account's CMS finds for the words typed so far
  suggest: {
    'form.video': async ({ services, query }) =>
      (await services.sharing.findVideos(query)).map((v) => ({
        text: `${v.name || '(no name)'} · ${v.id}`,
        value: v.id,
      })),
  },
  actions: {
    confirm: (ctx) => onConfirm(ctx, SHARE_KIND),
    cancel: (ctx) => onCancel(ctx, SHARE_KIND),
    confirm_bulk: (ctx) => onConfirm(ctx, BULK_KIND),
    cancel_bulk: (ctx) => onCancel(ctx, BULK_KIND),
  },
  start(services, host) {
    watchTrackers(services, host);
  },
});
