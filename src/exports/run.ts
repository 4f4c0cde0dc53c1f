/**
 * Export orchestration: accounts in parallel (each account's Analytics queries stay one at a time in the
 * client), months in order within an account, checkpoints after every settled month, delivery to templated
 * folders, and one progress callback that both the CLI bar and the Slack message can follow.
 */
import { resolve } from 'node:path';
import type { RunAnalyticsQuery } from '../analytics/queries.js';
import type { CmsVideo } from '../brightcove/schemas.js';
import type { Clock } from '../clock.js';
import { plural } from '../core/words.js';
import { type Logger, silentLogger } from '../log.js';
import { catalogCsv, catalogJson, collectCatalog } from './catalog.js';
import { type CheckpointStore, isSettled } from './checkpoint.js';
import { consolidateCsv, consolidatedFileName } from './consolidate.js';
import {
  type AccountCapabilities,
  dailyCsv,
  fetchDailyRows,
  fetchRecentlyViewed,
  PIPELINE_COLUMN_NAMES,
  type QueryCounter,
  type VideoFieldColumns,
} from './daily.js';
import {
  type Destination,
  deliver,
  type FolderDestination,
  monthValues,
  renderPathTemplate,
  type TemplateValues,
  templatePlaceholders,
} from './destination.js';
import { dayOf, type MonthRange, monthsBetween } from './months.js';
import { CATALOG_TABLE, DAILY_TABLE } from './warehouse.js';

export interface ExportAccount {
  id: string;
  alias: string;
  /** `{group}` in folder templates (default: the alias) */
  group?: string;
  /** every group the account belongs to: a consolidated file each (default: `[group ?? alias]`) */
  groups?: readonly string[];
  /** `{business_unit}` */
  businessUnit?: string;
  /** `{folder}` (default: the alias) */
  folder?: string;
}

interface CommonSpec {
  accounts: readonly ExportAccount[];
  /** folder template for each file, or the database whose tables get the rows */
  destination: Destination;
  /** relative destination paths resolve here (default: the working directory) */
  root?: string;
}

export interface AnalyticsExportSpec extends CommonSpec {
  kind: 'analytics';
  /** inclusive YYYY-MM-DD */
  from: string;
  /** inclusive YYYY-MM-DD */
  to: string;
  /** keep only videos viewed in the last N days (one extra query per account, not per month) */
  recentDays?: number;
  /** file name template (default `daily_analytics_{account}_{YYYY_MM}.csv`) */
  fileName?: string;
  /** also write one file per group covering the whole range, into this folder template */
  consolidate?: { destination: FolderDestination };
  /** what accounts are known to accept (skips the discovery call); keyed by account id */
  capabilities?: Record<string, AccountCapabilities>;
  /**
   * custom fields of each video as columns of the daily files (`exports.daily_fields`), read from the
   * CMS once per account and run (a table destination joins the catalogue table instead)
   */
  videoFields?: readonly string[];
  /** the old pipeline's column names (`exports.columns: pipeline`), with its `video_duration` (seconds) */
  pipelineColumns?: boolean;
}

interface CatalogExportSpec extends CommonSpec {
  kind: 'catalog';
  customFields: readonly string[];
  publishedYears?: readonly number[];
  activeOnly?: boolean;
  /** default ['csv'] */
  formats?: readonly ('csv' | 'json')[];
  /** file name template without extension (default `catalog_{account}`) */
  fileName?: string;
}

export type ExportSpec = AnalyticsExportSpec | CatalogExportSpec;

export interface ExportProgress {
  account: string;
  /** `YYYY-MM` for analytics months; null for a catalogue account */
  month: string | null;
  done: number;
  total: number;
}

export interface ExportDeps {
  clock: Clock;
  runQuery?: RunAnalyticsQuery;
  listVideos?: (account: ExportAccount) => AsyncIterable<CmsVideo>;
  checkpoints?: CheckpointStore;
  logger?: Logger;
  onProgress?: (p: ExportProgress) => void;
}

interface ExportFile {
  kind: 'month' | 'consolidated' | 'catalog';
  path: string;
  rows: number;
  account?: string;
  month?: string;
  group?: string;
}

/** Rows written to a table of a database destination, for one account (and month). */
interface ExportTableWrite {
  table: string;
  account: string;
  month?: string;
  rows: number;
}

export interface ExportResult {
  files: ExportFile[];
  tables: ExportTableWrite[];
  /** data rows written (monthly or catalogue files; consolidated files repeat them and are not counted) */
  rows: number;
  /** Analytics queries made */
  calls: number;
  callsByAccount: Record<string, number>;
  months: number;
  monthsFromCheckpoint: number;
  timings: { startedAt: string; finishedAt: string; totalMs: number; byAccount: Record<string, number> };
}

export class ExportFailedError extends Error {
  constructor(
    message: string,
    readonly failures: { account: string; error: unknown }[],
    readonly partial: ExportResult,
  ) {
    super(message);
    this.name = 'ExportFailedError';
  }
}

const DEFAULT_DAILY_FILE = 'daily_analytics_{account}_{YYYY_MM}.csv';
const DEFAULT_CATALOG_FILE = 'catalog_{account}';

