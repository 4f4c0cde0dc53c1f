import type { Dispatcher } from 'undici';
import { type Clock, systemClock } from './clock.js';
import type { AppConfig } from './config/schema.js';
import type { Host, Services } from './core/types.js';
import { createProxyAgent } from './http/dispatcher.js';
import { createLogger, type Logger } from './log.js';
import type { Ticker } from './scheduler/scheduler.js';
import { AppServer, sendJson } from './server.js';
import { createServices, proxyOf } from './services.js';
import { botIdentity, createSlackApp, type SlackApp } from './slack/app.js';
import { createRoles } from './slack/roles.js';
import type { Store } from './store/store.js';

interface StartOptions {
  config: AppConfig;
  clock?: Clock;
  logger?: Logger;
  newId?: (prefix: string) => string;
  /** defaults to the lowdb file at config.statePath */
  store?: Store;
  host?: string;
  /** throttle of progress updates (default 1000 ms; tests use less) */
  updateIntervalMs?: number;
  /** the bot's ids when known (otherwise asked once with auth.test at start) */
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
  // Roles exist before the services that use them; user groups are looked up with the Slack client
  // the Bolt app creates just below.
  let slack: SlackApp | undefined;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger();
  // One proxy-aware agent for every outbound connection: Brightcove and Clarify (with retries on top)
  // and Slack's Web API, uploads and Socket Mode websocket.
  const agent = createProxyAgent({ proxy: proxyOf(config) });
  const services = await createServices({
    ...opts,
    agent,
    clock,
    logger,
    roles: createRoles(config, () => slack?.client, clock, logger),
  });
  slack = createSlackApp({
    services,
    mode,
    botToken,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    ...(apiUrl ? { apiUrl } : {}),
    ...(opts.updateIntervalMs !== undefined ? { updateIntervalMs: opts.updateIntervalMs } : {}),
    // Given to Bolt, or it asks auth.test before every ack (see botIdentity).
    ...(opts.botIds ?? (await botIdentity(botToken, apiUrl, agent))),
    dispatcher: agent,
  });

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
      // which store (the state file, or PostgreSQL's host, port and database; never a password)
      state: services.store.description,
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
      await services.sync.close();
      // Running work is handed over (its leases end now), so the next replica resumes it at once.
      await Promise.all([services.clips.close(), services.sharing.close()]);
      await services.exports.close();
      // A store the caller passed in is the caller's to close (tests reopen an app on it).
      await (opts.store ? services.store.flush() : services.store.close());
      // Idle keep-alive sockets would hold the process open; a second stop finds it closed already.
      await agent.close().catch(() => undefined);
    },
  };
}
