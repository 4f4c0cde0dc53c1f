import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { CHANNEL, type Harness, startHarness } from '../support/harness.js';

const hasButton = (blocks: unknown, id: string) => JSON.stringify(blocks).includes(`"action_id":"${id}"`);

describe('scheduled sync from the config', () => {
  let h: Harness;
  const orphan = '9990000000077';

  beforeAll(async () => {
    h = await startHarness({
      brightcove: true,
      clarify: true,
      extraYaml: `sync:\n  schedules:\n    - { account: neo, cron: "0 6 * * *", channel: ${CHANNEL}, auto_apply: true }\n`,
    });
    h.clarify!.bundles.add({ name: `gone ${orphan}`, external_id: orphan });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs at 06:00 in the config zone, applies creates and updates, and leaves deletes for an approver', async () => {
    const clock = h.clock as ManualClock;
    const scheduler = h.app.services.schedules.scheduler;
    const plans = () => h.slack.channelMessages(CHANNEL).filter((m) => m.text.includes('(plan '));

    await clock.set('2026-11-22T05:59:00Z');
    scheduler.tick();
    await scheduler.idle();
    expect(plans()).toHaveLength(0);

    // Europe/London is on UTC in November.
    await clock.set('2026-11-22T06:00:00Z');
    scheduler.tick();
    scheduler.tick();
    const plan = await h.slack.waitFor(() => plans()[0], 15_000, 'scheduled plan');
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, plan.ts).find((m) => m.text.startsWith('Creates and updates done')),
      15_000,
      'auto-applied summary',
    );
    await scheduler.idle();
    expect(plans()).toHaveLength(1);

    const creates = h.clarify!.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/bundles'),
    ).length;
    expect(creates).toBeGreaterThan(0);
    // The orphan waits for a human: not deleted, and the button is still there.
    expect(h.clarify!.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(h.clarify!.bundles.byExternalId(orphan)).toHaveLength(1);
    expect(hasButton(h.slack.message(CHANNEL, plan.ts)?.blocks, 'sync.approve_deletes')).toBe(true);
  });
});
