import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { findAccount } from '../src/core/accounts.js';
import { askApprovers, formRecordId, readReason, tellRequester } from '../src/core/approvals.js';
import { escapeMrkdwn, section } from '../src/core/blocks.js';
import { reportFailure } from '../src/core/dispatch.js';
import { RefusalError, UserError } from '../src/core/errors.js';
import { defineGrammar } from '../src/core/grammar.js';
import { refusalReply, refuseAction, showOnMessage } from '../src/core/refuse.js';
import {
  type ActionContext,
  type Actor,
  defineCommand,
  type Host,
  type PostedMessage,
  type Services,
  type Surface,
  type ViewContext,
  type ViewResult,
} from '../src/core/types.js';
import { plural } from '../src/core/words.js';
import {
  MASS_DELETE_BLOCK,
  planStatsText,
  renderApplyProgress,
  renderApplySummary,
  renderDeleteModal,
  renderPlan,
  renderPlanFailed,
  renderProgress,
  renderRejectDeletesModal,
  who,
} from '../src/slack/sync-render.js';
import { checkTargetNames, parseSyncConfig, SyncConfigError, type SyncSchedule } from '../src/sync/config.js';
import { formatApplyText, formatPlanText, nounOf } from '../src/sync/format.js';
import { actionOf, CMS_HOOK_PATH, RERUN } from '../src/sync/service.js';
import type { ClaimRefusal, Phase, PlanRecord } from '../src/sync/store.js';

interface SyncArgs {
  account?: string;
  target?: string;
  keepDeleted: boolean;
  full: boolean;
  apply: boolean;
  approveDeletes: boolean;
  force: boolean;
}

const grammar = defineGrammar({
  usage: [
    'sync [<account>] [--target <name>] [--full] [--keep-deleted] [--dry-run | --apply] [--approve-deletes [--force]]',
  ],
  positionals: z.array(z.string()).max(1, 'sync takes at most one account: sync [<account>]'),
  flags: {
    'keep-deleted': {
      aliases: ['keep_deleted_bundles'],
      description: 'plan no deletes at all (the original --keep_deleted_bundles)',
    },
    full: {
      description: 'list the whole library, not only what changed since the last applied sync',
    },
    target: {
      description:
        "the sync target (sync.targets in brightcove-ops.yml); default: the account's, or the only one",
      check: z.string().min(1).optional(),
    },
    'dry-run': { description: 'only show the plan (the default; the original --dry_run)' },
    apply: { description: 'CLI only: apply the planned creates and updates' },
    'approve-deletes': {
      description: 'CLI only: delete the records whose video the CMS confirms missing (404)',
    },
    force: { description: 'CLI only: with --approve-deletes, confirm a mass delete' },
  },
});

/** Lists, plans and saves; in Slack the one message shows progress and then becomes the plan. */
async function planAndPost(
  services: Services,
  surface: Surface,
  accountName: string | undefined,
  keepDeleted: boolean,
  requestedBy: string,
  origin: 'slack' | 'schedule',
  replaces: 'all' | 'own',
  full = false,
  targetName?: string,
): Promise<{ record: PlanRecord; message: PostedMessage }> {
  const sync = services.sync;
  const account = sync.resolve(accountName);
  const target = await sync.targetFor(account, targetName);
  const message = await surface.post(
    renderProgress(account.alias, target, {
      phase: 'listing',
      videos: 0,
      videoCount: 0,
      records: 0,
      recordTotal: 0,
      media: 0,
      mediaTotal: 0,
    }),
  );
  let planned: Awaited<ReturnType<typeof sync.plan>>;
  try {
    planned = await sync.plan(
      {
        keepDeleted,
        full,
        target: target.name,
        origin,
        by: requestedBy,
        replaces,
        ...(message.channel ? { channel: message.channel } : {}),
        ...(message.ts ? { ts: message.ts } : {}),
        onProgress: (p) => message.update(renderProgress(account.alias, target, p)),
      },
      account,
    );
  } catch (err) {
    // The channel must not keep a "dry run in progress…" that will never finish.
    message.update(renderPlanFailed(account.alias, target.name, err));
    await message.flush();
    throw err;
  }
  const { record, superseded } = planned;
  const plan = record.data.plan;
  message.update(renderPlan(record));
  await message.flush();
  for (const old of superseded) {
    if (old.channel && old.ts) {
      const m = surface.message(old.channel, old.ts);
      m.update(renderPlan(old));
      await m.flush();
    }
  }
  await message.upload({
    filename: `sync-plan-${account.alias}-${record.id}.txt`,
    title: `Sync plan ${account.alias} → ${plan.target} (${record.id})`,
    content: formatPlanText(plan),
  });
  if (record.state === 'open' && record.data.phases.deletes.status === 'pending')
    await askApprovers(services, surface, {
      what: `${record.data.massDelete ? 'A mass delete of ' : ''}${plan.counts.deletes} ${plan.counts.deletes === 1 ? 'delete' : 'deletes'} of ${escapeMrkdwn(account.alias)}'s ${escapeMrkdwn(plan.target)} records (plan ${record.id})`,
      requestedBy,
      message,
    });
  return { record, message };
}

