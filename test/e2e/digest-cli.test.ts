import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { ManualClock } from '../../src/clock.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { ACCOUNT_IDS, sumViews } from '../../src/sim/data/index.js';
import { cliWorkspace } from '../support/harness.js';

/** The one-shot CLI has no scheduler: `digest add` stores the digest for the app, `digest run` runs it in place. */
describe('digest from the CLI', () => {
  let bc: BrightcoveSim;
  let dir: string;
  let env: Record<string, string>;
  const clock = new ManualClock('2026-11-21T12:00:00Z');
  beforeAll(async () => {
    bc = await startBrightcoveSim({ clock, dataset: { videosPerAccount: 10, analyticsDays: 14 } });
    ({ dir, env } = cliWorkspace(bc, 'digest-cli'));
    env.BRIGHTCOVE_OPS_OUT = join(dir, 'out');
  });
  afterAll(async () => {
    await bc.close();
  });

  const cli = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      env,
      cwd: dir,
      clock,
      output: { out: (t) => out.push(t), err: (t) => err.push(t) },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('add needs a channel outside Slack, then stores a cron digest; run posts the report and writes the chart', async () => {
    const noChannel = await cli(['digest', 'add', 'daily', '09:00', 'neo']);
    expect(noChannel.code).toBe(2);
    expect(noChannel.err).toContain('--channel');

    const added = await cli(['digest', 'add', 'cron', '0 9 * * 1-5', 'neo', '--channel', 'C0OPS', '--json']);
    expect(added.code).toBe(0);
    const record = JSON.parse(added.out) as { id: string; spec: string; tz: string; channel: string };
    expect(record).toMatchObject({ spec: 'cron "0 9 * * 1-5"', tz: 'Europe/London', channel: 'C0OPS' });
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      collections: Record<string, Array<{ id: string; action?: string }>>;
    };
    expect(state.collections.schedules?.map((s) => s.id)).toEqual([record.id]);

    const run = await cli(['digest', 'run', record.id]);
    expect(run.code).toBe(0);
    const views = sumViews(bc.data, { account: ACCOUNT_IDS.neo, from: '2026-11-14', to: '2026-11-20' });
    expect(run.out).toContain(`Views: ${views.toLocaleString('en-US')}`);
    expect(readdirSync(join(dir, 'out')).some((f) => f.endsWith('.png'))).toBe(true);

    const listed = await cli(['digest', 'list']);
    expect(listed.out).toContain(`${record.id}  cron "0 9 * * 1-5" (Europe/London), neo, last 7 days`);
    const removed = await cli(['digest', 'remove', record.id]);
    expect(removed.code).toBe(0);
    const after = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as typeof state;
    expect(after.collections.schedules ?? []).toEqual([]);
    const actions = (after.collections.audit ?? []).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['add', 'run', 'run (manual)', 'remove']));
  });
});
