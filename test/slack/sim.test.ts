import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { type SlackSim, startSlackSim } from '../../src/sim/slack/index.js';
import { checkBlocks } from '../../src/sim/slack/limits.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Slack simulator: Block Kit limits as Slack enforces them', () => {
  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => section('x')), 'invalid_blocks'],
    ['section text over 3000', [section('x'.repeat(3001))], 'invalid_blocks'],
    [
      '11 fields',
      [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      'invalid_blocks',
    ],
    [
      'header over 150',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      'invalid_blocks',
    ],
    [
      'button value over 2000',
      [
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'a.b',
              text: { type: 'plain_text', text: 'x' },
              value: 'v'.repeat(2001),
            },
          ],
        },
      ],
      'invalid_blocks',
    ],
    [
      'action_id over 255',
      [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a'.repeat(256), text: { type: 'plain_text', text: 'x' } }],
        },
      ],
      'invalid_blocks',
    ],
    [
      'about 13k characters in total',
      Array.from({ length: 5 }, () => section('y'.repeat(2900))),
      'msg_blocks_too_long',
    ],
  ])('%s → %s', (_name, blocks, error) => {
    expect(checkBlocks(blocks)?.error).toBe(error);
  });

  it('accepts a message within every limit', () => {
    expect(checkBlocks(Array.from({ length: 50 }, () => section('ok')))).toBeNull();
  });
});

describe('Slack simulator: Web API', () => {
  let sim: SlackSim;
  let client: WebClient;
  const clock = new ManualClock();
  beforeAll(async () => {
    sim = await startSlackSim({ clock, channels: { C1: 'ops' } });
    client = new WebClient(sim.botToken, { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('posts, updates (blocks without text keep the text) and threads', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'hello', blocks: [section('hi')] });
    await client.chat.update({ channel: 'C1', ts: String(posted.ts), blocks: [section('updated')] } as never);
    const msg = sim.message('C1', String(posted.ts));
    expect(msg?.text).toBe('hello');
    expect(msg?.blocks).toEqual([section('updated')]);
    await client.chat.postMessage({ channel: 'C1', text: 'in thread', thread_ts: String(posted.ts) });
    expect(sim.thread('C1', String(posted.ts)).map((m) => m.text)).toEqual(['in thread']);
  });

  it('rejects an invalid message as Slack does', async () => {
    await expect(
      client.chat.postMessage({
        channel: 'C1',
        text: 'x',
        blocks: Array.from({ length: 51 }, () => section('x')) as never,
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(client.chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
  });

  it('rejects a wrong token', async () => {
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } });
    await expect(bad.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('uploads a file in three steps (files.uploadV2)', async () => {
    await client.filesUploadV2({
      channel_id: 'C1',
      file: Buffer.from('a,b\n1,2\n'),
      filename: 'plan.csv',
      title: 'Plan',
    });
    const file = [...sim.files.values()].find((f) => f.filename === 'plan.csv');
    expect(file?.content.toString()).toBe('a,b\n1,2\n');
    expect(file?.channel).toBe('C1');
    expect(sim.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(sim.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('answers 429 with Retry-After on demand, and the client retries after it', async () => {
    sim.rateLimit('auth.test', 1, 0);
    const retrying = new WebClient(sim.botToken, {
      slackApiUrl: sim.apiUrl,
      retryConfig: { retries: 1, minTimeout: 1, maxTimeout: 5 },
    });
    const res = await retrying.auth.test();
    expect(res.ok).toBe(true);
    expect(sim.callsTo('auth.test').filter((c) => c.error === 'ratelimited')).toHaveLength(1);
  });

  it('a response_url works 5 times within 30 minutes, then fails', async () => {
    const fields = sim.commandPayload('help', 'U1', 'C1');
    const url = fields.response_url as string;
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hi' }),
      });
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(404);
    const other = sim.commandPayload('help', 'U1', 'C1').response_url as string;
    await clock.advance(31 * 60_000);
    expect((await fetch(other, { method: 'POST', body: '{"text":"late"}' })).status).toBe(404);
  });

  it('views.open needs a fresh, unused trigger', async () => {
    const trigger = sim.commandPayload('clip', 'U1', 'C1').trigger_id as string;
    const view = {
      type: 'modal',
      callback_id: 'clip.create',
      title: { type: 'plain_text', text: 'Clip' },
      blocks: [],
    };
    const opened = await client.views.open({ trigger_id: trigger, view: view as never });
    expect(opened.ok).toBe(true);
    await expect(client.views.open({ trigger_id: trigger, view: view as never })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    const late = sim.commandPayload('clip', 'U1', 'C1').trigger_id as string;
    await clock.advance(4000);
    await expect(client.views.open({ trigger_id: late, view: view as never })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
  });

  it('views.publish keeps one Home tab per user, within the Home view limits, refusing a stale hash', async () => {
    const home = (blocks: unknown[]) => ({ type: 'home', blocks });
    const first = await client.views.publish({ user_id: 'U0ONE', view: home([section('hi')]) as never });
    expect(sim.homes.get('U0ONE')?.view.blocks).toHaveLength(1);
    await client.views.publish({ user_id: 'U0ONE', view: home([section('a'), section('b')]) as never });
    expect(sim.homes.get('U0ONE')?.view.blocks).toHaveLength(2);
    expect(sim.homes.get('U0ONE')?.id).toBe(first.view?.id);
    await expect(
      client.views.publish({ user_id: 'U0ONE', hash: first.view?.hash as string, view: home([]) as never }),
    ).rejects.toMatchObject({ data: { error: 'hash_conflict' } });
    await expect(
      client.views.publish({
        user_id: 'U0ONE',
        view: home(Array.from({ length: 101 }, () => section('x'))) as never,
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(
      client.views.publish({ user_id: 'U0ONE', view: { type: 'modal', blocks: [] } as never }),
    ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(
      client.views.publish({
        user_id: 'U0ONE',
        view: { ...home([]), private_metadata: 'm'.repeat(3001) } as never,
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    expect(sim.homes.get('U0ONE')?.view.blocks).toHaveLength(2);
  });

  it('usergroups.users.list answers members or no_such_subteam', async () => {
    await expect(client.usergroups.users.list({ usergroup: 'S404' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
  });
});