/** Runs a claimed phase: progress in the plan's thread, a summary, then the stamp on the plan. */
async function executePhase(
  services: Services,
  surface: Surface,
  record: PlanRecord,
  phase: Phase,
  planMessage: PostedMessage | undefined,
  actor: string,
): Promise<void> {
  const zero = {
    total: 0,
    done: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    skipped: 0,
    failed: 0,
    notDeleted: 0,
  };
  const progress = planMessage ? await planMessage.reply(renderApplyProgress(phase, zero)) : undefined;
  const { summary, finished } = await services.sync.execute(record, [phase], actor, (c) =>
    progress?.update(renderApplyProgress(phase, c)),
  );
  if (progress) {
    progress.update(renderApplySummary(phase, summary, nounOf(record.data.plan)));
    await progress.flush();
  }
  if (planMessage && finished) {
    planMessage.update(renderPlan(finished));
    await planMessage.flush();
  }
  if (phase === 'deletes')
    await tellRequester(services, surface, {
      requestedBy: record.requestedBy,
      decidedBy: actor,
      ...(planMessage ? { message: planMessage } : {}),
      text: `your sync plan ${record.id}'s deletes were approved by ${who(actor)}: ${escapeMrkdwn(outcomeOf(summary))}.`,
    });
}

/** The deletes' outcome in a few words, for the requester. */
function outcomeOf(summary: {
  deleted: unknown[];
  notDeletedVideoExists: unknown[];
  failed: unknown[];
}): string {
  return `${summary.deleted.length} deleted, ${summary.notDeletedVideoExists.length} kept (video exists), ${summary.failed.length} failed`;
}

const refusalText: Record<string, (r: PlanRecord | undefined) => string> = {
  missing: () => `This plan is no longer stored: ${RERUN}.`,
  expired: () => `This plan expired: ${RERUN} for a fresh one.`,
  superseded: (r) => {
    const by = r?.data.supersededBy;
    return `A newer plan${by ? ` (${by.id}${by.channel ? ` in <#${by.channel}>` : ''})` : ''} replaced this one (the library or the target changed): use it, or ${RERUN}.`;
  },
  discarded: (r) => {
    const d = r?.decisions.find((x) => x.action === 'discard');
    return `This plan was discarded${d ? ` by ${who(d.by)}` : ''}: ${RERUN}.`;
  },
  closed: () => `This plan is finished: ${RERUN} to see what is left.`,
  nothing: () => 'There is nothing of that kind in this plan.',
  'approved-by-you': (r) =>
    `You approved these deletes already; they need ${r?.data.massDelete?.approvals ?? 2} different approvers (roles.approvals). Ask another approver.`,
};

