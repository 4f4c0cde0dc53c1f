import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, type Harness, OPERATOR, startHarness } from '../support/harness.js';
import { startProxy } from '../support/proxy.js';
import { planMessage } from '../support/sync.js';

/**
 * Behind a corporate proxy every connection goes through it: the Slack Web API, file uploads and the
 * Socket Mode websocket as well as Brightcove and Clarify (Node's global fetch ignores HTTPS_PROXY).
 */
describe('everything through HTTPS_PROXY', () => {
  let h: Harness;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const port = (url: string) => new URL(url).port;

  beforeAll(async () => {
    proxy = await startProxy();
    h = await startHarness({
      mode: 'socket',
      brightcove: true,
      clarify: true,
      env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
    });
    await h.slack.waitFor(() => h.slack.socketConnections > 0, 5000, 'socket connection');
  });
  afterAll(async () => {
    await h?.close();
    proxy?.cut();
    proxy?.server.closeAllConnections();
    await new Promise((r) => proxy?.server.close(r));
  });

  it('a sync plan posted with its file reaches Slack (API and upload), Brightcove and Clarify through the proxy', async () => {
    const msg = await planMessage(h, 'sync neo', OPERATOR);
    await h.slack.waitFor(
      () => [...h.slack.files.values()].find((f) => f.channel === CHANNEL),
      10_000,
      'plan file',
    );
    expect(msg.text).toContain('(plan ');
    const targets = new Set(
      proxy.seen.map((s) =>
        s
          .replace(/^CONNECT /, '')
          .split(':')
          .at(-1),
      ),
    );
    expect(targets).toContain(port(h.slack.apiUrl));
    expect(targets).toContain(port(h.bc!.urls.cms));
    expect(targets).toContain(port(h.bc!.urls.oauth));
    expect(targets).toContain(port(h.clarify!.url));
  });

  it('the Socket Mode websocket runs through the proxy: cutting its tunnels drops the connection', async () => {
    const before = h.slack.socketConnections;
    expect(before).toBeGreaterThan(0);
    proxy.cut();
    await h.slack.waitFor(() => h.slack.socketConnections < before || undefined, 5000, 'socket dropped');
    // and it reconnects, through the proxy again
    await h.slack.waitFor(() => h.slack.socketConnections > 0, 15_000, 'reconnect');
    const res = await h.command('accounts', OPERATOR);
    expect(res.status).toBe(200);
  });
});
