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
 *     warehouse: { type: postgres, url: "postgres://bi@db.internal:5432/video" }   # tables, not files
 *   schedules:
 *     - { id: nightly, cron: "0 6 * * *", scope: all, kind: analytics, days: 7, destination: share, channel: C0123 }
 * ```
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { RunAnalyticsQuery } from '../analytics/queries.js';
import type { CmsVideo } from '../brightcove/schemas.js';
import { resolveScope } from '../core/accounts.js';
import { newErrorId, UserError } from '../core/errors.js';
import { isOrphaned } from '../core/lease.js';
import { LeasedWork } from '../core/leased-work.js';
import type { ScheduleJob } from '../core/schedules.js';
import type { Services } from '../core/types.js';
import { plural } from '../core/words.js';
import { ScheduleSpecError, validateCronExpression } from '../scheduler/spec.js';
import type { JobRecord } from '../store/repositories.js';
import { ExportCheckpoints } from './checkpoint.js';
import { type Destination, type FolderDestination, templatePlaceholders } from './destination.js';
import { addDaysTo, dayOf, monthsBetween } from './months.js';
import {
  type ExportAccount,
  type ExportDeps,
  ExportFailedError,
  type ExportProgress,
  type ExportSpec,
  runExport,
} from './run.js';
import { PostgresWarehouse, warehouseDestinationSchema } from './warehouse.js';

export const EXPORT_KIND = 'export';
export const FORMATS = ['csv', 'json', 'both'] as const;

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

const folderSchema = z.strictObject({
  type: z.literal('folder').default('folder'),
  path: template('path'),
  consolidated_path: template('consolidated_path')
    .refine((v) => templatePlaceholders(v).every((p) => p === 'group'), {
      message: 'consolidated_path can only use {group}: a consolidated file spans months and accounts',
    })
    .optional(),
});

/** A folder (`path`, or just the path as a string), or a PostgreSQL database (`type: postgres`, `url`). */
const destinationSchema = z.preprocess(
  (v) => {
    if (typeof v === 'string') return { type: 'folder', path: v };
    if (v && typeof v === 'object' && !('type' in v)) return { type: 'folder', ...v };
    return v;
  },
  z.discriminatedUnion('type', [folderSchema, warehouseDestinationSchema], {
    message: 'a destination is a folder ({ path }) or a database ({ type: postgres, url })',
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

const exportsConfigSchema = z.strictObject({
  custom_fields: z
    .array(z.string().min(1), { message: 'custom_fields must be a list of custom field names' })
    .default([]),
  /**
   * File names (templates with the path placeholders) instead of the defaults
   * `daily_analytics_{account}_{YYYY_MM}.csv` and `catalog_{account}.csv`, e.g. the old pipeline's
   * `internet_cms.csv`; the catalogue's extension follows its format.
   */
  file_names: z
    .strictObject({
      daily: z.string().min(1).optional(),
      catalog: z.string().min(1).optional(),
    })
    .default({}),
  /** `pipeline`: the old analytics pipeline's column names in daily files (video_view, …, video_duration) */
  columns: z.enum(['app', 'pipeline'], { message: 'columns must be app or pipeline' }).default('app'),
  /** custom fields each daily analytics row carries as columns (engagement by content type, …) */
  daily_fields: z
    .array(z.string().min(1), { message: 'daily_fields must be a list of custom field names' })
    .default([]),
  /** where checkpoints go (default: `export-checkpoints` beside the state file) */
  checkpoints: z.string().min(1).optional(),
  destinations: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a destination name is lower-case letters, digits, - and _'),
      destinationSchema,
      {
        message: 'destinations maps names to { path, consolidated_path } or { type: postgres, url }',
      },
    )
    .default({}),
  schedules: z
    .array(scheduleSchema, { message: 'schedules must be a list of scheduled exports' })
    .default([]),
});

type ExportsConfig = z.infer<typeof exportsConfigSchema>;
export type ExportSchedule = z.infer<typeof scheduleSchema>;
type DestinationConfig = ExportsConfig['destinations'][string];

class ExportsConfigError extends Error {
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
  // a placeholder the paths do not know fails here, at start, not when the first file is written
  for (const [kind, name] of Object.entries(cfg.file_names))
    try {
      if (name) templatePlaceholders(name);
    } catch (err) {
      throw new ExportsConfigError(
        `brightcove-ops.yml exports.file_names.${kind}: ${(err as Error).message}`,
      );
    }
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

function scheduleId(s: ExportSchedule, index: number): string {
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

/** Where `--consolidate` writes for a destination: its consolidated_path, or its path if that has only {group}. */
function consolidatedFolder(name: string, dest: DestinationConfig): FolderDestination {
  if (dest.type === 'postgres')
    throw new ExportsConfigError(
      `destination "${name}" is a database: its tables hold every month and account already, so --consolidate (one file per group) is for folder destinations`,
    );
  if (dest.consolidated_path) return { kind: 'folder', path: dest.consolidated_path };
  if (templatePlaceholders(dest.path).every((p) => p === 'group')) return { kind: 'folder', path: dest.path };
  throw new ExportsConfigError(
    `destination "${name}" has a per-month or per-account path (${dest.path}); add consolidated_path (only {group} allowed) to use --consolidate with it`,
  );
}

/** The groups an account is in (its own `groups:` and the top-level `groups:` lists), else its alias. */
function groupsOf(config: Services['config'], alias: string): string[] {
  const names = Object.entries(config.groups)
    .filter(([, members]) => members.includes(alias))
    .map(([g]) => g);
  return names.length ? names : [alias];
}

/**
 * The accounts of a scope. `{group}` is the scope when it is a group (consolidating "news" gives one file for
 * news), otherwise the account's first configured group, otherwise its alias.
 */
function exportAccounts(
  services: Pick<Services, 'config'>,
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
      // Consolidating a group gives its file; any other scope one file per group of each account.
      groups: isGroup ? [resolved.label] : groupsOf(services.config, a.alias),
      ...(a.businessUnit ? { businessUnit: a.businessUnit } : {}),
      ...(a.exportFolder ? { folder: a.exportFolder } : {}),
    })),
  };
}

function checkpointDir(services: Pick<Services, 'config'>, cfg: ExportsConfig): string {
  return cfg.checkpoints ?? join(dirname(services.config.statePath), 'export-checkpoints');
}

/** The dependencies of `runExport` over the app's Brightcove clients, store and clock. */
function exportDeps(
  services: ExportServiceContext,
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
function lastDaysRange(now: Date, days: number): { from: string; to: string } {
  const to = addDaysTo(dayOf(now), -1);
  return { from: addDaysTo(to, -(days - 1)), to };
}

// ------------------------------------------------------------------------------------------ workflow

/** What a user or a schedule asks for; the command's grammar builds it. */
export type ExportRequest = {
  kind: 'catalog' | 'analytics';
  scope?: string;
  dest?: string;
  years?: number[];
  active: boolean;
  formats: ('csv' | 'json')[];
  from?: string;
  to?: string;
  days?: number;
  recent?: number;
  consolidate: boolean;
};

/** What one run does, whoever asked (a user or a schedule). */
export interface ExportPlan {
  /** what was asked, its days pinned (a run resumed tomorrow exports the same days) */
  request: ExportRequest;
  title: string;
  scopeLabel: string;
  spec: ExportSpec;
  destination?: { name: string; folder: string };
  /** attach the files to the message (Slack) or write them to the CLI's output folder */
  attach: boolean;
  /** the temporary folder of an upload-only run, removed afterwards */
  tmp?: string;
  /** the command that runs it again (without the prefix), for the failure message */
  retry: string;
}

/** Rows per table of a database destination (and how many account-months or accounts wrote them). */
function tableTotals(writes: readonly { table: string; rows: number }[]): ExportSummaryView['tables'] {
  const by = new Map<string, { name: string; rows: number; writes: number }>();
  for (const w of writes) {
    const t = by.get(w.table) ?? { name: w.table, rows: 0, writes: 0 };
    t.rows += w.rows;
    t.writes++;
    by.set(w.table, t);
  }
  return [...by.values()];
}

/** A finished run as the summary shows it. */
export interface ExportSummaryView {
  title: string;
  files: { name: string; rows: number; bytes: number; path?: string }[];
  /** rows written per table of a database destination; `writes`: account-months (or accounts) */
  tables?: { name: string; rows: number; writes: number }[];
  rows: number;
  calls?: number;
  monthsFromCheckpoint?: number;
  totalMs: number;
  /** configured destination the files were written to */
  destination?: { name: string; folder: string };
  /** files not attached because of their size or number */
  tooBig: string[];
  /** whether files are attached */
  uploaded: boolean;
  /** where attached files are, in words ("in the thread") */
  place?: string;
  by?: string;
}

/** Where a run is shown (a channel message, a terminal): the command renders, the service decides. */
export interface ExportView {
  /** attachment limits of the place the files would be attached to, and its name in words */
  attachments: { maxBytes: number; maxCount: number; place: string };
  /** show who asked (in a channel others read; not in one's own terminal) */
  showRequester: boolean;
  /** how commands are typed there, for the "run it again" advice */
  prefix: string;
  /** the run did not start (another run writes the same months) */
  refused(title: string, why: string, advice: string): Promise<void>;
  /** the run starts; what it returns follows it to its end */
  started(title: string): Promise<ExportRunView>;
}

interface ExportRunView {
  /** the message that shows the run, when it is in a channel: another replica can go on updating it */
  where?: { channel: string; ts: string };
  progress(p: ExportProgress): void;
  done(summary: ExportSummaryView, attach: { name: string; path: string }[]): Promise<void>;
  failed(reason: string, advice: string, errorId?: string): Promise<void>;
}

/** What the export workflow needs of the services around it. */
type ExportServiceContext = Pick<
  Services,
  'config' | 'brightcove' | 'bcAccount' | 'clock' | 'logger' | 'repos' | 'store' | 'replica' | 'newId'
>;

const RUN_KIND = 'export-run';

interface ExportRunData {
  request: ExportRequest;
  attach: boolean;
  title: string;
  actor: string;
  action: string;
  /** destination, kind, account and month of everything it writes: no two live runs share one */
  keys: string[];
  /** shown in a channel (the app's runs): another replica finishes it if this one dies */
  resumable: boolean;
}

/** A run being written, in the store while it runs: its claim on the months, its lease, its message. */
type ExportRun = JobRecord<ExportRunData>;

/**
 * The export workflow, one per app: plan (scope, destination, range) → claim the destination's months
 * → run (checkpointed) → audit → summary. Slack, the CLI and schedules call it alike.
 */
export class ExportService {
  /** database destinations, connected when first written to */
  readonly #warehouses = new Map<string, PostgresWarehouse>();
  /** Runs being written, by whichever replica (or CLI) holds their lease. */
  readonly #runs: LeasedWork<JobRecord>;

  constructor(private readonly services: ExportServiceContext) {
    this.#runs = new LeasedWork({
      name: 'export',
      records: services.repos.jobs,
      store: services.store,
      running: isLiveRun,
      // only a run shown in a channel is finished by another replica; a terminal's run ends with it
      resumable: (r) => (r as ExportRun).data.resumable,
      replica: services.replica,
      clock: services.clock,
      logger: services.logger,
    });
  }

  config(): ExportsConfig {
    try {
      return parseExportsConfig(this.services.config.exports, this.services.config);
    } catch (err) {
      if (err instanceof ExportsConfigError) throw new UserError(err.message);
      throw err;
    }
  }
  /** Checks scope, destination and range, and names the run; writes nothing but a temporary folder. */
  async plan(args: ExportRequest, attach: boolean, cfg = this.config()): Promise<ExportPlan> {
    const services = this.services;
    const { label, accounts } = exportAccounts(services, args.scope);
    let dest: Destination;
    let consolidated: FolderDestination | undefined;
    let destination: ExportPlan['destination'];
    let tmp: string | undefined;
    if (args.dest) {
      const d = Object.hasOwn(cfg.destinations, args.dest) ? cfg.destinations[args.dest] : undefined;
      if (!d) {
        const names = Object.keys(cfg.destinations);
        throw new UserError(
          names.length
            ? `No destination \`${args.dest}\`. Configured destinations: ${names.join(', ')}.`
            : 'No destinations are configured: add them under `exports.destinations` in brightcove-ops.yml.',
        );
      }
      dest = this.#destinationOf(args.dest, d);
      destination = { name: args.dest, folder: dest.kind === 'tables' ? dest.writer.where : dest.path };
      if (args.consolidate) {
        try {
          consolidated = consolidatedFolder(args.dest, d);
        } catch (err) {
          throw new UserError((err as Error).message);
        }
      }
    } else {
      tmp = await mkdtemp(join(tmpdir(), 'bcops-export-'));
      dest = { kind: 'folder', path: join(tmp, 'files') };
      if (args.consolidate) consolidated = { kind: 'folder', path: join(tmp, 'consolidated') };
    }
    const common = { accounts, destination: dest };
    let spec: ExportSpec;
    let title: string;
    let retry: string;
    const destFlag = args.dest ? ` --dest ${args.dest}` : '';
    if (args.kind === 'catalog') {
      spec = {
        kind: 'catalog',
        ...common,
        customFields: cfg.custom_fields,
        ...(args.years ? { publishedYears: args.years } : {}),
        activeOnly: args.active,
        formats: args.formats,
        // the name without its extension: each format adds its own
        ...(cfg.file_names.catalog ? { fileName: cfg.file_names.catalog.replace(/\.(csv|json)$/i, '') } : {}),
      };
      const filters = [args.years ? `published ${args.years.join(', ')}` : '', args.active ? 'active' : '']
        .filter(Boolean)
        .join(', ');
      title = `Catalogue export ${label}${filters ? ` (${filters})` : ''}`;
      retry = `export catalog ${label}${destFlag}`;
    } else {
      const range = args.days
        ? lastDaysRange(services.clock.now(), args.days)
        : { from: args.from as string, to: args.to ?? lastDaysRange(services.clock.now(), 1).to };
      if (range.from > range.to)
        throw new UserError(`--from (${range.from}) is after the last day exported (${range.to}).`);
      if (monthsBetween(range.from, range.to).length * accounts.length > 2000)
        throw new UserError('That is more than 2,000 account-months: split the range or the scope.');
      spec = {
        kind: 'analytics',
        ...common,
        from: range.from,
        to: range.to,
        ...(args.recent ? { recentDays: args.recent } : {}),
        ...(consolidated ? { consolidate: { destination: consolidated } } : {}),
        ...(cfg.daily_fields.length ? { videoFields: cfg.daily_fields } : {}),
        ...(cfg.file_names.daily ? { fileName: cfg.file_names.daily } : {}),
        ...(cfg.columns === 'pipeline' ? { pipelineColumns: true } : {}),
      };
      title = `Analytics export ${label} ${range.from}..${range.to}${args.recent ? ` (videos viewed in the last ${args.recent} days)` : ''}`;
      retry = `export analytics ${label} --from ${range.from} --to ${range.to}${destFlag}${args.consolidate ? ' --consolidate' : ''}`;
    }
    const { days: _days, ...asked } = args;
    const request: ExportRequest =
      spec.kind === 'analytics' ? { ...asked, from: spec.from, to: spec.to } : asked;
    return {
      request,
      title,
      scopeLabel: label,
      spec,
      ...(destination ? { destination } : {}),
      attach,
      ...(tmp ? { tmp } : {}),
      retry,
    };
  }

  #destinationOf(name: string, d: DestinationConfig): Destination {
    if (d.type === 'folder') return { kind: 'folder', path: d.path };
    let writer = this.#warehouses.get(name);
    if (!writer) {
      writer = new PostgresWarehouse(name, d);
      this.#warehouses.set(name, writer);
    }
    return { kind: 'tables', writer };
  }

  /** At shutdown: hands running exports over to the next replica and closes the database destinations. */
  async close(): Promise<void> {
    await this.#runs.close();
    const open = [...this.#warehouses.values()];
    this.#warehouses.clear();
    await Promise.all(open.map((w) => w.close()));
  }

  /**
   * Two runs writing the same files (and checkpoints) at once would race, in one process or on two
   * replicas: the second is refused while the first holds a live lease. A run whose process is gone
   * and that nobody will resume (a terminal's) is superseded by the new one.
   */
  async #claim(
    plan: ExportPlan,
    actor: string,
    action: string,
  ): Promise<{ busy: string } | { run: ExportRun }> {
    const keys = runKeys(plan);
    const jobs = this.services.repos.jobs;
    const now = this.services.clock.now();
    const stamp = now.toISOString();
    const run: ExportRun = this.#runs.stamp({
      id: this.services.newId('export'),
      kind: RUN_KIND,
      state: 'running',
      createdAt: stamp,
      updatedAt: stamp,
      data: {
        request: plan.request,
        attach: plan.attach,
        title: plan.title,
        actor,
        action,
        keys,
        resumable: false,
      },
    });
    this.#runs.hold(run.id);
    const claimed = await this.services.store.transaction(() => {
      const overlapping = (jobs.find(isLiveRun) as ExportRun[]).filter((r) =>
        r.data.keys.some((k) => keys.includes(k)),
      );
      const live = overlapping.find(
        (r) => !isOrphaned(r.lease, this.services.replica.id, now) || r.data.resumable,
      );
      if (live) return { busy: live.data.title };
      for (const r of overlapping)
        jobs.update(r.id, (x) => ({ ...x, state: 'superseded', updatedAt: stamp }));
      jobs.insert(run);
      return { run };
    });
    if ('busy' in claimed) this.#runs.release(run.id);
    return claimed;
  }

  /** The run has ended (done, failed): its months are free, and nobody resumes it. */
  async #finish(run: ExportRun): Promise<void> {
    this.#runs.release(run.id);
    await this.services.store.transaction(() => this.services.repos.jobs.remove(run.id));
  }

  /**
   * Resumes every run shown in a channel that nobody writes any more (its replica died): at start and
   * whenever another replica dies, once across replicas, from its checkpoints, on its own message.
   */
  watch(viewFor: (run: ExportRun) => ExportView): void {
    this.#runs.watch(async (record) => {
      const run = record as ExportRun;
      const cfg = this.config();
      const plan = { ...(await this.plan(run.data.request, run.data.attach, cfg)), title: run.data.title };
      await this.execute(plan, viewFor(run), run.data.actor, run.data.action, cfg, run);
    });
  }

  /** Runs a planned export, shown through `view`; audited before anyone sees the outcome. */
  async execute(
    plan: ExportPlan,
    view: ExportView,
    actor: string,
    action: string,
    cfg = this.config(),
    /** a run another replica started and died writing, taken over by this one */
    resumed?: ExportRun,
  ): Promise<boolean> {
    const { services } = this;
    const audit = (outcome: 'ok' | 'failed' | 'refused', details: string, errorId?: string, once?: string) =>
      services.repos.audit.append(
        {
          actor,
          command: 'export',
          action,
          target: plan.scopeLabel,
          outcome,
          details,
          ...(errorId ? { errorId } : {}),
        },
        once,
      );
    const claim = resumed ? { run: resumed } : await this.#claim(plan, actor, action);
    if ('busy' in claim) {
      const why = `${claim.busy} is still writing the same months to \`${plan.destination?.name}\`.`;
      audit('refused', why);
      await view.refused(
        plan.title,
        why,
        `Wait for it to finish, then run it again: \`${view.prefix} ${plan.retry}\`.`,
      );
      return false;
    }
    const { run: record } = claim;
    // A run's outcome is audited once, by whichever replica finishes it.
    const end = `a_${record.id}_end`;
    const run = await view.started(plan.title);
    try {
      if (run.where && !resumed) await this.#shownAt(record, run.where);
      const result = await runExport(
        plan.spec,
        exportDeps(services, cfg, (p) => run.progress(p)),
      );
      // upload-only analytics with --consolidate: the consolidated files say it all
      const consolidated = result.files.some((f) => f.kind === 'consolidated');
      const shown = result.files.filter((f) => !(plan.tmp && consolidated && f.kind === 'month'));
      const files = await Promise.all(
        shown.map(async (f) => ({
          name: basename(f.path),
          rows: f.rows,
          bytes: (await stat(f.path)).size,
          path: f.path,
        })),
      );
      const { maxBytes, maxCount } = view.attachments;
      const attachable = plan.attach ? files.filter((f) => f.bytes <= maxBytes) : [];
      const tooBig = plan.attach ? files.filter((f) => f.bytes > maxBytes).map((f) => f.name) : [];
      const toAttach = attachable.slice(0, maxCount);
      for (const f of attachable.slice(toAttach.length)) tooBig.push(f.name);
      const summary: ExportSummaryView = {
        title: plan.title,
        files,
        rows: result.rows,
        ...(plan.spec.kind === 'analytics' ? { calls: result.calls } : {}),
        monthsFromCheckpoint: result.monthsFromCheckpoint,
        ...(result.tables.length ? { tables: tableTotals(result.tables) } : {}),
        totalMs: result.timings.totalMs,
        ...(plan.destination ? { destination: plan.destination } : {}),
        tooBig,
        uploaded: toAttach.length > 0,
        place: view.attachments.place,
        ...(actor !== 'scheduler' && view.showRequester ? { by: actor } : {}),
      };
      audit(
        'ok',
        `${plan.title}: ${plural(files.length, 'file')}, ${plural(result.rows, 'row')}${plan.destination ? ` → ${plan.destination.name}` : ''}${resumed ? ' (finished after a replica stopped)' : ''}`,
        undefined,
        end,
      );
      await run.done(summary, toAttach);
      return true;
    } catch (err) {
      const resumable =
        plan.spec.kind === 'analytics'
          ? ' Months already fetched are checkpointed and will not be fetched again.'
          : '';
      const advice = `Check the accounts' credentials and the destination, then run it again: \`${view.prefix} ${plan.retry}\`.${resumable}`;
      if (err instanceof ExportFailedError || err instanceof UserError) {
        audit('failed', err.message, undefined, end);
        await run.failed(err.message, advice);
        return false;
      }
      const errorId = newErrorId();
      services.logger.error('export failed', { errorId, title: plan.title, err });
      const reason =
        err instanceof Error && err.name === 'TemplateError' ? err.message : 'an unexpected error.';
      audit('failed', reason, errorId, end);
      await run.failed(reason, advice, errorId);
      return false;
    } finally {
      await this.#finish(record).catch((err: unknown) =>
        services.logger.warn('export: run record not removed', { run: record.id, err }),
      );
      if (plan.tmp) await rm(plan.tmp, { recursive: true, force: true });
    }
  }

  /** Where the run is shown: from now on another replica can finish it there. */
  async #shownAt(run: ExportRun, where: { channel: string; ts: string }): Promise<void> {
    await this.services.store.transaction(() =>
      this.services.repos.jobs.update(run.id, (r) => ({
        ...r,
        channel: where.channel,
        ts: where.ts,
        data: { ...(r.data as ExportRunData), resumable: true },
      })),
    );
  }
}

function isLiveRun(r: JobRecord): boolean {
  return r.kind === RUN_KIND && r.state === 'running';
}

/**
 * Destination, kind, account and month of everything a run writes (none for a temporary folder);
 * `|`-separated, as no part contains one (and PostgreSQL's jsonb refuses the NUL of old).
 */
function runKeys(plan: ExportPlan): string[] {
  if (!plan.destination) return [];
  const dest = plan.destination.name;
  const spec = plan.spec;
  const months =
    spec.kind === 'analytics' ? monthsBetween(spec.from, spec.to).map((m) => m.month) : ['catalog'];
  return spec.accounts.flatMap((a) => months.map((m) => `${dest}|${spec.kind}|${a.id}|${m}`));
}
