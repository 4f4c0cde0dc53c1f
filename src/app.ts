import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { createRegistry } from '../commands/index.js';
import { createBrightcove } from './brightcove/index.js';
import { ClarifyClient } from './clarify/client.js';
import { type Clock, systemClock } from './clock.js';
import type { AppConfig } from './config/schema.js';
import { UserError } from './core/errors.js';
import { ScheduleService } from './core/schedules.js';
import type { Host, Services } from './core/types.js';
import { createHttpDispatcher } from './http/dispatcher.js';
import { createLogger, type Logger } from './log.js';
import type { Ticker } from './scheduler/scheduler.js';
import { AppServer, sendJson } from './server.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { createRoles } from './slack/roles.js';
import { createRepositories } from './store/repositories.js';
import { Store } from './store/store.js';
import { SyncService } from './sync/service.js';
import { SyncPlanStore } from './sync/store.js';
import { ClarifyTarget } from './sync/target.js';

export interface StartOptions {
  config: AppConfig;
  clock?: Clock;
  logger?: Logger;
  newId?: (prefix: string) => string;
  /** defaults to the lowdb file at config.statePath */
  store?: Store;
  host?: string;
  /** throttle of progress updates (default 1000 ms; tests use less) */
  updateIntervalMs?: number;
  /** skip Bolt's auth.test round-trip when the bot's ids are known */
  botIds?: { botId: string; botUserId: string };
  /** drives the scheduler (production: node-cron every minute; tests: manual) */
  ticker?: Ticker;
  /** outbound HTTP (tests: fast retries) */
  dispatcher?: Dispatcher;
}

export interface RunningApp {
  services: Services;
  server: AppServer;
  slack: SlackApp;
  mode: 'http' | 'socket';
  /** http://host:port of the app's own server */
  url: string;
  stop(): Promise<void>;
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Builds what every front end shares: store, repositories, roles resolver (without Slack), registry. */
export async function createServices(opts: {
  config: AppConfig;
  clock?: Clock;
  logger?: Logger;
  newId?: (prefix: string) => string;
  store?: Store;
  roles?: Services['roles'];
  ticker?: Ticker;
  dispatcher?: Dispatcher;
}): Promise<Services> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger();
  const newId = opts.newId ?? randomId;
  const store = opts.store ?? (await Store.open(config.statePath));
  const dispatcher =
    opts.dispatcher ??
    createHttpDispatcher({
      proxy: {
        ...(config.proxy.https ? { https: config.proxy.https } : {}),
        ...(config.proxy.http ? { http: config.proxy.http } : {}),
        ...(config.proxy.noProxy ? { noProxy: config.proxy.noProxy } : {}),
      },
    });
  const brightcove = createBrightcove({
    endpoints: config.endpoints,
    dispatcher,
    clock,
    logger,
    ...(config.liveApiKey ? { liveApiKey: config.liveApiKey } : {}),
  });
  let clarify: ClarifyClient | undefined;
  const repos = createRepositories(store, clock, newId);
  const services: Omit<Services, 'sync'> = {
    config,
    store,
    repos,
    clock,
    logger,
    roles: opts.roles ?? createRoles(config, undefined, clock, logger),
    newId,
    registry: createRegistry(),
    brightcove,
    bcAccount(account) {
      if (!account.credentials) {
        throw new UserError(
          `Account ${account.alias} (${account.id}) has no API credentials. Add \`credentials:\` to it in brightcove-ops.yml, or set BRIGHTCOVE_CLIENT_ID and BRIGHTCOVE_CLIENT_SECRET.`,
        );
      }
      return { id: account.id, alias: account.alias, credentials: account.credentials };
    },
    clarify() {
      if (!config.clarifyApiKey) {
        throw new UserError(
          'Clarify is not configured: set CLARIFY_API_KEY (and CLARIFY_API_URL for another host).',
        );
      }
      clarify ??= new ClarifyClient({
        baseUrl: config.endpoints.clarify,
        apiKey: config.clarifyApiKey,
        dispatcher,
        // The app's dispatcher (createHttpDispatcher) is a RetryAgent: it owns the retries of idempotent calls.
        dispatcherRetries: true,
        logger,
        clock,
      });
      return clarify;
    },
    schedules: new ScheduleService(store.collection('schedule_runs'), clock, logger, opts.ticker),
  };
  const sync = new SyncService({
    config,
    cmsFor: (account) => brightcove.cms(services.bcAccount(account)),
    target: () => new ClarifyTarget(services.clarify()),
    plans: new SyncPlanStore(repos.pending, store, clock, config.planTtlMinutes, newId),
    audit: repos.audit,
    clock,
    logger,
  });
  return { ...services, sync };
}

/**
 * Config → store → Slack app (Socket Mode when SLACK_APP_TOKEN is set, HTTP otherwise) → own HTTP
 * server (/healthz, Slack events in HTTP mode, webhooks).
 */
export async function startApp(opts: StartOptions): Promise<RunningApp> {
  const { config } = opts;
  const { botToken, appToken, signingSecret, apiUrl } = config.slack;
  if (!botToken) throw new Error('SLACK_BOT_TOKEN is not set');
  const mode = appToken ? 'socket' : 'http';
  if (mode === 'http' && !signingSecret) {
    throw new Error('HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  const services = await createServices(opts);
  const slack = createSlackApp({
    services,
    mode,
    botToken,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    ...(apiUrl ? { apiUrl } : {}),
    ...(opts.updateIntervalMs !== undefined ? { updateIntervalMs: opts.updateIntervalMs } : {}),
    ...(opts.botIds ?? {}),
  });
  services.roles = createRoles(config, slack.client, services.clock, services.logger);

  const server = new AppServer(services.logger);
  if (slack.requestListener) {
    const listener = slack.requestListener;
    server.route('POST', '/slack/events', (req, res) => listener(req, res), true);
  }
  server.route('GET', '/healthz', async (_req, res) => {
    const storeOk = await services.store.writable();
    const slackState = slack.connectionState();
    const ok = storeOk && slackState !== 'disconnected';
    sendJson(res, ok ? 200 : 503, {
      ok,
      mode,
      slack: slackState,
      store: storeOk ? 'writable' : 'not writable',
    });
  });

  const listenHost = opts.host ?? (process.env.HOST || '0.0.0.0');
  const port = await server.listen(config.port, listenHost);
  await slack.start();
  const host: Host = {
    route: (method, prefix, handler) => server.route(method, prefix, handler),
    ...(config.publicUrl ? { publicUrl: config.publicUrl.replace(/\/+$/, '') } : {}),
    channel: (channelId) => slack.channelSurface(channelId),
  };
  for (const command of services.registry.commands) await command.start?.(services, host);
  services.schedules.start();
  services.logger.info('brightcove-ops started', { mode, port });
  return {
    services,
    server,
    slack,
    mode,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await services.schedules.stop();
      await slack.stop();
      await server.close();
      await services.store.flush();
    },
  };
}
