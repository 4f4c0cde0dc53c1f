import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Clock, systemClock } from '../../clock.js';
import { sendJson } from '../../server.js';
import { checkBlocks } from './limits.js';
import { signSlackRequest } from './signing.js';

/**
 * A loopback Slack: the Web API methods the app uses, response_url and upload sinks, Socket Mode,
 * and the user side (slash commands, button clicks, modal submissions sent as signed requests).
 * It records every call so tests can assert on what the app sent.
 */

type Json = Record<string, unknown>;

export interface SimMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Json[];
  threadTs?: string;
  user?: string;
  botId?: string;
  edited?: number;
  /** set for messages posted through a response_url as ephemeral */
  ephemeralTo?: string;
  files?: SimFile[];
}

export interface SimFile {
  id: string;
  filename: string;
  title?: string;
  content: Buffer;
  channel?: string;
  threadTs?: string;
  altText?: string;
  snippetType?: string;
}

export interface SimView {
  id: string;
  view: Json;
  userId: string;
  hash: string;
}

interface SimCall {
  method: string;
  args: Json;
  at: number;
  ok: boolean;
  error?: string;
}

interface ResponseUrl {
  id: string;
  uses: number;
  createdAt: number;
  channel: string;
  userId: string;
  /** the message a button was clicked on, for replace_original */
  source?: { channel: string; ts: string; ephemeral: boolean };
}

interface Trigger {
  id: string;
  createdAt: number;
  used: boolean;
  userId: string;
}

export interface SlackSimOptions {
  botToken?: string;
  appToken?: string;
  clock?: Clock;
  teamId?: string;
  /** user groups: id → members */
  userGroups?: Record<string, string[]>;
  users?: Record<string, string>;
  channels?: Record<string, string>;
  /** channels (of `channels`) that are private: the bot cannot join them, only be invited */
  privateChannels?: string[];
  /**
   * channels (of `channels`) the bot is not a member of (default: none). With chat:write.public the bot
   * still posts in a public one, but a file upload there fails with not_in_channel until it joins; in a
   * private one it can do nothing (channel_not_found), as in Slack.
   */
  botNotIn?: string[];
}

interface CommandResult {
  status: number;
  body: string;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** The sim's DM channel with a user: D + the user id's rest. */
const dmChannelOf = (userId: string) => `D${userId.slice(1)}`;

const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const TRIGGER_TTL_MS = 3_000;

export class SlackSim extends EventEmitter {
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId: string;
  readonly botId = 'B0BRIGHTC0';
  readonly botUserId = 'U0BRIGHTC0';
  readonly appId = 'A0BRIGHTC0';
  readonly clock: Clock;
  readonly calls: SimCall[] = [];
  readonly messages: SimMessage[] = [];
  readonly ephemerals: SimMessage[] = [];
  readonly files = new Map<string, SimFile>();
  readonly views = new Map<string, SimView>();
  /** each user's App Home tab as last published (views.publish) */
  readonly homes = new Map<string, SimView>();
  readonly userGroups: Record<string, string[]>;
  readonly users: Record<string, string>;
  readonly channels: Record<string, string>;
  readonly privateChannels: ReadonlySet<string>;
  /** channels the bot is a member of (conversations.join adds public ones) */
  readonly botChannels: Set<string>;
  /** payloads acked by the app through Socket Mode, in order */
  readonly socketAcks: { envelopeId: string; payload: unknown; ms: number }[] = [];

  #server: Server;
  #wss: WebSocketServer;
  #sockets = new Set<WebSocket>();
  #pendingAcks = new Map<string, (payload: unknown) => void>();
  #responseUrls = new Map<string, ResponseUrl>();
  #triggers = new Map<string, Trigger>();
  #pendingUploads = new Map<
    string,
    { filename: string; length: number; altText?: string; snippetType?: string }
  >();
  #rateLimits = new Map<string, { count: number; retryAfter: number }>();
  #failures = new Map<string, { count: number; error: string }>();
  #seq = 0;
  /** DM channels the app has opened by posting to a user */
  #dms = new Set<string>();
  #url = '';
  /** HTTP mode: where the app listens, and its signing secret */
  #app: { url: string; signingSecret: string } | null = null;

