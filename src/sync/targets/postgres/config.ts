import { z } from 'zod';
import { RefusalError } from '../../../core/errors.js';

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
  url: z
    .string({ message: 'url is required: postgres://user:password@host:5432/database' })
    .regex(
      /^postgres(ql)?:\/\//,
      'url must start with postgres:// (e.g. postgres://user@host:5432/database)',
    ),
  /** remove deleted videos' rows instead of setting their deleted_at (default: keep them) */
  hard_delete: z.boolean({ message: 'hard_delete must be true or false' }).default(false),
  pool_size: z.number().int().min(1).max(100).default(10),
  connect_timeout_ms: z.number().int().min(100).default(5_000),
  statement_timeout_ms: z.number().int().min(100).default(60_000),
});
export type PostgresTargetConfig = z.infer<typeof postgresTargetSchema>;

/** `host:port/database` of a URL: where the target is, for messages (never the user or password). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

/**
 * The database cannot be reached: a refusal that names the target and where it is (not bad input, so
 * no usage; not a bug, so no error id and no stack trace).
 */
export class TargetUnavailableError extends RefusalError {
  override name = 'TargetUnavailableError';
  constructor(target: string, where: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Sync target ${target} (PostgreSQL at ${where}) is unreachable: ${reason}. Check that the database is up and sync.targets.${target}.url in brightcove-ops.yml.`,
    );
  }
}
