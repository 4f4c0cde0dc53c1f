import { z } from 'zod';

/**
 * Analytics row values as Brightcove sends them: null means "not processed yet / not kept"
 * (reference A1), counts may arrive as numeric strings, and ids as numbers.
 */
const numberish = z.union([z.number(), z.string(), z.null()]).optional();

/** A count: missing or unparseable is 0. */
export const analyticsCount = numberish.transform((v) => {
  const n = v == null || v === '' ? 0 : Number(v);
  return Number.isFinite(n) ? n : 0;
});

/** A metric that may be absent: missing or unparseable is null, never 0. */
export const analyticsMetric = numberish.transform((v) => {
  if (v == null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
});

/** A video id as a string, or null for rows not attributed to a video. */
export const analyticsId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v == null ? null : String(v)));