/** Why `actor` may not approve or apply this phase of the plan (roles first: fail closed), or null. */
async function phaseRefusal(
  services: Services,
  actor: Actor,
  planId: string,
  phase: Phase,
): Promise<string | null> {
  if (phase === 'apply' && !(await services.roles.isOperator(actor)))
    return `Only operators can apply a sync plan. ${services.roles.describe('operator')}`;
  if (phase === 'deletes' && !(await services.roles.isApprover(actor)))
    return `Only approvers can approve deletes. ${services.roles.describe('approver')}`;
  const current = services.sync.plans.get(planId);
  if (phase === 'deletes' && services.roles.fourEyes && current?.requestedBy === actor.userId)
    return 'Four-eyes rule: someone other than the person who ran the sync must approve its deletes.';
  // Several approvers: each once (before any form opens; the claim checks it again).
  const deletes = current?.data.phases.deletes;
  if (
    phase === 'deletes' &&
    deletes?.status === 'pending' &&
    deletes.approvals?.some((a) => a.by === actor.userId)
  )
    return refusalText['approved-by-you']!(current);
  return null;
}

/**
 * Claims the phase (once, across processes) and runs it, or says why not. `message` is the plan's
 * message, updated with the claim's stamp and, in its thread, the progress and the summary.
 */
async function claimAndRun(
  services: Services,
  surface: Surface,
  planId: string,
  phase: Phase,
  actor: Actor,
  message: PostedMessage | undefined,
  refuse: (text: string) => Promise<void>,
  how?: string,
): Promise<void> {
  const claim = await services.sync.claim(planId, phase, actor.userId, how);
  if (!claim.ok) return refuseClaim(claim, phase, message, refuse);
  if (message) {
    message.update(renderPlan(claim.record));
    await message.flush();
  }
  if (claim.waitingFor > 0)
    return approvalRecorded(services, surface, claim.record, claim.waitingFor, message);
  await executePhase(services, surface, claim.record, phase, message, actor.userId);
}

/**
 * One approval of a mass delete that needs more: the approver hears it counted, and the other
 * approvers that the deletes wait for them (the plan message shows who approved so far).
 */
async function approvalRecorded(
  services: Services,
  surface: Surface,
  record: PlanRecord,
  waitingFor: number,
  message: PostedMessage | undefined,
): Promise<void> {
  const more = waitingFor === 1 ? 'one more approver' : `${waitingFor} more approvers`;
  const text = `Your approval is recorded. The deletes of plan ${record.id} run when ${more} confirm them.`;
  await surface.reply({ text, blocks: [section(`:white_check_mark: ${text}`)] });
  if (message)
    await askApprovers(services, surface, {
      what: `A mass delete of ${record.data.plan.counts.deletes} deletes (plan ${record.id}), approved so far by ${(record.data.phases.deletes.approvals ?? []).map((a) => who(a.by)).join(', ')},`,
      requestedBy: record.requestedBy,
      message,
    });
}

/** Says why a claim or a rejection was refused (and refreshes an expired or superseded plan's message). */
async function refuseClaim(
  claim: { ok: false } & ClaimRefusal,
  phase: Phase,
  message: PostedMessage | undefined,
  refuse: (text: string) => Promise<void>,
): Promise<void> {
  // A rejected phase closes the plan when nothing else waits: say who rejected it, not "finished".
  const decided =
    claim.reason === 'already'
      ? claim.phase
      : 'record' in claim && claim.record.data.phases[phase].status === 'rejected'
        ? claim.record.data.phases[phase]
        : undefined;
  if (decided) {
    const p = decided;
    const verb = p.status === 'rejected' ? 'rejected' : phase === 'apply' ? 'applied' : 'approved';
    return refuse(
      `Already ${verb} by ${who(p.by ?? '?')}${p.status === 'running' ? ' (in progress)' : ''}: nothing was done twice.`,
    );
  }
  const record = 'record' in claim ? claim.record : undefined;
  if (record && message && (claim.reason === 'expired' || claim.reason === 'superseded')) {
    message.update(renderPlan(record));
    await message.flush();
  }
  return refuse((refusalText[claim.reason] ?? refusalText.missing!)(record));
}

