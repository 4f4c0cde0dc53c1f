import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CmsClient, createBrightcove } from '../../src/brightcove/index.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { instantClock } from '../sync/helpers.js';

/** The CMS API's notification subscriptions and video-change deliveries, as the simulator serves them. */
describe('CMS notifications in the simulator', () => {
  let bc: BrightcoveSim;
  let cms: CmsClient;
  let account: string;
  const dispatcher = createHttpDispatcher({ retry: { maxRetries: 0 } });

  beforeAll(async () => {
    bc = await startBrightcoveSim({ cmsNotifications: { retryBaseMs: 5, maxAttempts: 3 } });
    account = bc.data.accounts[0]!.id;
    const cred = bc.data.credentials.find((c) => c.accounts.includes(account))!;
    cms = createBrightcove({ endpoints: bc.urls, dispatcher, clock: instantClock }).cms({
      id: account,
      credentials: { clientId: cred.clientId, clientSecret: cred.clientSecret },
    });
  });
  afterAll(async () => {
    await bc.close();
    await dispatcher.close();
  });

  it('creates, lists, refuses duplicates and an 11th endpoint with 422, and deletes subscriptions', async () => {
    const sub = await cms.createSubscription('https://hooks.example/a');
    expect(sub).toMatchObject({
      endpoint: 'https://hooks.example/a',
      events: ['video-change'],
      service_account: account,
    });
    expect(sub.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect((await cms.listSubscriptions()).map((s) => s.id)).toEqual([sub.id]);
    await expect(cms.createSubscription('https://hooks.example/a')).rejects.toMatchObject({ status: 422 });
    for (let i = 1; i < 10; i++) await cms.createSubscription(`https://hooks.example/${i}`);
    await expect(cms.createSubscription('https://hooks.example/11')).rejects.toMatchObject({ status: 422 });
    // DELETE one (the app never does; Studio and scripts do)
    const cred = bc.data.credentials.find((c) => c.accounts.includes(account))!;
    const grant = await fetch(`${bc.urls.oauth}/v4/access_token?grant_type=client_credentials`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${cred.clientId}:${cred.clientSecret}`).toString('base64')}`,
      },
    });
    const { access_token } = (await grant.json()) as { access_token: string };
    const one = `${bc.urls.cms}/v1/accounts/${account}/subscriptions/${sub.id}`;
    const auth = { authorization: `Bearer ${access_token}` };
    expect((await fetch(one, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(one, { headers: auth })).status).toBe(404);
    expect(await cms.listSubscriptions()).toHaveLength(9);
    for (const s of bc.cms.subscriptionsOf(account).slice()) {
      await fetch(`${bc.urls.cms}/v1/accounts/${account}/subscriptions/${s.id}`, {
        method: 'DELETE',
        headers: auth,
      });
    }
    expect(bc.cms.subscriptionsOf(account)).toHaveLength(0);
  });

  it('posts a video-change notice for creates, updates and deletes, and retries a failing endpoint', async () => {
    const statuses = [500, 200, 200, 200];
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      await cms.createSubscription(endpoint);
      const video = bc.cms.addVideo(account, { name: 'New' });
      await bc.cms.notifier.flush();
      bc.cms.updateVideo(account, video.id, { name: 'Newer' });
      await bc.cms.notifier.flush();
      bc.cms.deleteVideo(account, video.id);
      await bc.cms.notifier.flush();
      const mine = bc.cms.notifications.filter((n) => n.url === endpoint);
      expect(mine.map((n) => [n.payload.action, n.attempt, n.status])).toEqual([
        ['CREATE', 1, 500],
        ['CREATE', 2, 200],
        ['UPDATE', 1, 200],
        ['DELETE', 1, 200],
      ]);
      expect(received[0]).toMatchObject({ account_id: account, event: 'video-change', video: video.id });
      const versions = mine.slice(1).map((n) => n.payload.version as number);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
