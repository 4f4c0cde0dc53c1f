import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { openForm } from '../support/approve.js';
import { APPROVER, CHANNEL, cliWorkspace, type Harness, MEMBER, startHarness } from '../support/harness.js';
import { planMessage } from '../support/sync.js';

const hasButton = (m: SimMessage, id: string) => JSON.stringify(m.blocks).includes(`"action_id":"${id}"`);

/**
 * Mass deletes (issue 14): above the configured share of the account's records (20%) or count (500),
 * the Approve button gives way to a review whose form needs the count typed; a non-approver never
 * sees that form. The CLI needs --force.
 */
describe('sync: the mass-delete guard', () => {
  let h: Harness;
  const orphans = Array.from({ length: 12 }, (_, i) => `99900000003${String(i).padStart(2, '0')}`);
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
    for (const id of orphans) h.clarify!.bundles.add({ name: `gone ${id}`, external_id: id });
  });
  afterAll(async () => {
    await h?.close();
  });

  const deletes = () => h.clarify!.requests.filter((r) => r.method === 'DELETE').length;
  const formsOpened = () => h.slack.callsTo('views.open').length;

  it('replaces Approve with a review that needs the count typed, after the role check', async () => {
    const msg = await planMessage(h, 'sync neo');
    expect(JSON.stringify(msg.blocks)).toContain('Mass delete');
    expect(hasButton(msg, 'sync.approve_deletes')).toBe(false);
    expect(hasButton(msg, 'sync.confirm_deletes')).toBe(true);

    // A member is refused before any form opens; a crafted approve click is refused too.
    await h.slack.click(MEMBER, 'sync.confirm_deletes', msg);
    await h.slack.waitFor(() => h.slack.lastEphemeral(MEMBER)?.text.includes('Only approvers'));
    expect(formsOpened()).toBe(0);
    const crafted = {
      ...msg,
      blocks: JSON.parse(JSON.stringify(msg.blocks).replace('sync.confirm_deletes', 'sync.approve_deletes')),
    };
    // A crafted Approve click gets the same typed-count form, never a one-click delete.
    const craftedForm = await openForm(
      h.slack,
      APPROVER,
      'sync.approve_deletes',
      'sync.confirm_deletes',
      crafted,
    );
    expect(JSON.stringify(craftedForm?.view.blocks)).toContain(`Type ${orphans.length} to confirm`);
    expect(deletes()).toBe(0);

    await h.slack.click(APPROVER, 'sync.confirm_deletes', msg);
    const view = await h.slack.waitFor(() =>
      [...h.slack.views.values()].find((v) => v.view.callback_id === 'sync.confirm_deletes'),
    );
    const typed = (value: string) => ({ count: { count: { type: 'plain_text_input', value } } });
    const wrong = await h.slack.submitView(APPROVER, view.id, typed('11'));
    expect(JSON.parse(wrong.body).errors.count).toContain(`Type ${orphans.length}`);
    expect(deletes()).toBe(0);

    await h.slack.submitView(APPROVER, view.id, typed(String(orphans.length)));
    const done = await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Deletes done')),
      20_000,
    );
    expect(done.text).toContain(`${orphans.length} deleted`);
    expect(deletes()).toBe(orphans.length);
    const audit = h.app.services.repos.audit.latest(200);
    expect(
      audit.some(
        (e) =>
          e.action === 'approve_deletes' && e.details === `mass delete confirmed by typing ${orphans.length}`,
      ),
    ).toBe(true);
  });

  it('the CLI refuses a mass delete without --force (exit 1, nothing deleted), and does it with --force', async () => {
    const more = orphans.map((id) => id.replace(/^9990/, '9991'));
    for (const id of more) h.clarify!.bundles.add({ name: `gone ${id}`, external_id: id });
    const { dir, env } = cliWorkspace(h.bc!, 'mass', h.clarify!);
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const code = await runCli(argv, {
        cwd: dir,
        env: {
          ...env,
          LOG_LEVEL: 'silent',
        },
        output: { out: (t) => out.push(t), err: (t) => out.push(t) },
      });
      return { code, text: out.join('\n') };
    };
    const before = deletes();
    const refused = await run(['sync', 'neo', '--approve-deletes']);
    expect(refused.code).toBe(1);
    expect(refused.text).toContain('--approve-deletes --force');
    expect(deletes()).toBe(before);
    const forced = await run(['sync', 'neo', '--approve-deletes', '--force']);
    expect(forced.code).toBe(0);
    expect(deletes() - before).toBe(more.length);
  });
});
