import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { sendJson as sendJsonResponse } from '../server.js';
import type { SimFile, SimMessage, SlackSim } from '../sim/slack/index.js';
import type { SandboxUser } from './world.js';

/**
 * The console's server: static assets from disk, a JSON view of the Slack simulator's channel for
 * one user, Server-Sent Events when anything changes, and the user's actions (commands, clicks,
 * modal submissions) handed to the simulator's user side, which signs them exactly as Slack does.
 */

const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('./console/', import.meta.url));

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
};

const PREVIEW_CHARS = 4000;

interface CommandInfo {
  name: string;
  summary: string;
  usage: string[];
}

interface ConsoleOptions {
  slack: SlackSim;
  users: readonly SandboxUser[];
  channel: { id: string; name: string };
  commands: readonly CommandInfo[];
  /** the manifest's usage hint */
  usageHint: string;
  logger: Logger;
  port?: number;
  host?: string;
  assetsDir?: string;
}

interface ConsoleFile {
  id: string;
  filename: string;
  title: string;
  size: number;
  mimetype: string;
  isImage: boolean;
  altText?: string;
  /** the start of a text file, for the inline preview */
  preview?: string;
  truncated?: boolean;
}

interface ConsoleMessage {
  /** arrival order in this console (Slack orders by ts; echoes have no ts of the simulator's) */
  order: number;
  channel: string;
  ts: string;
  text: string;
  blocks: Record<string, unknown>[];
  threadTs?: string;
  edited?: number;
  ephemeral: boolean;
  files: ConsoleFile[];
  replyCount: number;
}

interface ConsoleCommandEcho {
  order: number;
  ts: string;
  text: string;
  status: number;
  error?: string;
}

export interface ConsoleState {
  version: number;
  messages: ConsoleMessage[];
  ephemerals: ConsoleMessage[];
  views: { id: string; hash: string; view: Record<string, unknown> }[];
  echoes: ConsoleCommandEcho[];
}

const userField = z.string().regex(/^[UW][A-Z0-9]+$/, 'user is a Slack user id');
const commandBody = z.object({ user: userField, text: z.string().max(4000) });
const clickBody = z.object({
  user: userField,
  channel: z.string().min(1),
  ts: z.string().min(1),
  actionId: z.string().min(1),
});
const inputValue = z.record(z.string(), z.unknown());
const submitBody = z.object({
  user: userField,
  viewId: z.string().min(1),
  values: z.record(z.string(), z.record(z.string(), inputValue)),
});
const closeBody = z.object({ user: userField, viewId: z.string().min(1) });
const ackBody = z
  .object({ response_action: z.string().optional(), errors: z.record(z.string(), z.string()).optional() })
  .passthrough();

class BadRequest extends Error {}

function isTextFile(filename: string, snippetType?: string): boolean {
  if (snippetType) return true;
  const type = MIME[extname(filename).toLowerCase()];
  return type !== undefined && !type.startsWith('image/');
}