function accountValues(a: ExportAccount): TemplateValues {
  return {
    account: a.alias,
    group: a.group ?? a.alias,
    business_unit: a.businessUnit,
    folder: a.folder ?? a.alias,
  };
}

/** Fail before the first query if a template can't be filled for some account. */
function preflight(spec: ExportSpec, sampleMonth: string): void {
  if (spec.destination.kind === 'tables') return;
  const fileName = spec.kind === 'analytics' ? (spec.fileName ?? DEFAULT_DAILY_FILE) : spec.fileName;
  for (const a of spec.accounts) {
    const values = { ...accountValues(a), ...monthValues(sampleMonth) };
    renderPathTemplate(spec.destination.path, values);
    if (fileName) renderPathTemplate(fileName, values);
  }
  if (spec.kind === 'analytics' && spec.consolidate) {
    const used = templatePlaceholders(spec.consolidate.destination.path);
    const bad = used.filter((p) => p !== 'group');
    if (bad.length > 0) {
      throw new Error(
        `consolidated files span several months and accounts: only {group} can be used in their folder, not ${bad.map((p) => `{${p}}`).join(', ')}`,
      );
    }
  }
}

export async function runExport(spec: ExportSpec, deps: ExportDeps): Promise<ExportResult> {
  if (spec.accounts.length === 0) throw new Error('no accounts to export');
  return spec.kind === 'analytics' ? runAnalyticsExport(spec, deps) : runCatalogExport(spec, deps);
}

function newResult(deps: ExportDeps): ExportResult {
  const startedAt = deps.clock.now().toISOString();
  return {
    files: [],
    tables: [],
    rows: 0,
    calls: 0,
    callsByAccount: {},
    months: 0,
    monthsFromCheckpoint: 0,
    timings: { startedAt, finishedAt: startedAt, totalMs: 0, byAccount: {} },
  };
}

function finish(result: ExportResult, deps: ExportDeps): ExportResult {
  const end = deps.clock.now();
  result.timings.finishedAt = end.toISOString();
  result.timings.totalMs = end.getTime() - Date.parse(result.timings.startedAt);
  return result;
}

