import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deliver,
  monthValues,
  PLACEHOLDERS,
  renderPathTemplate,
  TemplateError,
  templatePlaceholders,
  writeFileAtomic,
} from '../../src/exports/destination.js';

const tmp = () => mkdtemp(join(tmpdir(), 'exports-dest-'));

describe('path templates', () => {
  it('fill every placeholder', () => {
    const values = {
      ...monthValues('2025-03'),
      account: 'neo',
      business_unit: 'news',
      group: 'emea',
      folder: 'Circle-1--GWM',
    };
    expect(renderPathTemplate('out/{group}/{business_unit}/{YYYY}/{YYYY_MM}/{account}.csv', values)).toBe(
      'out/emea/news/2025/2025_03/neo.csv',
    );
    expect(renderPathTemplate('bi/{folder}/{YYYY_MM}', values)).toBe('bi/Circle-1--GWM/2025_03');
    expect(templatePlaceholders('{YYYY_MM}{YYYY}{account}{business_unit}{group}{folder}')).toEqual([
      ...PLACEHOLDERS,
    ]);
  });

  it('reject an unknown placeholder, naming it and the allowed ones', () => {
    expect(() => renderPathTemplate('out/{month}/{account}', { account: 'neo' })).toThrow(TemplateError);
    expect(() => templatePlaceholders('out/{month}/{yyyy}')).toThrow(
      'unknown placeholder {month}, {yyyy} in path template "out/{month}/{yyyy}"; allowed: {YYYY_MM}, {YYYY}, {account}, {business_unit}, {group}',
    );
    expect(() => templatePlaceholders('out/{account')).toThrow(/unbalanced brace/);
  });

  it('reject a missing value and a value that would leave the folder', () => {
    expect(() => renderPathTemplate('{business_unit}/x', { account: 'neo' })).toThrow(
      'placeholder {business_unit} in "{business_unit}/x" has no value for this file',
    );
    expect(() => renderPathTemplate('{account}/x', { account: '..' })).toThrow(/not a valid folder/);
    expect(() => renderPathTemplate('{account}/x', { account: 'a/b' })).toThrow(/not a valid folder/);
  });

  it('deliver into folders created as needed', async () => {
    const root = await tmp();
    const path = await deliver(
      { kind: 'folder', path: 'bu/{business_unit}/{YYYY_MM}' },
      '{account}.csv',
      'a,b\n',
      { business_unit: 'news', account: 'neo', ...monthValues('2024-12') },
      root,
    );
    expect(path).toBe(join(root, 'bu/news/2024_12/neo.csv'));
    expect(await readFile(path, 'utf8')).toBe('a,b\n');
  });
});

describe('atomic writes', () => {
  it('never show a partial file while writing, then replace it whole', async () => {
    const dir = await tmp();
    const target = join(dir, 'daily.csv');
    await writeFile(target, 'old\n');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let firstWritten!: () => void;
    const midway = new Promise<void>((r) => {
      firstWritten = r;
    });
    async function* body() {
      yield 'new line 1\n';
      firstWritten();
      await gate;
      yield 'new line 2\n';
    }
    const writing = writeFileAtomic(target, body());
    await midway;
    // wait (in event-loop turns, not time) until the temporary file is there
    for (let i = 0; i < 1000 && !(await readdir(dir)).some((f) => f.endsWith('.tmp')); i++)
      await new Promise((r) => setImmediate(r));
    expect((await readdir(dir)).some((f) => f.endsWith('.tmp'))).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('old\n');
    release();
    await writing;
    expect(await readFile(target, 'utf8')).toBe('new line 1\nnew line 2\n');
    expect(await readdir(dir)).toEqual(['daily.csv']);
  });

  it('clean up the temporary file and keep the old file when writing fails', async () => {
    const dir = await tmp();
    const target = join(dir, 'daily.csv');
    await writeFile(target, 'old\n');
    async function* failing() {
      yield 'partial\n';
      throw new Error('disk on fire');
    }
    await expect(writeFileAtomic(target, failing())).rejects.toThrow('disk on fire');
    expect(await readFile(target, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['daily.csv']);
  });
});
