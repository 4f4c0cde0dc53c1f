/**
 * CLI progress for exports: a cli-progress bar fed by `runExport`'s `onProgress`. Written to stderr so the
 * command's own output (file list, JSON) stays clean on stdout.
 */
import cliProgress from 'cli-progress';
import type { ExportProgress } from './run.js';

export interface CliProgress {
  onProgress(p: ExportProgress): void;
  stop(): void;
}

export function createCliProgress(
  opts: { stream?: NodeJS.WritableStream; label?: string } = {},
): CliProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream: opts.stream ?? process.stderr,
      format: `${opts.label ?? 'export'} [{bar}] {percentage}% | {value}/{total} | {item} | eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      // the bar redraws on its own timer; an export step can take seconds
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(p) {
      const item = p.month ? `${p.account} ${p.month}` : p.account;
      if (!started) {
        bar.start(p.total, p.done, { item });
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done, { item });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