/** The plan's message: the one clicked, or (a click in App Home) the one the plan was posted as. */
function clickedPlan(ctx: ActionContext): PostedMessage | undefined {
  return ctx.message ?? planMessageOf(ctx.surface, ctx.services.sync.plans.get(ctx.value));
}

/** The plan's message, for a form submitted away from it. */
function planMessageOf(surface: Surface, record: PlanRecord | undefined): PostedMessage | undefined {
  return record?.channel && record.ts ? surface.message(record.channel, record.ts) : undefined;
}

/** A refusal from a form: the submitter sees it, the audit log records it. */
function formRefusal(ctx: ViewContext, action: string, planId: string) {
  return async (text: string) => {
    ctx.services.repos.audit.append({
      actor: ctx.actor.userId,
      command: 'sync',
      action,
      target: planId,
      outcome: 'refused',
      details: text,
    });
    await ctx.surface.reply(refusalReply(text));
  };
}

async function onApplyClick(ctx: ActionContext): Promise<void> {
  const { services, actor } = ctx;
  const refuse = (text: string) => refuseAction(ctx, { command: 'sync', action: actionOf('apply') }, text);
  const why = await phaseRefusal(services, actor, ctx.value, 'apply');
  if (why) return refuse(why);
  await claimAndRun(services, ctx.surface, ctx.value, 'apply', actor, clickedPlan(ctx), refuse);
}

/**
 * Approve (or, for a mass delete, Review) deletes: after the role check, never before, the app opens
 * the confirmation (a mass delete's asks for the count typed). A plan no longer waiting gets its reason.
 */
async function onApproveDeletesClick(ctx: ActionContext): Promise<void> {
  const { services, actor } = ctx;
  const refuse = (text: string) => refuseAction(ctx, { command: 'sync', action: 'approve_deletes' }, text);
  const why = await phaseRefusal(services, actor, ctx.value, 'deletes');
  if (why) return refuse(why);
  const record = services.sync.plans.get(ctx.value);
  if (!waitsForDeletes(services, record))
    return claimAndRun(services, ctx.surface, ctx.value, 'deletes', actor, clickedPlan(ctx), refuse);
  await ctx.surface.openModal(renderDeleteModal(record));
}

/** The confirmation: a mass delete's count must match exactly; then the deletes run once. */
async function onConfirmDeletes(ctx: ViewContext): Promise<ViewResult> {
  const { services, actor, surface } = ctx;
  const planId = formRecordId(ctx, 'plan');
  const record = services.sync.plans.get(planId);
  const refuse = formRefusal(ctx, 'approve_deletes', planId);
  const why = await phaseRefusal(services, actor, planId, 'deletes');
  if (why || !record) {
    await refuse(why ?? refusalText.missing!(undefined));
    return undefined;
  }
  const count = record.data.plan.counts.deletes;
  const typed = ctx.values[MASS_DELETE_BLOCK]?.[MASS_DELETE_BLOCK]?.value?.trim() ?? '';
  if (record.data.massDelete && typed !== String(count))
    return {
      errors: {
        [MASS_DELETE_BLOCK]: `Type ${count}, the number of deletes, to confirm. Nothing was deleted.`,
      },
    };
  // The form closes with the ack; the deletes run after it.
  void claimAndRun(
    services,
    surface,
    planId,
    'deletes',
    actor,
    planMessageOf(surface, record),
    refuse,
    record.data.massDelete ? `mass delete confirmed by typing ${count}` : undefined,
  ).catch((err: unknown) => reportFailure(err, { actor, surface, services }, 'sync', 'sync.confirm_deletes'));
  return undefined;
}

/** Whether the plan's deletes still wait for a decision (open, not expired, not decided). */
function waitsForDeletes(services: Services, record: PlanRecord | undefined): record is PlanRecord {
  return (
    record?.state === 'open' &&
    !services.sync.plans.isExpired(record) &&
    record.data.phases.deletes.status === 'pending'
  );
}

