import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createServices } from '../../src/services.js';
import { FileStore } from '../../src/store/store.js';

function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bcops-budget-'));
  writeFileSync(join(dir, 'brightcove-ops.yml'), yaml);
  return loadConfig({ cwd: dir, env: {} });
}

describe('per-account CMS budget (cms_rate, cms_concurrency)', () => {
  it("gives that account's limiter its own limits; the others keep Brightcove's", async () => {
    const config = load(
      'accounts:\n  - alias: shared\n    id: "1"\n    cms_rate: 4\n    cms_concurrency: 6\n  - alias: own\n    id: "2"\n',
    );
    expect(config.accounts.map((a) => [a.cmsRate, a.cmsConcurrency])).toEqual([
      [4, 6],
      [undefined, undefined],
    ]);
    const services = await createServices({ config, store: await FileStore.open(null), commands: [] });
    const { limiters } = services.brightcove.context;
    expect([limiters.cms('1').perInterval, limiters.cms('1').concurrency]).toEqual([4, 6]);
    expect([limiters.cms('2').perInterval, limiters.cms('2').concurrency]).toEqual([10, 20]);
  });

  it("refuses more than Brightcove's limits, with the key in the message", () => {
    expect(() => load('accounts:\n  - alias: a\n    id: "1"\n    cms_rate: 20\n')).toThrow(/cms_rate/);
    expect(() => load('accounts:\n  - alias: a\n    id: "1"\n    cms_concurrency: 0\n')).toThrow(
      /cms_concurrency/,
    );
  });
});