function mimeOf(filename: string): string {
  return MIME[extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

function describeFile(f: SimFile): ConsoleFile {
  const mimetype = mimeOf(f.filename);
  const text = isTextFile(f.filename, f.snippetType);
  const body = text ? f.content.toString('utf8') : '';
  return {
    id: f.id,
    filename: f.filename,
    title: f.title ?? f.filename,
    size: f.content.length,
    mimetype,
    isImage: mimetype.startsWith('image/'),
    ...(f.altText ? { altText: f.altText } : {}),
    ...(text ? { preview: body.slice(0, PREVIEW_CHARS), truncated: body.length > PREVIEW_CHARS } : {}),
  };
}

export class ConsoleServer {
  readonly #opts: ConsoleOptions;
  readonly #server: Server;
  readonly #streams = new Set<ServerResponse>();
  readonly #echoes = new Map<string, ConsoleCommandEcho[]>();
  readonly #userIds: Set<string>;
  readonly #order = new WeakMap<SimMessage, number>();
  #nextOrder = 0;
  #version = 0;
  #pending: NodeJS.Timeout | undefined;
  #url = '';
  readonly #onChange = () => this.#changed();

  constructor(opts: ConsoleOptions) {
    this.#opts = opts;
    this.#userIds = new Set(opts.users.map((u) => u.id));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (err instanceof BadRequest) return sendJson(res, 400, { ok: false, error: err.message });
        opts.logger.error('console request failed', { url: req.url, err });
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal error (see the logs)' });
        else res.end();
      });
    });
    opts.slack.on('change', this.#onChange);
  }

  async start(): Promise<this> {
    const host = this.#opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port ?? 0, host, () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://${host === '0.0.0.0' ? 'localhost' : host === '127.0.0.1' ? 'localhost' : host}:${port}`;
    return this;
  }

  get url(): string {
    return this.#url;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.#opts.slack.off('change', this.#onChange);
    clearTimeout(this.#pending);
    for (const s of this.#streams) s.end();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** What one user sees: the channel (with threads), their ephemerals, their open modals. */
  state(userId: string): ConsoleState {
    const { slack, channel } = this.#opts;
    const inChannel = slack.messages.filter((m) => m.channel === channel.id);
    const replies = new Map<string, number>();
    for (const m of inChannel) if (m.threadTs) replies.set(m.threadTs, (replies.get(m.threadTs) ?? 0) + 1);
    const toConsole = (m: SimMessage): ConsoleMessage => ({
      channel: m.channel,
      ts: m.ts,
      text: m.text,
      blocks: m.blocks,
      ...(m.threadTs ? { threadTs: m.threadTs } : {}),
      ...(m.edited ? { edited: m.edited } : {}),
      order: this.#orderOf(m),
      ephemeral: Boolean(m.ephemeralTo),
      files: (m.files ?? []).map(describeFile),
      replyCount: replies.get(m.ts) ?? 0,
    });
    return {
      version: this.#version,
      messages: inChannel.map(toConsole),
      ephemerals: slack.ephemerals
        .filter((m) => m.channel === channel.id && m.ephemeralTo === userId)
        .map(toConsole),
      views: [...slack.views.values()]
        .filter((v) => v.userId === userId)
        .map((v) => ({ id: v.id, hash: v.hash, view: v.view })),
      echoes: this.#echoes.get(userId) ?? [],
    };
  }

  #orderOf(m: SimMessage): number {
    let n = this.#order.get(m);
    if (n === undefined) {
      n = ++this.#nextOrder;
      this.#order.set(m, n);
    }
    return n;
  }

  #changed(): void {
    // Number new messages as they arrive, so a command's echo sorts before its replies.
    for (const m of this.#opts.slack.messages) this.#orderOf(m);
    for (const m of this.#opts.slack.ephemerals) this.#orderOf(m);
    this.#version++;
    // Coalesce bursts (progress updates, uploads) into one event per 50 ms.
    if (this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      for (const s of this.#streams) s.write(`event: change\ndata: ${this.#version}\n\n`);
    }, 50);
  }

  #user(id: string): string {
    if (!this.#userIds.has(id)) throw new BadRequest(`unknown user ${id}`);
    return id;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    if (req.method === 'GET') {
      const asset = STATIC[path];
      if (asset) {
        const body = await readFile(join(this.#opts.assetsDir ?? CONSOLE_ASSETS_DIR, asset.file));
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
        res.end(body);
        return;
      }
      if (path === '/api/bootstrap') return sendJson(res, 200, this.#bootstrap());
      if (path === '/api/state')
        return sendJson(res, 200, this.state(this.#user(url.searchParams.get('user') ?? '')));
      if (path === '/api/events') return this.#events(req, res);
      if (path.startsWith('/api/files/')) return this.#file(decodeURIComponent(path.slice(11)), url, res);
      if (path === '/healthz') return sendJson(res, 200, { ok: true });
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      return sendJson(res, 404, { ok: false, error: 'not found' });
    }
    if (req.method === 'POST') {
      const body = await readJson(req);
      if (path === '/api/command') return sendJson(res, 200, await this.#command(parse(commandBody, body)));
      if (path === '/api/click') return sendJson(res, 200, await this.#click(parse(clickBody, body)));
      if (path === '/api/view/submit') return sendJson(res, 200, await this.#submit(parse(submitBody, body)));
      if (path === '/api/view/close') return sendJson(res, 200, this.#closeView(parse(closeBody, body)));
    }
    sendJson(res, 404, { ok: false, error: 'not found' });
  }

  #bootstrap() {
    const { users, channel, commands, usageHint, slack } = this.#opts;
    return {
      users,
      channel,
      commands,
      usageHint,
      bot: { id: slack.botUserId, name: 'Brightcove Ops' },
      names: slack.users,
    };
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: 1000\nevent: change\ndata: ${this.#version}\n\n`);
    this.#streams.add(res);
    req.on('close', () => this.#streams.delete(res));
  }

  #file(id: string, url: URL, res: ServerResponse): void {
    const file = this.#opts.slack.files.get(id);
    if (!file) {
      sendJson(res, 404, { ok: false, error: 'file_not_found' });
      return;
    }
    const download = url.searchParams.has('download');
    res.writeHead(200, {
      'content-type': mimeOf(file.filename),
      'content-length': String(file.content.length),
      'cache-control': 'no-store',
      ...(download
        ? { 'content-disposition': `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"` }
        : {}),
    });
    res.end(file.content);
  }

  async #command(body: z.infer<typeof commandBody>) {
    const user = this.#user(body.user);
    const text = body.text.trim().replace(/^\/brightcove\b\s*/, '');
    const echoes = this.#echoes.get(user) ?? [];
    this.#echoes.set(user, echoes);
    const echo: ConsoleCommandEcho = {
      order: ++this.#nextOrder,
      ts: String(Date.now() / 1000),
      text: `/brightcove ${text}`.trim(),
      status: 0,
    };
    echoes.push(echo);
    this.#changed();
    const result = await this.#opts.slack.slashCommand(text, user, this.#opts.channel.id);
    echo.status = result.status;
    // Slack shows this when the app does not ack in time or errors: the same words here.
    const error =
      result.status === 200
        ? undefined
        : `/brightcove failed with the error "dispatch_failed" (${result.status})`;
    if (error) echo.error = error;
    this.#changed();
    return { ok: result.status === 200, status: result.status, ...(error ? { error } : {}) };
  }

  async #click(body: z.infer<typeof clickBody>) {
    const user = this.#user(body.user);
    let result: { status: number };
    try {
      result = await this.#opts.slack.click(user, body.actionId, { channel: body.channel, ts: body.ts });
    } catch (err) {
      // The message changed under the user (e.g. the buttons were already replaced by a stamp).
      throw new BadRequest((err as Error).message);
    }
    return { ok: result.status === 200, status: result.status };
  }

  async #submit(body: z.infer<typeof submitBody>) {
    const user = this.#user(body.user);
    const view = this.#opts.slack.views.get(body.viewId);
    if (!view || view.userId !== user) throw new BadRequest(`no open view ${body.viewId}`);
    const result = await this.#opts.slack.submitView(user, body.viewId, body.values);
    let ack: z.infer<typeof ackBody> = {};
    if (result.body) {
      try {
        ack = ackBody.parse(JSON.parse(result.body));
      } catch {
        ack = {};
      }
    }
    if (ack.response_action === 'errors')
      return { ok: false, status: result.status, errors: ack.errors ?? {} };
    return { ok: result.status === 200, status: result.status };
  }

  #closeView(body: z.infer<typeof closeBody>) {
    const user = this.#user(body.user);
    const view = this.#opts.slack.views.get(body.viewId);
    if (!view || view.userId !== user) throw new BadRequest(`no open view ${body.viewId}`);
    this.#opts.slack.views.delete(body.viewId);
    this.#opts.slack.emit('change');
    return { ok: true };
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new BadRequest(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new BadRequest('request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new BadRequest('request body is not JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonResponse(res, status, body, { 'cache-control': 'no-store' });
}

export async function startConsoleServer(opts: ConsoleOptions): Promise<ConsoleServer> {
  return new ConsoleServer(opts).start();
}
