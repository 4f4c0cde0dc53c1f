import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { startSlackSim } from '../../src/sim/slack/index.js';
import { FileStore } from '../../src/store/store.js';
import { type Harness, startHarness } from '../support/harness.js';

describe("the bot's identity", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ botIds: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is asked of Slack once at start, not before every ack (Bolt asked auth.test per event)', async () => {
    const authTests = () => h.slack.calls.filter((c) => c.method === 'auth.test').length;
    expect(authTests()).toBe(1);
    for (let i = 0; i < 5; i++) {
      const text = await h.ephemeralAfter('help');
      expect(text).toContain('sync');
    }
    expect(authTests()).toBe(1);
  });

  it('a token Slack refuses stops the start with what to do', async () => {
    const slack = await startSlackSim({});
    try {
      const config = loadConfig({
        cwd: process.cwd(),
        env: {
          SLACK_BOT_TOKEN: 'xoxb-not-the-one',
          SLACK_SIGNING_SECRET: 'secret',
          SLACK_API_URL: slack.apiUrl,
          BRIGHTCOVE_OPS_CONFIG: '',
          PORT: '0',
        },
      });
      await expect(
        startApp({ config, store: await FileStore.open(null), host: '127.0.0.1' }),
      ).rejects.toThrow(
        /Slack refused SLACK_BOT_TOKEN \(auth\.test: invalid_auth\): copy the Bot User OAuth Token/,
      );
    } finally {
      await slack.close();
    }
  });
});
