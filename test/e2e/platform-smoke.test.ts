import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

describe('harness with the Brightcove and Clarify simulators', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('lists the simulator accounts with credentials for every API', async () => {
    const text = await h.ephemeralAfter('accounts');
    expect(text).toContain('neo  1111111111001');
    expect(text).toContain('cms=✓ analytics=✓ live=✓ clarify=✓');
  });

  it('services reach the CMS simulator through the real client', async () => {
    const { services, config } = { services: h.app.services, config: h.config };
    const neo = config.accounts.find((a) => a.alias === 'neo');
    if (!neo) throw new Error('no neo');
    const count = await services.brightcove.cms(services.bcAccount(neo)).countVideos();
    expect(count).toBe(h.bc?.data.videos[neo.id]?.length);
  });
});
