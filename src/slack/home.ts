import type { WebClient } from '@slack/web-api';
import { DIGEST_KIND } from '../analytics/service.js';
import type { ClipRecord } from '../clips/service.js';
import {
  actions,
  type Block,
  button,
  context,
  divider,
  escapeMrkdwn,
  header,
  section,
  slackDate,
  truncate,
} from '../core/blocks.js';
import type { Actor, Services } from '../core/types.js';
import { exportScheduleJobs, parseExportsConfig } from '../exports/service.js';
import type { Logger } from '../log.js';
import { UNSHARE_KIND, type UnshareRequest } from '../sharing/service.js';
import type { AuditEntry } from '../store/repositories.js';
import type { PlanRecord } from '../sync/store.js';
import { who } from './sync-render.js';

/*
 * The App Home tab (issue 17): what waits for my approval, my open plans, clips running, what is
 * scheduled and what happened lately, each with its buttons (the same ones the messages carry, so a
 * click here runs the same checks). Published when someone opens the tab, and again while they have
 * it open when anything on it changes.
 */

/** Items per section: a Home tab holds at most 100 blocks. */
const PER_SECTION = 5;

interface HomeData {
  userId: string;
  approver: boolean;
  operator: boolean;
  /** plans whose deletes wait for an approver, and unshares, for an approver */
  waiting: { plans: PlanRecord[]; unshares: UnshareRequest[] };
  myPlans: PlanRecord[];
  clips: ClipRecord[];
  scheduled: { label: string; next?: Date }[];
  recent: AuditEntry[];
}

/** What the Home tab of `actor` shows, read from the store (no API calls: it is published often). */
async function gatherHome(services: Services, actor: Actor): Promise<HomeData> {
  const [approver, operator] = await Promise.all([
    services.roles.isApprover(actor),
    services.roles.isOperator(actor),
  ]);
  const plans = services.sync.plans.open();
  const now = services.clock.now().getTime();
  const unshares = services.repos.pending
    .find(
      (r) =>
        r.kind === UNSHARE_KIND && r.state === 'awaiting' && (!r.expiresAt || Date.parse(r.expiresAt) > now),
    )
    .reverse() as UnshareRequest[];
  const next = (id: string) => services.schedules.scheduler.get(id)?.nextRunAt;
  const digests = services.repos.schedules.find((r) => r.kind === DIGEST_KIND);
  let exportsScheduled: { label: string; next?: Date }[] = [];
  try {
    const cfg = parseExportsConfig(services.config.exports, services.config);
    exportsScheduled = exportScheduleJobs(cfg, services.config.timezone).map((j) => {
      const n = next(j.id);
      return {
        label: `Export *${escapeMrkdwn(j.data.kind)}* of ${escapeMrkdwn(j.data.scope)} → \`${escapeMrkdwn(j.data.destination)}\` (${escapeMrkdwn(j.spec)})`,
        ...(n ? { next: n } : {}),
      };
    });
  } catch {
    // an invalid exports config is reported where exports run; the Home tab leaves them out
  }
  const seesAll = approver || operator;
  return {
    userId: actor.userId,
    approver,
    operator,
    waiting: approver
      ? { plans: plans.filter((p) => p.data.phases.deletes.status === 'pending'), unshares }
      : { plans: [], unshares: [] },
    myPlans: plans.filter((p) => p.requestedBy === actor.userId),
    // still on their way (`stopped`: no longer followed)
    clips: services.clips
      .recent(50)
      .filter((c) => ['waiting', 'processing', 'creating_asset'].includes(c.state)),
    scheduled: [
      ...digests.map((d) => {
        const n = next(d.id);
        return {
          label: `Digest \`${escapeMrkdwn(d.id)}\` ${escapeMrkdwn(d.spec)} (${escapeMrkdwn(d.tz)})${d.channel ? ` in <#${d.channel}>` : ''}`,
          ...(n ? { next: n } : {}),
        };
      }),
      ...exportsScheduled,
    ],
    // Operators and approvers see the team's activity; anyone else their own.
    recent: services.repos.audit
      .latest(200)
      .filter((e) => seesAll || e.actor === actor.userId)
      .slice(0, 8),
  };
}

const more = (n: number, noun: string) =>
  n > PER_SECTION ? [context(`and ${n - PER_SECTION} more ${noun}`)] : [];

function planLine(p: PlanRecord): string {
  const c = p.data.plan.counts;
  const where = p.channel ? ` in <#${p.channel}>` : '';
  return `*Sync ${escapeMrkdwn(p.data.account.alias)} → ${escapeMrkdwn(p.data.plan.target)}* (plan \`${escapeMrkdwn(p.id)}\`${where}): ${c.creates} creates, ${c.updates} updates, ${c.deletes} deletes`;
}

