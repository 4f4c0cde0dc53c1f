import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveDeletes } from '../support/approve.js';
import { APPROVER, APPROVER2, CHANNEL, type Harness, startHarness } from '../support/harness.js';
import { planMessage } from '../support/sync.js';

describe('/brightcove sync with four-eyes approval', () => {
  let h: Harness;
  const orphan = '9990000000099';

  beforeAll(async () => {
    // Appended under the `roles:` block the harness writes last.
    h = await startHarness({ brightcove: true, clarify: true, extraYaml: '  four_eyes: true\n' });
    h.clarify!.bundles.add({ name: `gone ${orphan}`, external_id: orphan });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the approver who ran the sync cannot approve its deletes; another approver can', async () => {
    expect(h.app.services.roles.fourEyes).toBe(true);
    const msg = await planMessage(h, 'sync neo', APPROVER);
    const deletes = () => h.clarify!.requests.filter((r) => r.method === 'DELETE').length;

    await h.slack.click(APPROVER, 'sync.approve_deletes', msg);
    await h.slack.waitFor(() => h.slack.lastEphemeral(APPROVER)?.text.includes('Four-eyes rule'));
    expect(deletes()).toBe(0);
    expect(h.clarify!.bundles.byExternalId(orphan)).toHaveLength(1);

    await approveDeletes(h.slack, APPROVER2, msg);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Deletes done')),
      15_000,
      'deletes summary',
    );
    expect(deletes()).toBe(1);
    expect(h.clarify!.bundles.byExternalId(orphan)).toHaveLength(0);
    const audit = h.app.services.repos.audit.latest(50);
    expect(
      audit.some((a) => a.actor === APPROVER && a.action === 'approve_deletes' && a.outcome === 'refused'),
    ).toBe(true);
  });
});
