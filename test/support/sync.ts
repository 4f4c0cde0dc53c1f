import { expect } from 'vitest';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { CHANNEL, type Harness, OPERATOR } from './harness.js';

/** Runs `/brightcove sync <text>` and waits until its message carries the plan. */
export async function planMessage(h: Harness, text: string, user = OPERATOR): Promise<SimMessage> {
  const before = h.slack.channelMessages(CHANNEL).length;
  const res = await h.command(text, user);
  expect(res.status).toBe(200);
  return h.slack.waitFor(
    () =>
      h.slack
        .channelMessages(CHANNEL)
        .slice(before)
        .find((m) => m.text.includes('(plan ')),
    15_000,
    `plan for ${text}`,
  );
}
