import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { describeUrl } from '../db/postgres.js';
import { maskSecrets, registerSecret } from '../log.js';
import {
  type AccountConfig,
  type AppConfig,
  type Credentials,
  credentialFileSchema,
  defaultEndpoints,
  type FileConfig,
  fileConfigSchema,
} from './schema.js';

/** A config problem: which file, which key, and why. Thrown at start so the app never runs half-configured. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${file}: ${key || '(top level)'}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function issuesToError(file: string, error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const key = issue ? issue.path.map(String).join('.') : '';
  let reason = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    reason = `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return new ConfigError(file, key, reason);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      file,
      '',
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', `not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Reads a credential file in either of the original tools' formats:
 * `{account, client_id, client_secret}` (clarify_brightcove_sync) or `{client_id, client_secret, proxies}` (secrets.json).
 */
function readCredentialFile(file: string): {
  accountId?: string;
  credentials: Credentials;
  proxies?: Record<string, string>;
} {
  const parsed = credentialFileSchema.safeParse(readJson(file));
  if (!parsed.success) throw issuesToError(file, parsed.error);
  const { account, account_id, client_id, client_secret, proxies } = parsed.data;
  const accountId = account ?? account_id;
  return {
    ...(accountId !== undefined ? { accountId: String(accountId) } : {}),
    credentials: { clientId: client_id, clientSecret: client_secret },
    ...(proxies ? { proxies } : {}),
  };
}

