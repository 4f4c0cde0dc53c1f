import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigestRecord } from '../../src/analytics/service.js';
import { startApp } from '../../src/app.js';
import type { ManualClock } from '../../src/clock.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { createLogger } from '../../src/log.js';
import { ACCOUNT_IDS, sumViews } from '../../src/sim/data/index.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { CHANNEL, type Harness, MEMBER, OPERATOR, SIGNING_SECRET, startHarness } from '../support/harness.js';

const MIN = 60_000;

/** Digest summaries posted since message index `from` (the progress message is replaced by the summary). */
function digestPosts(h: Harness, from = 0): SimMessage[] {
  return h.slack.messages
    .slice(from)
    .filter(
      (m) => m.channel === CHANNEL && !m.threadTs && /digest: /.test(m.text) && m.text.includes('Views'),
    );
}

async function settle(h: Harness): Promise<void> {
  await h.app.services.schedules.scheduler.idle();
  // the chart upload happens inside the run; flush posted updates
  await new Promise((r) => setImmediate(r));
}

describe('digests end to end with the manual clock', () => {
  let h: Harness;
  let clock: ManualClock;
  let id = '';
  beforeAll(async () => {
    // 2026-11-21T12:00Z = 07:00 in New York (EST, UTC−5)
    h = await startHarness({ brightcove: { dataset: { videosPerAccount: 15, analyticsDays: 30 } } });
    clock = h.clock as ManualClock;
  });
  afterAll(async () => {
    await h.close();
  });

  it('members cannot add digests; operators can, and the spec and zone are validated first', async () => {
    const refused = await h.ephemeralAfter('digest add daily 09:00 neo', MEMBER);
    expect(refused).toContain('Only operators');
    for (const [text, expected] of [
      ['digest add daily 9am neo', '"9am" is not a time'],
      ['digest add daily 25:00 neo', 'hours go from 00 to 23'],
      ['digest add weekly someday 09:00', 'is not a day of the week'],
      ['digest add cron "61 * * * *" neo', 'Cron "61 * * * *" is not valid'],
      ['digest add daily 09:00 neo --tz Mars/Olympus', '"Mars/Olympus" is not a time zone'],
      ['digest add daily 09:00 nosuch', 'Unknown account or group `nosuch`'],
      ['digest add daily 09:00 neo research', 'at most one account'],
      ['digest frobnicate', '"frobnicate" is not a digest action'],
      ['digest remove', 'needs one digest id'],
      ['digest remove dg_nope', 'No digest `dg_nope`'],
    ] as const) {
      expect(await h.ephemeralAfter(text, OPERATOR), text).toContain(expected);
    }
    expect(h.app.services.repos.schedules.all()).toHaveLength(0);
  });

  it('add stores the digest and schedules it in its zone', async () => {
    const before = h.slack.messages.length;
    await h.command('digest add daily 09:00 neo --tz America/New_York --days 7', OPERATOR);
    const confirm = await h.slack.waitFor(
      () =>
        h.slack.messages.slice(before).find((m) => m.text.startsWith('Digest ') && m.text.includes('added')),
      10_000,
      'digest confirmation',
    );
    const records = h.app.services.repos.schedules.all() as DigestRecord[];
    expect(records).toHaveLength(1);
    const d = records[0]!;
    id = d.id;
    expect(d).toMatchObject({
      kind: 'digest',
      spec: 'daily 09:00',
      tz: 'America/New_York',
      channel: CHANNEL,
      createdBy: OPERATOR,
      createdAt: '2026-11-21T12:00:00.000Z',
      data: { scope: 'neo', days: 7 },
    });
    // 09:00 EST today is 14:00Z
    expect(confirm.text).toContain('first run 2026-11-21T14:00:00.000Z');
    expect(h.app.services.schedules.scheduler.get(id)?.nextRunAt.toISOString()).toBe(
      '2026-11-21T14:00:00.000Z',
    );
    const list = await h.ephemeralAfter('digest list', MEMBER);
    expect(list).toContain(id);
    expect(list).toContain('every day at 09:00 (America/New_York)');
    const audit = h.app.services.repos.audit.latest(10);
    expect(audit.some((e) => e.command === 'digest' && e.action === 'add' && e.target === id)).toBe(true);
  });

  it('runs at the right minute in the zone, once', async () => {
    const sched = h.app.services.schedules.scheduler;
    const before = h.slack.messages.length;
    await clock.set('2026-11-21T13:59:00Z');
    expect(sched.tick()).toEqual([]);
    await clock.advance(MIN);
    expect(sched.tick()).toEqual([id]);
    // a second tick in the same minute (or a late one) does not run it again
    expect(sched.tick()).toEqual([]);
    await settle(h);
    const posts = await h.slack.waitFor(
      () => {
        const p = digestPosts(h, before);
        return p.length > 0 ? p : undefined;
      },
      10_000,
      'digest post',
    );
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.text).toContain('Daily digest: neo');
    // the last 7 complete days in New York: Nov 14–20
    const views = sumViews(h.bc!.data, { account: ACCOUNT_IDS.neo, from: '2026-11-14', to: '2026-11-20' });
    expect(post.text).toContain(`Views: ${views.toLocaleString('en-US')}`);
    const chart = await h.slack.waitFor(
      () => [...h.slack.files.values()].find((f) => f.threadTs === post.ts && f.filename.endsWith('.png')),
      10_000,
      'digest chart',
    );
    expect(chart.content.length).toBeGreaterThan(10_000);
    await clock.advance(30 * MIN);
    expect(sched.tick()).toEqual([]);
    expect(sched.get(id)?.nextRunAt.toISOString()).toBe('2026-11-22T14:00:00.000Z');
    const audit = h.app.services.repos.audit.latest(20);
    expect(
      audit.filter((e) => e.command === 'digest' && e.action === 'run (scheduled)' && e.target === id),
    ).toHaveLength(1);
  });

  it('overlapping runs are refused; digest run <id> runs it now', async () => {
    const schedules = h.app.services.schedules;
    const before = h.slack.messages.length;
    expect(schedules.runNow(id)).toBe('started');
    expect(schedules.runNow(id)).toBe('already-running');
    // its slot coming due while it runs is skipped, not queued
    await clock.set('2026-11-22T14:00:00Z');
    expect(schedules.scheduler.tick()).toEqual([]);
    await settle(h);
    expect(digestPosts(h, before)).toHaveLength(1);

    const before2 = h.slack.messages.length;
    const reply = await h.ephemeralAfter(`digest run ${id}`, MEMBER);
    expect(reply).toContain(`Running digest ${id} now`);
    await settle(h);
    await h.slack.waitFor(() => digestPosts(h, before2)[0], 10_000, 'manual digest post');
    const audit = h.app.services.repos.audit.latest(50);
    expect(audit.some((e) => e.action === 'run' && e.target === id && e.actor === MEMBER)).toBe(true);
    expect(audit.some((e) => e.action === 'run (manual)' && e.target === id && e.outcome === 'ok')).toBe(
      true,
    );
  });

  it('a failed run posts what went wrong and what to do', async () => {
    h.bc!.faults.errorRate = 1;
    const before = h.slack.messages.length;
    try {
      expect(h.app.services.schedules.runNow(id)).toBe('started');
      await settle(h);
    } finally {
      h.bc!.faults.errorRate = 0;
    }
    const failed = await h.slack.waitFor(
      () => h.slack.messages.slice(before).find((m) => m.channel === CHANNEL && m.text.includes('failed')),
      10_000,
      'failure post',
    );
    expect(failed.text).toContain(`Digest ${id} failed`);
    expect(failed.text).toContain('503');
    expect(failed.text).toContain('try again in a few minutes');
    expect(failed.text).toContain(`/brightcove digest run ${id}`);
    const audit = h.app.services.repos.audit.latest(10);
    expect(audit.some((e) => e.action === 'run (manual)' && e.outcome === 'failed')).toBe(true);
  });

  it('a digest missed while the app was down runs once at start, never twice', async () => {
    const store = h.app.services.store;
    // last ran just now (the manual runs); the app stops before the next slot
    await h.app.stop();
    await clock.set('2026-11-25T10:00:00Z'); // three daily slots (22nd–24th 14:00Z) missed
    const before = h.slack.messages.length;
    const logs: string[] = [];
    const app = await startApp({
      config: h.config,
      clock,
      logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
      store,
      host: '127.0.0.1',
      updateIntervalMs: 10,
      botIds: { botId: h.slack.botId, botUserId: h.slack.botUserId },
      ticker: () => ({ stop() {} }),
      dispatcher: createHttpDispatcher({ retry: { maxRetries: 4, minTimeoutMs: 1, maxTimeoutMs: 5 } }),
    });
    h.app = app;
    h.slack.connectApp(`${app.url}/slack/events`, SIGNING_SECRET);
    const sched = app.services.schedules.scheduler;
    // start() already ran the catch-up
    expect(sched.isRunning(id)).toBe(true);
    expect(sched.tick()).toEqual([]);
    await settle(h);
    await h.slack.waitFor(() => digestPosts(h, before)[0], 10_000, 'catch-up post');
    expect(sched.tick()).toEqual([]);
    await clock.advance(60 * MIN);
    expect(sched.tick()).toEqual([]);
    await settle(h);
    expect(digestPosts(h, before)).toHaveLength(1);
    const audit = app.services.repos.audit.latest(50);
    expect(audit.filter((e) => e.action === 'run (catch-up)' && e.target === id)).toHaveLength(1);
    // next regular slot: today 09:00 New York
    expect(sched.get(id)?.nextRunAt.toISOString()).toBe('2026-11-25T14:00:00.000Z');
  });

  it('remove unschedules the digest and is audited', async () => {
    await h.command(`digest remove ${id}`, OPERATOR);
    await h.slack.waitFor(
      () =>
        h.slack.messages.find(
          (m) => m.text === `Digest ${id} removed (every day at 09:00 (America/New_York), neo, last 7 days).`,
        ),
      10_000,
      'removal post',
    );
    expect(h.app.services.repos.schedules.get(id)).toBeUndefined();
    expect(h.app.services.schedules.scheduler.get(id)).toBeUndefined();
    await clock.set('2026-11-26T14:00:00Z');
    expect(h.app.services.schedules.scheduler.tick()).toEqual([]);
    const audit = h.app.services.repos.audit.latest(10);
    expect(audit.some((e) => e.command === 'digest' && e.action === 'remove' && e.target === id)).toBe(true);
  });
});

