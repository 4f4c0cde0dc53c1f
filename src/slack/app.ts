import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockAction, ButtonAction, SlashCommand, ViewSubmitAction } from '@slack/bolt';
import { App, type Logger as BoltLogger, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import PQueue from 'p-queue';
import { type Dispatcher, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';
import { reportFailure, runAction, runCommandText, runSuggest, runView } from '../core/dispatch.js';
import type { Actor, Reply, Services } from '../core/types.js';
import type { Logger } from '../log.js';
import { HomeTabs } from './home.js';
import { guardSlackRequests } from './request-guard.js';
import { fallback, type RespondFn, SlackSurface } from './surface.js';

interface SlackAppOptions {
  services: Services;
  mode: 'http' | 'socket';
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  /** throttle for progress updates of one message (Slack: about one a second) */
  updateIntervalMs?: number;
  /** how many commands may run at once after their acks (default 8) */
  workConcurrency?: number;
  /** how often open App Home tabs are brought up to date (default 30 s; also after every interaction) */
  homeRefreshMs?: number;
  /** known bot ids skip Bolt's auth.test at construction (tests, restarts) */
  botId?: string;
  botUserId?: string;
  /** the app's outbound agent (proxy-aware): every Slack connection goes through it */
  dispatcher?: Dispatcher;
}

/**
 * A WHATWG fetch for the Slack clients that sends through `dispatcher` (undici's fetch, not the global
 * one). undici's fetch does not know Node's global FormData (the file uploads' body) and would send
 * "[object FormData]": such a body is encoded by the global Response first, boundary and all.
 */
function fetchVia(dispatcher: Dispatcher): NonNullable<WebClientOptions['fetch']> {
  return (async (url: string | URL, init?: RequestInit) => {
    let opts = init;
    if (init?.body instanceof globalThis.FormData) {
      const encoded = new Response(init.body);
      const headers = new Headers(init.headers);
      headers.set('content-type', encoded.headers.get('content-type') ?? 'multipart/form-data');
      opts = { ...init, headers, body: Buffer.from(await encoded.arrayBuffer()) };
    }
    return undiciFetch(url, { ...(opts as UndiciRequestInit), dispatcher });
  }) as unknown as NonNullable<WebClientOptions['fetch']>;
}

export interface SlackApp {
  app: App;
  client: WebClient;
  /** HTTP mode: mount on our own server at POST /slack/events */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** for /healthz */
  connectionState(): string;
  /** posts to a channel outside any user request (scheduled runs, trackers) */
  channelSurface(channelId: string): SlackSurface;
}

function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => logger.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => logger.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => logger.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => logger.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * The Bolt app: one /brightcove command listener, one action listener for every `<command>.<verb>`
 * button and one for modal submissions. Every listener acks first and works after.
 */
/**
 * The bot's user and bot ids, asked once at start. Bolt asks `auth.test` before *every* event when it
 * is not given them and token verification is off (its "cache" is reassigned on each call), so each
 * ack waited for a Slack round trip: a burst of 200 commands meant 200 `auth.test` calls, and seconds.
 */
export async function botIdentity(
  botToken: string,
  apiUrl?: string,
  dispatcher?: Dispatcher,
): Promise<{ botId: string; botUserId: string }> {
  const client = new WebClient(botToken, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    ...(dispatcher ? { fetch: fetchVia(dispatcher) } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  });
  let result: Awaited<ReturnType<WebClient['auth']['test']>>;
  try {
    result = await client.auth.test();
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    throw new Error(
      code
        ? `Slack refused SLACK_BOT_TOKEN (auth.test: ${code}): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page`
        : `Slack could not be reached to check SLACK_BOT_TOKEN (${err instanceof Error ? err.message : String(err)}): check the network or the proxy`,
    );
  }
  if (!result.bot_id || !result.user_id)
    throw new Error('SLACK_BOT_TOKEN is not a bot token (auth.test names no bot): use the xoxb-… token');
  return { botId: result.bot_id, botUserId: result.user_id };
}

export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const { services } = opts;
  const logger = services.logger.child({ component: 'slack' });
  const blogger = boltLogger(logger);
  const updateIntervalMs = opts.updateIntervalMs ?? 1000;
  const clientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    // Web API calls and file uploads through the app's agent (the proxy); Node's global fetch ignores HTTPS_PROXY.
    ...(opts.dispatcher ? { fetch: fetchVia(opts.dispatcher) } : {}),
    // A Web API failure must surface quickly rather than retrying for half an hour.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  };
  let connected = opts.mode === 'http' ? 'http' : 'disconnected';

  let receiver: HTTPReceiver | SocketModeReceiver;
  if (opts.mode === 'http') {
    if (!opts.signingSecret) throw new Error('HTTP mode needs SLACK_SIGNING_SECRET');
    receiver = new HTTPReceiver({
      signingSecret: opts.signingSecret,
      endpoints: '/slack/events',
      logger: blogger,
      processBeforeResponse: false,
    });
  } else {
    if (!opts.appToken) throw new Error('Socket Mode needs SLACK_APP_TOKEN');
    receiver = new SocketModeReceiver({
      appToken: opts.appToken,
      // the websocket too (the same agent; undici's WebSocket tunnels through a proxy with CONNECT)
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      logger: blogger,
      installerOptions: { clientOptions },
    });
    const client = (receiver as SocketModeReceiver).client;
    client.on('connected', () => {
      connected = 'connected';
    });
    client.on('disconnected', () => {
      connected = 'disconnected';
    });
    client.on('reconnecting', () => {
      connected = 'reconnecting';
    });
  }

  const app = new App({
    token: opts.botToken,
    receiver,
    logger: blogger,
    clientOptions,
    ...(opts.botId && opts.botUserId ? { botId: opts.botId, botUserId: opts.botUserId } : {}),
    tokenVerificationEnabled: false,
    // We keep no conversation state in Bolt; its store middleware costs time on every request.
    convoStore: false,
  });
  const client = app.client;

  // Work after an ack runs from a bounded queue, so a burst of commands cannot starve the acks of
  // the next requests (Slack gives 3 s; we aim for milliseconds).
  const work = new PQueue({ concurrency: opts.workConcurrency ?? 8 });
  const afterAck = (fn: () => Promise<void>) => {
    work.add(fn).catch((err: unknown) => logger.error('background work failed', { err }));
  };

  // App Home: published when opened, and kept up to date while people have it open.
  const homes = new HomeTabs(services, client, logger, opts.homeRefreshMs);
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab === 'home') await homes.opened(event.user);
  });

  const surfaceFor = (p: { channelId?: string; userId: string; respond?: RespondFn; triggerId?: string }) =>
    new SlackSurface({ client, logger, updateIntervalMs, ...p });

  app.command('/brightcove', async ({ ack, command, respond }) => {
    await ack();
    afterAck(async () => {
      const cmd = command as SlashCommand;
      const actor: Actor = { userId: cmd.user_id, userName: cmd.user_name, source: 'slack' };
      const surface = surfaceFor({
        channelId: cmd.channel_id,
        userId: cmd.user_id,
        respond: respond as RespondFn,
        triggerId: cmd.trigger_id,
      });
      logger.info('command', { user: cmd.user_id, channel: cmd.channel_id, text: cmd.text });
      await runCommandText(services.registry, cmd.text ?? '', {
        actor,
        surface,
        services,
        triggerId: cmd.trigger_id,
      });
      homes.changed();
    });
  });

  app.action(/^[a-z]+\.[a-z_]+$/, async ({ ack, body, action, respond }) => {
    await ack();
    const b = body as BlockAction<ButtonAction>;
    const a = action as ButtonAction;
    const channelId = b.channel?.id ?? b.container?.channel_id;
    const messageTs = b.message?.ts ?? b.container?.message_ts;
    const actor: Actor = { userId: b.user.id, userName: b.user.username ?? b.user.name, source: 'slack' };
    const surface = surfaceFor({
      ...(channelId ? { channelId } : {}),
      userId: b.user.id,
      ...(respond ? { respond: respond as RespondFn } : {}),
      triggerId: b.trigger_id,
    });
    const isEphemeral = Boolean(b.container?.is_ephemeral);
    const inHome = b.container?.type === 'view' && (b.view as { type?: string } | undefined)?.type === 'home';
    logger.info('action', { user: b.user.id, action: a.action_id, value: a.value });
    await runAction(services.registry, a.action_id, {
      value: a.value ?? '',
      actor,
      surface,
      services,
      triggerId: b.trigger_id,
      clicked: {
        ephemeral: isEphemeral,
        ...(inHome ? { home: true } : {}),
        ...(channelId ? { channel: channelId } : {}),
        ...(messageTs ? { ts: messageTs } : {}),
      },
      ...(channelId && messageTs && !isEphemeral ? { message: surface.message(channelId, messageTs) } : {}),
      async replaceOriginal(reply: Reply) {
        if (respond) {
          await respond({
            replace_original: true,
            text: fallback(reply),
            ...(reply.blocks ? { blocks: reply.blocks } : {}),
          } as never);
        } else if (channelId && messageTs) {
          await client.chat.update({
            channel: channelId,
            ts: messageTs,
            text: fallback(reply),
            blocks: reply.blocks ?? [],
          });
        }
      },
    });
  });

  // A form's external select asks for choices as the user types (`share`'s video picker).
  app.options({ type: 'block_suggestion' }, async ({ ack, body }) => {
    const b = body as {
      user: { id: string; name?: string };
      block_id: string;
      value: string;
      view?: { callback_id?: string };
    };
    const actor: Actor = {
      userId: b.user.id,
      ...(b.user.name ? { userName: b.user.name } : {}),
      source: 'slack',
    };
    const choices = await runSuggest(services.registry, b.view?.callback_id ?? '', b.block_id, {
      actor,
      services,
      surface: surfaceFor({ userId: b.user.id }),
      query: b.value ?? '',
    });
    // Block Kit options (Bolt's ack type is a union of the legacy and the block forms)
    const options = choices.map((c) => ({
      text: { type: 'plain_text', text: c.text.slice(0, 75) },
      value: c.value.slice(0, 150),
    }));
    await ack({ options } as never);
  });

  app.view(/^[a-z]+\.[a-z_]+$/, async ({ ack, body, view }) => {
    const b = body as ViewSubmitAction;
    const actor: Actor = { userId: b.user.id, userName: b.user.name, source: 'slack' };
    const meta = view.private_metadata ?? '';
    const channelId = /"channel":"([A-Z0-9]+)"/.exec(meta)?.[1];
    const surface = surfaceFor({ ...(channelId ? { channelId } : {}), userId: b.user.id });
    // Validation answers must come with the ack (3 s), so modal handlers validate before any slow work.
    const result = await runView(services.registry, view.callback_id, {
      actor,
      surface,
      services,
      values: view.state.values as never,
      privateMetadata: meta,
    }).catch(async (err: unknown) => {
      await reportFailure(err, { actor, surface, services }, 'view', view.callback_id);
      return undefined;
    });
    if (result?.errors) await ack({ response_action: 'errors', errors: result.errors });
    else await ack();
  });

  // Whatever a click or a form changed shows in the Home tabs that are open.
  app.use(async ({ next, body }) => {
    await next();
    if ((body as { type?: string }).type !== 'event_callback') homes.changed();
  });

  app.error(async (err) => {
    logger.error('bolt error', { err });
  });

  return {
    app,
    client,
    ...(receiver instanceof HTTPReceiver
      ? {
          requestListener: guardSlackRequests(
            receiver.requestListener,
            (reason) => logger.warn('refused a malformed Slack request', { reason }),
            opts.signingSecret,
          ),
        }
      : {}),
    async start() {
      if (opts.mode === 'socket') {
        await app.start();
        connected = 'connected';
      }
    },
    async stop() {
      homes.stop();
      if (opts.mode === 'socket') await app.stop();
    },
    connectionState: () => connected,
    channelSurface: (channelId) => surfaceFor({ channelId, userId: '' }),
  };
}
