import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CmsAsset, CmsSource, CmsVideo } from '../../src/brightcove/schemas.js';
import { formatPlanText, formatStats, planStats } from '../../src/sync/format.js';
import { buildPlan } from '../../src/sync/plan.js';
import type { AssetRendition, SyncVideo, VideoSource } from '../../src/sync/types.js';
import { mp4, video } from './helpers.js';

const BUNDLE = { one: 'bundle', many: 'bundles' };

describe('types', () => {
  it("accepts the CMS client's video, source and asset types as they are", () => {
    expectTypeOf<CmsVideo>().toExtend<SyncVideo>();
    expectTypeOf<CmsSource>().toExtend<VideoSource>();
    expectTypeOf<CmsAsset>().toExtend<AssetRendition>();
  });
});

describe('format', () => {
  it("prints the original tool's stats block plus skipped", () => {
    expect(
      formatStats({ created: 8, updated: 1, deleted: 1, skipped: 2, recordsWithVideoId: 3 }, BUNDLE),
    ).toBe(
      ['Bundle stats:', '  created: 8', '  updated: 1', '  deleted: 1', '  total:   10', '  skipped: 2'].join(
        '\n',
      ),
    );
  });

  it('lists every item of a plan in plain text', () => {
    const plan = buildPlan({
      target: 'clarify',
      videos: [video('3', { long_description: 'x'.repeat(3000) }), video('4')],
      records: [{ id: 'c', videoId: '99', name: 'Old', version: 1, metadata: {}, metadataVersion: 1 }],
      media: new Map([
        ['3', { sources: [mp4(720)] }],
        ['4', { sources: [] }],
      ]),
    });
    const text = formatPlanText(plan);
    expect(text).toContain(
      '+ 3  "Video 3"  720p H264 (source)  [trimmed: long_description truncated (3000 → 2000 chars)]',
    );
    expect(text).toContain('- 99  record c  "Old"');
    expect(text).toContain('! 4  "Video 4"  no_suitable_rendition: No H264 rendition up to 1080p');
    expect(text).toContain('== Updates (0)\n(none)');
    expect(formatStats(planStats(plan), BUNDLE)).toContain('total:   1');
  });
});
