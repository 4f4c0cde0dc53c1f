import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { cliWorkspace } from '../support/harness.js';

/** The terminal has no Share anyway button: warnings stop the share unless --yes confirms it up front. */
describe('share from the CLI', () => {
  let bc: BrightcoveSim;
  let ws: ReturnType<typeof cliWorkspace>;
  beforeAll(async () => {
    bc = await startBrightcoveSim({ dataset: { videosPerAccount: 2, analyticsDays: 0 }, shareDelayMs: 0 });
    ws = cliWorkspace(bc, 'share');
  });
  afterAll(() => bc.close());

  const cli = async (args: string[], answer?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const asked: string[] = [];
    const code = await runCli(args, {
      cwd: ws.dir,
      env: { ...ws.env, LOG_LEVEL: 'warn' },
      output: {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        // a person at a TTY answering the prompt
        ...(answer === undefined
          ? {}
          : {
              ask: async (q: string) => {
                asked.push(q);
                return answer;
              },
            }),
      },
    });
    return { code, out: out.join('\n'), err: err.join('\n'), asked };
  };

  it('with warnings: refused with a hint (exit 1, nothing shared), then shared with --yes', async () => {
    const neo = bc.data.accounts.find((a) => a.alias === 'neo')!.id;
    const video = bc.cms.addVideo(neo, {
      name: 'Otters',
      reference_id: 'cli-share-1',
      custom_fields: {},
      complete: true,
    });
    const posts = () =>
      bc.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/videos/${video.id}/shares`)).length;
    const first = await cli(['share', video.id, 'to', 'neo-north']);
    expect(first.code).toBe(0);
    expect(posts()).toBe(1);

    const again = await cli(['share', video.id, 'to', 'neo-north']);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/Already shared to Neo North/);
    expect(again.err).toContain('--yes');
    expect(`${again.out}${again.err}`).not.toMatch(/\[Share anyway\]|:warning:|\*Share anyway\*/);
    expect(posts()).toBe(1);

    const yes = await cli(['share', video.id, 'to', 'neo-north', '--yes']);
    expect(yes.code, yes.err).toBe(0);
    expect(posts()).toBe(2);
    expect(yes.out).toMatch(/Neo North: shared as/);

    // At a terminal the same warnings are a y/N prompt: "n" shares nothing, "y" shares.
    const no = await cli(['share', video.id, 'to', 'neo-north'], 'n');
    expect(no.asked).toEqual(['Share anyway, despite the warnings above? [y/N] ']);
    expect(no.code).toBe(1);
    expect(posts()).toBe(2);
    const answered = await cli(['share', video.id, 'to', 'neo-north'], 'y');
    expect(answered.code, answered.err).toBe(0);
    expect(posts()).toBe(3);
  }, 60_000);
});
