import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../src/clock.js';
import {
  type BrightcoveSim,
  type BrightcoveSimOptions,
  startBrightcoveSim,
} from '../../src/sim/brightcove/index.js';
import { type ClarifySim, startClarifySim } from '../../src/sim/clarify/index.js';
import { simEnv } from '../../src/sim/env.js';
import { type SimMessage, type SlackSim, startSlackSim } from '../../src/sim/slack/index.js';
import { PgStore } from '../../src/store/postgres.js';
import { FileStore, type Store } from '../../src/store/store.js';
import { CHANNEL, OPERATOR, SIGNING_SECRET, simYaml } from './harness.js';
import { createTestDatabase } from './postgres.js';

/** A real app process (`node --import tsx src/main.ts`), HTTP mode, on the world's state file. */
export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** stderr lines (the JSON log) */
  logs: string[];
  /** SIGKILL: no shutdown, no flush (a crash) */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Simulators plus one state file shared by real processes: apps started with `startApp`, CLIs run
 * with `cli`. What the cross-process and crash tests need (issue 14: two apps, an app and a CLI,
 * kill -9 mid-Apply).
 */
export interface World {
  /** the simulators' domain clock (clip progress, token expiry); the apps run on real time */
  clock: ManualClock;
  bc: BrightcoveSim;
  clarify: ClarifySim;
  slack: SlackSim;
  dir: string;
  statePath: string;
  env: Record<string, string>;
  startApp(extraEnv?: Record<string, string>): Promise<AppProcess>;
  /** the state as a new process would read it (the state file, or the database under BCOPS_TEST_STORE=postgres) */
  state(): Promise<Store>;
  /** the database URL the apps share, when the state is in PostgreSQL */
  databaseUrl?: string;
  close(): Promise<void>;
}

const CHILD_ENV = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  TMPDIR: tmpdir(),
});

export async function startWorld(extraYaml = '', bcOptions: BrightcoveSimOptions = {}): Promise<World> {
  // The apps run on real time; the simulators start there too, so timestamps the app compares with
  // Brightcove's (a clip job's created_at against its own intent) agree as a real host's clock would.
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000).toISOString());
  const slack = await startSlackSim({ clock, channels: { [CHANNEL]: 'video-ops' } });
  const bc = await startBrightcoveSim({ clock, ...bcOptions });
  // Real time for Clarify: its latency must pass while the apps run (the manual clock never moves).
  const clarify = await startClarifySim({ clock: systemClock });
  const dir = mkdtempSync(join(tmpdir(), 'bcops-procs-'));
  writeFileSync(join(dir, 'brightcove-ops.yml'), simYaml(bc, extraYaml));
  const statePath = join(dir, 'state.json');
  // The e2e-postgres project runs these same processes on one database instead of one file.
  const db = process.env.BCOPS_TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
  const opened: Store[] = [];
  const env: Record<string, string> = {
    ...CHILD_ENV(),
    BRIGHTCOVE_OPS_CONFIG: join(dir, 'brightcove-ops.yml'),
    BRIGHTCOVE_OPS_STATE: statePath,
    ...(db ? { BRIGHTCOVE_OPS_DATABASE_URL: db.url } : {}),
    ...simEnv(bc, clarify),
    LOG_LEVEL: 'info',
  };
  const apps: AppProcess[] = [];
  return {
    clock,
    bc,
    clarify,
    slack,
    dir,
    statePath,
    env,
    async startApp(extraEnv = {}) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...env,
          SLACK_BOT_TOKEN: slack.botToken,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.apiUrl,
          PORT: '0',
          HOST: '127.0.0.1',
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const logs: string[] = [];
      let buffered = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`app did not start: ${logs.join('\n')}`)), 30_000);
        child.stderr!.on('data', (d: Buffer) => {
          buffered += d.toString('utf8');
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            logs.push(line);
            const m = /"msg":"brightcove-ops started".*"port":(\d+)/.exec(line);
            if (m) {
              clearTimeout(timer);
              resolve(Number(m[1]));
            }
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`app exited with ${code}: ${logs.join('\n')}`));
        });
      });
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const app: AppProcess = {
        url: `http://127.0.0.1:${port}`,
        child,
        logs,
        async kill9() {
          child.kill('SIGKILL');
          await exited;
        },
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          await exited;
        },
      };
      apps.push(app);
      return app;
    },
    ...(db ? { databaseUrl: db.url } : {}),
    async state() {
      const s: Store = db
        ? await PgStore.open({
            url: db.url,
            pool_size: 2,
            connect_timeout_ms: 5_000,
            statement_timeout_ms: 30_000,
          })
        : await FileStore.open(statePath);
      opened.push(s);
      return s;
    },
    async close() {
      for (const a of apps) await a.kill9().catch(() => undefined);
      await slack.close();
      await bc.close();
      await clarify.close();
      for (const s of opened) await s.close().catch(() => undefined);
      await db?.drop();
      // With a database URL the state file is neither read nor written, though BRIGHTCOVE_OPS_STATE is set.
      if (db && existsSync(statePath))
        throw new Error(`${statePath} was written while the state was in PostgreSQL`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `brightcove-ops <args>` as a child process on the world's state. */
export function runCli(
  world: World,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCliWith(args, { ...world.env, USER: 'ana', LOG_LEVEL: 'warn' });
}

/** Runs `brightcove-ops <args>` as a user runs it: a child process, no TTY, this environment only. */
export function runCliWith(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `pred` (real time) until it holds: for conditions outside the Slack simulator's change events. */
export async function until<T>(
  pred: () => T | undefined | false | null,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `/brightcove sync <account>` on `app` and waits until its message carries the plan. */
export async function planOn(w: World, app: AppProcess, account = 'neo'): Promise<SimMessage> {
  w.slack.connectApp(`${app.url}/slack/events`, SIGNING_SECRET);
  const before = w.slack.channelMessages(CHANNEL).length;
  const res = await w.slack.slashCommand(`sync ${account}`, OPERATOR, CHANNEL);
  if (res.status !== 200) throw new Error(`sync answered ${res.status}`);
  return w.slack.waitFor(
    () =>
      w.slack
        .channelMessages(CHANNEL)
        .slice(before)
        .find((m) => m.text.includes('(plan ')),
    30_000,
    `plan for ${account}`,
  );
}
