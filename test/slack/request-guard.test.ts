import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../src/sim/slack/signing.js';
import { guardSlackRequests } from '../../src/slack/request-guard.js';

const SECRET = 'guard-test-secret';

/**
 * The request guard in front of Bolt: what it refuses, and which signed requests it acks itself
 * (an empty 200 before Bolt runs them) so acks in a burst never queue behind Bolt's processing.
 */
describe('Slack request guard', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
  });

  /** A server whose Bolt stand-in answers `from bolt` only when it gets the real response. */
  async function start() {
    const seen: { real: boolean }[] = [];
    let realRes: ServerResponse | undefined;
    const bolt = (_req: IncomingMessage, res: ServerResponse) => {
      seen.push({ real: res === realRes });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('from bolt');
    };
    const guard = guardSlackRequests(bolt, () => undefined, SECRET);
    server = createServer((req, res) => {
      realRes = res;
      guard(req, res);
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    const send = async (body: string, sign = true) => {
      const headers = sign
        ? signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000))
        : { 'content-type': 'application/x-www-form-urlencoded' };
      const res = await fetch(url, { method: 'POST', headers, body });
      return { status: res.status, text: await res.text() };
    };
    return { seen, send };
  }

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const payload = (type: string) => form({ payload: JSON.stringify({ type }) });

  it('acks a signed slash command and a signed button click itself, then hands them to Bolt', async () => {
    const { seen, send } = await start();
    for (const body of [form({ command: '/brightcove', text: 'help' }), payload('block_actions')]) {
      expect(await send(body)).toEqual({ status: 200, text: '' });
    }
    await expect.poll(() => seen.length).toBe(2);
    expect(seen.every((s) => !s.real)).toBe(true);
  });

  it('leaves to Bolt what answers in its ack (a form submission, an options request) and what is not signed', async () => {
    const { seen, send } = await start();
    expect(await send(payload('view_submission'))).toEqual({ status: 200, text: 'from bolt' });
    expect(await send(payload('block_suggestion'))).toEqual({ status: 200, text: 'from bolt' });
    // Bolt refuses an unsigned request (401); the guard never acks one.
    expect(await send(form({ command: '/brightcove', text: 'help' }), false)).toEqual({
      status: 200,
      text: 'from bolt',
    });
    expect(seen).toEqual([{ real: true }, { real: true }, { real: true }]);
  });

  it('refuses a body that cannot be a Slack payload, before Bolt', async () => {
    const { seen, send } = await start();
    expect((await send(form({ payload: 'null' }))).status).toBe(400);
    expect((await send(form({ nothing: 'here' }))).status).toBe(400);
    expect(seen).toEqual([]);
  });
});
