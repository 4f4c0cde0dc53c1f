import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bcops-geo-'));
  writeFileSync(join(dir, 'brightcove-ops.yml'), yaml);
  return loadConfig({ cwd: dir, env: {} });
}

describe('account geo_restricted (media sharing pre-flight)', () => {
  it('is read per account, and absent means unknown', () => {
    const c = load(
      'accounts:\n  - alias: north\n    id: "1"\n    geo_restricted: false\n  - alias: south\n    id: "2"\n    geo_restricted: true\n  - alias: west\n    id: "3"\n',
    );
    expect(c.accounts.map((a) => a.geoRestricted)).toEqual([false, true, undefined]);
    expect('geoRestricted' in c.accounts[2]!).toBe(false);
  });

  it('must be a boolean', () => {
    expect(() => load('accounts:\n  - alias: north\n    id: "1"\n    geo_restricted: "yes"\n')).toThrow(
      /geo_restricted/,
    );
  });
});
