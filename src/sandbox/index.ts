import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApp, startApp } from '../app.js';
import { type Clock, systemClock } from '../clock.js';
import { loadConfig } from '../config/load.js';
import { usageHint } from '../core/help.js';
import { createHttpDispatcher } from '../http/dispatcher.js';
import { type Logger, registerSecret, silentLogger } from '../log.js';
import { type BrightcoveSim, startBrightcoveSim } from '../sim/brightcove/index.js';
import { type ClarifySim, startClarifySim } from '../sim/clarify/index.js';
import { simEnv } from '../sim/env.js';
import { type SlackSim, startSlackSim } from '../sim/slack/index.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';
import {
  demoDataset,
  SANDBOX_CHANNEL,
  SANDBOX_USERS,
  type SeedSummary,
  sandboxYaml,
  seedClarify,
} from './world.js';

/**
 * The local sandbox (issue 9): simulated Brightcove (OAuth, CMS, Analytics, Live) and Clarify with a
 * demo dataset, the Slack simulator, the real app in HTTP mode against them, and a browser console
 * that speaks Slack through the simulator's user side.
 */

interface SandboxOptions {
  logger: Logger;
  /** console port (default PORT or 3000; 0 = any free port) */
  port?: number;
  /** console bind address (default HOST or 127.0.0.1: the sandbox is for this machine) */
  host?: string;
  clock?: Clock;
  /** where the app's state lives (default: a fresh temp dir, removed on close) */
  stateDir?: string;
  /** print the banner (default true) */
  banner?: boolean;
  /** install SIGINT/SIGTERM handlers that close everything (default: true when banner is printed) */
  handleSignals?: boolean;
  /** live clip jobs advance on this real-time interval (default 1000 ms) */
  autoTickMs?: number;
}

export interface RunningSandbox {
  url: string;
  slack: SlackSim;
  bc: BrightcoveSim;
  clarify: ClarifySim;
  app: RunningApp;
  console: ConsoleServer;
  seeded: SeedSummary;
  close(): Promise<void>;
}

export function consolePort(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.PORT;
  if (text === undefined || text === '') return 3000;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT "${text}" is not a port number`);
  return n;
}

export function banner(url: string, seeded: SeedSummary): string {
  return [
    '',
    '  Brightcove Ops: no Slack credentials found (SLACK_BOT_TOKEN is not set), so this is the SANDBOX.',
    '  Simulated Brightcove (account neo + affiliates neo-north, neo-south; ~500 videos, 90 days of',
    `  analytics, 2 live jobs) and Clarify (${seeded.stale} stale and ${seeded.orphans} orphan bundles); nothing leaves this machine.`,
    '',
    `  Open the console:  ${url}`,
    '',
    '  Act as olivia (operator), arjun (approver) or mia (member) with the picker at the top.',
    '  To use real Slack, set SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET (README.md).',
    '  Ctrl-C stops the sandbox.',
    '',
    '',
  ].join('\n');
}

export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger;
  const showBanner = opts.banner ?? true;
  const port = opts.port ?? consolePort();
  const toClose: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of toClose.reverse()) await close().catch(() => undefined);
  };
  try {
    const data = demoDataset(clock.now());
    const bc = await startBrightcoveSim({ clock, dataset: data, autoTickMs: opts.autoTickMs ?? 1000 });
    toClose.push(() => bc.close());
    const clarify = await startClarifySim({ clock, logger: silentLogger });
    toClose.push(() => clarify.close());
    const seeded = seedClarify(clarify, data);
    const slack = await startSlackSim({
      clock,
      users: Object.fromEntries(SANDBOX_USERS.map((u) => [u.id, u.name])),
      channels: { [SANDBOX_CHANNEL]: 'video-ops' },
    });
    toClose.push(() => slack.close());

    const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'bcops-sandbox-'));
    if (!opts.stateDir) toClose.push(async () => rmSync(stateDir, { recursive: true, force: true }));
    writeFileSync(join(stateDir, 'brightcove-ops.yml'), sandboxYaml(data));
    const signingSecret = randomBytes(16).toString('hex');
    registerSecret(signingSecret);
    const config = loadConfig({
      cwd: stateDir,
      env: {
        ...simEnv(bc, clarify),
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        BRIGHTCOVE_OPS_STATE: join(stateDir, 'state.json'),
        PORT: '0',
      },
    });
    const app = await startApp({
      config,
      clock,
      logger,
      host: '127.0.0.1',
      botIds: { botId: slack.botId, botUserId: slack.botUserId },
      // Everything is on loopback: a proxy from the environment would only get in the way.
      dispatcher: createHttpDispatcher({ env: {} }),
    });
    toClose.push(() => app.stop());
    slack.connectApp(`${app.url}/slack/events`, signingSecret);

    const registry = app.services.registry;
    const consoleServer = await startConsoleServer({
      slack,
      users: SANDBOX_USERS,
      channel: { id: SANDBOX_CHANNEL, name: 'video-ops' },
      commands: registry.commands.map((c) => ({
        name: c.name,
        summary: c.summary,
        usage: [...c.grammar.usage],
      })),
      usageHint: usageHint(registry),
      logger,
      port,
      // HOST=0.0.0.0 opens it to other machines (e.g. from a container); by default only this one.
      host: opts.host ?? (process.env.HOST || '127.0.0.1'),
    });
    toClose.push(() => consoleServer.close());

    const sandbox: RunningSandbox = {
      url: consoleServer.url,
      slack,
      bc,
      clarify,
      app,
      console: consoleServer,
      seeded,
      close: closeAll,
    };
    if (showBanner) process.stdout.write(banner(consoleServer.url, seeded));
    logger.info('sandbox started', { console: consoleServer.url, app: app.url });
    if (opts.handleSignals ?? showBanner) {
      const stop = (signal: string) => {
        logger.info('stopping the sandbox', { signal });
        void closeAll().then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    }
    return sandbox;
  } catch (err) {
    await closeAll();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} is in use: set PORT to another port (e.g. PORT=3001 npm start)`);
    }
    throw err;
  }
}
