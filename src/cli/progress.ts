/**
 * The terminal's progress bar (cli-progress), for long runs such as exports. Written to stderr so the
 * command's own output (file list, JSON) stays clean on stdout.
 */
import cliProgress from 'cli-progress';

interface CliProgress {
  update(done: number, total: number, item: string): void;
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
    update(done, total, item) {
      if (!started) {
        bar.start(total, done, { item });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { item });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
