import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApp, startApp } from '../../src/app.js';
import { type Clock, ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import type { AppConfig } from '../../src/config/schema.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { createLogger, type Logger } from '../../src/log.js';
import { proxyOf } from '../../src/services.js';
import {
  type BrightcoveSim,
  type BrightcoveSimOptions,
  startBrightcoveSim,
} from '../../src/sim/brightcove/index.js';
import { type ClarifySim, startClarifySim } from '../../src/sim/clarify/index.js';
import { simEnv } from '../../src/sim/env.js';
import { type SlackSim, type SlackSimOptions, startSlackSim } from '../../src/sim/slack/index.js';
import { openTestStore } from './postgres.js';

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
  /** present when started with `brightcove` */
  bc?: BrightcoveSim;
  /** present when started with `clarify` */
  clarify?: ClarifySim;
  app: RunningApp;
  /** the state database, when the app's state is in PostgreSQL */
  databaseUrl?: string;
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
  /** start the Brightcove simulators; the config then lists their accounts (neo, neo-north, neo-south, research) */
  brightcove?: BrightcoveSimOptions | true;
  /** start the Clarify simulator and set CLARIFY_API_URL / CLARIFY_API_KEY */
  clarify?: true;
  /** appended to the generated YAML (roles, sync, exports, …) */
  extraYaml?: string;
  /** false: the app asks Slack who its bot is (auth.test), as in production */
  botIds?: false;
  /** the state in PostgreSQL whatever the project (tests of the database itself) */
  store?: 'postgres';
}

/** The config that points at the simulators: every sim account with its own sim credentials. */
/**
 * A folder for the one-shot CLI against the Brightcove simulator: its config file, and the environment
 * that points every API at the simulator and the state file into the folder.
 */
/** A folder with a config for the simulators and the env a CLI run needs (Clarify's too, when given). */
export function cliWorkspace(
  bc: BrightcoveSim,
  name: string,
  clarify?: ClarifySim,
  /** appended to the config (see simYaml) */
  extraYaml = '',
): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), `bcops-${name}-`));
  writeFileSync(join(dir, 'brightcove-ops.yml'), simYaml(bc, extraYaml));
  const env = {
    ...simEnv(bc, clarify),
    BRIGHTCOVE_OPS_STATE: join(dir, 'state.json'),
    USER: 'ana',
  };
  return { dir, env };
}

export function simYaml(bc: BrightcoveSim, extra = ''): string {
  const lines = ['timezone: Europe/London', 'accounts:'];
  for (const a of bc.data.accounts) {
    const cred = bc.data.credentials.find((c) => c.accounts.includes(a.id));
    lines.push(`  - alias: ${a.alias}`, `    id: "${a.id}"`, `    business_unit: ${a.name.split(' ')[0]}`);
    if (a.alias.startsWith('neo')) lines.push('    groups: [neo-group]');
    if (cred)
      lines.push(`    credentials: { client_id: ${cred.clientId}, client_secret: ${cred.clientSecret} }`);
  }
  lines.push('roles:', `  operators: [${OPERATOR}, S0OPSTEAM]`, `  approvers: [${APPROVER}, ${APPROVER2}]`);
  return `${lines.join('\n')}\n${extra}`;
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
  const bc = opts.brightcove
    ? await startBrightcoveSim({ clock, ...(opts.brightcove === true ? {} : opts.brightcove) })
    : undefined;
  const clarify = opts.clarify ? await startClarifySim({ clock }) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bcops-'));
  writeFileSync(
    join(dir, 'brightcove-ops.yml'),
    opts.yaml ?? (bc ? simYaml(bc, opts.extraYaml) : baseYaml + (opts.extraYaml ?? '')),
  );
  const config = loadConfig({
    cwd: dir,
    env: {
      ...(bc ? simEnv(bc) : {}),
      ...(clarify ? { CLARIFY_API_URL: clarify.url, CLARIFY_API_KEY: clarify.apiKey } : {}),
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
  const state = await openTestStore(opts.store);
  const app = await startApp({
    config,
    clock,
    logger,
    store: state.store,
    host: '127.0.0.1',
    updateIntervalMs: 10,
    ...(opts.botIds === false ? {} : { botIds: { botId: slack.botId, botUserId: slack.botUserId } }),
    // Tests drive schedules with services.schedules.scheduler.tick() and the manual clock.
    ticker: () => ({ stop() {} }),
    // Retries stay on (faults are part of the tests) but without real waiting.
    dispatcher: createHttpDispatcher({
      env: {},
      proxy: proxyOf(config),
      retry: { maxRetries: 4, minTimeoutMs: 1, maxTimeoutMs: 5 },
    }),
  });
  if (opts.mode !== 'socket') slack.connectApp(`${app.url}/slack/events`, SIGNING_SECRET);
  const harness: Harness = {
    ...(state.url ? { databaseUrl: state.url } : {}),
    slack,
    ...(bc ? { bc } : {}),
    ...(clarify ? { clarify } : {}),
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
      await bc?.close();
      await clarify?.close();
      await state.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
