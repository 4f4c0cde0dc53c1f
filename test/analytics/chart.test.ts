import { describe, expect, it } from 'vitest';
import { rasterizeSvg, renderTrendPng, renderTrendSvg } from '../../src/analytics/chart.js';
import type { DailyPoint } from '../../src/analytics/report.js';

const daily: DailyPoint[] = Array.from({ length: 14 }, (_, i) => ({
  date: `2026-03-${String(i + 1).padStart(2, '0')}`,
  views: 100 + 10 * i,
  impressions: 300,
  minutesViewed: 50,
  byDevice: { desktop: 60 + 6 * i, mobile: 40 + 4 * i },
  provisional: i >= 12,
}));

function darkPixels(
  img: { width: number; pixels: Buffer },
  box: { x0: number; y0: number; x1: number; y1: number },
) {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * img.width + x) * 4;
      if (
        (img.pixels[i] ?? 255) < 100 &&
        (img.pixels[i + 1] ?? 255) < 100 &&
        (img.pixels[i + 2] ?? 255) < 100
      )
        n++;
    }
  }
  return n;
}

describe('trend chart', () => {
  it('renders a non-trivial PNG of the declared size', async () => {
    const png = await renderTrendPng(daily, { title: 'Views by device' });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBeGreaterThan(1000);
    expect(height).toBeGreaterThan(400);
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('draws the title and labels with the bundled font (nothing from the system)', async () => {
    const svg = await renderTrendSvg(daily, { title: 'Views by device — neo' });
    expect(svg).toContain('Views by device — neo');
    const withFont = rasterizeSvg(svg);
    const withoutFont = rasterizeSvg(svg, []);
    // Title band: top-left, above the plot. Text glyphs are the only dark pixels there.
    const titleBand = { x0: 0, y0: 0, x1: Math.floor(withFont.width / 2), y1: 60 };
    expect(darkPixels(withFont, titleBand)).toBeGreaterThan(300);
    expect(darkPixels(withoutFont, titleBand)).toBe(0);
    // Axis labels too: the whole image has far more dark pixels with the font.
    const all = { x0: 0, y0: 0, x1: withFont.width, y1: withFont.height };
    expect(darkPixels(withFont, all)).toBeGreaterThan(darkPixels(withoutFont, all) + 2000);
  });

  it('plots one series per device plus the total', async () => {
    const svg = await renderTrendSvg(daily);
    for (const label of ['total', 'desktop', 'mobile', 'Mar 01']) expect(svg).toContain(label);
  });

  it('stacks the devices under the total line and shades the provisional days, only when there are any', async () => {
    const svg = await renderTrendSvg(daily);
    expect(svg).toContain('provisional');
    expect((svg.match(/class="mark-area/g) ?? []).length).toBeGreaterThan(0);
    expect((svg.match(/class="mark-line/g) ?? []).length).toBeGreaterThan(0);
    const settled = await renderTrendSvg(daily.map((d) => ({ ...d, provisional: false })));
    expect(settled).not.toContain('provisional');
  });
});
