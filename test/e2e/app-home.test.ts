import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimView } from '../../src/sim/slack/index.js';
import { APPROVER, CHANNEL, type Harness, MEMBER, OPERATOR, startHarness } from '../support/harness.js';
import { planMessage } from '../support/sync.js';

/**
 * App Home (issue 17 item 4): opening the tab publishes what waits for me, my open plans, clips,
 * schedules and recent activity, with the messages' own buttons; a click there runs the same checks
 * and updates the plan's message; the tab follows what changes while it is open.
 */
describe('App Home', () => {
  let h: Harness;
  let n = 0;
  const shown = (v: SimView | undefined) => JSON.stringify(v?.view.blocks ?? []);
  const home = (user: string) => h.slack.homes.get(user);
  const deletes = () => h.clarify!.requests.filter((r) => r.method === 'DELETE').length;

  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function planWithDelete() {
    h.clarify!.bundles.add({ name: 'gone', external_id: `99900000009${String(n++).padStart(2, '0')}` });
    return planMessage(h, 'sync neo --full');
  }

  it("an approver sees the plan waiting for them and approves it from Home: the plan's message is stamped, the tab moves on", async () => {
    const msg = await planWithDelete();
    const planId =
      /plan (pl_[a-z0-9]+)/.exec(msg.text)?.[1] ?? /"value":"([^"]+)"/.exec(JSON.stringify(msg.blocks))![1]!;
    expect((await h.slack.openHome(APPROVER)).status).toBe(200);
    const first = await h.slack.waitFor(() => home(APPROVER), 5_000, 'the home tab');
    expect(first.view.type).toBe('home');
    expect(shown(first)).toContain('Waiting for your approval');
    expect(shown(first)).toContain(`plan \`${planId}\``);
    expect(shown(first)).toContain(`Asked by <@${OPERATOR}>`);

    // The Home button opens the same confirmation as the message's, after the same role check.
    await h.slack.clickHome(APPROVER, 'sync.approve_deletes', planId);
    const form = await h.slack.waitFor(() =>
      [...h.slack.views.values()].find(
        (v) => v.view.callback_id === 'sync.confirm_deletes' && v.userId === APPROVER,
      ),
    );
    await h.slack.submitView(APPROVER, form.id, {});
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Deletes done')),
      15_000,
      'deletes done',
    );
    expect(deletes()).toBeGreaterThan(0);
    await h.slack.waitFor(
      () =>
        JSON.stringify(h.slack.message(CHANNEL, msg.ts)?.blocks).includes('approved by') ? true : undefined,
      5_000,
      'the stamp',
    );
    // Still open in the approver's sidebar: the plan leaves the waiting list by itself.
    await h.slack.waitFor(
      () => (shown(home(APPROVER)).includes(`plan \`${planId}\``) ? undefined : true),
      10_000,
      'the tab to move on',
    );
    expect(shown(home(APPROVER))).toContain('approve_deletes');
  });

  it('a member sees no approvals and only their own activity; the operator applies their plan from Home', async () => {
    const msg = await planWithDelete();
    const planId = /"value":"([^"]+)"/.exec(JSON.stringify(msg.blocks))![1]!;
    await h.slack.openHome(MEMBER);
    const mine = await h.slack.waitFor(() => home(MEMBER));
    expect(shown(mine)).not.toContain('Waiting for your approval');
    expect(shown(mine)).toContain('Your recent activity');
    expect(shown(mine)).not.toContain(planId);

    // The operator's own Home lists the plan with its Apply button; Apply from there works.
    await h.slack.openHome(OPERATOR);
    const ops = await h.slack.waitFor(() => home(OPERATOR));
    expect(shown(ops)).toContain('Your open plans');
    expect(shown(ops)).toContain(planId);
    await h.slack.clickHome(OPERATOR, 'sync.apply', planId);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Creates and updates done')),
      15_000,
      'the Apply started from Home, in the plan thread',
    );
    // A member's Home never offered it; a crafted click from it would meet the same role check.
    expect(
      h.app.services.repos.audit.latest(50).some((e) => e.action === 'apply' && e.actor === OPERATOR),
    ).toBe(true);
  });

  it('schedules show with their next run; the view stays within Slack limits', async () => {
    expect((await h.command('digest add daily 09:00 neo', OPERATOR)).status).toBe(200);
    await h.slack.waitFor(() => h.slack.channelMessages(CHANNEL).find((m) => m.text.includes('added')));
    await h.slack.openHome(OPERATOR);
    await h.slack.waitFor(() => (shown(home(OPERATOR)).includes('Digest `dg_') ? true : undefined), 10_000);
    expect(shown(home(OPERATOR))).toMatch(
      /Digest `dg_[^`]+` daily 09:00 \(Europe\/London\)[^"]*Next: <!date\^/,
    );
    expect(home(OPERATOR)!.view.blocks as unknown[]).not.toHaveLength(0);
    expect((home(OPERATOR)!.view.blocks as unknown[]).length).toBeLessThanOrEqual(100);
  });
});
