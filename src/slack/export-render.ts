/**
 * Messages of an export: one progress message (a text bar, updated in place), then its summary, or a
 * failure with what to do. Pure rendering: the command gives it plain facts.
 */

import { context, escapeMrkdwn, section } from '../core/blocks.js';
import type { Reply } from '../core/types.js';
import { plural } from '../core/words.js';
import type { ExportSummaryView } from '../exports/service.js';

interface ExportProgressView {
  /** e.g. "Analytics export neo-group 2026-01-01..2026-03-31" */
  title: string;
  done: number;
  total: number;
  /** the item just finished: "neo 2026-02" */
  item?: string;
}

export function progressBar(done: number, total: number, width = 20): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.round(ratio * 100)}%`;
}

export function renderExportProgress(p: ExportProgressView): Reply {
  const bar = progressBar(p.done, p.total);
  const step = p.total > 0 ? ` ${p.done}/${p.total}` : '';
  const last = p.item ? ` · ${p.item}` : '';
  const text = `${p.title}: ${bar}${step}${last}`;
  return {
    text,
    blocks: [
      section(`:hourglass_flowing_sand: *${escapeMrkdwn(p.title)}*\n\`${bar}\`${step}${escapeMrkdwn(last)}`),
    ],
    data: { progress: { done: p.done, total: p.total, item: p.item } },
  };
}

export type { ExportSummaryView };

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function renderExportSummary(s: ExportSummaryView): Reply {
  const n = s.files.length;
  const facts = [
    ...(n > 0 || !s.tables ? [plural(n, 'file')] : []),
    ...(s.tables ? [plural(s.tables.length, 'table')] : []),
    `${s.rows.toLocaleString('en-US')} rows`,
    formatDuration(s.totalMs),
    ...(s.calls !== undefined ? [`${s.calls} Analytics calls`] : []),
    ...(s.monthsFromCheckpoint ? [`${plural(s.monthsFromCheckpoint, 'month')} from checkpoints`] : []),
  ].join(' · ');
  const where = s.destination
    ? `Written to destination \`${s.destination.name}\` (${s.destination.folder}).`
    : s.uploaded
      ? `Files are ${s.place ?? 'in the thread'}.`
      : '';
  const big =
    s.tooBig.length > 0
      ? `Too big for Slack, not attached: ${s.tooBig.join(', ')}.${s.destination ? ' They are in the destination.' : ' Run it again with `--to <destination>` to write them to a configured folder.'}`
      : '';
  const list = [
    ...(s.tables ?? []).map(
      (t) => `• ${t.name}: ${plural(t.rows, 'row')} upserted (${plural(t.writes, 'transaction')})`,
    ),
    ...s.files
      .slice(0, 15)
      .map((f) => `• ${f.name} (${f.rows.toLocaleString('en-US')} rows, ${formatBytes(f.bytes)})`),
  ].join('\n');
  const more = n > 15 ? `\n…and ${n - 15} more` : '';
  const text = [`${s.title} finished: ${facts}.`, where, big].filter(Boolean).join(' ');
  return {
    text,
    blocks: [
      section(
        `:white_check_mark: *${escapeMrkdwn(s.title)}* finished: ${facts}.${s.by ? ` Asked by <@${s.by}>.` : ''}`,
      ),
      ...(list ? [section(escapeMrkdwn(list + more))] : []),
      ...(where || big ? [context(escapeMrkdwn([where, big].filter(Boolean).join(' ')))] : []),
    ],
    data: {
      files: s.files,
      ...(s.tables ? { tables: s.tables } : {}),
      rows: s.rows,
      totalMs: s.totalMs,
      ...(s.calls !== undefined ? { calls: s.calls } : {}),
      ...(s.destination ? { destination: s.destination.name } : {}),
      tooBig: s.tooBig,
    },
  };
}

export function renderExportFailure(title: string, reason: string, advice: string, errorId?: string): Reply {
  const text = `${title} failed: ${reason} ${advice}${errorId ? ` (error id ${errorId})` : ''}`;
  return {
    text,
    blocks: [
      section(`:x: *${escapeMrkdwn(title)}* failed: ${escapeMrkdwn(reason)}\n${escapeMrkdwn(advice)}`),
    ],
    data: { error: reason, ...(errorId ? { errorId } : {}) },
  };
}
