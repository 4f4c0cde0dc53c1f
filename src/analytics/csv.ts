import { toCsv } from '../core/csv.js';
import type { Report } from './report.js';

/** The report's daily rows (`--csv`): totals plus one views column per device type. */
export function dailyRowsCsv(report: Report): string {
  const devices = report.devices.map((d) => d.device);
  const header = [
    'date',
    'scope',
    'views',
    'impressions',
    'play_rate',
    'minutes_viewed',
    ...devices.map((d) => `views_${d}`),
    'provisional',
  ];
  const rows = report.daily.map((p) => [
    p.date,
    report.scope.label,
    p.views,
    p.impressions,
    p.impressions > 0 ? (p.views / p.impressions).toFixed(4) : '',
    p.minutesViewed.toFixed(2),
    ...devices.map((d) => p.byDevice[d] ?? 0),
    p.provisional ? 'yes' : 'no',
  ]);
  return toCsv([header, ...rows]);
}
