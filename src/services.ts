/**
 * What every front end shares, built once: store, repositories, roles (without Slack), the API clients,
 * the registry and the feature services. No Slack import here, so the CLI never loads Bolt.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { ReportService } from './analytics/service.js';
import { createBrightcove } from './brightcove/index.js';
import { ClarifyClient } from './clarify/client.js';
import { createClipService } from './clips/service.js';
import { type Clock, systemClock } from './clock.js';
import type { AppConfig } from './config/schema.js';
import { UserError } from './core/errors.js';
import { replicaIdentity } from './core/lease.js';
import { Registry } from './core/registry.js';
import { ScheduleService } from './core/schedules.js';
import type { AnyCommand, Services } from './core/types.js';
import { ExportService } from './exports/service.js';
import { createHttpDispatcher, createProxyAgent } from './http/dispatcher.js';
import { createLogger, type Logger } from './log.js';
import type { Ticker } from './scheduler/scheduler.js';
import { ShareService } from './sharing/service.js';
import { createRoles } from './slack/roles.js';
import { openStore } from './store/open.js';
import { createRepositories } from './store/repositories.js';
import type { Store } from './store/store.js';
import { parseSyncConfig } from './sync/config.js';
import { SyncCursorStore } from './sync/cursor.js';
import { SyncService } from './sync/service.js';
import { SyncPlanStore } from './sync/store.js';
import { configuredTargets, SyncTargets } from './sync/targets/index.js';

function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** The configured proxies (the environment's are read by the agent when none is configured). */
export function proxyOf(config: AppConfig): { https?: string; http?: string; noProxy?: string } {
  return {
    ...(config.proxy.https ? { https: config.proxy.https } : {}),
    ...(config.proxy.http ? { http: config.proxy.http } : {}),
    ...(config.proxy.noProxy ? { noProxy: config.proxy.noProxy } : {}),
  };
}

/** The `sync.targets` section, or none when the section is invalid (the sync command reports that). */
function syncTargetsOf(config: AppConfig) {
  try {
    return parseSyncConfig(config.sync).targets;
  } catch {
    return undefined;
  }
}

/** Builds what every front end shares: store, repositories, roles resolver (without Slack), registry. */
export async function createServices(opts: {
  config: AppConfig;
  clock?: Clock;
  logger?: Logger;
  newId?: (prefix: string) => string;
  store?: Store;
  roles?: Services['roles'];
  ticker?: Ticker;
  dispatcher?: Dispatcher;
  /** the proxy-aware agent under the dispatcher, shared with the Slack clients (default: its own) */
  agent?: Dispatcher;
  /**
   * The commands to register (default: every command). The one-shot CLI passes only the one it runs
   * (commands/lazy.ts), so a sync does not load the chart renderer or the export pipeline.
   */
  commands?: readonly AnyCommand[];
}): Promise<Services> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger();
  const newId = opts.newId ?? randomId;
  const store = opts.store ?? (await openStore(config));
  const dispatcher =
    opts.dispatcher ??
    createHttpDispatcher(
      { proxy: proxyOf(config) },
      opts.agent ?? createProxyAgent({ proxy: proxyOf(config) }),
    );
  const brightcove = createBrightcove({
    endpoints: config.endpoints,
    cmsBudgets: new Map(
      config.accounts.map((a) => [
        a.id,
        {
          ...(a.cmsRate ? { cmsRequestsPerInterval: a.cmsRate } : {}),
          ...(a.cmsConcurrency ? { cmsConcurrency: a.cmsConcurrency } : {}),
        },
      ]),
    ),
    dispatcher,
    clock,
    logger,
    ...(config.liveApiKey ? { liveApiKey: config.liveApiKey } : {}),
  });
  let clarify: ClarifyClient | undefined;
  const repos = createRepositories(store, clock, newId);
  const services: Omit<Services, 'sync' | 'clips' | 'reports' | 'sharing' | 'exports'> = {
    config,
    store,
    repos,
    clock,
    logger,
    roles: opts.roles ?? createRoles(config, undefined, clock, logger),
    newId,
    // Without any configured secret (CLI only), a random key: the CLI never serves a hook.
    hookKey:
      config.slack.signingSecret ??
      config.slack.appToken ??
      config.slack.botToken ??
      randomBytes(24).toString('hex'),
    replica: { id: replicaIdentity(config.replicaName), leaseMs: config.leaseSeconds * 1000 },
    registry: new Registry(opts.commands ?? (await import('../commands/index.js')).allCommands),
    brightcove,
    bcAccount(account) {
      if (!account.credentials) {
        throw new UserError(
          `Account ${account.alias} (${account.id}) has no API credentials. Add \`credentials:\` to it in brightcove-ops.yml, or set BRIGHTCOVE_CLIENT_ID and BRIGHTCOVE_CLIENT_SECRET.`,
        );
      }
      return { id: account.id, alias: account.alias, credentials: account.credentials };
    },
    clarify() {
      if (!config.clarifyApiKey) {
        throw new UserError(
          'Clarify is not configured: set CLARIFY_API_KEY (and CLARIFY_API_URL for another host).',
        );
      }
      clarify ??= new ClarifyClient({
        baseUrl: config.endpoints.clarify,
        apiKey: config.clarifyApiKey,
        dispatcher,
        // The app's dispatcher (createHttpDispatcher) is a RetryAgent: it owns the retries of idempotent calls.
        dispatcherRetries: true,
        logger,
        clock,
      });
      return clarify;
    },
    schedules: new ScheduleService(store.collection('schedule_runs'), store, clock, logger, opts.ticker),
  };
  const sync = new SyncService({
    config,
    cmsFor: (account) => brightcove.cms(services.bcAccount(account)),
    targets: new SyncTargets(configuredTargets(syncTargetsOf(config)), { config, dispatcher, logger, clock }),
    plans: new SyncPlanStore(repos.pending, store, clock, config.planTtlMinutes, newId, services.replica),
    cursors: new SyncCursorStore(store.collection('sync_cursors'), store.collection('sync_notices'), store),
    hookKey: services.hookKey,
    leaseMs: services.replica.leaseMs,
    audit: repos.audit,
    clock,
    logger,
  });
  const base = { ...services, sync };
  return {
    ...base,
    clips: createClipService(base),
    reports: new ReportService(base),
    sharing: new ShareService(base),
    exports: new ExportService(base),
  };
}
