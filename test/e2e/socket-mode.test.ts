import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OPERATOR, startHarness } from '../support/harness.js';

describe('Socket Mode smoke test through the simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mode: 'socket' });
    await h.slack.waitFor(() => h.slack.socketConnections > 0, 5000, 'socket connection');
  });
  afterAll(async () => {
    await h.close();
  });

  it('connects with apps.connections.open and the hello handshake', async () => {
    expect(h.app.mode).toBe('socket');
    expect(h.slack.callsTo('apps.connections.open').length).toBeGreaterThan(0);
    const res = await fetch(`${h.app.url}/healthz`);
    expect(await res.json()).toMatchObject({ ok: true, mode: 'socket', slack: 'connected' });
  });

  it('a slash command envelope is acked and answered', async () => {
    const before = h.slack.ephemerals.length;
    const res = await h.command('accounts', OPERATOR);
    expect(res.status).toBe(200);
    expect(h.slack.socketAcks.length).toBeGreaterThan(0);
    const reply = await h.slack.waitFor(() => h.slack.ephemerals.slice(before)[0], 5000, 'reply');
    expect(reply.text).toContain('neo  1111111111001');
  });
});
