import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { AuditEntry } from '../../src/store/repositories.js';
import { FileStore } from '../../src/store/store.js';
import { approveDeletes } from '../support/approve.js';
import { APPROVER, CHANNEL, cliWorkspace, type Harness, startHarness } from '../support/harness.js';
import { planMessage } from '../support/sync.js';

/**
 * Issue 15: Slack and the CLI call the same sync service, so an approved delete is audited alike
 * whichever surface approved it: the same entries, with the same actions, outcomes and details.
 */
describe('sync audit: Slack and the CLI write the same entries', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** What an entry says, without who, when, or which records (those differ by construction). */
  const shape = (entries: readonly AuditEntry[], ids: string[]) =>
    entries
      .filter((e) => e.command === 'sync' && e.action !== 'run')
      .map((e) => {
        const plain = (s: string | undefined) =>
          ids
            .reduce((t, id, i) => t.replaceAll(id, `<video ${i}>`), s ?? '')
            .replace(/\bplan_[0-9a-z]+\b|\b[0-9a-f]{32}\b/g, '<id>');
        return `${plain(e.action)} · ${e.outcome} · ${plain(e.target)} · ${plain(e.details)}`;
      })
      .sort();

  it('approved deletes: per-record entries and the phase outcome match', async () => {
    const slackIds = ['999000000050', '999000000051', '999000000052'];
    const cliIds = ['999000000060', '999000000061', '999000000062'];
    for (const id of slackIds) h.clarify!.bundles.add({ name: `gone ${id}`, external_id: id });
    const before = h.app.services.repos.audit.latest(1000).length;
    const plan = await planMessage(h, 'sync neo');
    await approveDeletes(h.slack, APPROVER, plan);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith('Deletes done')),
      20_000,
    );
    const slackEntries = h.app.services.repos.audit.latest(1000).slice(0, -before || undefined);

    for (const id of cliIds) h.clarify!.bundles.add({ name: `gone ${id}`, external_id: id });
    const { dir, env } = cliWorkspace(h.bc!, 'parity', h.clarify!);
    const code = await runCli(['sync', 'neo', '--approve-deletes'], {
      cwd: dir,
      env: {
        ...env,
        LOG_LEVEL: 'silent',
      },
      output: { out: () => undefined, err: () => undefined },
    });
    expect(code).toBe(0);
    const cliEntries = (await FileStore.open(join(dir, 'state.json'))).collection<AuditEntry>('audit').all();

    const slackShape = shape(slackEntries, slackIds);
    expect(slackShape.filter((l) => l.startsWith('delete'))).toHaveLength(slackIds.length);
    expect(shape(cliEntries, cliIds)).toEqual(slackShape);
  });
});
