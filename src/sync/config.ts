import { z } from 'zod';
import type { AccountConfig } from '../config/schema.js';
import { ScheduleSpecError, validateCronExpression } from '../scheduler/spec.js';
import type { PlanOptions } from './plan.js';
import { configuredTargets, targetsSchema } from './targets/index.js';

/**
 * The `sync:` section of brightcove-ops.yml. The app's schema leaves it open (`record<string, unknown>`)
 * so the feature owns its shape and its error messages here.
 *
 * ```yaml
 * sync:
 *   max_height: 1080
 *   custom_fields: { topic: topic }
 *   legacy_owner: neo          # owner of records the original tool wrote (optional)
 *   mass_delete: { share: 0.2, count: 500, min_count: 10 }  # above either, deletes need a typed confirmation
 *   incremental: { enabled: true, overlap_minutes: 15, full_every_hours: 24 }
 *   targets:                   # default: Clarify with the app's Clarify settings
 *     warehouse: { type: postgres, url: "postgres://sync@db:5432/video" }
 *   schedules:
 *     - { account: neo, cron: "0 6 * * *", channel: C123, auto_apply: true, target: warehouse }
 * ```
 */
const scheduleSchema = z.strictObject({
  account: z.string({ message: 'sync.schedules[].account is required: an account alias or id' }).min(1),
  cron: z
    .string({ message: 'sync.schedules[].cron is required, e.g. cron: "0 6 * * *"' })
    .superRefine((v, ctx) => {
      try {
        validateCronExpression(v);
      } catch (err) {
        if (!(err instanceof ScheduleSpecError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    }),
  channel: z
    .string({
      message: 'sync.schedules[].channel is required: the Slack channel id (C…) to post the plan in',
    })
    .regex(/^[CG][A-Z0-9]+$/, 'sync.schedules[].channel must be a Slack channel id such as C0123ABCD'),
  auto_apply: z.boolean({ message: 'sync.schedules[].auto_apply must be true or false' }).default(false),
  keep_deleted: z.boolean({ message: 'sync.schedules[].keep_deleted must be true or false' }).default(false),
  tz: z.string().optional(),
  /** the target this schedule syncs to (default: the account's) */
  target: z.string().min(1).optional(),
});

const syncConfigSchema = z.strictObject({
  max_height: z
    .number({ message: 'sync.max_height must be a number of pixels, e.g. 1080' })
    .int('sync.max_height must be a whole number')
    .min(144, 'sync.max_height must be at least 144')
    .max(4320, 'sync.max_height can be at most 4320')
    .optional(),
  custom_fields: z
    .record(z.string(), z.string(), {
      message: 'sync.custom_fields maps Brightcove custom field ids to metadata keys, e.g. { topic: topic }',
    })
    .optional(),
  mass_delete: z
    .strictObject({
      share: z
        .number({ message: "sync.mass_delete.share is a fraction of the account's records, e.g. 0.2" })
        .gt(0, 'sync.mass_delete.share must be above 0')
        .max(1, 'sync.mass_delete.share is at most 1 (all records)')
        .default(0.2),
      count: z
        .number({ message: 'sync.mass_delete.count is a number of records, e.g. 500' })
        .int('sync.mass_delete.count must be a whole number')
        .min(1, 'sync.mass_delete.count must be at least 1')
        .default(500),
      min_count: z
        .number({ message: 'sync.mass_delete.min_count is a number of records, e.g. 10' })
        .int('sync.mass_delete.min_count must be a whole number')
        .min(1, 'sync.mass_delete.min_count must be at least 1')
        .default(10),
    })
    .default({ share: 0.2, count: 500, min_count: 10 }),
  legacy_owner: z
    .string({
      message:
        'sync.legacy_owner names the account (alias or id) that owns records written without an owner, e.g. by the original tool',
    })
    .min(1)
    .optional(),
  incremental: z
    .strictObject({
      enabled: z.boolean({ message: 'sync.incremental.enabled must be true or false' }).default(true),
      overlap_minutes: z
        .number({ message: 'sync.incremental.overlap_minutes is a number of minutes, e.g. 15' })
        .int('sync.incremental.overlap_minutes must be a whole number')
        .min(0, 'sync.incremental.overlap_minutes cannot be negative')
        .max(1440, 'sync.incremental.overlap_minutes can be at most 1440 (a day)')
        .default(15),
      full_every_hours: z
        .number({ message: 'sync.incremental.full_every_hours is a number of hours, e.g. 24' })
        .gt(0, 'sync.incremental.full_every_hours must be above 0')
        .max(720, 'sync.incremental.full_every_hours can be at most 720 (30 days)')
        .default(24),
    })
    .default({ enabled: true, overlap_minutes: 15, full_every_hours: 24 }),
  targets: targetsSchema.optional(),
  schedules: z
    .array(scheduleSchema, { message: 'sync.schedules must be a list of { account, cron, channel }' })
    .default([]),
});

export type SyncSchedule = z.infer<typeof scheduleSchema>;
type SyncConfig = z.infer<typeof syncConfigSchema>;

export class SyncConfigError extends Error {
  override readonly name = 'SyncConfigError';
}

/** Parses the `sync:` section; the message names the key path and what was expected. */
export function parseSyncConfig(raw: unknown): SyncConfig {
  const parsed = syncConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['sync', ...(issue?.path ?? [])].map(String).join('.');
  // A bad record key (a target's name) carries the key schema's message one level down.
  const inner = issue?.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
  throw new SyncConfigError(`brightcove-ops.yml ${path}: ${inner ?? issue?.message ?? 'invalid'}`);
}

export function planOptionsFrom(cfg: SyncConfig, keepDeleted: boolean): PlanOptions {
  return {
    ...(keepDeleted ? { keepDeleted: true } : {}),
    ...(cfg.max_height !== undefined ? { maxHeight: cfg.max_height } : {}),
    ...(cfg.custom_fields ? { customFields: cfg.custom_fields } : {}),
  };
}

/** Every target an account or a schedule names is configured (checked at start and by `config check`). */
export function checkTargetNames(cfg: SyncConfig, accounts: readonly AccountConfig[]): void {
  const targets = configuredTargets(cfg.targets);
  const check = (path: string, name: string | undefined) => {
    if (name !== undefined && !Object.hasOwn(targets, name))
      throw new SyncConfigError(
        `brightcove-ops.yml ${path}: unknown sync target "${name}" (sync.targets: ${Object.keys(targets).join(', ')})`,
      );
  };
  for (const a of accounts) check(`accounts.${a.alias}.target`, a.target);
  for (const [i, s] of cfg.schedules.entries()) check(`sync.schedules.${i}.target`, s.target);
}
