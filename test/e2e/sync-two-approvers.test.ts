import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { clickAndSend } from '../support/approve.js';
import {
  APPROVER,
  APPROVER2,
  CHANNEL,
  cliWorkspace,
  type Harness,
  startHarness,
} from '../support/harness.js';
import { planMessage } from '../support/sync.js';

/**
 * N-of-M approvals (issue 17, `roles.approvals: 2`): a mass delete runs only when two different
 * approvers have each confirmed it (the count typed); the first confirmation is recorded, shown on
 * the plan and audited, a second one by the same approver is refused, and the CLI (one person)
 * cannot approve it at all.
 */
describe('sync: a mass delete that needs two approvers', () => {
  let h: Harness;
  const orphans = Array.from({ length: 12 }, (_, i) => `99900000005${String(i).padStart(2, '0')}`);
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true, extraYaml: '  approvals: 2\n' });
    for (const id of orphans) h.clarify!.bundles.add({ name: `gone ${id}`, external_id: id });
  });
  afterAll(async () => {
    await h?.close();
  });

  const deletes = () => h.clarify!.requests.filter((r) => r.method === 'DELETE').length;
  const count = String(orphans.length);
  const formsOpened = () => h.slack.callsTo('views.open').length;
  /** An approver's Review click and the confirmation sent with the count typed. */
  const approveDeletes = (user: string, msg: { channel: string; ts: string }) =>
    clickAndSend(h.slack, user, 'sync.confirm_deletes', msg, {
      count: { count: { type: 'plain_text_input', value: count } },
    });

  it('runs once with the second approver; the first is counted, shown and audited; twice by one is refused', async () => {
    const msg = await planMessage(h, 'sync neo');
    const shown = (m: { blocks?: unknown }) => JSON.stringify(m.blocks ?? []);
    expect(shown(msg)).toContain('2 different approvers must each confirm by typing the count');

    await approveDeletes(APPROVER, msg);
    await h.slack.waitFor(() => h.slack.lastEphemeral(APPROVER)?.text.includes('Your approval is recorded'));
    expect(h.slack.lastEphemeral(APPROVER)?.text).toContain('when one more approver confirm');
    const once = await h.slack.waitFor(() => {
      const m = h.slack.message(CHANNEL, msg.ts);
      return m && shown(m).includes('Approved so far by') ? m : undefined;
    });
    expect(shown(once)).toMatch(/Approved so far by <@U0APPROVER> at [^)]+\(1 of 2\)/);
    // the other approvers are asked again, in the plan's thread
    await h.slack.waitFor(() =>
      h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.includes('approved so far by')),
    );
    expect(deletes()).toBe(0);

    // The same approver again: refused before any form opens, still nothing deleted.
    const forms = formsOpened();
    await approveDeletes(APPROVER, msg);
    expect(formsOpened()).toBe(forms);
    await h.slack.waitFor(() =>
      h.slack.lastEphemeral(APPROVER)?.text.includes('approved these deletes already'),
    );
    expect(deletes()).toBe(0);

    // Two clicks of the second approver at once: the deletes run once.
    await Promise.all([approveDeletes(APPROVER2, msg), approveDeletes(APPROVER2, msg)]);
    const done = await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Deletes done')),
      20_000,
    );
    expect(done.text).toContain(`${orphans.length} deleted`);
    expect(deletes()).toBe(orphans.length);
    const audit = h.app.services.repos.audit
      .latest(300)
      .filter(
        (e) =>
          e.action === 'approve_deletes' &&
          e.target === /"value":"([^"]+)"/.exec(JSON.stringify(msg.blocks))?.[1],
      );
    expect(audit.map((e) => [e.actor, e.outcome])).toEqual(
      expect.arrayContaining([
        [APPROVER, 'ok'],
        [APPROVER2, 'started'],
        [APPROVER2, 'ok'],
      ]),
    );
    expect(audit.find((e) => e.outcome === 'started')?.details).toContain(
      `approved by ${APPROVER}, ${APPROVER2}`,
    );
    expect(audit.filter((e) => e.outcome === 'started')).toHaveLength(1);
  });

  it('the CLI, one person, cannot approve it even with --force (exit 1, nothing deleted)', async () => {
    const more = orphans.map((id) => id.replace(/^9990/, '9991'));
    for (const id of more) h.clarify!.bundles.add({ name: `gone ${id}`, external_id: id });
    const { dir, env } = cliWorkspace(h.bc!, 'two-approvers', h.clarify!, '  approvals: 2\n');
    const out: string[] = [];
    const before = deletes();
    const code = await runCli(['sync', 'neo', '--approve-deletes', '--force'], {
      cwd: dir,
      env: { ...env, LOG_LEVEL: 'silent' },
      output: { out: (t) => out.push(t), err: (t) => out.push(t) },
    });
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('needs 2 different approvers (roles.approvals)');
    expect(deletes()).toBe(before);
  });
});
