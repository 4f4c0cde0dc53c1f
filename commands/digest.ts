import { z } from 'zod';
import { lastDays } from '../src/analytics/period.js';
import {
  DIGEST_KIND,
  type DigestRecord,
  digestScheduleJob,
  digests,
  explainFailure,
  MAX_REPORT_DAYS,
  makeDigest,
} from '../src/analytics/service.js';
import { context, escapeEntities, escapeMrkdwn, header, section, slackDate } from '../src/core/blocks.js';
import { RefusalError, UserError } from '../src/core/errors.js';
import { formValue, submitAsCommand, word } from '../src/core/forms.js';
import { defineGrammar } from '../src/core/grammar.js';
import type { Actor, Host, Services, Surface, ViewContext, ViewResult } from '../src/core/types.js';
import { defineCommand } from '../src/core/types.js';
import { plural } from '../src/core/words.js';
import type { RunContext } from '../src/scheduler/scheduler.js';
import {
  describeScheduleSpec,
  parseScheduleSpec,
  SCHEDULE_USAGE,
  validateTimeZone,
} from '../src/scheduler/spec.js';
import { renderDigestForm } from '../src/slack/form-render.js';
import { failureText } from '../src/slack/report-render.js';
import { deliverReport } from './report.js';

const DEFAULT_DIGEST_DAYS = 7;

type DigestArgs =
  | { action: 'add'; spec: string; scope?: string; tz?: string; days: number; channel?: string }
  | { action: 'list' }
  /** `digest add` alone: the form (in Slack), the usage (in a terminal) */
  | { action: 'form' }
  | { action: 'remove' | 'run'; id: string };

/** Rebuilds the schedule from words: the tokenizer has already removed the quotes around a cron expression. */
function splitSpec(words: string[]): { spec: string; rest: string[] } {
  const kind = (words[0] ?? '').toLowerCase();
  const take = kind === 'weekly' ? 3 : kind === 'daily' || kind === 'cron' ? 2 : 1;
  const head = words.slice(0, take);
  const spec = kind === 'cron' && head[1] !== undefined ? `cron "${head[1]}"` : head.join(' ');
  return { spec, rest: words.slice(take) };
}