async function settleAccounts(
  spec: ExportSpec,
  deps: ExportDeps,
  result: ExportResult,
  work: (a: ExportAccount) => Promise<void>,
): Promise<void> {
  const outcomes = await Promise.allSettled(
    spec.accounts.map(async (a) => {
      const t0 = deps.clock.now().getTime();
      try {
        await work(a);
      } finally {
        result.timings.byAccount[a.alias] = deps.clock.now().getTime() - t0;
      }
    }),
  );
  const failures = outcomes.flatMap((o, i) =>
    o.status === 'rejected' ? [{ account: spec.accounts[i]?.alias ?? '?', error: o.reason as unknown }] : [],
  );
  if (failures.length > 0) {
    finish(result, deps);
    const why = failures
      .map((f) => `${f.account}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
      .join('; ');
    throw new ExportFailedError(
      `export failed for ${plural(failures.length, 'account')}: ${why}`,
      failures,
      result,
    );
  }
}

async function runAnalyticsExport(spec: AnalyticsExportSpec, deps: ExportDeps): Promise<ExportResult> {
  const run = deps.runQuery;
  if (!run) throw new Error('an analytics export needs runQuery');
  const logger = deps.logger ?? silentLogger;
  const months = monthsBetween(spec.from, spec.to);
  preflight(spec, months[0]?.month ?? '2000-01');
  const fileName = spec.fileName ?? DEFAULT_DAILY_FILE;
  const total = months.length * spec.accounts.length;
  const result = newResult(deps);
  let done = 0;
  const monthFiles = new Map<string, ExportFile>();

  await settleAccounts(spec, deps, result, async (account) => {
    const counter: QueryCounter = { calls: 0 };
    const caps: AccountCapabilities = { ...spec.capabilities?.[account.id] };
    try {
      const recent = spec.recentDays
        ? await fetchRecentlyViewed(run, account.id, deps.clock.now(), spec.recentDays, counter)
        : null;
      const wanted = [...(spec.videoFields ?? []), ...(spec.pipelineColumns ? [DURATION_COLUMN] : [])];
      const fields =
        wanted.length && spec.destination.kind !== 'tables'
          ? await videoFieldColumns(wanted, account, deps)
          : undefined;
      for (const range of months) {
        let rows = deps.checkpoints ? await deps.checkpoints.load(account.id, range) : null;
        if (rows) result.monthsFromCheckpoint++;
        else {
          rows = await fetchDailyRows(run, account, range, { capabilities: caps, counter });
          if (deps.checkpoints && isSettled(range, deps.clock.now()))
            await deps.checkpoints.save(account.id, range, rows);
        }
        const kept = recent ? rows.filter((r) => recent.has(r.video_id)) : rows;
        if (spec.destination.kind === 'tables') {
          await spec.destination.writer.writeDaily(account.id, range, kept);
          result.tables.push({
            table: DAILY_TABLE,
            account: account.alias,
            month: range.month,
            rows: kept.length,
          });
        } else {
          const path = await deliver(
            spec.destination,
            fileName,
            dailyCsv(kept, true, fields, spec.pipelineColumns ? PIPELINE_COLUMN_NAMES : {}),
            { ...accountValues(account), ...monthValues(range.month) },
            spec.root,
          );
          const file: ExportFile = {
            kind: 'month',
            path,
            rows: kept.length,
            account: account.alias,
            month: range.month,
          };
          monthFiles.set(`${range.month}|${account.alias}`, file);
        }
        result.rows += kept.length;
        result.months++;
        done++;
        deps.onProgress?.({ account: account.alias, month: range.month, done, total });
      }
    } finally {
      result.calls += counter.calls;
      result.callsByAccount[account.alias] = counter.calls;
      logger.info('export account finished', { account: account.alias, calls: counter.calls });
    }
  });

  // files in a stable order (month, then account) however the parallel accounts interleaved
  for (const m of months)
    for (const a of spec.accounts) {
      const f = monthFiles.get(`${m.month}|${a.alias}`);
      if (f) result.files.push(f);
    }
  if (spec.consolidate) await consolidateGroups(spec, spec.consolidate.destination, months, result);
  return finish(result, deps);
}

/** The pipeline's duration column: the video's length in whole seconds (the CMS has milliseconds). */
const DURATION_COLUMN = 'video_duration';

/** Each video's values of `names` (its custom fields), from one CMS listing of the account. */
async function videoFieldColumns(
  names: readonly string[],
  account: ExportAccount,
  deps: ExportDeps,
): Promise<VideoFieldColumns> {
  if (!deps.listVideos) throw new Error('daily_fields need the CMS (listVideos)');
  const values = new Map<string, string[]>();
  for await (const v of deps.listVideos(account))
    values.set(
      v.id,
      names.map((n) => {
        if (n === DURATION_COLUMN) return v.duration == null ? '' : String(Math.round(v.duration / 1000));
        const value = v.custom_fields?.[n];
        return value === undefined || value === null ? '' : String(value);
      }),
    );
  return { columns: names, values };
}

async function consolidateGroups(
  spec: AnalyticsExportSpec,
  dest: FolderDestination,
  months: readonly MonthRange[],
  result: ExportResult,
): Promise<void> {
  const groups = new Map<string, ExportAccount[]>();
  for (const a of spec.accounts) {
    for (const g of a.groups?.length ? a.groups : [a.group ?? a.alias])
      groups.set(g, [...(groups.get(g) ?? []), a]);
  }
  const years = [...new Set(months.map((m) => m.month.slice(0, 4)))];
  for (const [group, accounts] of groups) {
    const aliases = new Set(accounts.map((a) => a.alias));
    const parts = result.files.filter((f) => f.kind === 'month' && f.account && aliases.has(f.account));
    const path = await deliverConsolidated(spec, dest, group, years, parts);
    result.files.push({ kind: 'consolidated', path, rows: parts.reduce((s, f) => s + f.rows, 0), group });
  }
}

async function deliverConsolidated(
  spec: AnalyticsExportSpec,
  dest: FolderDestination,
  group: string,
  years: string[],
  parts: ExportFile[],
): Promise<string> {
  const folder = renderPathTemplate(dest.path, { group });
  // rendering `{group}` applies the same file-name checks as every other templated value
  const path = resolve(
    spec.root ?? process.cwd(),
    folder,
    consolidatedFileName(years, renderPathTemplate('{group}', { group })),
  );
  await consolidateCsv(
    parts.map((p) => p.path),
    path,
  );
  return path;
}

async function runCatalogExport(spec: CatalogExportSpec, deps: ExportDeps): Promise<ExportResult> {
  const list = deps.listVideos;
  if (!list) throw new Error('a catalogue export needs listVideos');
  const month = dayOf(deps.clock.now()).slice(0, 7);
  preflight(spec, month);
  const formats = spec.formats?.length ? spec.formats : (['csv'] as const);
  const result = newResult(deps);
  let done = 0;
  await settleAccounts(spec, deps, result, async (account) => {
    const catalog = await collectCatalog(list(account), spec);
    const values = { ...accountValues(account), ...monthValues(month) };
    const dest = spec.destination;
    if (dest.kind === 'tables') {
      await dest.writer.writeCatalog(account.id, catalog.rows);
      result.tables.push({ table: CATALOG_TABLE, account: account.alias, rows: catalog.rows.length });
    } else {
      for (const format of formats) {
        const name = `${spec.fileName ?? DEFAULT_CATALOG_FILE}.${format}`;
        const content = format === 'csv' ? catalogCsv(catalog) : catalogJson(catalog);
        const path = await deliver(dest, name, content, values, spec.root);
        result.files.push({ kind: 'catalog', path, rows: catalog.rows.length, account: account.alias });
      }
    }
    result.rows += catalog.rows.length;
    done++;
    deps.onProgress?.({ account: account.alias, month: null, done, total: spec.accounts.length });
  });
  result.files.sort((a, b) => a.path.localeCompare(b.path));
  return finish(result, deps);
}
