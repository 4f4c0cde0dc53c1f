import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingRecord } from '../../src/store/repositories.js';
import { openForm } from '../support/approve.js';
import { APPROVER, APPROVER2, CHANNEL, OPERATOR, SIGNING_SECRET } from '../support/harness.js';
import { planOn, runCli, startWorld, until, type World } from '../support/processes.js';

/**
 * Real processes on one state file (issue 14): two app instances, and the app next to a CLI run.
 * Before the state store took a lock and merged per record, one approve click on each app ran the
 * deletes twice and the last process to write lost the other's audit entries and plans.
 */
describe('two processes on one state file', () => {
  let w: World;
  const orphans = ['9990000000101', '9990000000102', '9990000000103', '9990000000104'];

  beforeAll(async () => {
    w = await startWorld();
    for (const id of orphans) w.clarify.bundles.add({ name: `gone ${id}`, external_id: id });
  });
  afterAll(async () => {
    await w?.close();
  });

  const deletes = () => w.clarify.requests.filter((r) => r.method === 'DELETE');

  it('one approve click on each of two apps runs the deletes once; both sides keep their audit entries', async () => {
    const a = await w.startApp();
    const plan = await planOn(w, a);
    // The second instance starts after the plan exists (a rolling deploy, a second replica).
    const b = await w.startApp();
    // Each approver's click opens the confirmation on a different app; both are sent at once.
    w.slack.connectApp(`${a.url}/slack/events`, SIGNING_SECRET);
    const formA = await openForm(w.slack, APPROVER, 'sync.approve_deletes', 'sync.confirm_deletes', plan);
    w.slack.connectApp(`${b.url}/slack/events`, SIGNING_SECRET);
    const formB = await openForm(w.slack, APPROVER2, 'sync.approve_deletes', 'sync.confirm_deletes', plan);
    w.slack.connectApp(`${a.url}/slack/events`, SIGNING_SECRET);
    const clickA = w.slack.submitView(APPROVER, formA!.id, {});
    w.slack.connectApp(`${b.url}/slack/events`, SIGNING_SECRET);
    const clickB = w.slack.submitView(APPROVER2, formB!.id, {});
    expect((await clickA).status).toBe(200);
    expect((await clickB).status).toBe(200);
    await w.slack.waitFor(
      () => w.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith('Deletes done')),
      30_000,
    );
    await w.slack.waitFor(() =>
      [APPROVER, APPROVER2].some((u) => w.slack.lastEphemeral(u)?.text.includes('Already approved')),
    );
    expect(deletes()).toHaveLength(orphans.length);
    expect(w.slack.thread(CHANNEL, plan.ts).filter((m) => m.text.startsWith('Deletes done'))).toHaveLength(1);

    await a.stop();
    await b.stop();
    const state = await w.state();
    const audit = state
      .collection<{ id: string; action: string; outcome: string; actor: string }>('audit')
      .all();
    expect(audit.filter((e) => e.action.startsWith('delete bundle'))).toHaveLength(orphans.length);
    // The losing click's refusal was written by the other process: it survived too.
    expect(audit.some((e) => e.action === 'approve_deletes' && e.outcome === 'refused')).toBe(true);
    expect(audit.filter((e) => e.action === 'approve_deletes' && e.outcome === 'started')).toHaveLength(1);
  }, 120_000);

  it('a CLI sync next to a running app loses none of the records the app writes meanwhile', async () => {
    const app = await w.startApp();
    w.slack.connectApp(`${app.url}/slack/events`, SIGNING_SECRET);
    const research = w.bc.data.accounts.find((a) => a.alias === 'research')!.id;
    const listed = () => w.bc.requests.filter((r) => r.api === 'cms' && r.account === research).length;
    const before = listed();
    // A slow CMS keeps the CLI busy after it has read the state file.
    w.bc.runtime.faults.latencyMs = 400;
    const cli = runCli(w, ['sync', 'research', '--json']);
    await until(() => listed() > before, 30_000, 'the CLI listing research');
    // While the CLI lists and plans, the app makes plans and audit entries of its own.
    for (const account of ['neo-north', 'neo-south'])
      expect((await w.slack.slashCommand(`sync ${account}`, OPERATOR, CHANNEL)).status).toBe(200);
    const done = await cli;
    w.bc.runtime.faults.latencyMs = 0;
    expect(done.code).toBe(0);
    const cliPlan = (JSON.parse(done.stdout) as { plan: string }).plan;
    await w.slack.waitFor(
      () =>
        w.slack.channelMessages(CHANNEL).filter((m) => /neo-(north|south).*\(plan /.test(m.text)).length >= 2,
      30_000,
    );
    await app.stop();
    const state = await w.state();
    const plans = state.collection<PendingRecord<{ account: { alias: string } }>>('pending').all();
    const aliases = plans.map((p) => p.data.account.alias);
    expect(aliases).toEqual(expect.arrayContaining(['neo-north', 'neo-south', 'research']));
    expect(plans.some((p) => p.id === cliPlan)).toBe(true);
    const audit = state
      .collection<{ id: string; actor: string; action: string; target?: string }>('audit')
      .all();
    expect(audit.some((e) => e.action === 'plan' && e.target === cliPlan)).toBe(true);
    expect(audit.filter((e) => e.action === 'plan' && e.actor === OPERATOR).length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