const grammar = defineGrammar({
  usage: [
    'digest add <schedule> [<account|group|all>] [--tz <zone>] [--days N] [--channel C…]',
    'digest list',
    'digest remove <id>',
    'digest run <id>',
    `<schedule>: ${SCHEDULE_USAGE}`,
  ],
  flags: {
    tz: {
      description: 'IANA time zone of the schedule (default: the configured timezone)',
      check: z.string().min(1, '--tz needs a zone such as Europe/Paris').optional(),
    },
    days: {
      description: `days each digest covers, ending yesterday (default ${DEFAULT_DIGEST_DAYS})`,
      check: z.coerce
        .number({ message: '--days must be a number' })
        .int('--days must be a whole number')
        .min(1, '--days must be at least 1')
        .max(MAX_REPORT_DAYS, `--days can be at most ${MAX_REPORT_DAYS}`)
        .optional(),
    },
    channel: {
      description: 'CLI only: the channel to post in',
      check: z
        .string()
        .regex(/^#?[CG][A-Z0-9]+$/, '--channel must be a channel id such as C0123ABC')
        .optional(),
    },
  },
});

const digestArgs = grammar.tokens.transform((t, ctx): DigestArgs => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const [verb, ...rest] = t.positionals;
  const action = verb?.toLowerCase();
  const onlyFor = (allowed: boolean) => {
    const flag = Object.keys(t.flags).find((k) => t.flags[k as keyof typeof t.flags] !== undefined);
    return !allowed && flag ? `--${flag} only goes with digest add` : undefined;
  };
  switch (action) {
    case 'add': {
      if (rest.length === 0 && !onlyFor(false)) return { action: 'form' };
      if (rest.length === 0) return fail(`digest add needs a schedule: ${SCHEDULE_USAGE}`);
      const { spec, rest: after } = splitSpec(rest);
      try {
        parseScheduleSpec(spec);
      } catch (err) {
        return fail((err as Error).message);
      }
      // The zone is checked with the schedule, so a form shows it on its field before anything is added.
      if (t.flags.tz)
        try {
          validateTimeZone(t.flags.tz);
        } catch (err) {
          return fail((err as Error).message);
        }
      if (after.length > 1)
        return fail(
          `after the schedule, give at most one account, group or \`all\` (got "${after.join(' ')}")`,
        );
      return {
        action: 'add',
        spec,
        ...(after[0] ? { scope: after[0] } : {}),
        ...(t.flags.tz ? { tz: t.flags.tz } : {}),
        days: t.flags.days ?? DEFAULT_DIGEST_DAYS,
        ...(t.flags.channel ? { channel: t.flags.channel.replace(/^#/, '') } : {}),
      };
    }
    case 'list': {
      const bad = onlyFor(false);
      if (bad) return fail(bad);
      if (rest.length > 0) return fail('digest list takes no arguments');
      return { action: 'list' };
    }
    case 'remove':
    case 'run': {
      const bad = onlyFor(false);
      if (bad) return fail(bad);
      if (rest.length !== 1 || !rest[0])
        return fail(`digest ${action} needs one digest id (see \`digest list\`)`);
      return { action, id: rest[0] };
    }
    case undefined:
      return fail('say what to do: digest add, digest list, digest remove <id> or digest run <id>');
    default:
      return fail(`"${verb}" is not a digest action: use add, list, remove or run`);
  }
});

function titleFor(d: DigestRecord): string {
  const kind = d.spec.split(' ')[0];
  return kind === 'daily' ? 'Daily digest' : kind === 'weekly' ? 'Weekly digest' : 'Digest';
}

/** For mrkdwn: escaped, and a cron expression in code (as typed: Slack formats nothing there). */
function describeMrkdwn(d: DigestRecord): string {
  return describe(d)
    .split(/cron "([^"`]*)"/)
    .map((part, i) => (i % 2 === 1 ? `cron \`${escapeEntities(part)}\`` : escapeMrkdwn(part)))
    .join('');
}

function describe(d: DigestRecord): string {
  return `${describeScheduleSpec(parseScheduleSpec(d.spec), d.tz)}, ${d.data.scope ?? 'default account'}, last ${plural(d.data.days, 'day')}`;
}

/** One digest run: the report for the digest's last N days, posted in its channel. */
async function runDigest(
  services: Services,
  surface: Surface,
  d: DigestRecord,
  reason: RunContext['reason'],
  actor = 'scheduler',
): Promise<boolean> {
  const audit = (outcome: 'ok' | 'failed', details?: string, errorId?: string) =>
    services.repos.audit.append({
      actor,
      command: 'digest',
      action: `run (${reason})`,
      target: d.id,
      outcome,
      ...(details ? { details } : {}),
      ...(errorId ? { errorId } : {}),
    });
  const retryHint = `To retry now: \`/brightcove digest run ${d.id}\`.`;
  let scope: ReturnType<Services['reports']['scope']>;
  try {
    scope = services.reports.scope(d.data.scope);
  } catch (err) {
    // The config changed since the digest was added (an account or group was removed).
    const why = explainFailure(err);
    await surface.post(
      failureText(
        `Digest ${d.id}`,
        why.reason,
        `Fix the configuration, or replace the digest: \`/brightcove digest remove ${d.id}\` then \`digest add\`.`,
      ),
    );
    audit('failed', why.reason);
    return false;
  }
  const svc = services.reports;
  const period = lastDays(d.data.days, svc.today(d.tz));
  const result = await deliverReport(services, surface, {
    scope,
    period,
    tz: d.tz,
    title: titleFor(d),
    what: `Digest ${d.id}`,
    retryHint,
  });
  services.repos.schedules.update(d.id, (r) => ({ ...r, lastRunAt: services.clock.now().toISOString() }));
  if (result.ok) audit('ok', `${scope.label} ${period.from}..${period.to}`);
  else audit('failed', result.reason, result.errorId);
  return result.ok;
}

function listReply(services: Services, list: DigestRecord[]) {
  if (list.length === 0) {
    const text = 'No digests yet. Add one with `/brightcove digest add daily 09:00 <account|group|all>`.';
    return { text: text.replace(/`/g, ''), blocks: [section(text)], data: [] };
  }
  const status = (id: string) => services.schedules.scheduler.get(id);
  const lines = list.map((d) => {
    const s = status(d.id);
    const next = s ? ` · next ${slackDate(s.nextRunAt)}` : '';
    const last = d.lastRunAt ? ` · last ${slackDate(new Date(d.lastRunAt))}` : '';
    return `\`${d.id}\` ${describeMrkdwn(d)} in <#${d.channel}>${next}${last}`;
  });
  const text = list
    .map((d) => {
      const s = status(d.id);
      return `${d.id}  ${describe(d)}  channel=${d.channel}${s ? `  next=${s.nextRunAt.toISOString()}` : ''}${d.lastRunAt ? `  last=${d.lastRunAt}` : ''}`;
    })
    .join('\n');
  return {
    text,
    blocks: [
      header(`Digests (${list.length})`),
      section(lines.slice(0, 40).join('\n')),
      context('`digest remove <id>` · `digest run <id>`'),
    ],
    data: list.map((d) => ({ ...d, nextRunAt: status(d.id)?.nextRunAt.toISOString() })),
  };
}

function find(services: Services, id: string): DigestRecord {
  const d = services.repos.schedules.get(id);
  if (!d || d.kind !== DIGEST_KIND)
    throw new UserError(`No digest \`${id}\`. See \`/brightcove digest list\`.`);
  return d as DigestRecord;
}

const who = (a: Actor) => a.userId;

/** The form sent: its fields become `digest add <schedule> <scope> --tz … --days …`, checked, then run. */
async function submitDigestForm(ctx: ViewContext): Promise<ViewResult> {
  const v = (f: string) => formValue(ctx.values, f);
  const when = v('when') ?? 'daily';
  const schedule = `${when === 'daily' ? 'daily' : `weekly ${when}`} ${v('time') ?? '09:00'}`;
  const text = `digest add ${schedule} ${word(v('scope') ?? 'all')} --tz ${word(v('tz') ?? ctx.services.config.timezone)} --days ${word(v('days') ?? '7')}`;
  return submitAsCommand(ctx, text, (problem) =>
    /zone|--tz/i.test(problem)
      ? 'tz'
      : /--days/.test(problem)
        ? 'days'
        : /account|group|scope/i.test(problem)
          ? 'scope'
          : 'time',
  );
}

export const digest = defineCommand<DigestArgs>({
  name: 'digest',
  topic: 'Analytics',
  summary: 'Scheduled analytics digests posted in a channel: add, list, remove, or run one now.',
  grammar,
  examples: [
    'digest add daily 09:00 neo',
    'digest add weekly mon 08:30 all --tz America/New_York --days 7',
    'digest add cron "0 9 * * 1-5" news',
    'digest list',
    'digest run dg_1a2b3c',
  ],
  mutates: (args) => args.action === 'add' || args.action === 'remove',
  args: digestArgs,
  async run({ args, surface, services, actor }) {
    switch (args.action) {
      case 'form': {
        if (!surface.buttons) throw new UserError(`digest add needs a schedule: ${SCHEDULE_USAGE}`, true);
        if (!(await services.roles.isOperator(actor)))
          throw new RefusalError(`Only operators can add digests. ${services.roles.describe('operator')}`);
        await surface.openModal(renderDigestForm(services.config, surface.channelId));
        return;
      }
      case 'add': {
        const channel = args.channel ?? surface.channelId;
        if (!channel)
          throw new UserError(
            'Run `digest add` in the Slack channel it should post in (or pass --channel C…).',
          );
        const record = makeDigest(services, {
          spec: args.spec,
          tz: args.tz ?? services.config.timezone,
          ...(args.scope ? { scope: args.scope } : {}),
          days: args.days,
          channel,
          createdBy: who(actor),
        });
        services.repos.schedules.insert(record);
        services.schedules.add(digestScheduleJob(record));
        services.repos.audit.append({
          actor: who(actor),
          command: 'digest',
          action: 'add',
          target: record.id,
          outcome: 'ok',
          // the schedule in code: a cron's `*` is the schedule's, never bold
          details: `\`${record.spec}\` ${record.tz} ${record.data.scope ?? ''} → ${channel}`.trim(),
        });
        const next = services.schedules.scheduler.get(record.id)?.nextRunAt;
        const text = `Digest \`${record.id}\` added by <@${actor.userId}>: ${describeMrkdwn(record)}, posted in <#${channel}>.${next ? ` First run ${slackDate(next)}.` : ''}`;
        await surface.post({
          text: `Digest ${record.id} added: ${describe(record)}${next ? `; first run ${next.toISOString()}` : ''}`,
          blocks: [section(`:calendar: ${text}`)],
          data: { ...record, nextRunAt: next?.toISOString() },
        });
        return;
      }
      case 'list': {
        await surface.reply(listReply(services, digests(services)));
        return;
      }
      case 'remove': {
        const d = find(services, args.id);
        services.repos.schedules.remove(d.id);
        services.schedules.remove(d.id);
        services.repos.audit.append({
          actor: who(actor),
          command: 'digest',
          action: 'remove',
          target: d.id,
          outcome: 'ok',
          details: describe(d),
        });
        await surface.post({
          text: `Digest ${d.id} removed (${describe(d)}).`,
          blocks: [
            section(`:wastebasket: <@${actor.userId}> removed digest \`${d.id}\` (${describeMrkdwn(d)}).`),
          ],
          data: { removed: d.id },
        });
        return;
      }
      case 'run': {
        const d = find(services, args.id);
        if (!services.schedules.job(d.id)) {
          // One-shot CLI: no scheduler running, so run it here and print it.
          services.repos.audit.append({
            actor: who(actor),
            command: 'digest',
            action: 'run',
            target: d.id,
            outcome: 'started',
          });
          await runDigest(services, surface, d, 'manual', who(actor));
          return;
        }
        const started = services.schedules.runNow(d.id);
        services.repos.audit.append({
          actor: who(actor),
          command: 'digest',
          action: 'run',
          target: d.id,
          outcome: started === 'started' ? 'started' : 'refused',
          ...(started !== 'started' ? { details: started } : {}),
        });
        if (started === 'already-running') {
          await surface.reply({
            text: `Digest ${d.id} is already running; its result will appear in the channel shortly.`,
            data: { id: d.id, result: started },
          });
          return;
        }
        await surface.reply({
          text: `Running digest ${d.id} now; it posts in <#${d.channel}>.`,
          data: { id: d.id, result: started },
        });
        return;
      }
    }
  },
  views: { form: submitDigestForm },
  start(services: Services, host: Host) {
    services.schedules.register(DIGEST_KIND, async (job, ctx) => {
      const d = services.repos.schedules.get(job.id) as DigestRecord | undefined;
      if (!d?.channel) return;
      await runDigest(services, host.channel(d.channel), d, ctx.reason);
    });
    // Digests are records in the state: those another replica adds or removes are picked up each tick.
    services.schedules.watch(DIGEST_KIND, () => digests(services).map(digestScheduleJob));
  },
});
