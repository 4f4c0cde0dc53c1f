import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  type ConsoleServer,
  type ConsoleState,
  startConsoleServer,
} from '../../src/sandbox/console-server.js';
import type { SandboxUser } from '../../src/sandbox/world.js';
import { type SlackSim, startSlackSim } from '../../src/sim/slack/index.js';

const SECRET = 'console-test-signing-secret';
const CHANNEL = 'C0VIDEOOPS';
const users: SandboxUser[] = [
  { id: 'U0OPS', name: 'olivia', role: 'operator', description: 'Operator' },
  { id: 'U0APP', name: 'arjun', role: 'approver', description: 'Approver' },
];

interface Received {
  kind: 'command' | 'interactive';
  body: Record<string, string>;
  payload?: Record<string, unknown>;
}

/**
 * A stand-in for the app: checks Slack's signature on every request like Bolt does, records it, and
 * answers with whatever the current test scripts (e.g. opening a modal, field errors).
 */
class FakeApp {
  readonly received: Received[] = [];
  respond: (r: Received) => Promise<string> | string = () => '';
  #server: Server;
  url = '';

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const ts = String(req.headers['x-slack-request-timestamp'] ?? '');
        const expected = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${raw}`).digest('hex')}`;
        if (req.headers['x-slack-signature'] !== expected) {
          res.writeHead(401).end('bad signature');
          return;
        }
        const body = Object.fromEntries(new URLSearchParams(raw));
        const r: Received = body.payload
          ? { kind: 'interactive', body, payload: JSON.parse(body.payload) as Record<string, unknown> }
          : { kind: 'command', body };
        this.received.push(r);
        const answer = await this.respond(r);
        res.writeHead(200, answer ? { 'content-type': 'application/json' } : {}).end(answer);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/slack/events`;
    return this;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('console server', () => {
  let slack: SlackSim;
  let app: FakeApp;
  let con: ConsoleServer;

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${con.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
  };
  const stateOf = async (user: string) =>
    (await api(`/api/state?user=${user}`)).json as unknown as ConsoleState;
  const web = async (method: string, args: Record<string, unknown>) => {
    const res = await fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${slack.botToken}` },
      body: JSON.stringify(args),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const upload = async (filename: string, content: Buffer, extra: Record<string, unknown> = {}) => {
    const up = await web('files.getUploadURLExternal', { filename, length: content.length });
    await fetch(String(up.upload_url), { method: 'POST', body: new Uint8Array(content) });
    return web('files.completeUploadExternal', { files: [{ id: up.file_id, title: filename }], ...extra });
  };

  beforeAll(async () => {
    slack = await startSlackSim({
      users: { U0OPS: 'olivia', U0APP: 'arjun' },
      channels: { [CHANNEL]: 'video-ops' },
    });
    app = await new FakeApp().start();
    slack.connectApp(app.url, SECRET);
    con = await startConsoleServer({
      slack,
      users,
      channel: { id: CHANNEL, name: 'video-ops' },
      commands: [{ name: 'help', summary: 'List the subcommands.', usage: ['help [subcommand]'] }],
      usageHint: 'help | accounts',
      logger: silentLogger,
      port: 0,
    });
  });
  afterEach(() => {
    app.respond = () => '';
  });
  afterAll(async () => {
    await con?.close();
    await app?.close();
    await slack?.close();
  });

  it('serves the console page and its assets from disk, nothing else', async () => {
    const page = await fetch(`${con.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console.js">');
    expect(html).not.toMatch(/https?:\/\//);
    const js = await fetch(`${con.url}/console.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('function mrkdwn');
    expect((await fetch(`${con.url}/console.css`)).status).toBe(200);
    expect((await fetch(`${con.url}/../package.json`)).status).toBe(404);
    expect((await fetch(`${con.url}/src/sandbox/index.ts`)).status).toBe(404);
  });

  it('bootstraps the picker, the channel and the usage hint', async () => {
    const { json } = await api('/api/bootstrap');
    expect(json.users).toEqual(users);
    expect(json.channel).toEqual({ id: CHANNEL, name: 'video-ops' });
    expect(json.usageHint).toBe('help | accounts');
    expect(json.names).toEqual({ U0OPS: 'olivia', U0APP: 'arjun' });
  });

  it('sends a typed command to the app as a signed slash command, without the /brightcove prefix', async () => {
    app.respond = async (r) => {
      // The app answers through the response_url, ephemeral by default, like Slack's.
      await fetch(r.body.response_url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          text: 'hi',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }],
        }),
      });
      return '';
    };
    const res = await api('/api/command', { user: 'U0OPS', text: '/brightcove help sync' });
    expect(res.json).toEqual({ ok: true, status: 200 });
    const got = app.received.at(-1)!;
    expect(got.kind).toBe('command');
    expect(got.body).toMatchObject({
      command: '/brightcove',
      text: 'help sync',
      user_id: 'U0OPS',
      channel_id: CHANNEL,
    });

    const mine = await stateOf('U0OPS');
    const reply = mine.ephemerals.at(-1)!;
    expect(reply.ephemeral).toBe(true);
    expect(reply.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]);
    const echo = mine.echoes.at(-1)!;
    expect(echo).toMatchObject({ text: '/brightcove help sync', status: 200 });
    expect(echo.order).toBeLessThan(reply.order);
    // Someone else sees neither the ephemeral reply nor the echo.
    const theirs = await stateOf('U0APP');
    expect(theirs.ephemerals).toHaveLength(0);
    expect(theirs.echoes).toHaveLength(0);
  });

  it('rejects unknown users and malformed bodies with 400 and a reason', async () => {
    const unknown = await api('/api/command', { user: 'U0NOBODY', text: 'help' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toContain('unknown user U0NOBODY');
    const missing = await api('/api/click', { user: 'U0OPS', channel: CHANNEL });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/ts|actionId/);
    const raw = await fetch(`${con.url}/api/command`, { method: 'POST', body: '{nope' });
    expect(raw.status).toBe(400);
    expect((await api('/api/state?user=U0NOBODY')).status).toBe(400);
  });

  it('clicks a button as the chosen user: a signed block_actions payload with the button value', async () => {
    const posted = await web('chat.postMessage', {
      channel: CHANNEL,
      text: 'plan',
      blocks: [
        {
          type: 'actions',
          block_id: 'b1',
          elements: [
            {
              type: 'button',
              action_id: 'sync.approve_deletes',
              value: 'plan_1',
              style: 'danger',
              text: { type: 'plain_text', text: 'Approve' },
            },
          ],
        },
      ],
    });
    const res = await api('/api/click', {
      user: 'U0APP',
      channel: CHANNEL,
      ts: posted.ts,
      actionId: 'sync.approve_deletes',
    });
    expect(res.json).toEqual({ ok: true, status: 200 });
    const payload = app.received.at(-1)!.payload as {
      type: string;
      user: { id: string };
      actions: { action_id: string; value: string }[];
      container: { message_ts: string };
    };
    expect(payload.type).toBe('block_actions');
    expect(payload.user.id).toBe('U0APP');
    expect(payload.actions[0]).toMatchObject({ action_id: 'sync.approve_deletes', value: 'plan_1' });
    expect(payload.container.message_ts).toBe(posted.ts);

    // A button that is no longer on the message (already stamped) is a 400, not a crash.
    const gone = await api('/api/click', {
      user: 'U0APP',
      channel: CHANNEL,
      ts: posted.ts,
      actionId: 'sync.apply',
    });
    expect(gone.status).toBe(400);
    expect(gone.json.error).toContain('no button sync.apply');
  });

  it('shows a modal to its user only, returns field errors, and closes it on a clean submit', async () => {
    app.respond = async (r) => {
      if (r.kind === 'command') {
        await web('views.open', {
          trigger_id: r.body.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'clip.create',
            title: { type: 'plain_text', text: 'Clip' },
            submit: { type: 'plain_text', text: 'Create' },
            blocks: [
              {
                type: 'input',
                block_id: 'name',
                label: { type: 'plain_text', text: 'Name' },
                element: { type: 'plain_text_input', action_id: 'value' },
              },
            ],
          },
        });
        return '';
      }
      const values = (r.payload as { view: { state: { values: { name: { value: { value: string } } } } } })
        .view.state.values;
      return values.name.value.value === 'ok'
        ? ''
        : JSON.stringify({ response_action: 'errors', errors: { name: 'Use a shorter name' } });
    };
    await api('/api/command', { user: 'U0OPS', text: 'clip' });
    const view = (await stateOf('U0OPS')).views.at(-1)!;
    expect(view.view).toMatchObject({ callback_id: 'clip.create' });
    expect((await stateOf('U0APP')).views).toHaveLength(0);
    expect((await api('/api/view/submit', { user: 'U0APP', viewId: view.id, values: {} })).status).toBe(400);

    const bad = await api('/api/view/submit', {
      user: 'U0OPS',
      viewId: view.id,
      values: { name: { value: { type: 'plain_text_input', value: 'x'.repeat(300) } } },
    });
    expect(bad.json).toEqual({ ok: false, status: 200, errors: { name: 'Use a shorter name' } });
    expect((await stateOf('U0OPS')).views).toHaveLength(1);

    const good = await api('/api/view/submit', {
      user: 'U0OPS',
      viewId: view.id,
      values: { name: { value: { type: 'plain_text_input', value: 'ok' } } },
    });
    expect(good.json).toEqual({ ok: true, status: 200 });
    expect((await stateOf('U0OPS')).views).toHaveLength(0);
  });

  it('closes a modal on cancel', async () => {
    app.respond = async (r) => {
      await web('views.open', {
        trigger_id: r.body.trigger_id,
        view: { type: 'modal', title: { type: 'plain_text', text: 'X' }, blocks: [] },
      });
      return '';
    };
    await api('/api/command', { user: 'U0APP', text: 'x' });
    const view = (await stateOf('U0APP')).views.at(-1)!;
    expect((await api('/api/view/close', { user: 'U0APP', viewId: view.id })).json).toEqual({ ok: true });
    expect((await stateOf('U0APP')).views).toHaveLength(0);
  });

  it('lists threads, edits and uploaded files; serves file content with its type', async () => {
    const parent = await web('chat.postMessage', { channel: CHANNEL, text: 'Report' });
    await web('chat.postMessage', { channel: CHANNEL, text: 'reply', thread_ts: parent.ts });
    await web('chat.update', { channel: CHANNEL, ts: parent.ts, text: 'Report (done)' });
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const csv = Buffer.from(`id,views\n${'1,2\n'.repeat(2000)}`);
    await upload('chart.png', png, { channel_id: CHANNEL, thread_ts: parent.ts });
    await upload('views.csv', csv, { channel_id: CHANNEL });

    const state = await stateOf('U0OPS');
    const top = state.messages.find((m) => m.ts === parent.ts)!;
    expect(top).toMatchObject({ text: 'Report (done)', edited: 1, replyCount: 2 });
    const chartMsg = state.messages.find((m) => m.files[0]?.filename === 'chart.png')!;
    expect(chartMsg.threadTs).toBe(parent.ts);
    expect(chartMsg.files[0]).toMatchObject({ mimetype: 'image/png', isImage: true, size: png.length });
    expect(chartMsg.files[0]!.preview).toBeUndefined();
    const csvFile = state.messages.find((m) => m.files[0]?.filename === 'views.csv')!.files[0]!;
    expect(csvFile).toMatchObject({ isImage: false, truncated: true });
    expect(csvFile.preview).toHaveLength(4000);
    expect(csvFile.preview!.startsWith('id,views\n1,2\n')).toBe(true);

    const image = await fetch(`${con.url}/api/files/${chartMsg.files[0]!.id}`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);
    const download = await fetch(`${con.url}/api/files/${csvFile.id}?download=1`);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="views.csv"');
    expect((await download.text()).length).toBe(csv.length);
    expect((await fetch(`${con.url}/api/files/F404`)).status).toBe(404);
  });

  it('pushes a change event over SSE when the channel changes', async () => {
    const controller = new AbortController();
    const res = await fetch(`${con.url}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const first = await reader.read();
    seen += decoder.decode(first.value);
    expect(seen).toContain('event: change');
    const version = Number(/data: (\d+)/.exec(seen)![1]);
    await web('chat.postMessage', { channel: CHANNEL, text: 'new' });
    // An event coalesced from an earlier change may still arrive with the same version: read on until
    // the one for this change (a newer version) comes.
    let next = '';
    const versions = () => [...next.matchAll(/data: (\d+)\n\n/g)].map((m) => Number(m[1]));
    while (!versions().some((v) => v > version)) next += decoder.decode((await reader.read()).value);
    expect(Math.max(...versions())).toBeGreaterThan(version);
    controller.abort();
  });
});