/** The Home tab's view: sections in the order people act on them, each with its buttons. */
function renderHome(d: HomeData, now: Date): { type: 'home'; blocks: Block[] } {
  const blocks: Block[] = [header('Brightcove Ops'), context(`Updated ${slackDate(now)}`)];

  if (d.approver) {
    blocks.push(divider(), section('*Waiting for your approval*'));
    const { plans, unshares } = d.waiting;
    if (plans.length + unshares.length === 0) blocks.push(context('Nothing waits for an approver.'));
    for (const p of plans.slice(0, PER_SECTION)) {
      const mass = p.data.massDelete;
      const given = p.data.phases.deletes.approvals?.length ?? 0;
      const status = mass?.approvals ? ` · ${given} of ${mass.approvals} approvals` : '';
      blocks.push(
        section(`${planLine(p)}\nAsked by ${who(p.requestedBy)}${mass ? ' · *mass delete*' : ''}${status}`),
        actions(
          `home-plan-${p.id}`,
          mass
            ? button('sync.confirm_deletes', `Review ${p.data.plan.counts.deletes} deletes…`, p.id, {
                style: 'danger',
              })
            : button('sync.approve_deletes', `Approve ${p.data.plan.counts.deletes} deletes…`, p.id, {
                style: 'danger',
              }),
          button('sync.reject_deletes', 'Reject deletes…', p.id),
        ),
      );
    }
    blocks.push(...more(plans.length, 'plans'));
    for (const u of unshares.slice(0, PER_SECTION)) {
      blocks.push(
        section(
          `*Unshare* video \`${escapeMrkdwn(u.data.plan.videoId)}\` from ${escapeMrkdwn(u.data.plan.affiliate.name)}, asked by ${who(u.requestedBy)}${u.channel ? ` in <#${u.channel}>` : ''}`,
        ),
        actions(
          `home-unshare-${u.id}`,
          button('unshare.approve', 'Approve unshare…', u.id, { style: 'danger' }),
          button('unshare.reject', 'Reject…', u.id),
        ),
      );
    }
    blocks.push(...more(unshares.length, 'unshares'));
  }

  blocks.push(divider(), section('*Your open plans*'));
  if (d.myPlans.length === 0) blocks.push(context('None. Run `/brightcove sync` in a channel to make one.'));
  for (const p of d.myPlans.slice(0, PER_SECTION)) {
    const apply = p.data.phases.apply.status === 'pending' && d.operator;
    blocks.push(
      section(`${planLine(p)}\nExpires ${p.expiresAt ? slackDate(new Date(p.expiresAt)) : 'never'}`),
    );
    if (apply)
      blocks.push(
        actions(
          `home-apply-${p.id}`,
          button(
            'sync.apply',
            `Apply ${p.data.plan.counts.creates} creates and ${p.data.plan.counts.updates} updates`,
            p.id,
            { style: 'primary' },
          ),
        ),
      );
  }
  blocks.push(...more(d.myPlans.length, 'plans'));

  blocks.push(divider(), section('*Clips in progress*'));
  if (d.clips.length === 0) blocks.push(context('No clip is being made.'));
  for (const c of d.clips.slice(0, PER_SECTION))
    blocks.push(
      section(
        `*${escapeMrkdwn(truncate(c.data.label, 150))}*: ${escapeMrkdwn(c.state)} · ${escapeMrkdwn(c.data.window)} · asked by ${who(c.data.requestedBy)}${c.channel ? ` in <#${c.channel}>` : ''}`,
      ),
    );
  blocks.push(...more(d.clips.length, 'clips'));

  blocks.push(divider(), section('*Scheduled*'));
  if (d.scheduled.length === 0) blocks.push(context('No digests or exports are scheduled.'));
  for (const s of d.scheduled.slice(0, PER_SECTION))
    blocks.push(section(`${s.label}${s.next ? `\nNext: ${slackDate(s.next)}` : ''}`));
  blocks.push(...more(d.scheduled.length, 'schedules'));

  blocks.push(divider(), section(d.approver || d.operator ? '*Recent activity*' : '*Your recent activity*'));
  if (d.recent.length === 0) blocks.push(context('Nothing yet.'));
  else
    blocks.push(
      section(
        d.recent
          .map(
            (e) =>
              `${slackDate(new Date(e.at))} ${who(e.actor)} \`${escapeMrkdwn(e.command)}\` ${escapeMrkdwn(truncate(e.action, 80))}${e.target ? ` ${escapeMrkdwn(truncate(e.target, 40))}` : ''}: ${e.outcome}`,
          )
          .join('\n'),
      ),
    );
  return { type: 'home', blocks };
}

/**
 * Publishes Home tabs: when a user opens theirs, and again (at most every `intervalMs`, only when
 * what it shows changed) for everyone who opened it in the last hour, after each interaction and on
 * a timer (clips and schedules move by themselves).
 */
export class HomeTabs {
  /** users who opened their Home tab → when, and what was last published to them */
  readonly #open = new Map<string, { at: number; published?: string }>();
  #timer: NodeJS.Timeout | null = null;
  #pending: NodeJS.Timeout | null = null;

  constructor(
    private readonly services: Services,
    private readonly client: WebClient,
    private readonly logger: Logger,
    private readonly intervalMs = 30_000,
  ) {}

  /** `app_home_opened`: published at once. */
  async opened(userId: string): Promise<void> {
    const entry = this.#open.get(userId) ?? { at: 0 };
    entry.at = Date.now();
    this.#open.set(userId, entry);
    await this.#publish(userId);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.refreshAll(), this.intervalMs);
      this.#timer.unref();
    }
  }

  /** Something changed (a click, a command): every open Home tab is brought up to date shortly. */
  changed(): void {
    if (this.#pending || this.#open.size === 0) return;
    this.#pending = setTimeout(() => {
      this.#pending = null;
      this.refreshAll();
    }, 500);
    this.#pending.unref();
  }

  refreshAll(): void {
    const hour = Date.now() - 3_600_000;
    for (const [userId, entry] of this.#open) {
      if (entry.at < hour) this.#open.delete(userId);
      else void this.#publish(userId);
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pending) clearTimeout(this.#pending);
    this.#timer = this.#pending = null;
  }

  async #publish(userId: string): Promise<void> {
    try {
      const view = renderHome(
        await gatherHome(this.services, { userId, source: 'slack' }),
        this.services.clock.now(),
      );
      const json = JSON.stringify(view.blocks.slice(2)); // without the "Updated" line
      const entry = this.#open.get(userId);
      if (entry?.published === json) return;
      await this.client.views.publish({ user_id: userId, view: view as never });
      if (entry) entry.published = json;
    } catch (err) {
      this.logger.warn('could not publish the App Home tab', { user: userId, err });
    }
  }
}
