import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { DailyPoint } from './report.js';

const require = createRequire(import.meta.url);

/** Shipped with the npm package, so labels render on servers without any system font. */
const CHART_FONT_FILE = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const CHART_FONT_FAMILY = 'DejaVu Sans';

interface TrendChartOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** Views per day, one line per device type plus the total. */
function trendChartSpec(daily: readonly DailyPoint[], opts: TrendChartOptions = {}): TopLevelSpec {
  const devices = [...new Set(daily.flatMap((d) => Object.keys(d.byDevice)))].sort();
  const values = daily.flatMap((d) => [
    { date: d.date, series: 'total', views: d.views },
    ...devices.map((device) => ({ date: d.date, series: device, views: d.byDevice[device] ?? 0 })),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title ? { title: { text: opts.title, fontSize: 16, anchor: 'start' } } : {}),
    width: opts.width ?? 720,
    height: opts.height ?? 280,
    background: 'white',
    padding: 12,
    data: { values },
    mark: { type: 'line', point: daily.length <= 31, strokeWidth: 2 },
    encoding: {
      // UTC time unit: the dates are calendar days, so the host's zone must not shift them.
      x: {
        field: 'date',
        type: 'temporal',
        timeUnit: 'utcyearmonthdate',
        title: null,
        axis: { format: '%b %d', labelAngle: 0, tickCount: Math.min(daily.length, 10) },
      },
      y: { field: 'views', type: 'quantitative', title: 'views' },
      color: { field: 'series', type: 'nominal', title: 'device', sort: ['total', ...devices] },
    },
    config: { font: CHART_FONT_FAMILY },
  };
}

/** Server-side SVG: vega's headless renderer, no DOM or canvas needed. */
export async function renderTrendSvg(
  daily: readonly DailyPoint[],
  opts: TrendChartOptions = {},
): Promise<string> {
  const vgSpec = compile(trendChartSpec(daily, opts)).spec;
  const view = new View(parseVega(vgSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

interface RasterImage {
  width: number;
  height: number;
  /** RGBA, row by row */
  pixels: Buffer;
  png: Buffer;
}

/** Rendered at 2× so the chart stays sharp on high-density screens. `fontFiles` is overridable for tests. */
export function rasterizeSvg(svg: string, fontFiles: string[] = [CHART_FONT_FILE]): RasterImage {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  });
  const image = resvg.render();
  return {
    width: image.width,
    height: image.height,
    pixels: Buffer.from(image.pixels),
    png: Buffer.from(image.asPng()),
  };
}

function svgToPng(svg: string): Buffer {
  return rasterizeSvg(svg).png;
}

/** PNG of the daily trend by device, for `files.uploadV2`. */
export async function renderTrendPng(
  daily: readonly DailyPoint[],
  opts: TrendChartOptions = {},
): Promise<Buffer> {
  return svgToPng(await renderTrendSvg(daily, opts));
}
