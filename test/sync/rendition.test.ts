import { describe, expect, it } from 'vitest';
import { chooseRendition } from '../../src/sync/rendition.js';
import type { VideoSource } from '../../src/sync/types.js';
import { fixture, mp4 } from './helpers.js';

const onDemand = { delivery_type: 'dynamic_origin' };

function pick(sources: VideoSource[], maxHeight?: number) {
  const c = chooseRendition(onDemand, { sources }, maxHeight === undefined ? {} : { maxHeight });
  return c.ok ? c.rendition : undefined;
}

describe('chooseRendition', () => {
  it('bug §3.6 rendition picked last: takes the highest, not the last qualifying source', () => {
    expect(pick([mp4(1080), mp4(720), mp4(360)])?.height).toBe(1080);
    expect(pick([mp4(360), mp4(1080), mp4(720)])?.height).toBe(1080);
  });

  it('bug §3.7 ftp accepted: only http(s) URLs qualify', () => {
    expect(pick([mp4(1080, 'ftp'), mp4(480, 'http')])?.url).toBe('http://cdn.example/480.mp4?token=abc');
    const none = chooseRendition(onDemand, { sources: [mp4(720, 'ftp'), mp4(720, 'rtmp')] });
    expect(none).toMatchObject({ ok: false, reason: 'no_suitable_rendition' });
    expect(none.ok ? '' : none.message).toContain('2 not http(s)');
  });

  it('bug §3.7 null height crash: null or missing heights are skipped, not fatal', () => {
    const noHeight: VideoSource = { src: 'https://cdn.example/x.mp4', codec: 'H264' };
    expect(pick([mp4(null), noHeight, mp4(540)])?.height).toBe(540);
    const none = chooseRendition(onDemand, { sources: [mp4(null), noHeight] });
    expect(none.ok ? '' : none.message).toContain('2 without a height');
  });

  it('prefers https over http at the same height, whatever the order', () => {
    expect(pick([mp4(720, 'https'), mp4(720, 'http')])?.url.startsWith('https:')).toBe(true);
    expect(pick([mp4(720, 'http'), mp4(720, 'https')])?.url.startsWith('https:')).toBe(true);
  });

  it('honours the configurable height limit and reports what was too high', () => {
    expect(pick([mp4(2160), mp4(1440), mp4(720)])?.height).toBe(720);
    expect(pick([mp4(2160), mp4(1440), mp4(720)], 1440)?.height).toBe(1440);
    const only4k = chooseRendition(onDemand, { sources: [mp4(2160)] });
    expect(only4k.ok ? '' : only4k.message).toContain('1 above 1080p');
  });

  it('accepts h264 in any case and rejects other codecs, manifests and RTMP entries', () => {
    expect(pick([mp4(720, 'https', { codec: 'h264' })])?.height).toBe(720);
    expect(pick([mp4(1080, 'https', { codec: 'HEVC' })])).toBeUndefined();
    const rtmp = { app_name: 'rtmp://fms.example/ondemand', codec: 'H264', height: 360 } as VideoSource;
    expect(pick([rtmp])).toBeUndefined();
    // The published Dynamic Delivery sources hold only HLS/DASH/Smooth manifests: nothing usable.
    const sources = fixture('brightcove/cms-api-sources-response.json') as VideoSource[];
    expect(chooseRendition(onDemand, { sources }).ok).toBe(false);
  });

  it('bug §3.4/§3.7 remote not checked: remote videos resolve through asset renditions, remote sources are ignored', () => {
    const remoteSource = mp4(720, 'https', { remote: true });
    expect(pick([remoteSource])).toBeUndefined();
    const remote = { delivery_type: 'remote' };
    const c = chooseRendition(remote, {
      sources: [mp4(1080)],
      assetRenditions: [
        { remote_url: '//media.example.com/heron/360.mp4', video_codec: 'H264', frame_height: 360 },
        { remote_url: 'https://media.example.com/heron/720.mp4', video_codec: 'H264', frame_height: 720 },
        {
          remote_url: 'https://media.example.com/heron/a.m4a',
          video_codec: 'H264',
          frame_height: 1,
          audio_only: true,
        },
      ],
    });
    expect(c).toMatchObject({ ok: true, rendition: { height: 720, origin: 'asset' } });
    const rel = chooseRendition(remote, {
      assetRenditions: [
        { remote_url: '//media.example.com/heron/360.mp4', video_codec: 'H264', frame_height: 360 },
      ],
    });
    expect(rel.ok && rel.rendition.url).toBe('https://media.example.com/heron/360.mp4');
    expect(chooseRendition(remote, { sources: [mp4(720)] }).ok).toBe(false);
  });
});
