import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { approveDeletes, openForm } from '../support/approve.js';
import {
  APPROVER,
  APPROVER2,
  CHANNEL,
  type Harness,
  MEMBER,
  OPERATOR,
  startHarness,
} from '../support/harness.js';
import { planMessage } from '../support/sync.js';

/** Issue 17 item 3: approvers are told, the requester hears the outcome, Reject takes a reason. */
describe('sync approvals where people are', () => {
  let h: Harness;
  let n = 0;
  const deletes = () => h.clarify!.requests.filter((r) => r.method === 'DELETE').length;
  const thread = (msg: SimMessage) => h.slack.thread(CHANNEL, msg.ts);
  /** what a notice says in its blocks (mentions live there; the text names them as words) */
  const md = (m: SimMessage) => JSON.stringify(m.blocks);
  /** A plan with one delete (a record whose video is gone), asked by the operator. */
  async function planWithDelete(): Promise<SimMessage> {
    h.clarify!.bundles.add({ name: 'gone', external_id: `99900000007${String(n++).padStart(2, '0')}` });
    return planMessage(h, 'sync neo --full');
  }

  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('mentions the approvers in the plan thread; a member never gets a form, only the reason', async () => {
    const msg = await planWithDelete();
    const ask = await h.slack.waitFor(() => thread(msg).find((m) => md(m).includes('waits for an approver')));
    expect(md(ask)).toContain(`<@${APPROVER}> <@${APPROVER2}>`);
    expect(md(ask)).toContain('1 delete of neo');

    const forms = h.slack.views.size;
    expect(
      await openForm(h.slack, MEMBER, 'sync.approve_deletes', 'sync.confirm_deletes', msg),
    ).toBeUndefined();
    expect(h.slack.lastEphemeral(MEMBER)?.text).toContain('Only approvers');
    expect(
      await openForm(h.slack, MEMBER, 'sync.reject_deletes', 'sync.reject_deletes', msg),
    ).toBeUndefined();
    expect(h.slack.lastEphemeral(MEMBER)?.text).toContain('Only approvers can reject');
    expect(h.slack.views.size).toBe(forms);
    expect(deletes()).toBe(0);

    await approveDeletes(h.slack, APPROVER, msg);
    const told = await h.slack.waitFor(() =>
      thread(msg).find((m) => md(m).includes(`<@${OPERATOR}> your sync plan`)),
    );
    expect(md(told)).toContain(`deletes were approved by <@${APPROVER}>: 1 deleted`);
    expect(deletes()).toBe(1);
  });

  it('Reject needs a reason, is stamped (escaped), audited and told once; nothing is deleted', async () => {
    const msg = await planWithDelete();
    const stale = structuredClone(msg);
    const first = await openForm(h.slack, APPROVER, 'sync.reject_deletes', 'sync.reject_deletes', msg);
    const second = await openForm(h.slack, APPROVER2, 'sync.reject_deletes', 'sync.reject_deletes', msg);
    expect(first && second).toBeTruthy();
    const reason = (value: string) => ({ reason: { reason: { type: 'plain_text_input', value } } });

    const empty = await h.slack.submitView(APPROVER, first!.id, reason('  '));
    expect(JSON.parse(empty.body).errors.reason).toContain('Say why');

    const typed = 'Re-ingest *running* <!channel> & more';
    await Promise.all([
      h.slack.submitView(APPROVER, first!.id, reason(typed)),
      h.slack.submitView(APPROVER2, second!.id, reason('a second opinion')),
    ]);
    const stamped = await h.slack.waitFor(() =>
      h.slack.message(CHANNEL, msg.ts)?.blocks.some((b) => JSON.stringify(b).includes('Deletes rejected by')),
    );
    expect(stamped).toBe(true);
    const plan = JSON.stringify(h.slack.message(CHANNEL, msg.ts)!.blocks);
    expect(plan).not.toContain('sync.approve_deletes');
    expect(plan).not.toContain('sync.reject_deletes');
    const planId = h.app.services.repos.pending.all().at(-1)!.id;
    const audit = h.app.services.repos.audit
      .latest(50)
      .filter((a) => a.action === 'reject_deletes' && a.target === planId);
    expect(audit.filter((a) => a.outcome === 'ok')).toHaveLength(1);
    expect(audit.filter((a) => a.outcome === 'refused')).toHaveLength(1);
    const winner = audit.find((a) => a.outcome === 'ok')!;
    const loser = winner.actor === APPROVER ? APPROVER2 : APPROVER;
    await h.slack.waitFor(() => h.slack.lastEphemeral(loser)?.text.includes('Already rejected'));
    const told = await h.slack.waitFor(() => thread(msg).find((m) => md(m).includes('were rejected by')));
    expect(md(told)).toContain(`<@${OPERATOR}> your sync plan`);
    if (winner.actor === APPROVER) {
      // The reason is a person's text: shown, never taken as markup or a mention.
      expect(plan).toContain('&lt;!channel&gt; &amp; more');
      expect(md(told)).not.toContain('<!channel>');
    }
    // A stale Approve on the old message is refused with who rejected it.
    await h.slack.click(APPROVER, 'sync.approve_deletes', stale);
    await h.slack.waitFor(() => h.slack.lastEphemeral(APPROVER)?.text.includes('Already rejected'));
    expect(deletes()).toBe(1);
    expect(h.clarify!.bundles.byExternalId(`99900000007${String(n - 1).padStart(2, '0')}`)).toHaveLength(1);
  });
});

describe('sync approvals by direct message (roles.notify: dm)', () => {
  let h: Harness;
  const md = (m: SimMessage) => JSON.stringify(m.blocks);
  afterEach(async () => {
    await h?.close();
  });

  it('DMs each approver but the requester, and tells the requester the outcome by DM', async () => {
    h = await startHarness({ brightcove: true, clarify: true, extraYaml: '  notify: dm\n' });
    h.clarify!.bundles.add({ name: 'gone', external_id: '9990000000799' });
    const msg = await planMessage(h, 'sync neo', APPROVER);
    for (const id of [APPROVER2]) {
      const dm = await h.slack.waitFor(() =>
        h.slack.directMessages(id).find((m) => md(m).includes('waits for your approval')),
      );
      expect(md(dm)).toContain(`<#${CHANNEL}>`);
      expect(md(dm)).toContain(`asked by <@${APPROVER}>`);
    }
    expect(h.slack.directMessages(APPROVER)).toHaveLength(0);
    expect(h.slack.thread(CHANNEL, msg.ts).some((m) => md(m).includes('waits for an approver'))).toBe(false);

    await approveDeletes(h.slack, APPROVER2, msg);
    const told = await h.slack.waitFor(() =>
      h.slack.directMessages(APPROVER).find((m) => md(m).includes('were approved by')),
    );
    expect(md(told)).toContain(`<@${APPROVER2}>`);
  });
});
