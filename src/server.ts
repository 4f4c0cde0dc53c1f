import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './log.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> | void;

interface Route {
  method: string;
  prefix: string;
  handler: RouteHandler;
  raw: boolean;
}

/**
 * The app's own HTTP server, in both Slack modes: Slack events (HTTP mode), /healthz, and webhooks
 * (Live API notifications). Bolt's requestListener gets the untouched request, because signature
 * checks need the raw body.
 */
export class AppServer {
  readonly #routes: Route[] = [];
  readonly #server: Server;
  #port = 0;

  constructor(private readonly logger: Logger) {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  /** `raw` routes get the request unread (Bolt); others get the body buffered. */
  route(method: string, prefix: string, handler: RouteHandler, raw = false): void {
    this.#routes.push({ method, prefix, handler, raw });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = this.#routes.find(
      (r) =>
        r.method === req.method &&
        (path === r.prefix || path.startsWith(r.prefix.endsWith('/') ? r.prefix : `${r.prefix}/`)),
    );
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    try {
      if (route.raw) {
        await route.handler(req, res, Buffer.alloc(0));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > 1_000_000) {
          res.writeHead(413).end();
          return;
        }
        chunks.push(chunk as Buffer);
      }
      await route.handler(req, res, Buffer.concat(chunks));
    } catch (err) {
      this.logger.error('http handler failed', { path, err });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('error');
    }
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this.#port;
  }

  get port(): number {
    return this.#port;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** The one JSON responder (the app, the simulators, the sandbox console). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