describe('digest across a DST change', () => {
  let h: Harness;
  beforeAll(async () => {
    // US clocks go forward on 2026-03-08: 09:00 New York is 14:00Z before, 13:00Z after.
    const { ManualClock } = await import('../../src/clock.js');
    h = await startHarness({
      clock: new ManualClock('2026-03-07T12:00:00Z'),
      brightcove: { dataset: { videosPerAccount: 5, analyticsDays: 8 } },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('keeps 09:00 wall time on both sides of the change', async () => {
    const clock = h.clock as ManualClock;
    await h.command('digest add daily 09:00 research --tz America/New_York --days 1', OPERATOR);
    const d = await h.slack.waitFor(() => h.app.services.repos.schedules.all()[0], 10_000, 'digest stored');
    const sched = h.app.services.schedules.scheduler;
    await clock.set('2026-03-07T13:59:00Z');
    expect(sched.tick()).toEqual([]);
    await clock.set('2026-03-07T14:00:00Z');
    expect(sched.tick()).toEqual([d.id]);
    await settle(h);
    expect(sched.get(d.id)?.nextRunAt.toISOString()).toBe('2026-03-08T13:00:00.000Z');
    await clock.set('2026-03-08T12:59:00Z');
    expect(sched.tick()).toEqual([]);
    await clock.set('2026-03-08T13:00:00Z');
    expect(sched.tick()).toEqual([d.id]);
    await settle(h);
    const runs = h.app.services.repos.audit
      .latest(20)
      .filter((e) => e.action === 'run (scheduled)' && e.target === d.id);
    expect(runs.map((e) => e.at).sort()).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
  });
});