  constructor(opts: SlackSimOptions = {}) {
    super();
    this.botToken = opts.botToken ?? 'xoxb-sim-bot-token';
    this.appToken = opts.appToken ?? 'xapp-sim-app-token';
    this.teamId = opts.teamId ?? 'T0SIMTEAM';
    this.clock = opts.clock ?? systemClock;
    this.userGroups = opts.userGroups ?? {};
    this.users = opts.users ?? {};
    this.channels = opts.channels ?? { C0OPS: 'video-ops' };
    this.privateChannels = new Set(opts.privateChannels ?? []);
    const notIn = new Set(opts.botNotIn ?? []);
    this.botChannels = new Set(Object.keys(this.channels).filter((c) => !notIn.has(c)));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'internal_error', detail: String(err) }));
      });
    });
    this.#wss = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/link')) {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  get url(): string {
    return this.#url;
  }

  /** The value for SLACK_API_URL / clientOptions.slackApiUrl. */
  get apiUrl(): string {
    return `${this.#url}/api/`;
  }

  /** HTTP mode: the sim sends the user's commands and clicks to this URL, signed with this secret. */
  connectApp(url: string, signingSecret: string): void {
    this.#app = { url, signingSecret };
  }

  // ---- fault injection --------------------------------------------------------------------

  /** The next `count` calls of `method` answer 429 with Retry-After. */
  rateLimit(method: string, count = 1, retryAfterSec = 1): void {
    this.#rateLimits.set(method, { count, retryAfter: retryAfterSec });
  }

  /** The next `count` calls of `method` answer `{ok:false, error}`. */
  failNext(method: string, error: string, count = 1): void {
    this.#failures.set(method, { count, error });
  }

  // ---- queries for tests ------------------------------------------------------------------

  callsTo(method: string): SimCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  message(channel: string, ts: string): SimMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  channelMessages(channel: string): SimMessage[] {
    return this.messages.filter((m) => m.channel === channel && !m.threadTs);
  }

  /** The bot's direct messages to a user (their DM with the app). */
  directMessages(userId: string): SimMessage[] {
    return this.channelMessages(dmChannelOf(userId));
  }

  thread(channel: string, ts: string): SimMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === ts);
  }

  lastEphemeral(userId?: string): SimMessage | undefined {
    const list = this.ephemerals.filter((m) => !userId || m.ephemeralTo === userId);
    return list[list.length - 1];
  }

  /** Resolves when `pred` holds, checking after every recorded change; rejects after `timeoutMs` real time. */
  waitFor<T>(pred: () => T | undefined | false | null, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`SlackSim.waitFor timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('change', check);
      };
      this.on('change', check);
      check();
    });
  }

  // ---- the user side ----------------------------------------------------------------------

  #nextId(prefix: string): string {
    this.#seq++;
    return `${prefix}${String(this.#seq).padStart(6, '0')}`;
  }

  #newResponseUrl(channel: string, userId: string, source?: ResponseUrl['source']): string {
    const id = `${this.#nextId('R')}${randomBytes(4).toString('hex')}`;
    this.#responseUrls.set(id, {
      id,
      uses: 0,
      createdAt: this.clock.now().getTime(),
      channel,
      userId,
      ...(source ? { source } : {}),
    });
    return `${this.#url}/hooks/commands/${this.teamId}/${id}`;
  }

  #newTrigger(userId: string): string {
    const id = `${this.#seq}.${Date.now()}.${randomBytes(8).toString('hex')}`;
    this.#triggers.set(id, { id, createdAt: this.clock.now().getTime(), used: false, userId });
    return id;
  }

  /** Builds the form fields Slack sends for `/brightcove <text>`. */
  commandPayload(
    text: string,
    userId: string,
    channelId = Object.keys(this.channels)[0] ?? 'C0OPS',
  ): Record<string, string> {
    return {
      token: 'legacy-verification-token',
      team_id: this.teamId,
      team_domain: 'sim',
      channel_id: channelId,
      channel_name: this.channels[channelId] ?? 'channel',
      user_id: userId,
      user_name: this.users[userId] ?? userId.toLowerCase(),
      command: '/brightcove',
      text,
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: this.#newResponseUrl(channelId, userId),
      trigger_id: this.#newTrigger(userId),
    };
  }

  /** A user types `/brightcove <text>`: sent to the app signed (HTTP) or as an envelope (Socket Mode). */
  async slashCommand(text: string, userId: string, channelId?: string): Promise<CommandResult> {
    const fields = this.commandPayload(text, userId, channelId);
    return this.#deliver('slash_commands', fields, new URLSearchParams(fields).toString());
  }

  /** A user clicks button `actionId` on a channel message or on the last ephemeral message they saw. */
  async click(
    userId: string,
    actionId: string,
    where: { channel: string; ts: string } | SimMessage,
  ): Promise<CommandResult> {
    const msg =
      'blocks' in where
        ? where
        : (this.message(where.channel, where.ts) ??
          this.ephemerals.find((m) => m.channel === where.channel && m.ts === where.ts));
    if (!msg) throw new Error(`no message ${where.channel}/${where.ts}`);
    const found = findAction(msg.blocks, actionId);
    if (!found) throw new Error(`no button ${actionId} on message ${msg.ts}`);
    const ephemeral = Boolean(msg.ephemeralTo);
    const payload = {
      type: 'block_actions',
      user: { id: userId, username: this.users[userId] ?? userId.toLowerCase(), team_id: this.teamId },
      api_app_id: this.appId,
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: msg.ts, channel_id: msg.channel, is_ephemeral: ephemeral },
      trigger_id: this.#newTrigger(userId),
      team: { id: this.teamId, domain: 'sim' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: msg.channel, name: this.channels[msg.channel] ?? 'channel' },
      ...(ephemeral
        ? {}
        : {
            message: { type: 'message', ts: msg.ts, text: msg.text, bot_id: this.botId, blocks: msg.blocks },
          }),
      state: { values: {} },
      response_url: this.#newResponseUrl(msg.channel, userId, {
        channel: msg.channel,
        ts: msg.ts,
        ephemeral,
      }),
      actions: [this.#actionPayload(actionId, found)],
    };
    const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.#deliver('interactive', payload, raw);
  }

  /** The `actions[0]` of a block_actions payload: the clicked element as Slack describes it. */
  #actionPayload(actionId: string, found: { blockId: string; element: Json }): Json {
    return {
      type: found.element.type,
      action_id: actionId,
      block_id: found.blockId,
      text: found.element.text,
      ...(found.element.value !== undefined ? { value: found.element.value } : {}),
      ...(found.element.style ? { style: found.element.style } : {}),
      action_ts: String(this.clock.now().getTime() / 1000),
    };
  }

  /**
   * A user types `value` into an external select (`block_id` of an open modal): the `block_suggestion`
   * request; answers the options the app acked (`[]` when it offered none).
   */
  async suggest(userId: string, viewId: string, blockId: string, value: string): Promise<Json[]> {
    const v = this.views.get(viewId);
    if (!v) throw new Error(`no view ${viewId}`);
    const payload = {
      type: 'block_suggestion',
      user: { id: userId, username: this.users[userId] ?? userId.toLowerCase(), team_id: this.teamId },
      container: { type: 'view', view_id: v.id },
      api_app_id: this.appId,
      token: 'legacy-verification-token',
      action_id: 'value',
      block_id: blockId,
      value,
      team: { id: this.teamId, domain: 'sim' },
      view: { ...v.view, id: v.id, hash: v.hash, team_id: this.teamId },
    };
    const res = await this.#deliver(
      'interactive',
      payload,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    );
    if (res.status !== 200 || !res.body) return [];
    return ((JSON.parse(res.body) as { options?: Json[] }).options ?? []) as Json[];
  }

  /** A user submits an open modal with `values[block_id][action_id] = {type, value | selected_option}`. */
  async submitView(
    userId: string,
    viewId: string,
    values: Record<string, Record<string, Json>>,
  ): Promise<CommandResult> {
    const v = this.views.get(viewId);
    if (!v) throw new Error(`no view ${viewId}`);
    const payload = {
      type: 'view_submission',
      team: { id: this.teamId, domain: 'sim' },
      user: { id: userId, username: this.users[userId] ?? userId.toLowerCase(), team_id: this.teamId },
      api_app_id: this.appId,
      token: 'legacy-verification-token',
      trigger_id: this.#newTrigger(userId),
      view: { ...v.view, id: v.id, hash: v.hash, team_id: this.teamId, state: { values } },
      response_urls: [],
      is_enterprise_install: false,
    };
    const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const result = await this.#deliver('interactive', payload, raw);
    if (result.status === 200 && result.body) {
      try {
        const ack = JSON.parse(result.body) as Json;
        if (ack.response_action === 'update' && ack.view) this.#setView(v.id, ack.view as Json, userId);
        if (ack.response_action === 'clear') this.views.delete(v.id);
      } catch {
        // an empty or non-JSON ack closes the modal
      }
    }
    if (result.status === 200 && !result.body) this.views.delete(v.id);
    this.emit('change');
    return result;
  }

  /** Sends a body the way Slack would to the connected app. */
  async #deliver(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: unknown,
    raw: string,
  ): Promise<CommandResult> {
    const socket = [...this.#sockets][0];
    if (socket && !this.#app) {
      const envelopeId = randomBytes(8).toString('hex');
      const started = Date.now();
      const ack = new Promise<unknown>((resolve) => this.#pendingAcks.set(envelopeId, resolve));
      socket.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: true, payload }));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000).unref());
      const got = await Promise.race([ack, timeout]);
      if (got === 'timeout') return { status: 408, body: 'operation_timeout' };
      this.socketAcks.push({ envelopeId, payload: got, ms: Date.now() - started });
      return { status: 200, body: got === undefined ? '' : JSON.stringify(got) };
    }
    if (!this.#app) throw new Error('SlackSim: no app connected (connectApp or Socket Mode)');
    // Bolt checks the timestamp against the real time, whatever clock the test drives.
    const ts = Math.floor(Date.now() / 1000);
    const headers = signSlackRequest(this.#app.signingSecret, raw, ts);
    // The Events API posts JSON; commands and interactions are forms.
    if (type === 'events_api') headers['content-type'] = 'application/json';
    const res = await fetch(this.#app.url, { method: 'POST', headers, body: raw });
    return { status: res.status, body: await res.text() };
  }

  // ---- Socket Mode ------------------------------------------------------------------------

  #onSocket(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('close', () => {
      this.#sockets.delete(ws);
      this.emit('change');
    });
    ws.on('message', (data) => {
      let msg: Json;
      try {
        msg = JSON.parse(String(data)) as Json;
      } catch {
        return;
      }
      const id = msg.envelope_id;
      if (typeof id === 'string') {
        const resolve = this.#pendingAcks.get(id);
        this.#pendingAcks.delete(id);
        resolve?.(msg.payload);
      }
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.#sockets.size,
        debug_info: { host: 'sim', approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.emit('change');
  }

  get socketConnections(): number {
    return this.#sockets.size;
  }

  // ---- the Web API ------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#url);
    const body = await readBody(req);
    if (url.pathname.startsWith('/hooks/commands/')) return this.#responseUrl(url, body, res);
    if (url.pathname.startsWith('/upload/')) return this.#upload(url, req, body, res);
    if (url.pathname.startsWith('/files/')) {
      const file = this.files.get(url.pathname.slice('/files/'.length));
      if (!file) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(file.content);
      return;
    }
    if (!url.pathname.startsWith('/api/')) return sendJson(res, 404, { ok: false, error: 'unknown_path' });
    const method = url.pathname.slice('/api/'.length).replace(/\/$/, '');
    const args = parseArgs(req.headers['content-type'] ?? '', body);
    for (const [k, v] of url.searchParams) args[k] ??= v;

    const limited = this.#rateLimits.get(method);
    if (limited && limited.count > 0) {
      limited.count--;
      this.calls.push({ method, args, at: this.clock.now().getTime(), ok: false, error: 'ratelimited' });
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limited.retryAfter) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const auth = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || String(args.token ?? '');
    const wantApp = method === 'apps.connections.open';
    let result: Json;
    if (!auth) result = { ok: false, error: 'not_authed' };
    else if (auth !== (wantApp ? this.appToken : this.botToken))
      result = { ok: false, error: 'invalid_auth' };
    else {
      const failure = this.#failures.get(method);
      if (failure && failure.count > 0) {
        failure.count--;
        result = { ok: false, error: failure.error };
      } else {
        result = this.#method(method, args);
      }
    }
    this.calls.push({
      method,
      args,
      at: this.clock.now().getTime(),
      ok: result.ok === true,
      ...(result.ok ? {} : { error: String(result.error) }),
    });
    this.emit('change');
    sendJson(res, 200, result);
  }

  #nextTs(): string {
    this.#seq++;
    const sec = Math.floor(this.clock.now().getTime() / 1000);
    return `${sec}.${String(this.#seq).padStart(6, '0')}`;
  }

  #method(method: string, args: Json): Json {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://sim.slack.com/',
          team: 'Sim',
          user: 'brightcove-ops',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
        };
      case 'apps.connections.open':
        return {
          ok: true,
          url: `${this.#url.replace('http', 'ws')}/link/?ticket=${randomBytes(6).toString('hex')}&app_id=${this.appId}`,
        };
      case 'chat.postMessage':
        return this.#postMessage(args);
      case 'chat.update':
        return this.#update(args);
      case 'chat.postEphemeral': {
        const channel = String(args.channel ?? '');
        if (!this.channels[channel]) return { ok: false, error: 'channel_not_found' };
        const blocks = jsonArg(args.blocks) as Json[] | undefined;
        const bad = checkBlocks(blocks);
        if (bad) return { ok: false, error: bad.error, response_metadata: { messages: [bad.detail] } };
        const ts = this.#nextTs();
        this.ephemerals.push({
          channel,
          ts,
          text: String(args.text ?? ''),
          blocks: blocks ?? [],
          ephemeralTo: String(args.user),
        });
        return { ok: true, message_ts: ts };
      }
      case 'views.open':
      case 'views.push':
        return this.#viewsOpen(args);
      case 'views.publish':
        return this.#publishHome(args);
      case 'views.update': {
        const id = String(args.view_id ?? '');
        const existing = this.views.get(id);
        if (!existing) return { ok: false, error: 'not_found' };
        const view = jsonArg(args.view) as Json;
        const v = this.#setView(id, view, existing.userId);
        return { ok: true, view: { ...v.view, id: v.id, hash: v.hash } };
      }
      case 'files.getUploadURLExternal': {
        const fileId = this.#nextId('F');
        const length = Number(args.length);
        if (!args.filename || !Number.isFinite(length)) return { ok: false, error: 'invalid_arguments' };
        this.#pendingUploads.set(fileId, {
          filename: String(args.filename),
          length,
          ...(args.alt_txt ? { altText: String(args.alt_txt) } : {}),
          ...(args.snippet_type ? { snippetType: String(args.snippet_type) } : {}),
        });
        return { ok: true, upload_url: `${this.#url}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal':
        return this.#completeUpload(args);
      case 'usergroups.users.list': {
        const members = this.userGroups[String(args.usergroup ?? '')];
        if (!members) return { ok: false, error: 'no_such_subteam' };
        return { ok: true, users: members };
      }
      case 'users.info': {
        const id = String(args.user ?? '');
        return {
          ok: true,
          user: { id, name: this.users[id] ?? id.toLowerCase(), real_name: this.users[id] ?? id },
        };
      }
      case 'conversations.join': {
        // https://docs.slack.dev/reference/methods/conversations.join (bot scope channels:join): private
        // channels answer method_not_supported_for_channel_type; joining twice warns already_in_channel.
        const id = String(args.channel ?? '');
        const name = this.channels[id];
        if (!name) return { ok: false, error: 'channel_not_found' };
        if (this.privateChannels.has(id))
          return { ok: false, error: 'method_not_supported_for_channel_type' };
        const already = this.botChannels.has(id);
        this.botChannels.add(id);
        return {
          ok: true,
          channel: { id, name, is_channel: true, is_private: false, is_member: true },
          ...(already
            ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } }
            : {}),
        };
      }
      case 'conversations.info': {
        const id = String(args.channel ?? '');
        const name = this.channels[id];
        return name ? { ok: true, channel: { id, name } } : { ok: false, error: 'channel_not_found' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  #postMessage(args: Json): Json {
    let channel = String(args.channel ?? '');
    // A user id as the channel posts in the app's DM with that user (its D… id comes back):
    // https://docs.slack.dev/reference/methods/chat.postMessage ("channel … or IM channel"; chat:write).
    if (USER_ID.test(channel)) {
      const known = Object.keys(this.users).length === 0 || this.users[channel] !== undefined;
      if (!known) return { ok: false, error: 'channel_not_found' };
      channel = dmChannelOf(channel);
      this.#dms.add(channel);
    }
    if (!this.#visible(channel)) return { ok: false, error: 'channel_not_found' };
    const blocks = jsonArg(args.blocks) as Json[] | undefined;
    const text = args.text === undefined ? '' : String(args.text);
    if (!text && !blocks?.length) return { ok: false, error: 'no_text' };
    const bad = checkBlocks(blocks);
    if (bad) return { ok: false, error: bad.error, response_metadata: { messages: [bad.detail] } };
    const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
    if (threadTs && !this.message(channel, threadTs)) return { ok: false, error: 'thread_not_found' };
    const ts = this.#nextTs();
    const message: SimMessage = {
      channel,
      ts,
      text,
      blocks: blocks ?? [],
      botId: this.botId,
      ...(threadTs ? { threadTs } : {}),
    };
    this.messages.push(message);
    return {
      ok: true,
      channel,
      ts,
      message: { type: 'message', ts, text, bot_id: this.botId, blocks: message.blocks },
    };
  }

  /** A channel the bot can see: any public one (chat:write.public), a private one only as a member. */
  #visible(channel: string): boolean {
    if (this.#dms.has(channel)) return true;
    return (
      this.channels[channel] !== undefined &&
      (!this.privateChannels.has(channel) || this.botChannels.has(channel))
    );
  }

  #update(args: Json): Json {
    const channel = String(args.channel ?? '');
    const msg = this.message(channel, String(args.ts ?? ''));
    if (!msg) return { ok: false, error: 'message_not_found' };
    const text = args.text === undefined ? undefined : String(args.text);
    if (text && text.length > 4000) return { ok: false, error: 'msg_too_long' };
    const blocks = jsonArg(args.blocks) as Json[] | undefined;
    const bad = checkBlocks(blocks);
    if (bad) return { ok: false, error: bad.error, response_metadata: { messages: [bad.detail] } };
    // Slack: text without blocks removes the blocks; blocks without text keep the old text.
    if (blocks) msg.blocks = blocks;
    else if (text !== undefined) msg.blocks = [];
    if (text !== undefined) msg.text = text;
    msg.edited = (msg.edited ?? 0) + 1;
    return { ok: true, channel, ts: msg.ts, text: msg.text, message: { text: msg.text, blocks: msg.blocks } };
  }

  /**
   * `views.publish`: a user's Home tab (https://docs.slack.dev/reference/views/home-tab-views: type
   * `home`, at most 100 blocks, private_metadata ≤ 3,000 and callback_id ≤ 255 characters); a `hash`
   * that is not the current one is refused with `hash_conflict`, as Slack does to a stale update.
   */
  #publishHome(args: Json): Json {
    const userId = String(args.user_id ?? '');
    if (!USER_ID.test(userId)) return { ok: false, error: 'invalid_arguments' };
    const view = jsonArg(args.view) as Json | undefined;
    if (view?.type !== 'home')
      return {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: ['view.type must be home'] },
      };
    if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
      return {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: ['private_metadata too long'] },
      };
    if (typeof view.callback_id === 'string' && view.callback_id.length > 255)
      return {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: ['callback_id too long'] },
      };
    if (JSON.stringify(view).length > 250_000) return { ok: false, error: 'view_too_large' };
    const bad = checkBlocks(view.blocks, 100);
    if (bad) return { ok: false, error: bad.error, response_metadata: { messages: [bad.detail] } };
    const current = this.homes.get(userId);
    if (args.hash !== undefined && current && args.hash !== current.hash)
      return { ok: false, error: 'hash_conflict' };
    const v = { id: current?.id ?? this.#nextId('V'), view, userId, hash: randomBytes(6).toString('hex') };
    this.homes.set(userId, v);
    this.emit('change');
    return { ok: true, view: { ...view, id: v.id, hash: v.hash } };
  }

  /** A user opens the app's Home tab: the `app_home_opened` event (Events API), signed or over the socket. */
  async openHome(userId: string): Promise<CommandResult> {
    const event = {
      type: 'app_home_opened',
      user: userId,
      channel: dmChannelOf(userId),
      tab: 'home',
      event_ts: String(this.clock.now().getTime() / 1000),
      ...(this.homes.get(userId)
        ? { view: { ...this.homes.get(userId)?.view, id: this.homes.get(userId)?.id } }
        : {}),
    };
    const payload = {
      token: 'legacy-verification-token',
      team_id: this.teamId,
      api_app_id: this.appId,
      event,
      type: 'event_callback',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: Math.floor(this.clock.now().getTime() / 1000),
    };
    return this.#deliver('events_api', payload, JSON.stringify(payload));
  }

  /** A user clicks button `actionId` (with `value`, when several share it) in their App Home tab. */
  async clickHome(userId: string, actionId: string, value?: string): Promise<CommandResult> {
    const home = this.homes.get(userId);
    if (!home) throw new Error(`no App Home published for ${userId}`);
    const found = findAction((home.view.blocks as Json[]) ?? [], actionId, value);
    if (!found) throw new Error(`no button ${actionId}${value ? ` (${value})` : ''} in ${userId}'s App Home`);
    const payload = {
      type: 'block_actions',
      user: { id: userId, username: this.users[userId] ?? userId.toLowerCase(), team_id: this.teamId },
      api_app_id: this.appId,
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: home.id },
      trigger_id: this.#newTrigger(userId),
      team: { id: this.teamId, domain: 'sim' },
      enterprise: null,
      is_enterprise_install: false,
      view: { ...home.view, id: home.id, hash: home.hash, team_id: this.teamId },
      actions: [this.#actionPayload(actionId, found)],
    };
    return this.#deliver(
      'interactive',
      payload,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    );
  }

  #viewsOpen(args: Json): Json {
    const trigger = this.#triggers.get(String(args.trigger_id ?? ''));
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (this.clock.now().getTime() - trigger.createdAt > TRIGGER_TTL_MS)
      return { ok: false, error: 'expired_trigger_id' };
    const view = jsonArg(args.view) as Json | undefined;
    if (view?.type !== 'modal') return { ok: false, error: 'invalid_arguments' };
    if (JSON.stringify(view).length > 250_000) return { ok: false, error: 'view_too_large' };
    const bad = checkBlocks(view.blocks, 100);
    if (bad) return { ok: false, error: bad.error, response_metadata: { messages: [bad.detail] } };
    trigger.used = true;
    const v = this.#setView(this.#nextId('V'), view, trigger.userId);
    return { ok: true, view: { ...v.view, id: v.id, hash: v.hash } };
  }

  #setView(id: string, view: Json, userId: string): SimView {
    const v = { id, view, userId, hash: randomBytes(6).toString('hex') };
    this.views.set(id, v);
    this.emit('change');
    return v;
  }

  #completeUpload(args: Json): Json {
    const files = jsonArg(args.files) as { id: string; title?: string }[] | undefined;
    if (!files?.length) return { ok: false, error: 'invalid_arguments' };
    const channel = args.channel_id ? String(args.channel_id) : undefined;
    if (channel && !this.#visible(channel)) return { ok: false, error: 'channel_not_found' };
    // Sharing a file into a channel needs membership, even with chat:write.public.
    if (channel && !this.botChannels.has(channel)) return { ok: false, error: 'not_in_channel' };
    const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
    const done: SimFile[] = [];
    for (const f of files) {
      const file = this.files.get(f.id);
      if (!file) return { ok: false, error: 'file_not_found' };
      if (f.title) file.title = f.title;
      if (channel) file.channel = channel;
      if (threadTs) file.threadTs = threadTs;
      done.push(file);
    }
    if (channel) {
      const ts = this.#nextTs();
      this.messages.push({
        channel,
        ts,
        text: args.initial_comment ? String(args.initial_comment) : '',
        blocks: [],
        botId: this.botId,
        files: done,
        ...(threadTs ? { threadTs } : {}),
      });
    }
    return {
      ok: true,
      files: done.map((f) => ({ id: f.id, title: f.title ?? f.filename, name: f.filename })),
    };
  }

  #upload(url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const fileId = url.pathname.slice('/upload/'.length);
    const pending = this.#pendingUploads.get(fileId);
    if (!pending) {
      sendJson(res, 404, { ok: false, error: 'file_not_found' });
      return;
    }
    this.#pendingUploads.delete(fileId);
    const content = extractUpload(req.headers['content-type'] ?? '', body);
    this.files.set(fileId, {
      id: fileId,
      filename: pending.filename,
      content,
      ...(pending.altText ? { altText: pending.altText } : {}),
      ...(pending.snippetType ? { snippetType: pending.snippetType } : {}),
    });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${content.length}`);
  }

  #responseUrl(url: URL, body: Buffer, res: ServerResponse): void {
    const id = url.pathname.split('/').pop() ?? '';
    const entry = this.#responseUrls.get(id);
    const now = this.clock.now().getTime();
    if (!entry || entry.uses >= RESPONSE_URL_USES || now - entry.createdAt > RESPONSE_URL_TTL_MS) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('expired_url');
      return;
    }
    let msg: Json;
    try {
      msg = JSON.parse(body.toString('utf8')) as Json;
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('invalid_payload');
      return;
    }
    const blocks = msg.blocks as Json[] | undefined;
    const bad = checkBlocks(blocks);
    if (bad) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(bad.error);
      return;
    }
    entry.uses++;
    const text = msg.text === undefined ? '' : String(msg.text);
    if (msg.delete_original && entry.source) {
      const list = entry.source.ephemeral ? this.ephemerals : this.messages;
      const i = list.findIndex((m) => m.channel === entry.source?.channel && m.ts === entry.source?.ts);
      if (i >= 0) list.splice(i, 1);
    } else if (msg.replace_original && entry.source) {
      const list = entry.source.ephemeral ? this.ephemerals : this.messages;
      const target = list.find((m) => m.channel === entry.source?.channel && m.ts === entry.source?.ts);
      if (target) {
        target.text = text;
        target.blocks = blocks ?? [];
        target.edited = (target.edited ?? 0) + 1;
      }
    } else if (msg.response_type === 'in_channel') {
      const threadTs = msg.thread_ts ? String(msg.thread_ts) : undefined;
      this.messages.push({
        channel: entry.channel,
        ts: this.#nextTs(),
        text,
        blocks: blocks ?? [],
        botId: this.botId,
        ...(threadTs ? { threadTs } : {}),
      });
    } else {
      this.ephemerals.push({
        channel: entry.channel,
        ts: this.#nextTs(),
        text,
        blocks: blocks ?? [],
        ephemeralTo: entry.userId,
      });
    }
    this.calls.push({ method: 'response_url', args: msg, at: now, ok: true });
    this.emit('change');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  }
}

function findAction(
  blocks: Json[],
  actionId: string,
  value?: string,
): { blockId: string; element: Json } | undefined {
  for (const b of blocks) {
    const elements =
      b.type === 'actions' ? ((b.elements as Json[]) ?? []) : b.accessory ? [b.accessory as Json] : [];
    const element = elements.find(
      (e) => e.action_id === actionId && (value === undefined || e.value === value),
    );
    if (element) return { blockId: String(b.block_id ?? ''), element };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function jsonArg(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

function parseArgs(contentType: string, body: Buffer): Json {
  const text = body.toString('utf8');
  if (contentType.includes('application/json')) {
    try {
      return JSON.parse(text) as Json;
    } catch {
      return {};
    }
  }
  if (contentType.includes('multipart/form-data')) {
    const out: Json = {};
    for (const part of multipartParts(contentType, body))
      if (!part.filename) out[part.name] = part.data.toString('utf8');
    return out;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

interface Part {
  name: string;
  filename?: string;
  data: Buffer;
}

function multipartParts(contentType: string, body: Buffer): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return [];
  const delimiter = Buffer.from(`--${b}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const chunk = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = chunk.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
      const filename = /filename="([^"]*)"/.exec(headers)?.[1];
      parts.push({
        name,
        ...(filename !== undefined ? { filename } : {}),
        data: chunk.subarray(headerEnd + 4),
      });
    }
    start = next;
  }
  return parts;
}

/** The upload URL takes the raw bytes or a multipart form with the file in one part. */
function extractUpload(contentType: string, body: Buffer): Buffer {
  if (contentType.includes('multipart/form-data')) {
    const parts = multipartParts(contentType, body);
    const file = parts.find((p) => p.filename !== undefined) ?? parts[0];
    return file ? Buffer.from(file.data) : Buffer.alloc(0);
  }
  return body;
}

export async function startSlackSim(opts: SlackSimOptions = {}): Promise<SlackSim> {
  return new SlackSim(opts).start();
}

export { signSlackRequest } from './signing.js';
