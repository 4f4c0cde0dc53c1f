import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../src/sim/slack/index.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';

/** Correctly signed requests whose bodies Slack never sends: each gets a 4xx, and the app lives on. */
describe('malformed signed Slack requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const send = async (body: string, contentType = 'application/x-www-form-urlencoded') => {
    const headers = {
      ...signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000)),
      'content-type': contentType,
    };
    const res = await fetch(`${h.app.url}/slack/events`, { method: 'POST', headers, body });
    await res.text();
    return res.status;
  };

  it.each([
    ['payload=null'],
    ['payload=%5B%5D'],
    ['payload=%7B%7D'],
    ['payload=7'],
    ['payload=%7Bnot%20json'],
    ['payload=%7B%22type%22%3A%22no_such_type%22%7D'],
    [''],
    ['hello=world'],
  ])('form body %j', async (body) => {
    const status = await send(body);
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(500);
    if (body !== 'payload=%7B%22type%22%3A%22no_such_type%22%7D') expect(status).toBe(400);
  });

  it.each([['null'], ['[]'], ['"x"'], ['{bad']])('JSON body %j', async (body) => {
    expect(await send(body, 'application/json')).toBe(400);
  });

  it('still answers commands afterwards', async () => {
    expect(await h.ephemeralAfter('help')).toContain('sync');
  });
});
