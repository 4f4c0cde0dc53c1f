import { describe, expect, it } from 'vitest';
import { parseExportsConfig } from '../../src/exports/service.js';

/** The `exports:` section's options for files the old pipeline's readers expect (issue 18 item 16). */
describe('exports config', () => {
  it('takes file names, pipeline columns and daily fields; defaults leave the files as they were', () => {
    const cfg = parseExportsConfig({
      file_names: { daily: 'daily_analytics_{YYYY}_{group}.csv', catalog: 'internet_cms.csv' },
      columns: 'pipeline',
      daily_fields: ['video_content_type'],
    });
    expect(cfg.file_names).toEqual({
      daily: 'daily_analytics_{YYYY}_{group}.csv',
      catalog: 'internet_cms.csv',
    });
    expect(cfg.columns).toBe('pipeline');
    expect(parseExportsConfig({})).toMatchObject({ columns: 'app', file_names: {}, daily_fields: [] });
  });

  it('names the key and the problem of a bad value, at start', () => {
    expect(() => parseExportsConfig({ file_names: { daily: 'x_{years}.csv' } })).toThrow(
      /exports\.file_names\.daily: .*years/,
    );
    expect(() => parseExportsConfig({ columns: 'legacy' })).toThrow(
      /exports\.columns: columns must be app or pipeline/,
    );
  });
});
