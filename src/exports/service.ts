/**
 * Glue between the app and the export engine: the `exports:` config section (validated here, since the app
 * schema leaves it open), `<account|group|all>` → export accounts, and the Analytics/CMS/checkpoint
 * dependencies `runExport` needs, built from the app's services.
 *
 * ```yaml
 * exports:
 *   custom_fields: [video_content_type, business_unit, country, language]
 *   destinations:
 *     share: { path: /mnt/bi/{business_unit}/{YYYY_MM}, consolidated_path: /mnt/bi/consolidated }
 *   schedules:
 *     - { id: nightly, cron: "0 6 * * *", scope: all, kind: analytics, days: 7, destination: share, channel: C0123 }
 * ```
 */
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RunAnalyticsQuery } from '../analytics/queries.js';
import type { CmsVideo } from '../brightcove/schemas.js';
import { resolveScope } from '../core/accounts.js';
import type { ScheduleJob } from '../core/schedules.js';
import type { Services } from '../core/types.js';
import { ScheduleSpecError, validateCronExpression } from '../scheduler/spec.js';
import { ExportCheckpoints } from './checkpoint.js';
import { type Destination, templatePlaceholders } from './destination.js';
import { addDaysTo, dayOf } from './months.js';
import type { ExportAccount, ExportDeps, ExportProgress } from './run.js';

export const EXPORT_KIND = 'export';
export const FORMATS = ['csv', 'json', 'both'] as const;
export type CatalogFormat = (typeof FORMATS)[number];

const template = (what: string) =>
  z
    .string({ message: `${what} is required: a folder such as exports/{account}/{YYYY_MM}` })
    .superRefine((v, ctx) => {
      if (v.trim() === '') ctx.addIssue({ code: 'custom', message: `${what} is empty` });
      try {
        templatePlaceholders(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    });

const destinationSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { path: v } : v),
  z.strictObject({
    path: template('path'),
    consolidated_path: template('consolidated_path')
      .refine((v) => templatePlaceholders(v).every((p) => p === 'group'), {
        message: 'consolidated_path can only use {group}: a consolidated file spans months and accounts',
      })
      .optional(),
  }),
);

const scheduleSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'an export schedule id is lower-case letters, digits, - and _')
    .optional(),
  cron: z.string({ message: 'cron is required, e.g. cron: "0 6 * * *"' }).superRefine((v, ctx) => {
    try {
      validateCronExpression(v);
    } catch (err) {
      if (!(err instanceof ScheduleSpecError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  }),
  tz: z.string().optional(),
  scope: z.string({ message: 'scope is required: an account alias, a group or all' }).min(1),
  kind: z.enum(['catalog', 'analytics'], { message: 'kind must be catalog or analytics' }),
  destination: z.string({ message: 'destination is required: the name of an exports.destinations entry' }),
  channel: z
    .string({ message: 'channel is required: the Slack channel id (C…) told when the export finishes' })
    .regex(/^[CG][A-Z0-9]+$/, 'channel must be a Slack channel id such as C0123ABCD'),
  days: z
    .number({ message: 'days must be a number of days (ending yesterday)' })
    .int('days must be a whole number')
    .min(1, 'days must be at least 1')
    .max(1100, 'days can be at most 1100')
    .default(7),
  recent: z.number().int().min(1, 'recent must be at least 1 day').optional(),
  consolidate: z.boolean({ message: 'consolidate must be true or false' }).default(false),
  years: z
    .array(z.number().int().min(2000).max(2100), { message: 'years must be a list such as [2024, 2025]' })
    .optional(),
  active: z.boolean({ message: 'active must be true or false' }).default(false),
  format: z.enum(FORMATS, { message: 'format must be csv, json or both' }).default('csv'),
});

export const exportsConfigSchema = z.strictObject({
  custom_fields: z
    .array(z.string().min(1), { message: 'custom_fields must be a list of custom field names' })
    .default([]),
  /** where checkpoints go (default: `export-checkpoints` beside the state file) */
  checkpoints: z.string().min(1).optional(),
  destinations: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a destination name is lower-case letters, digits, - and _'),
      destinationSchema,
      {
        message: 'destinations maps names to { path, consolidated_path }',
      },
    )
    .default({}),
  schedules: z
    .array(scheduleSchema, { message: 'schedules must be a list of scheduled exports' })
    .default([]),
});

export type ExportsConfig = z.infer<typeof exportsConfigSchema>;
export type ExportSchedule = z.infer<typeof scheduleSchema>;
export type DestinationConfig = ExportsConfig['destinations'][string];

export class ExportsConfigError extends Error {
  override readonly name = 'ExportsConfigError';
}

