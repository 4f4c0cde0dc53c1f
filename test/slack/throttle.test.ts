import { describe, expect, it } from 'vitest';
import { LatestWins } from '../../src/slack/throttle.js';

describe('LatestWins (progress updates of one message)', () => {
  it('sends the first value, skips intermediate ones, and always sends the last', async () => {
    const sent: number[] = [];
    const t = new LatestWins<number>(
      async (v) => void sent.push(v),
      20,
      () => {},
    );
    for (let i = 1; i <= 50; i++) t.push(i);
    await t.flush();
    expect(sent[0]).toBe(1);
    expect(sent[sent.length - 1]).toBe(50);
    expect(sent.length).toBeLessThanOrEqual(3);
  });

  it('keeps going after a failed send', async () => {
    const sent: number[] = [];
    const errors: unknown[] = [];
    const t = new LatestWins<number>(
      async (v) => {
        if (v === 1) throw new Error('ratelimited');
        sent.push(v);
      },
      1,
      (e) => errors.push(e),
    );
    t.push(1);
    await t.flush();
    t.push(2);
    await t.flush();
    expect(errors).toHaveLength(1);
    expect(sent).toEqual([2]);
  });
});
