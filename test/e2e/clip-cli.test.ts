import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { ManualClock } from '../../src/clock.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { cliWorkspace } from '../support/harness.js';

/** The terminal follows a clip to its end by polling, as the Slack card does. */
describe('clip from the CLI', () => {
  let bc: BrightcoveSim;
  let dir: string;
  let env: Record<string, string>;
  const clock = new ManualClock('2026-11-21T12:00:00Z');
  beforeAll(async () => {
    bc = await startBrightcoveSim({ clock, dataset: { videosPerAccount: 3, analyticsDays: 0 } });
    ({ dir, env } = cliWorkspace(bc, 'clip-cli'));
  });
  afterAll(async () => {
    await bc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (argv: string[]) => {
    const out: string[] = [];
    const done = runCli(argv, { env, cwd: dir, clock, output: { out: (t) => out.push(t), err: () => {} } });
    return { done, out };
  };

  it('waits for the clip and prints the finished video', async () => {
    const live = bc.data.liveJobs[0]!;
    const run = cli(['clip', live.id, 'last', '90s', '--name', 'From the terminal', '--json']);
    let code: number | undefined;
    void run.done.then((c) => {
      code = c;
    });
    // The tracker's polls sleep on the manual clock: step it until the command returns.
    for (let i = 0; i < 100 && code === undefined; i++) {
      await clock.advance(5_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(code).toBe(0);
    const ref = bc.data.vodJobs.at(-1)?.output.videocloud?.video.reference_id;
    const video = Object.values(bc.data.videos)
      .flat()
      .find((v) => v.reference_id === ref);
    expect(video).toBeDefined();
    expect(run.out.join('\n')).toContain(video!.id);
    expect(run.out.join('\n')).toMatch(/"state": "finished"/);
  });

  it('clip cancel stops a clip started with --no-wait, and says how to follow it', async () => {
    const live = bc.data.liveJobs[0]!;
    expect(await cli(['clip', live.id, 'last', '30s', '--no-wait']).done).toBe(0);
    const jvodId = bc.data.vodJobs.at(-1)!.jvod_id;
    const run = cli(['clip', 'cancel', jvodId]);
    expect(await run.done).toBe(0);
    expect(run.out.join('\n')).toContain(`Cancelling clip job ${jvodId}`);
    expect(run.out.join('\n')).toContain(`brightcove-ops clip status ${jvodId}`);
    expect(['cancelling', 'cancelled']).toContain(bc.data.vodJobs.at(-1)!.jvod_state);
  });

  it('clip credentials prints the labels as plain lines', async () => {
    const run = cli(['clip', 'credentials']);
    expect(await run.done).toBe(0);
    expect(run.out.join('\n')).toBe('Stored Live credentials (2):\ns3-clips  s3\nresearch-vc  videocloud');
  });

  it('--no-wait returns with the clip job id', async () => {
    const live = bc.data.liveJobs[0]!;
    const before = bc.data.vodJobs.length;
    const run = cli(['clip', live.id, 'last', '30s', '--no-wait']);
    expect(await run.done).toBe(0);
    expect(bc.data.vodJobs).toHaveLength(before + 1);
    expect(run.out.join('\n')).toContain(`Follow it with: clip status ${bc.data.vodJobs.at(-1)?.jvod_id}`);
  });
});
