import { z } from 'zod';
import { type PostgresConnection, postgresConnectionShape } from '../db/postgres.js';

/**
 * The YAML config file (`brightcove-ops.yml`). Keys are snake_case like the original tools' files.
 * Objects are strict so a typo fails at start with its key instead of being silently ignored.
 */
const credentialsSchema = z.strictObject({
  client_id: z.string().min(1, 'client_id is empty'),
  client_secret: z.string().min(1, 'client_secret is empty'),
});

const accountIdSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^\d+$/.test(v), 'an account id is a number such as 1234567890001');

const slackIdList = z.array(
  z.string().regex(/^[USWG][A-Z0-9]+$/, 'expected a Slack user id (U…/W…) or user-group id (S…)'),
);

const accountSchema = z.strictObject({
  alias: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'an alias is lower-case letters, digits, - and _'),
  id: accountIdSchema,
  business_unit: z.string().optional(),
  /** the account's folder in export paths, `{folder}` (default its alias): e.g. `Circle-1--GWM` */
  export_folder: z
    .string()
    .regex(/^[^/\\]+$/, 'export_folder is one folder name, without / or \\')
    .optional(),
  groups: z.array(z.string()).default([]),
  credentials: credentialsSchema.optional(),
  /** whether Brightcove enabled geo restriction on the account (no API reports it; media sharing needs it) */
  geo_restricted: z.boolean().optional(),
  /**
   * This app's share of the account's CMS limits, when other integrations use the account too:
   * requests started per second (Brightcove: under 10) and requests in flight (Brightcove: 20).
   */
  cms_rate: z.number().int().min(1).max(10).optional(),
  cms_concurrency: z.number().int().min(1).max(20).optional(),
  /** the sync target (`sync.targets.<name>`) this account mirrors to; default: the only one */
  target: z.string().min(1).optional(),
});

const urlSchema = z.url({ message: 'expected a URL such as http://127.0.0.1:4010' });

export const fileConfigSchema = z.strictObject({
  timezone: z.string().optional(),
  accounts: z.array(accountSchema).default([]),
  groups: z.record(z.string(), z.array(z.string())).default({}),
  credentials: credentialsSchema.optional(),
  credentials_file: z.string().optional(),
  live: z
    .strictObject({
      api_key: z.string().optional(),
      /** the Video Cloud account the Live account publishes clips to (alias or id) */
      account: z.string().optional(),
    })
    .optional(),
  clarify: z.strictObject({ api_key: z.string().optional(), url: urlSchema.optional() }).optional(),
  roles: z
    .strictObject({
      operators: slackIdList.default([]),
      approvers: slackIdList.default([]),
      four_eyes: z.boolean().default(false),
      /**
       * How many different approvers a mass delete needs (N of the approvers): each confirms it, and
       * the deletes run with the last confirmation. 1 (the default): one approver.
       */
      approvals: z.number().int().min(1).max(5).default(1),
      /**
       * How approvers hear that something waits for them, and requesters how it ended: mentioned in the
       * request's thread (default), by direct message, or not at all (they watch the channel).
       */
      notify: z.enum(['thread', 'dm', 'none']).default('thread'),
    })
    .optional(),
  channels: z.array(z.string().regex(/^[CGD][A-Z0-9]+$/, 'expected a Slack channel id (C…)')).optional(),
  proxies: z
    .strictObject({
      http: urlSchema.optional(),
      https: urlSchema.optional(),
      no_proxy: z.string().optional(),
    })
    .optional(),
  urls: z
    .strictObject({
      oauth: urlSchema.optional(),
      cms: urlSchema.optional(),
      analytics: urlSchema.optional(),
      live: urlSchema.optional(),
      clarify: urlSchema.optional(),
      slack: urlSchema.optional(),
    })
    .optional(),
  public_url: urlSchema.optional(),
  plan_ttl_minutes: z.number().int().positive().default(60),
  /** The state store: PostgreSQL for replicas (the url may come from BRIGHTCOVE_OPS_DATABASE_URL). */
  state: z
    .strictObject({
      ...postgresConnectionShape,
      url: postgresConnectionShape.url.optional(),
      lease_seconds: z.number().int().min(2).max(600).default(30),
    })
    .optional(),
  sync: z.record(z.string(), z.unknown()).optional(),
  exports: z.record(z.string(), z.unknown()).optional(),
});
export type FileConfig = z.infer<typeof fileConfigSchema>;

/** The original sync tool's credential file and the analytics pipeline's secrets.json. */
export const credentialFileSchema = z.object({
  account: z.union([z.string(), z.number()]).optional(),
  account_id: z.union([z.string(), z.number()]).optional(),
  client_id: z.string().min(1, 'client_id is empty'),
  client_secret: z.string().min(1, 'client_secret is empty'),
  proxies: z.record(z.string(), z.string()).optional(),
});

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export interface AccountConfig {
  alias: string;
  id: string;
  businessUnit?: string;
  /** `{folder}` in export paths (config `export_folder`) */
  exportFolder?: string;
  groups: string[];
  credentials?: Credentials;
  /** geo restriction enabled on the account (config `geo_restricted`); undefined = not known */
  geoRestricted?: boolean;
  /** requests per second and in flight this app may use (config `cms_rate`, `cms_concurrency`) */
  cmsRate?: number;
  cmsConcurrency?: number;
  /** its sync target's name (config `target`) */
  target?: string;
}

export interface Endpoints {
  oauth: string;
  cms: string;
  analytics: string;
  live: string;
  clarify: string;
}

export interface AppConfig {
  slack: { botToken?: string; appToken?: string; signingSecret?: string; apiUrl?: string };
  port: number;
  statePath: string;
  /**
   * PostgreSQL for the state (BRIGHTCOVE_OPS_DATABASE_URL or `state.url`): when set, the state file is
   * neither read nor written.
   */
  stateDatabase?: PostgresConnection;
  /**
   * How long running work (an Apply) stays its replica's without a heartbeat before another replica
   * takes it over (`state.lease_seconds`, default 30).
   */
  leaseSeconds: number;
  /** this replica's name in leases (BRIGHTCOVE_OPS_REPLICA, e.g. the pod name; default the host name) */
  replicaName?: string;
  timezone: string;
  accounts: AccountConfig[];
  /** group name → account aliases */
  groups: Record<string, string[]>;
  endpoints: Endpoints;
  liveApiKey?: string;
  /** alias of the Video Cloud account finished clips land in (config `live.account`) */
  liveAccount?: string;
  clarifyApiKey?: string;
  roles: {
    operators: string[];
    approvers: string[];
    fourEyes: boolean;
    /** distinct approvers a mass delete needs */
    approvals: number;
    notify: 'thread' | 'dm' | 'none';
  };
  channels?: string[];
  proxy: { http?: string; https?: string; noProxy?: string };
  publicUrl?: string;
  planTtlMinutes: number;
  sync: Record<string, unknown>;
  exports: Record<string, unknown>;
  /** where the config came from, for `config check` */
  sources: string[];
}

export const defaultEndpoints: Endpoints = {
  oauth: 'https://oauth.brightcove.com',
  cms: 'https://cms.api.brightcove.com',
  analytics: 'https://analytics.api.brightcove.com',
  live: 'https://api.bcovlive.io',
  clarify: 'https://api.clarify.io',
};
