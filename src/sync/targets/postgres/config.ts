import { z } from 'zod';
import { postgresConnectionShape } from '../../../db/postgres.js';

/**
 * `sync.targets.<name>` of `type: postgres`:
 *
 * ```yaml
 * sync:
 *   targets:
 *     warehouse: { type: postgres, url: "postgres://sync@db.internal:5432/video" }
 * ```
 */
export const postgresTargetSchema = z.strictObject({
  type: z.literal('postgres'),
  ...postgresConnectionShape,
  /** remove deleted videos' rows instead of setting their deleted_at (default: keep them) */
  hard_delete: z.boolean({ message: 'hard_delete must be true or false' }).default(false),
});
export type PostgresTargetConfig = z.infer<typeof postgresTargetSchema>;
