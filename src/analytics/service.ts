/**
 * Glue between the report model and the running app: resolves `<account|group|all>`, adapts the Brightcove
 * Analytics client to RunAnalyticsQuery, keeps one video-name cache per app, and defines the digest record.
 */
import type { AnalyticsClient } from '../brightcove/analytics.js';
import type { BrightcoveAccount } from '../brightcove/context.js';
import {
  BrightcoveError,
  ProcessingError,
  RateLimitedError,
  UnauthorizedError,
} from '../brightcove/errors.js';
import { resolveScope } from '../core/accounts.js';
import { UserError } from '../core/errors.js';
import type { Services } from '../core/types.js';
import { formatScheduleSpec, parseScheduleSpec, validateTimeZone } from '../scheduler/spec.js';
import type { ScheduleRecord } from '../store/repositories.js';
import { VideoNameCache } from './names.js';
import { addDays, lastDays, localDate, type Period, periodLength, validatePeriod } from './period.js';
import type { AnalyticsQuery, AnalyticsResult, RunAnalyticsQuery } from './queries.js';
import { buildReport, type ListVideos, type Report, type ReportScope } from './report.js';

/** Longest period a report may cover: `video` totals over longer ranges get slow and hit the 1 M-row cap. */
export const MAX_REPORT_DAYS = 366;
const DEFAULT_REPORT_DAYS = 7;

/** The Analytics client as the report model wants it. Never sends `reconciled`: both stores, latest figures. */
export function analyticsRunner(clientFor: (accountId: string) => AnalyticsClient): RunAnalyticsQuery {
  return async (accountId: string, q: AnalyticsQuery): Promise<AnalyticsResult> => {
    const res = await clientFor(accountId).query({
      accounts: [accountId],
      dimensions: q.dimensions,
      fields: q.fields,
      from: q.from,
      to: q.to,
      ...(q.where ? { where: q.where } : {}),
      ...(q.sort ? { sort: q.sort } : {}),
      limit: q.limit ?? 'all',
    });
    return { item_count: res.itemCount, items: res.items, summary: res.summary };
  };
}

export interface PeriodArgs {
  days?: number;
  from?: string;
  to?: string;
}

/** `--days N` or `--from/--to` (both inclusive) against today's date; every mistake is a UserError. */
export function periodFromArgs(args: PeriodArgs, today: string): Period {
  if (args.days !== undefined && (args.from !== undefined || args.to !== undefined)) {
    throw new UserError('Use either --days N or --from YYYY-MM-DD --to YYYY-MM-DD, not both.');
  }
  if (args.from !== undefined || args.to !== undefined) {
    if (args.from === undefined) throw new UserError('--to needs --from: give the first day too.');
    const from = checkDate(args.from, '--from');
    const to = args.to === undefined ? addDays(today, -1) : checkDate(args.to, '--to');
    if (from > to) throw new UserError(`--from (${from}) is after --to (${to}).`);
    if (from >= today) {
      throw new UserError(
        `--from (${from}) is not in the past: the last complete day is ${addDays(today, -1)}.`,
      );
    }
    const p = validatePeriod({ from, to });
    if (periodLength(p) > MAX_REPORT_DAYS) {
      throw new UserError(
        `The period is ${periodLength(p)} days long; the limit is ${MAX_REPORT_DAYS} days.`,
      );
    }
    return p;
  }
  const days = args.days ?? DEFAULT_REPORT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_REPORT_DAYS) {
    throw new UserError(`--days must be a whole number from 1 to ${MAX_REPORT_DAYS}.`);
  }
  return lastDays(days, today);
}

function checkDate(text: string, flag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text))
    throw new UserError(`${flag} "${text}" is not a date: use YYYY-MM-DD.`);
  const d = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) {
    throw new UserError(`${flag} ${text} is not a calendar date.`);
  }
  return text;
}

interface ResolvedScope extends ReportScope {
  accounts: BrightcoveAccount[];
}

/** What the ReportService needs of the services around it. */
type ReportServiceContext = Pick<Services, 'config' | 'brightcove' | 'bcAccount' | 'clock' | 'logger'>;

/** One per app (built by createServices): the name cache is shared by every report and digest. */
export class ReportService {
  readonly names: VideoNameCache;
  readonly run: RunAnalyticsQuery;

