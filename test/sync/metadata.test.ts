import { describe, expect, it } from 'vitest';
import { metadataViolation } from '../../src/sim/clarify/validate.js';
import {
  changedKeys,
  checkCustomFieldMapping,
  managedKeys,
  mapVideoMetadata,
  recordName,
} from '../../src/sync/metadata.js';
import { video } from './helpers.js';

describe('mapVideoMetadata', () => {
  it("keeps the original tool's keys and adds reference_id, duration and mapped custom fields", () => {
    const v = video('6301', {
      description: null,
      tags: null,
      custom_fields: { subject: 'Mammals', unmapped: 'x' },
    });
    const { data, trims, fits } = mapVideoMetadata(v, { customFields: { subject: 'subject' } });
    expect(data).toEqual({
      name: 'Video 6301',
      description: '',
      long_description: '',
      tags: [],
      updated_at: '2021-03-04T08:00:00.000Z',
      created_at: '2021-03-02T10:11:12.345Z',
      state: 'ACTIVE',
      reference_id: 'ref-6301',
      duration: 31487,
      subject: 'Mammals',
    });
    expect(trims).toEqual([]);
    expect(fits).toBe(true);
  });

  it('bug §3.9 limits not enforced: trims every value and the total to what Clarify accepts, and says so', () => {
    const v = video('1', {
      long_description: 'L'.repeat(5000),
      description: 'D'.repeat(2500),
      tags: ['t'.repeat(200), 'ok'],
    });
    const { data, trims, fits } = mapVideoMetadata(v);
    expect(fits).toBe(true);
    expect(metadataViolation(data)).toBeUndefined();
    expect(JSON.stringify(data).length).toBeLessThanOrEqual(4000);
    expect((data.tags as string[])[0]).toHaveLength(128);
    expect(trims.map((t) => t.key)).toEqual(
      expect.arrayContaining(['long_description', 'description', 'tags']),
    );
    // The description survives; the long description gives way first.
    expect((data.description as string).length).toBe(2000);
  });

  it('drops keys beyond 50 (custom fields first) and reports them', () => {
    const custom = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`cf${i}`, `v${i}`]));
    const mapping = Object.fromEntries(Object.keys(custom).map((k) => [k, k]));
    const { data, trims } = mapVideoMetadata(video('1', { custom_fields: custom }), {
      customFields: mapping,
    });
    expect(Object.keys(data)).toHaveLength(50);
    expect(data.name).toBeDefined();
    expect(data.cf0).toBe('v0');
    expect(data.cf59).toBeUndefined();
    expect(trims.filter((t) => t.action === 'dropped')).toHaveLength(19);
    expect(metadataViolation(data)).toBeUndefined();
  });

  it('keeps keys written by others and counts them against the limits', () => {
    const existing = { name: 'old', transcript_lang: 'en', reviewed: true, big: 'x'.repeat(1900) };
    const v = video('1', { long_description: 'L'.repeat(2000) });
    const { data, fits, trims } = mapVideoMetadata(v, {}, existing);
    expect(fits).toBe(true);
    expect(data).toMatchObject({
      name: 'Video 1',
      transcript_lang: 'en',
      reviewed: true,
      big: 'x'.repeat(1900),
    });
    expect(JSON.stringify(data).length).toBeLessThanOrEqual(4000);
    expect(trims[0]?.key).toBe('long_description');
  });

  it('does not cut a surrogate pair in half', () => {
    const { data } = mapVideoMetadata(video('1', { long_description: `${'a'.repeat(1999)}😀` }));
    expect(data.long_description).toBe('a'.repeat(1999));
  });

  it('refuses custom-field targets that are not valid or collide with ours', () => {
    const { mapping, problems } = checkCustomFieldMapping({
      customFields: { a: 'good_key', b: '_hidden', c: 'name', d: 'true', e: 'with-dash' },
    });
    expect(mapping).toEqual([['a', 'good_key']]);
    expect(problems).toHaveLength(4);
    expect(managedKeys({ customFields: { a: 'good_key', b: '_x' } })).toContain('good_key');
  });

  it('bug §3.8 name: the bundle name is the video name, cut to 128 with a note', () => {
    expect(recordName({ name: 'Seals' })).toEqual({ name: 'Seals', trims: [] });
    const long = recordName({ name: 'n'.repeat(300) });
    expect(long.name).toHaveLength(128);
    expect(long.trims[0]).toMatchObject({ key: 'record name', action: 'truncated' });
  });
});

describe('changedKeys', () => {
  const managed = managedKeys({});
  const mapped = mapVideoMetadata(video('1')).data;

  it('bug §3.10 string inequality: compares the mapped metadata, not one updated_at string', () => {
    expect(changedKeys({ ...mapped, updated_at: 'hand edited' }, mapped, managed)).toEqual([]);
    expect(changedKeys({ ...mapped, tags: ['other'] }, mapped, managed)).toEqual(['tags']);
    expect(changedKeys({ ...mapped, foreign: 1 }, mapped, managed)).toEqual([]);
    const { duration: _d, ...withoutDuration } = mapped;
    expect(changedKeys(mapped, withoutDuration, managed)).toEqual(['duration']);
    expect(changedKeys(null, mapped, managed).length).toBeGreaterThan(5);
  });
});