/**
 * Parses the `exports:` section; the message names the key path. Also checks what needs the rest of the
 * config: schedule destinations exist and scopes resolve (so a typo fails at start, not at 6 am).
 */
export function parseExportsConfig(raw: unknown, config?: Services['config']): ExportsConfig {
  const parsed = exportsConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['exports', ...(issue?.path ?? [])].map(String).join('.');
    throw new ExportsConfigError(`brightcove-ops.yml ${path}: ${issue?.message ?? 'invalid'}`);
  }
  const cfg = parsed.data;
  const names = Object.keys(cfg.destinations);
  cfg.schedules.forEach((s, i) => {
    const at = `brightcove-ops.yml exports.schedules.${i}`;
    if (!Object.hasOwn(cfg.destinations, s.destination)) {
      throw new ExportsConfigError(
        `${at}.destination: no destination "${s.destination}" (destinations: ${names.join(', ') || 'none configured'})`,
      );
    }
    if (config) {
      try {
        resolveScope(config, s.scope);
      } catch (err) {
        throw new ExportsConfigError(`${at}.scope: ${(err as Error).message}`);
      }
    }
  });
  return cfg;
}

export function scheduleId(s: ExportSchedule, index: number): string {
  return `export:${s.id ?? `${s.kind}-${s.scope}-${index}`}`;
}

export function exportScheduleJobs(cfg: ExportsConfig, defaultTz: string): ScheduleJob<ExportSchedule>[] {
  return cfg.schedules.map((s, i) => ({
    id: scheduleId(s, i),
    kind: EXPORT_KIND,
    spec: `cron "${s.cron}"`,
    tz: s.tz ?? defaultTz,
    data: s,
  }));
}

/** The export's folder for a configured destination. */
export function folderOf(dest: DestinationConfig): Destination {
  return { kind: 'folder', path: dest.path };
}

/** Where `--consolidate` writes for a destination: its consolidated_path, or its path if that has only {group}. */
export function consolidatedFolder(name: string, dest: DestinationConfig): Destination {
  if (dest.consolidated_path) return { kind: 'folder', path: dest.consolidated_path };
  if (templatePlaceholders(dest.path).every((p) => p === 'group')) return { kind: 'folder', path: dest.path };
  throw new ExportsConfigError(
    `destination "${name}" has a per-month or per-account path (${dest.path}); add consolidated_path (only {group} allowed) to use --consolidate with it`,
  );
}

/**
 * The accounts of a scope. `{group}` is the scope when it is a group (consolidating "news" gives one file for
 * news), otherwise the account's first configured group, otherwise its alias.
 */
export function exportAccounts(
  services: Services,
  scope: string | undefined,
): { label: string; accounts: ExportAccount[] } {
  const resolved = resolveScope(services.config, scope);
  const isGroup = scope !== undefined && Object.hasOwn(services.config.groups, scope.toLowerCase());
  return {
    label: resolved.label,
    accounts: resolved.accounts.map((a) => ({
      id: a.id,
      alias: a.alias,
      group: isGroup ? resolved.label : (a.groups[0] ?? a.alias),
      ...(a.businessUnit ? { businessUnit: a.businessUnit } : {}),
    })),
  };
}

export function checkpointDir(services: Services, cfg: ExportsConfig): string {
  return cfg.checkpoints ?? join(dirname(services.config.statePath), 'export-checkpoints');
}

/** The dependencies of `runExport` over the app's Brightcove clients, store and clock. */
export function exportDeps(
  services: Services,
  cfg: ExportsConfig,
  onProgress?: (p: ExportProgress) => void,
): ExportDeps & { checkpoints: ExportCheckpoints } {
  const account = (id: string) => {
    const a = services.config.accounts.find((x) => x.id === id);
    if (!a) throw new Error(`account ${id} is not configured`);
    return services.bcAccount(a);
  };
  const runQuery: RunAnalyticsQuery = (id, q) =>
    services.brightcove
      .analytics(account(id))
      .query(q)
      .then((r) => ({ item_count: r.itemCount, items: r.items, summary: r.summary }));
  const listVideos = (a: ExportAccount): AsyncIterable<CmsVideo> =>
    services.brightcove.cms(account(a.id)).listVideos();
  return {
    clock: services.clock,
    logger: services.logger,
    runQuery,
    listVideos,
    checkpoints: new ExportCheckpoints({
      store: services.store,
      dir: checkpointDir(services, cfg),
      clock: services.clock,
      logger: services.logger,
    }),
    ...(onProgress ? { onProgress } : {}),
  };
}

/** The last `days` whole days, ending yesterday (UTC days, like the Analytics API's dates). */
export function lastDaysRange(now: Date, days: number): { from: string; to: string } {
  const to = addDaysTo(dayOf(now), -1);
  return { from: addDaysTo(to, -(days - 1)), to };
}
