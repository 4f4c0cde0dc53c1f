/** Text helpers for Slack summaries: sparklines, trend arrows and signed percentages. */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  return values
    .map((v) => BARS[span === 0 ? (max > 0 ? 3 : 0) : Math.round(((v - min) / span) * (BARS.length - 1))])
    .join('');
}

/** ↑ / ↓ beyond ±`threshold` (relative), → within it, · when there is nothing to compare with. */
export function trendArrow(change: number | null, threshold = 0.02): string {
  if (change === null || !Number.isFinite(change)) return '·';
  if (change > threshold) return '↑';
  if (change < -threshold) return '↓';
  return '→';
}

export function formatChange(change: number | null, digits = 1): string {
  if (change === null || !Number.isFinite(change)) return 'n/a';
  const pct = (change * 100).toFixed(digits);
  return `${change > 0 ? '+' : ''}${pct === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : pct}%`;
}