/** Reject deletes: approvers only, checked before the form opens and again when it is sent. */
async function onRejectDeletesClick(ctx: ActionContext): Promise<void> {
  const { services, actor } = ctx;
  const refuse = (text: string) => refuseAction(ctx, { command: 'sync', action: 'reject_deletes' }, text);
  if (!(await services.roles.isApprover(actor)))
    return refuse(`Only approvers can reject deletes. ${services.roles.describe('approver')}`);
  const record = services.sync.plans.get(ctx.value);
  if (!waitsForDeletes(services, record)) {
    // Not pending (states only move on), so this attempt changes nothing: it yields the reason why not.
    const t = await services.sync.reject(ctx.value, actor.userId, '');
    if (!t.ok) return refuseClaim(t, 'deletes', ctx.message, refuse);
  }
  if (record) await ctx.surface.openModal(renderRejectDeletesModal(record));
}

/** The Reject form sent: a reason is required; the rejection is stamped, audited, and told, once. */
async function onRejectDeletes(ctx: ViewContext): Promise<ViewResult> {
  const { services, actor, surface } = ctx;
  const planId = formRecordId(ctx);
  const refuse = formRefusal(ctx, 'reject_deletes', planId);
  if (!(await services.roles.isApprover(actor))) {
    await refuse(`Only approvers can reject deletes. ${services.roles.describe('approver')}`);
    return undefined;
  }
  const read = readReason(ctx);
  if ('errors' in read) return read;
  const current = services.sync.plans.get(planId);
  const message = planMessageOf(surface, current);
  const t = await services.sync.reject(planId, actor.userId, read.reason);
  if (!t.ok) {
    await refuseClaim(t, 'deletes', message, refuse);
    return undefined;
  }
  void (async () => {
    if (message) {
      message.update(renderPlan(t.record));
      await message.flush();
    }
    await tellRequester(services, surface, {
      requestedBy: t.record.requestedBy,
      decidedBy: actor.userId,
      ...(message ? { message } : {}),
      text: `your sync plan ${t.record.id}'s deletes were rejected by ${who(actor.userId)}: “${escapeMrkdwn(read.reason)}”. Nothing was deleted.`,
    });
  })().catch((err: unknown) =>
    reportFailure(err, { actor, surface, services }, 'sync', 'sync.reject_deletes'),
  );
  return undefined;
}

async function runCliSync(services: Services, surface: Surface, actor: Actor, args: SyncArgs): Promise<void> {
  const sync = services.sync;
  const { record } = await sync.plan({
    ...(args.account ? { account: args.account } : {}),
    ...(args.target ? { target: args.target } : {}),
    keepDeleted: args.keepDeleted,
    full: args.full,
    origin: 'cli',
    by: actor.userId,
  });
  const plan = record.data.plan;
  if (!args.apply && !args.approveDeletes) {
    const banner = '-'.repeat(35);
    await surface.reply({
      text: `${banner}\nDRY RUN - not modifying any ${nounOf(plan).many}\n${banner}\n${formatPlanText(plan)}\n${planStatsText(plan)}`,
      data: { plan: record.id, dryRun: true, counts: plan.counts, fingerprint: plan.fingerprint },
    });
    return;
  }
  const mass = record.data.massDelete;
  const refuseDeletes = (why: string): never => {
    services.repos.audit.append({
      actor: actor.userId,
      command: 'sync',
      action: 'approve_deletes',
      target: record.id,
      outcome: 'refused',
      details: why,
    });
    throw new RefusalError(why);
  };
  if (args.approveDeletes && mass?.approvals)
    refuseDeletes(
      `This mass delete needs ${mass.approvals} different approvers (roles.approvals), and a terminal is one: nothing was changed. Post the plan in Slack (\`/brightcove sync${args.account ? ` ${args.account}` : ''}\`), where each approver confirms it.`,
    );
  if (args.approveDeletes && mass && !args.force)
    refuseDeletes(
      `This plan deletes ${plural(plan.counts.deletes, nounOf(plan).one, nounOf(plan).many)} (${mass.limit}): nothing was changed. Check the plan, then run again with --approve-deletes --force.`,
    );
  // The terminal user is the operator and the approver: the flags are the approval, no prompt.
  const phases: Phase[] = [];
  if (args.apply && (await sync.claim(record.id, 'apply', actor.userId)).ok) phases.push('apply');
  if (
    args.approveDeletes &&
    (
      await sync.claim(
        record.id,
        'deletes',
        actor.userId,
        mass ? 'mass delete confirmed with --force' : undefined,
      )
    ).ok
  )
    phases.push('deletes');
  const { summary } = await sync.execute(record, phases, actor.userId);
  await surface.reply({
    text: formatApplyText(summary, nounOf(plan)),
    data: {
      plan: record.id,
      summary,
      ...(summary.failed.length ? { error: `${plural(summary.failed.length, 'item')} failed` } : {}),
    },
  });
}

