import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CmsSourceListSchema, CmsVideoListSchema, CmsVideoSchema } from '../../src/brightcove/schemas.js';

const dir = new URL('../fixtures/brightcove/', import.meta.url).pathname;
const load = (name: string): unknown => JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));

describe('Brightcove fixtures parse with the client schemas', () => {
  it('all-videos.json (20 videos)', () => {
    const videos = CmsVideoListSchema.parse(load('all-videos.json'));
    expect(videos).toHaveLength(20);
    expect(videos.every((v) => typeof v.id === 'string')).toBe(true);
  });
  it('shared master and affiliate copies', () => {
    expect(CmsVideoSchema.parse(load('shared-video.json')).sharing?.to_external_acct).toBe(true);
    const copy = CmsVideoSchema.parse(load('shared-from-video.json'));
    expect(copy.sharing?.by_external_acct).toBe(true);
    expect(copy.sharing?.source_id).toBe('407591857001');
  });
  it('a Dynamic Delivery video with images and text tracks', () => {
    const v = CmsVideoSchema.parse(load('CMS-API-video-response.json'));
    expect(v.images?.poster?.sources?.[0]?.width).toBe(360);
    expect(v.custom_fields).toEqual({ subject: 'Birds' });
  });
  it('sources (HLS, DASH, Smooth)', () => {
    const s = CmsSourceListSchema.parse(load('cms-api-sources-response.json'));
    expect(s).toHaveLength(6);
    expect(s[4]?.profiles).toContain('hbbtv');
  });
});