  constructor(private readonly services: ReportServiceContext) {
    this.run = analyticsRunner((id) => services.brightcove.analytics(this.#account(id)));
    this.names = new VideoNameCache(
      async (accountId, ids) => {
        const videos = await services.brightcove.cms(this.#account(accountId)).getVideos(ids);
        return new Map(videos.map((v) => [v.id, v.name]));
      },
      { logger: services.logger },
    );
  }

  #account(accountId: string): BrightcoveAccount {
    const cfg = this.services.config.accounts.find((a) => a.id === accountId);
    if (!cfg) throw new UserError(`Account ${accountId} is not configured.`);
    return this.services.bcAccount(cfg);
  }

  /** Resolves the scope and checks every account has credentials, before any message is posted. */
  scope(name: string | undefined): ResolvedScope {
    const { label, accounts } = resolveScope(this.services.config, name);
    const bc = accounts.map((a) => this.services.bcAccount(a));
    return { label, accountIds: bc.map((a) => a.id), accounts: bc };
  }

  today(tz = this.services.config.timezone): string {
    return localDate(this.services.clock.now(), tz);
  }

  listVideos: ListVideos = async (accountId) => {
    const videos = await this.services.brightcove.cms(this.#account(accountId)).listVideos().toArray();
    return videos.map((v) => ({ id: v.id, name: v.name, createdAt: v.created_at }));
  };

  async build(scope: ReportScope, period: Period, opts: { tz?: string; notViewedDays?: number } = {}) {
    return buildReport({
      run: this.run,
      scope: { label: scope.label, accountIds: scope.accountIds },
      period,
      today: this.today(opts.tz),
      now: this.services.clock.now(),
      names: this.names,
      ...(opts.notViewedDays ? { notViewedDays: opts.notViewedDays, listVideos: this.listVideos } : {}),
    });
  }
}

// ------------------------------------------------------------------------------------------ digests

export const DIGEST_KIND = 'digest';

interface DigestData {
  /** what the user typed for the scope (re-resolved at each run, so config changes apply) */
  scope?: string;
  /** days covered by each digest, ending yesterday */
  days: number;
}

export type DigestRecord = ScheduleRecord<DigestData>;

interface NewDigest {
  spec: string;
  tz: string;
  scope?: string;
  days: number;
  channel: string;
  createdBy: string;
}

/** Validates spec, zone and scope, then builds the record (not yet stored). */
export function makeDigest(services: Services, input: NewDigest): DigestRecord {
  let spec: string;
  try {
    spec = formatScheduleSpec(parseScheduleSpec(input.spec));
    validateTimeZone(input.tz);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  // Checked now so a typo is refused at `add`; the scope is resolved again at each run (config may change).
  services.reports.scope(input.scope);
  return {
    id: services.newId('dg'),
    kind: DIGEST_KIND,
    spec,
    tz: input.tz,
    channel: input.channel,
    createdBy: input.createdBy,
    createdAt: services.clock.now().toISOString(),
    data: { ...(input.scope ? { scope: input.scope } : {}), days: input.days },
  };
}

export function digestScheduleJob(d: DigestRecord) {
  return { id: d.id, kind: DIGEST_KIND, spec: d.spec, tz: d.tz, createdAt: d.createdAt, data: d.data };
}

export function digests(services: Services): DigestRecord[] {
  return services.repos.schedules.find((r) => r.kind === DIGEST_KIND) as DigestRecord[];
}

export type { Report };

interface FailureExplanation {
  reason: string;
  advice: string;
  /** an unexpected failure: log it with an error id */
  unexpected: boolean;
}

/** What went wrong in words an operator can act on. */
export function explainFailure(err: unknown): FailureExplanation {
  if (err instanceof UserError) return { reason: err.message, advice: '', unexpected: false };
  if (err instanceof UnauthorizedError) {
    return {
      reason: 'Brightcove refused the API credentials.',
      advice:
        'Check the account’s client id and secret in brightcove-ops.yml and that they have the Analytics read and Video read permissions.',
      unexpected: false,
    };
  }
  if (err instanceof RateLimitedError || err instanceof ProcessingError) {
    return {
      reason: 'Brightcove Analytics is busy with another query for this account.',
      advice: 'Try again in a few minutes.',
      unexpected: false,
    };
  }
  if (err instanceof BrightcoveError && err.status >= 500) {
    return {
      reason: `Brightcove ${err.api} answered ${err.status}${err.errorCode ? ` ${err.errorCode}` : ''}.`,
      advice: 'This is usually temporary: try again in a few minutes.',
      unexpected: false,
    };
  }
  if (err instanceof BrightcoveError) {
    return {
      reason: `Brightcove ${err.api} rejected a query (${err.status}${err.errorCode ? ` ${err.errorCode}` : ''}).`,
      advice: 'Give the error id to whoever runs Brightcove Ops: the details are in the logs.',
      unexpected: true,
    };
  }
  return {
    reason: 'an unexpected error.',
    advice: 'Try again; if it keeps failing, give the error id to whoever runs Brightcove Ops.',
    unexpected: true,
  };
}