async function runScheduled(services: Services, host: Host, s: SyncSchedule): Promise<void> {
  const surface = host.channel(s.channel);
  const { record, message } = await planAndPost(
    services,
    surface,
    s.account,
    s.keep_deleted,
    'scheduler',
    'schedule',
    'all',
    false,
    s.target,
  );
  // auto_apply covers creates and updates only: deletes always wait for an approver's click.
  if (!s.auto_apply) return;
  const claim = await services.sync.claim(record.id, 'apply', 'scheduler');
  if (!claim.ok) return;
  message.update(renderPlan(claim.record));
  await message.flush();
  await executePhase(services, surface, claim.record, 'apply', message, 'scheduler');
}

export const sync = defineCommand<SyncArgs>({
  name: 'sync',
  topic: 'Sync',
  summary:
    'Compare a library with its sync target (Clarify, PostgreSQL): posts the plan with Apply, Approve-deletes and Discard buttons.',
  grammar,
  examples: ['sync', 'sync neo', 'sync neo --full', 'sync neo --target warehouse', 'sync neo --keep-deleted'],
  // A dry run changes nothing; the CLI's --apply/--approve-deletes do.
  mutates: (a) => a.apply || a.approveDeletes,
  args: grammar.tokens
    .refine((t) => !(t.flags['dry-run'] && (t.flags.apply || t.flags['approve-deletes'])), {
      message: '--dry-run cannot be combined with --apply or --approve-deletes',
    })
    .refine((t) => !(t.flags['keep-deleted'] && t.flags['approve-deletes']), {
      message: '--keep-deleted plans no deletes, so --approve-deletes has nothing to approve',
    })
    .transform(
      (t): SyncArgs => ({
        ...(t.positionals[0] ? { account: t.positionals[0] } : {}),
        ...(t.flags.target ? { target: t.flags.target } : {}),
        keepDeleted: t.flags['keep-deleted'] === true,
        full: t.flags.full === true,
        apply: t.flags.apply === true,
        approveDeletes: t.flags['approve-deletes'] === true,
        force: t.flags.force === true,
      }),
    ),
  async run({ args, surface, services, actor }) {
    // No buttons to click (the terminal): the flags claim the phases, through the same service.
    if (!surface.buttons) return runCliSync(services, surface, actor, args);
    if (args.apply || args.approveDeletes) {
      throw new UserError(
        'In Slack, run `/brightcove sync` and use the buttons on the plan: Apply for creates and updates, Approve for deletes.',
      );
    }
    // A member's dry run is a look, not a decision: it never replaces an operator's open plan.
    const replaces = (await services.roles.isOperator(actor)) ? 'all' : 'own';
    await planAndPost(
      services,
      surface,
      args.account,
      args.keepDeleted,
      actor.userId,
      'slack',
      replaces,
      args.full,
      args.target,
    );
  },
  actions: {
    apply: onApplyClick,
    approve_deletes: onApproveDeletesClick,
    confirm_deletes: onApproveDeletesClick,
    reject_deletes: onRejectDeletesClick,
    async discard(ctx) {
      const { services, actor } = ctx;
      const current = services.sync.plans.get(ctx.value);
      if (!(await services.roles.isOperator(actor)) && current?.requestedBy !== actor.userId) {
        return refuseAction(
          ctx,
          { command: 'sync', action: 'discard' },
          `Only operators or the person who ran the sync can discard it. ${services.roles.describe('operator')}`,
        );
      }
      const t = await services.sync.discard(ctx.value, actor.userId);
      if (!t.ok) {
        const r = t.record;
        const why =
          r && r.state === 'open'
            ? 'An apply is still running; wait for its summary in the thread.'
            : (refusalText[r?.state ?? 'missing'] ?? refusalText.missing!)(r);
        return refuseAction(ctx, { command: 'sync', action: 'discard' }, why);
      }
      await showOnMessage(ctx, renderPlan(t.record));
    },
  },
  views: { confirm_deletes: onConfirmDeletes, reject_deletes: onRejectDeletes },
  async start(services, host) {
    const cfg = parseSyncConfig(services.config.sync);
    services.schedules.register('sync', async (job) => {
      await runScheduled(services, host, job.data as SyncSchedule);
    });
    if (cfg.legacy_owner && !findAccount(services.config, cfg.legacy_owner)) {
      throw new SyncConfigError(
        `brightcove-ops.yml sync.legacy_owner: unknown account "${cfg.legacy_owner}" (accounts: ${services.config.accounts.map((a) => a.alias).join(', ')})`,
      );
    }
    // A target name that names nothing fails at start, not at the first 6 am run.
    checkTargetNames(cfg, services.config.accounts);
    cfg.schedules.forEach((s, i) => {
      if (!findAccount(services.config, s.account)) {
        throw new SyncConfigError(
          `brightcove-ops.yml sync.schedules.${i}.account: unknown account "${s.account}" (accounts: ${services.config.accounts.map((a) => a.alias).join(', ')})`,
        );
      }
      services.schedules.add({
        id: `sync:${s.account}:${i}`,
        kind: 'sync',
        spec: `cron "${s.cron}"`,
        tz: s.tz ?? services.config.timezone,
        data: s,
      });
    });
    // An apply cut short by a crash or restart, here or on another replica, resumes from its
    // checkpoints (no duplicate creates), in the original message's thread.
    const store = services.sync.plans;
    services.sync.watchOrphans(async (record, phase) => {
      const message =
        record.channel && record.ts
          ? host.channel(record.channel).message(record.channel, record.ts)
          : undefined;
      await message?.reply({
        text: `Resuming the ${phase === 'apply' ? 'creates and updates' : 'deletes'} interrupted by a restart.`,
      });
      const by = record.data.phases[phase].by ?? 'scheduler';
      await executePhase(services, host.channel(record.channel ?? ''), record, phase, message, by);
    });
    await store.prune();
    if (host.publicUrl) {
      host.route('POST', CMS_HOOK_PATH, notificationHandler(services));
      void services.sync.subscribe(host.publicUrl);
    }
  },
});

/**
 * `POST /hooks/cms/<account id>/<token>`: CMS video-change notifications. A wrong token gets the 404
 * of any unknown path; anything accepted is only a note for the next sync, so the answer is immediate.
 */
function notificationHandler(services: Services) {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const [account = '', token = ''] = path.slice(CMS_HOOK_PATH.length + 1).split('/');
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      payload = undefined;
    }
    let accountId = '';
    try {
      accountId = decodeURIComponent(account);
    } catch {
      // a malformed escape: no account has that id, so the token check refuses it below
    }
    const outcome = services.sync.receiveNotification(accountId, token, payload);
    if (outcome === 'refused') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    // 4xx makes Brightcove retry; a body it cannot parse will not parse better later, so 200 with the reason.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        outcome === 'accepted' ? { ok: true } : { ok: false, error: 'not a video-change notification' },
      ),
    );
  };
}
