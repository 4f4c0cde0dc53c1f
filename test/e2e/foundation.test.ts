import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../src/core/blocks.js';
import { signSlackRequest } from '../../src/sim/slack/index.js';
import {
  APPROVER,
  CHANNEL,
  type Harness,
  MEMBER,
  OPERATOR,
  SIGNING_SECRET,
  startHarness,
} from '../support/harness.js';

describe('foundation end to end (HTTP receiver, signed requests)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('help lists every subcommand from the declarations', async () => {
    const text = await h.ephemeralAfter('help');
    // As Slack receives it: the usage placeholders escaped, so they are shown and not read as links.
    for (const c of h.app.services.registry.commands)
      expect(text).toContain(escapeMrkdwn(`/brightcove ${c.grammar.usage[0]}`));
    expect(text).not.toMatch(/<[a-z]/);
  });

  it('an empty command shows help', async () => {
    const text = await h.ephemeralAfter('');
    expect(text).toContain('Brightcove Ops commands');
  });

  it('help <sub> shows usage, options and examples', async () => {
    const text = await h.ephemeralAfter('help audit');
    expect(text).toContain('/brightcove audit [--limit N]');
    expect(text).toContain('--limit N');
    expect(text).toContain('Examples:');
  });

  it('an unknown subcommand suggests the closest one and lists all', async () => {
    const text = await h.ephemeralAfter('acounts');
    expect(text).toContain('Unknown subcommand acounts');
    expect(text).toContain('Did you mean accounts');
    expect(text).toContain(`Subcommands: ${h.app.services.registry.commands.map((c) => c.name).join(', ')}.`);
  });

  it('bad arguments get the usage and the precise problem', async () => {
    const text = await h.ephemeralAfter('audit --limit lots');
    expect(text).toContain('--limit must be a number');
    expect(text).toContain('Usage:\n  /brightcove audit [--limit N]');
    const text2 = await h.ephemeralAfter('audit --limit 500');
    expect(text2).toContain('--limit can be at most 200');
    const text3 = await h.ephemeralAfter('audit --verbose');
    expect(text3).toContain('Unknown option --verbose');
  });

  it('accounts lists aliases, ids, groups and APIs but never secrets', async () => {
    const text = await h.ephemeralAfter('accounts');
    expect(text).toContain('neo  1111111111001  bu=News  groups=news');
    expect(text).toContain('research  2222222222001');
    expect(text).toContain('cms=✓');
    expect(text).toContain('live=✗');
    const all = JSON.stringify(h.slack.calls) + JSON.stringify(h.slack.ephemerals);
    expect(all).not.toContain('shared-secret-value-123');
  });

  it('config check is for operators, and shows no client id or secret', async () => {
    expect(await h.ephemeralAfter('config check', MEMBER)).toContain(
      'Only operators can see the configuration',
    );
    const text = await h.ephemeralAfter('config check', OPERATOR);
    expect(text).toContain('"alias": "neo"');
    expect(text).not.toContain('cid-shared');
    expect(text).not.toContain('shared-secret-value-123');
  });

  it('audit shows the latest entries, newest first', async () => {
    h.app.services.repos.audit.append({
      actor: OPERATOR,
      command: 'sync',
      action: 'apply',
      target: 'plan_1',
      outcome: 'ok',
    });
    h.app.services.repos.audit.append({
      actor: APPROVER,
      command: 'sync',
      action: 'approve_deletes',
      target: 'plan_1',
      outcome: 'refused',
    });
    const text = await h.ephemeralAfter('audit --limit 2');
    const lines = text.split('\n');
    expect(lines[0]).toContain(`${APPROVER}  sync approve_deletes plan_1 → refused`);
    expect(lines[1]).toContain(`${OPERATOR}  sync apply plan_1 → ok`);
  });

  it('a bad signature gets 401 and runs nothing', async () => {
    const before = h.slack.calls.length;
    const raw = new URLSearchParams(h.slack.commandPayload('accounts', MEMBER, CHANNEL)).toString();
    const headers = signSlackRequest('wrong-secret', raw, Math.floor(Date.now() / 1000));
    const res = await fetch(`${h.app.url}/slack/events`, { method: 'POST', headers, body: raw });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.calls.length).toBe(before);
  });

  it('a stale timestamp gets 401 and runs nothing', async () => {
    const before = h.slack.calls.length;
    const raw = new URLSearchParams(h.slack.commandPayload('accounts', MEMBER, CHANNEL)).toString();
    const headers = signSlackRequest(SIGNING_SECRET, raw, Math.floor(Date.now() / 1000) - 6 * 60);
    const res = await fetch(`${h.app.url}/slack/events`, { method: 'POST', headers, body: raw });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.calls.length).toBe(before);
  });

  it('healthz reports mode, Slack state and store', async () => {
    const res = await fetch(`${h.app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      mode: 'http',
      slack: 'http',
      store: 'writable',
      state:
        process.env.BCOPS_TEST_STORE === 'postgres'
          ? expect.stringMatching(/^PostgreSQL at 127\.0\.0\.1:\d+\/bcops_[0-9a-f]+$/)
          : 'in-memory state',
    });
  });
});