function readYaml(file: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      file,
      '',
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text) ?? {};
  } catch (err) {
    throw new ConfigError(file, '', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = fileConfigSchema.safeParse(doc);
  if (!parsed.success) throw issuesToError(file, parsed.error);
  return parsed.data;
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function checkTimezone(file: string, key: string, tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ConfigError(file, key, `unknown time zone "${tz}" (use an IANA name such as Europe/London)`);
  }
  return tz;
}

interface LoadOptions {
  env?: Env;
  cwd?: string;
}

export function loadConfig(opts: LoadOptions = {}): AppConfig {
  // An empty variable means "not set", as shells and compose files produce them.
  const env = Object.fromEntries(
    Object.entries(opts.env ?? process.env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const cwd = opts.cwd ?? process.cwd();
  const sources: string[] = [];

  const explicitFile = env.BRIGHTCOVE_OPS_CONFIG;
  const configFile = resolve(cwd, explicitFile ?? 'brightcove-ops.yml');
  let file: FileConfig = fileConfigSchema.parse({});
  if (explicitFile || existsSync(configFile)) {
    file = readYaml(configFile);
    sources.push(configFile);
  }
  const fileLabel = sources[0] ?? 'environment';

  let sharedCredentials: Credentials | undefined = file.credentials
    ? { clientId: file.credentials.client_id, clientSecret: file.credentials.client_secret }
    : undefined;
  let proxies: Record<string, string> | undefined;
  const accounts: AccountConfig[] = file.accounts.map((a) => ({
    alias: a.alias,
    id: a.id,
    groups: a.groups,
    ...(a.business_unit ? { businessUnit: a.business_unit } : {}),
    ...(a.export_folder ? { exportFolder: a.export_folder } : {}),
    ...(a.geo_restricted === undefined ? {} : { geoRestricted: a.geo_restricted }),
    ...(a.cms_rate === undefined ? {} : { cmsRate: a.cms_rate }),
    ...(a.cms_concurrency === undefined ? {} : { cmsConcurrency: a.cms_concurrency }),
    ...(a.target === undefined ? {} : { target: a.target }),
    ...(a.credentials
      ? { credentials: { clientId: a.credentials.client_id, clientSecret: a.credentials.client_secret } }
      : {}),
  }));

  const credentialFiles = [
    file.credentials_file ? resolve(cwd, file.credentials_file) : undefined,
    env.BRIGHTCOVE_API_CREDENTIALS ? resolve(cwd, env.BRIGHTCOVE_API_CREDENTIALS) : undefined,
  ].filter((f): f is string => Boolean(f));
  for (const credFile of credentialFiles) {
    const cred = readCredentialFile(credFile);
    sources.push(credFile);
    proxies = cred.proxies ?? proxies;
    if (cred.accountId && !accounts.some((a) => a.id === cred.accountId)) {
      accounts.push({ alias: 'default', id: cred.accountId, groups: [], credentials: cred.credentials });
    } else if (cred.accountId) {
      const acc = accounts.find((a) => a.id === cred.accountId);
      if (acc && !acc.credentials) acc.credentials = cred.credentials;
    } else {
      sharedCredentials = cred.credentials;
    }
  }

  if (env.BRIGHTCOVE_CLIENT_ID || env.BRIGHTCOVE_CLIENT_SECRET) {
    if (!env.BRIGHTCOVE_CLIENT_ID || !env.BRIGHTCOVE_CLIENT_SECRET) {
      throw new ConfigError(
        'environment',
        env.BRIGHTCOVE_CLIENT_ID ? 'BRIGHTCOVE_CLIENT_SECRET' : 'BRIGHTCOVE_CLIENT_ID',
        'BRIGHTCOVE_CLIENT_ID and BRIGHTCOVE_CLIENT_SECRET go together; set both',
      );
    }
    sharedCredentials = { clientId: env.BRIGHTCOVE_CLIENT_ID, clientSecret: env.BRIGHTCOVE_CLIENT_SECRET };
    sources.push('environment');
  }
  if (env.BRIGHTCOVE_ACCOUNT_ID) {
    if (!/^\d+$/.test(env.BRIGHTCOVE_ACCOUNT_ID)) {
      throw new ConfigError(
        'environment',
        'BRIGHTCOVE_ACCOUNT_ID',
        'an account id is a number such as 1234567890001',
      );
    }
    if (!accounts.some((a) => a.id === env.BRIGHTCOVE_ACCOUNT_ID)) {
      accounts.push({ alias: 'default', id: env.BRIGHTCOVE_ACCOUNT_ID, groups: [] });
    }
  }
  if (sharedCredentials) {
    for (const a of accounts) a.credentials ??= sharedCredentials;
  }

  // Aliases and ids must name one account each, or "sync neo" would be ambiguous.
  const seen = new Set<string>();
  file.accounts.forEach((a, i) => {
    for (const name of [a.alias, a.id]) {
      if (seen.has(name))
        throw new ConfigError(fileLabel, `accounts.${i}`, `"${name}" is used by two accounts`);
      seen.add(name);
    }
  });

  const groups: Record<string, string[]> = {};
  const groupList = (g: string): string[] => {
    groups[g] ??= [];
    return groups[g];
  };
  for (const a of accounts) for (const g of a.groups) groupList(g).push(a.alias);
  for (const [g, members] of Object.entries(file.groups)) {
    members.forEach((m, i) => {
      const acc = accounts.find((a) => a.alias === m || a.id === m);
      if (!acc) throw new ConfigError(fileLabel, `groups.${g}.${i}`, `unknown account "${m}"`);
      const list = groupList(g);
      if (!list.includes(acc.alias)) list.push(acc.alias);
    });
  }
  for (const g of Object.keys(groups)) {
    if (accounts.some((a) => a.alias === g)) {
      throw new ConfigError(fileLabel, `groups.${g}`, 'a group cannot have the name of an account');
    }
  }

  let liveAccount: string | undefined;
  if (file.live?.account !== undefined) {
    const acc = accounts.find((a) => a.alias === file.live?.account || a.id === file.live?.account);
    if (!acc) throw new ConfigError(fileLabel, 'live.account', `unknown account "${file.live.account}"`);
    if (!acc.credentials)
      throw new ConfigError(
        fileLabel,
        'live.account',
        `account "${acc.alias}" has no API credentials to read clips with`,
      );
    liveAccount = acc.alias;
  }

  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('environment', 'PORT', `"${portText}" is not a port number`);
  }

  const endpoints = {
    oauth: stripTrailingSlash(env.BRIGHTCOVE_OAUTH_URL ?? file.urls?.oauth ?? defaultEndpoints.oauth),
    cms: stripTrailingSlash(env.BRIGHTCOVE_CMS_URL ?? file.urls?.cms ?? defaultEndpoints.cms),
    analytics: stripTrailingSlash(
      env.BRIGHTCOVE_ANALYTICS_URL ?? file.urls?.analytics ?? defaultEndpoints.analytics,
    ),
    live: stripTrailingSlash(env.BRIGHTCOVE_LIVE_URL ?? file.urls?.live ?? defaultEndpoints.live),
    clarify: stripTrailingSlash(
      env.CLARIFY_API_URL ?? file.clarify?.url ?? file.urls?.clarify ?? defaultEndpoints.clarify,
    ),
  };
  for (const [key, value] of Object.entries(endpoints)) {
    if (!/^https?:\/\/[^/]+/.test(value)) {
      throw new ConfigError(fileLabel, `urls.${key}`, `"${value}" is not an http(s) URL`);
    }
  }

  const slackApiUrl = env.SLACK_API_URL ?? file.urls?.slack;
  if (slackApiUrl && !slackApiUrl.endsWith('/api/')) {
    throw new ConfigError(
      'environment',
      'SLACK_API_URL',
      'must end in /api/ (for example https://slack.com/api/)',
    );
  }
  const botToken = env.SLACK_BOT_TOKEN;
  if (botToken && !botToken.startsWith('xoxb-')) {
    throw new ConfigError('environment', 'SLACK_BOT_TOKEN', 'a bot token starts with xoxb-');
  }
  const appToken = env.SLACK_APP_TOKEN;
  if (appToken && !appToken.startsWith('xapp-')) {
    throw new ConfigError('environment', 'SLACK_APP_TOKEN', 'an app-level token starts with xapp-');
  }

  const stateUrl = env.BRIGHTCOVE_OPS_DATABASE_URL || file.state?.url;
  if (stateUrl && !/^postgres(ql)?:\/\//.test(stateUrl)) {
    throw new ConfigError(
      env.BRIGHTCOVE_OPS_DATABASE_URL ? 'environment' : fileLabel,
      env.BRIGHTCOVE_OPS_DATABASE_URL ? 'BRIGHTCOVE_OPS_DATABASE_URL' : 'state.url',
      'must start with postgres:// (e.g. postgres://user@host:5432/database)',
    );
  }

  const config: AppConfig = {
    slack: {
      ...(botToken ? { botToken } : {}),
      ...(appToken ? { appToken } : {}),
      ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
      ...(slackApiUrl ? { apiUrl: slackApiUrl } : {}),
    },
    port,
    statePath: resolve(cwd, env.BRIGHTCOVE_OPS_STATE ?? 'data/state.json'),
    ...(stateUrl
      ? {
          stateDatabase: {
            url: stateUrl,
            pool_size: file.state?.pool_size ?? 10,
            connect_timeout_ms: file.state?.connect_timeout_ms ?? 5_000,
            statement_timeout_ms: file.state?.statement_timeout_ms ?? 60_000,
          },
        }
      : {}),
    leaseSeconds: file.state?.lease_seconds ?? 30,
    ...(env.BRIGHTCOVE_OPS_REPLICA ? { replicaName: env.BRIGHTCOVE_OPS_REPLICA } : {}),
    timezone: checkTimezone(fileLabel, 'timezone', file.timezone ?? env.TZ ?? 'UTC'),
    accounts,
    groups,
    endpoints,
    ...((env.BRIGHTCOVE_LIVE_API_KEY ?? file.live?.api_key)
      ? { liveApiKey: env.BRIGHTCOVE_LIVE_API_KEY ?? file.live?.api_key }
      : {}),
    ...(liveAccount ? { liveAccount } : {}),
    ...((env.CLARIFY_API_KEY ?? file.clarify?.api_key)
      ? { clarifyApiKey: env.CLARIFY_API_KEY ?? file.clarify?.api_key }
      : {}),
    roles: {
      operators: file.roles?.operators ?? [],
      approvers: file.roles?.approvers ?? [],
      fourEyes: file.roles?.four_eyes ?? false,
      approvals: file.roles?.approvals ?? 1,
      notify: file.roles?.notify ?? 'thread',
    },
    ...(file.channels ? { channels: file.channels } : {}),
    proxy: {
      ...((env.HTTP_PROXY ?? file.proxies?.http ?? proxies?.http)
        ? { http: env.HTTP_PROXY ?? file.proxies?.http ?? proxies?.http }
        : {}),
      ...((env.HTTPS_PROXY ?? file.proxies?.https ?? proxies?.https)
        ? { https: env.HTTPS_PROXY ?? file.proxies?.https ?? proxies?.https }
        : {}),
      ...((env.NO_PROXY ?? file.proxies?.no_proxy)
        ? { noProxy: env.NO_PROXY ?? file.proxies?.no_proxy }
        : {}),
    },
    ...((env.PUBLIC_URL ?? file.public_url) ? { publicUrl: env.PUBLIC_URL ?? file.public_url } : {}),
    planTtlMinutes: file.plan_ttl_minutes,
    sync: file.sync ?? {},
    exports: file.exports ?? {},
    sources,
  };
  for (const s of secretsOf(config)) registerSecret(s);
  return config;
}

/** Every secret value in a config: used to mask logs and to prove `config check` shows none. */
export function secretsOf(config: AppConfig): string[] {
  const out = [
    config.slack.botToken,
    config.slack.appToken,
    config.slack.signingSecret,
    config.liveApiKey,
    config.clarifyApiKey,
    ...config.accounts.map((a) => a.credentials?.clientSecret),
    config.stateDatabase ? passwordOf(config.stateDatabase.url) : undefined,
  ];
  return out.filter((s): s is string => Boolean(s));
}

/** The password in a database URL (masked wherever the URL could be logged). */
function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function mask(secret: string | undefined): string | undefined {
  if (!secret) return undefined;
  // Not even a prefix: a partial secret still narrows a guess.
  return `******** (${secret.length} characters)`;
}

/** The resolved config with every secret masked, for `brightcove-ops config check`. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    sources: config.sources,
    slack: {
      mode: config.slack.appToken ? 'socket' : config.slack.botToken ? 'http' : 'none (sandbox)',
      botToken: mask(config.slack.botToken),
      appToken: mask(config.slack.appToken),
      signingSecret: mask(config.slack.signingSecret),
      apiUrl: config.slack.apiUrl ?? 'https://slack.com/api/',
    },
    port: config.port,
    state: config.stateDatabase
      ? `PostgreSQL at ${describeUrl(config.stateDatabase.url)} (the state file is not used)`
      : config.statePath,
    timezone: config.timezone,
    accounts: config.accounts.map((a) => ({
      alias: a.alias,
      id: a.id,
      businessUnit: a.businessUnit,
      groups: a.groups,
      ...(a.target ? { target: a.target } : {}),
      // A client id is half of a credential pair: shown as masked as its secret.
      clientId: mask(a.credentials?.clientId),
      clientSecret: mask(a.credentials?.clientSecret),
    })),
    groups: config.groups,
    endpoints: config.endpoints,
    liveApiKey: mask(config.liveApiKey),
    clarifyApiKey: mask(config.clarifyApiKey),
    roles: config.roles,
    channels: config.channels ?? 'all',
    proxy: JSON.parse(maskSecrets(JSON.stringify(config.proxy))),
    publicUrl: config.publicUrl,
    planTtlMinutes: config.planTtlMinutes,
  };
}
