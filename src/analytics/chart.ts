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

const nextDay = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * Views per day: the devices stacked as areas (each device's share reads at a glance, where five
 * lines tangled under the total), the total as a line on top, and the provisional days (Brightcove
 * may still revise them) shaded and labelled.
 */
function trendChartSpec(daily: readonly DailyPoint[], opts: TrendChartOptions = {}): TopLevelSpec {
  const devices = [...new Set(daily.flatMap((d) => Object.keys(d.byDevice)))].sort();
  const byDevice = daily.flatMap((d) =>
    devices.map((device) => ({ date: d.date, series: device, views: d.byDevice[device] ?? 0 })),
  );
  const totals = daily.map((d) => ({ date: d.date, series: 'total', views: d.views }));
  const provisional = daily.filter((d) => d.provisional).map((d) => ({ from: d.date, to: nextDay(d.date) }));
  // UTC time unit: the dates are calendar days, so the host's zone must not shift them.
  const x = {
    field: 'date',
    type: 'temporal',
    timeUnit: 'utcyearmonthdate',
    title: null,
    axis: { format: '%b %d', labelAngle: 0, tickCount: Math.min(daily.length, 10) },
  } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: 'device',
    scale: { domain: ['total', ...devices] },
    sort: ['total', ...devices],
  } as const;
  const band = provisional.length
    ? [
        {
          data: { values: provisional },
          mark: { type: 'rect', color: '#9aa5b1', opacity: 0.18 },
          encoding: {
            x: { ...x, field: 'from' },
            x2: { field: 'to', timeUnit: 'utcyearmonthdate' },
          },
        } as const,
        {
          data: { values: provisional.slice(0, 1) },
          mark: {
            type: 'text',
            align: 'left',
            baseline: 'top',
            dx: 4,
            dy: 4,
            color: '#52606d',
            fontSize: 11,
          },
          encoding: { x: { ...x, field: 'from' }, y: { value: 0 }, text: { value: 'provisional' } },
        } as const,
      ]
    : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title ? { title: { text: opts.title, fontSize: 16, anchor: 'start' } } : {}),
    width: opts.width ?? 720,
    height: opts.height ?? 280,
    background: 'white',
    padding: 12,
    layer: [
      ...band,
      {
        data: { values: byDevice },
        mark: { type: 'area', opacity: 0.85, interpolate: 'monotone' },
        encoding: { x, y: { field: 'views', type: 'quantitative', stack: 'zero', title: 'views' }, color },
      },
      {
        data: { values: totals },
        mark: { type: 'line', point: daily.length <= 31, strokeWidth: 2.5, interpolate: 'monotone' },
        encoding: { x, y: { field: 'views', type: 'quantitative' }, color },
      },
    ],
    config: {
      font: CHART_FONT_FAMILY,
      range: { category: ['#1f2933', '#2680c2', '#f0b429', '#3ebd93', '#ef4e4e', '#9446ed', '#e668a7'] },
    },
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
