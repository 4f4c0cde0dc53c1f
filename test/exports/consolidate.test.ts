import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consolidateCsv, consolidatedFileName } from '../../src/exports/consolidate.js';

describe('consolidation', () => {
  it('names the file like the old pipeline', () => {
    expect(consolidatedFileName([2025, 2023, 2024, 2024], 'emea')).toBe(
      'daily_analytics_2023_2024_2025_emea.csv',
    );
  });

  it('keeps one header and passes quoted newlines through', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exports-cons-'));
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const empty = join(dir, 'c.csv');
    await writeFile(a, 'date,name\n2023-01-01,"two\nlines"\n');
    await writeFile(b, 'date,name\n2024-01-01,plain\n');
    await writeFile(empty, 'date,name\n');
    const out = join(dir, 'out', 'all.csv');
    await consolidateCsv([a, empty, b], out);
    expect(await readFile(out, 'utf8')).toBe('date,name\n2023-01-01,"two\nlines"\n2024-01-01,plain\n');
  });

  it('refuses files with different headers and leaves no output behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exports-cons-'));
    await writeFile(join(dir, 'a.csv'), 'date,name\n1,x\n');
    await writeFile(join(dir, 'b.csv'), 'date,views\n1,2\n');
    await expect(
      consolidateCsv([join(dir, 'a.csv'), join(dir, 'b.csv')], join(dir, 'all.csv')),
    ).rejects.toThrow(/header differs/);
    expect((await readdir(dir)).sort()).toEqual(['a.csv', 'b.csv']);
  });
});
