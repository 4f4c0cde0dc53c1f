import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Brightcove (Live API, CMS notifications) needs the app's public URL before the app (port 0) exists, so notifications go through
 * a loopback relay whose target is set once the harness is up.
 */
export async function startRelay(): Promise<{ url: string; server: Server; target: { url: string } }> {
  const target = { url: '' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fetch(`${target.url}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(await r.text());
        })
        .catch(() => {
          res.writeHead(502).end();
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, target };
}
