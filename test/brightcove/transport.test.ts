import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpCall } from '../../src/brightcove/transport.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { silentLogger } from '../../src/log.js';

describe('httpCall', () => {
  it('says when the request is written (undici:client:sendHeaders), before its response, once per send', async () => {
    const events: string[] = [];
    const server = createServer((req, res) => {
      events.push(`server ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dispatcher = createHttpDispatcher({ env: {} });
    try {
      const [a, b] = await Promise.all(
        ['/a', '/b'].map((path) =>
          httpCall(dispatcher, silentLogger, {
            api: 'cms',
            method: 'GET',
            url: `${url}${path}`,
            onSent: () => events.push(`sent ${path}`),
          }),
        ),
      );
      expect(a?.body).toEqual({ ok: true });
      expect(b?.status).toBe(200);
      expect(events.filter((e) => e.startsWith('sent')).sort()).toEqual(['sent /a', 'sent /b']);
      for (const path of ['/a', '/b'])
        expect(events.indexOf(`sent ${path}`)).toBeLessThan(events.indexOf(`server ${path}`));
    } finally {
      await dispatcher.close();
      await new Promise((r) => server.close(r));
    }
  });
});
