/**
 * Consolidation of monthly (or yearly) CSV files into one file per group, like the old pipeline's
 * `daily_analytics_2023_2024_2025_<group>.csv`. Files are streamed, never loaded whole: three years of an
 * eleven-account group is far more than a comfortable string.
 */
import { createReadStream } from 'node:fs';
import { type FileContent, writeFileAtomic } from './destination.js';

export function consolidatedFileName(
  years: readonly (number | string)[],
  group: string,
  prefix = 'daily_analytics',
) {
  const sorted = [...new Set(years.map(String))].sort();
  return `${prefix}_${sorted.join('_')}_${group}.csv`;
}

/**
 * The body of each input after its header line, with the header written once. Only the first line is split
 * off, so quoted newlines inside video names pass through untouched. Inputs with a different header are
 * refused rather than producing a file whose columns shift halfway down.
 */
export async function* concatCsv(paths: readonly string[]): AsyncGenerator<Buffer> {
  let header: string | null = null;
  for (const path of paths) {
    let pending: Buffer | null = Buffer.alloc(0);
    for await (const chunk of createReadStream(path)) {
      const buf = chunk as Buffer;
      if (pending === null) {
        yield buf;
        continue;
      }
      pending = Buffer.concat([pending, buf]);
      const nl = pending.indexOf(0x0a);
      if (nl < 0) continue;
      const first = pending.subarray(0, nl + 1);
      const rest = pending.subarray(nl + 1);
      pending = null;
      const line = first.toString('utf8');
      if (header === null) {
        header = line;
        yield first;
      } else if (line !== header) {
        throw new Error(`cannot consolidate ${path}: its header differs from the first file's`);
      }
      if (rest.length > 0) yield rest;
    }
    if (pending !== null && pending.length > 0) {
      throw new Error(`cannot consolidate ${path}: no complete header line`);
    }
  }
}

/** Stream `inputs` into `output` atomically (a reader never sees a half-consolidated file). */
export async function consolidateCsv(inputs: readonly string[], output: string): Promise<void> {
  if (inputs.length === 0) throw new Error('nothing to consolidate');
  const content: FileContent = concatCsv(inputs);
  await writeFileAtomic(output, content);
}
