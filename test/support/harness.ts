import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApp, startApp } from '../../src/app.js';
import { type Clock, ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import type { AppConfig } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/log.js';
import { type SlackSim, type SlackSimOptions, startSlackSim } from '../../src/sim/slack/index.js';
import { Store } from '../../src/store/store.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const CHANNEL = 'C0OPS';
export const OPERATOR = 'U0OPERATOR';
export const APPROVER = 'U0APPROVER';
export const APPROVER2 = 'U0APPROVER2';
export const MEMBER = 'U0MEMBER';

export const baseYaml = `
timezone: Europe/London
accounts:
  - alias: neo
    id: "1111111111001"
    business_unit: News
    groups: [news]
  - alias: research
    id: "2222222222001"
    business_unit: Research
credentials:
  client_id: cid-shared
  client_secret: shared-secret-value-123
roles:
  operators: [${OPERATOR}, S0OPSTEAM]
  approvers: [${APPROVER}, ${APPROVER2}]
`;

export interface Harness {
  slack: SlackSim;
  app: RunningApp;
  config: AppConfig;
  clock: Clock;
  logs: string[];
  /** types `/brightcove <text>` as `user` */
  command(text: string, user?: string, channel?: string): Promise<{ status: number; body: string }>;
  /** the latest ephemeral reply to `user` after the command's async work */
  ephemeralAfter(text: string, user?: string): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  yaml?: string;
  env?: Record<string, string>;
  clock?: Clock;
  slack?: SlackSimOptions;
  mode?: 'http' | 'socket';
  logger?: Logger;
}

/** Slack simulator + the real app in HTTP (or Socket) mode, wired as in production. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock('2026-11-21T12:00:00Z');
  const slack = await startSlackSim({
    clock,
    userGroups: { S0OPSTEAM: ['U0GROUPOP'] },
    channels: { [CHANNEL]: 'video-ops', C0OTHER: 'random' },
    ...opts.slack,
  });
  const dir = mkdtempSync(join(tmpdir(), 'bcops-'));
  writeFileSync(join(dir, 'brightcove-ops.yml'), opts.yaml ?? baseYaml);
  const config = loadConfig({
    cwd: dir,
    env: {
      SLACK_BOT_TOKEN: slack.botToken,
      ...(opts.mode === 'socket'
        ? { SLACK_APP_TOKEN: slack.appToken }
        : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      ...opts.env,
    },
  });
  const logs: string[] = [];
  const logger = opts.logger ?? createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const app = await startApp({
    config,
    clock,
    logger,
    store: await Store.open(null),
    host: '127.0.0.1',
    updateIntervalMs: 10,
    botIds: { botId: slack.botId, botUserId: slack.botUserId },
    // Tests drive schedules with services.schedules.scheduler.tick() and the manual clock.
    ticker: () => ({ stop() {} }),
  });
  if (opts.mode !== 'socket') slack.connectApp(`${app.url}/slack/events`, SIGNING_SECRET);
  const harness: Harness = {
    slack,
    app,
    config,
    clock,
    logs,
    command: (text, user = OPERATOR, channel = CHANNEL) => slack.slashCommand(text, user, channel),
    async ephemeralAfter(text, user = OPERATOR) {
      const before = slack.ephemerals.length;
      const res = await slack.slashCommand(text, user, CHANNEL);
      if (res.status !== 200) throw new Error(`command answered ${res.status}`);
      const msg = await slack.waitFor(
        () => slack.ephemerals.slice(before).find((m) => m.ephemeralTo === user),
        10_000,
        `reply to "${text}"`,
      );
      return msg.text;
    },
    async close() {
      await app.stop();
      await slack.close();
    },
  };
  return harness;
}
