import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, secretsOf } from '../../src/config/load.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bcops-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config: credential files of the original tools', () => {
  it('reads the sync tool format {account, client_id, client_secret} from BRIGHTCOVE_API_CREDENTIALS', () => {
    const dir = dirWith({
      'creds.json': JSON.stringify({ account: '1234567', client_id: 'cid', client_secret: 'csecret-xyz' }),
    });
    const c = loadConfig({ cwd: dir, env: { BRIGHTCOVE_API_CREDENTIALS: 'creds.json' } });
    expect(c.accounts).toEqual([
      {
        alias: 'default',
        id: '1234567',
        groups: [],
        credentials: { clientId: 'cid', clientSecret: 'csecret-xyz' },
      },
    ]);
  });

  it('reads the pipeline secrets.json {client_id, client_secret, proxies} as shared credentials and proxies', () => {
    const dir = dirWith({
      'secrets.json': JSON.stringify({
        client_id: 'cid2',
        client_secret: 'sec-2-abc',
        proxies: { https: 'http://proxy.local:3128' },
      }),
      'brightcove-ops.yml':
        'credentials_file: secrets.json\naccounts:\n  - { alias: neo, id: "111" }\n  - { alias: lab, id: "222" }\n',
    });
    const c = loadConfig({ cwd: dir, env: {} });
    expect(c.accounts.map((a) => a.credentials?.clientId)).toEqual(['cid2', 'cid2']);
    expect(c.proxy.https).toBe('http://proxy.local:3128');
  });

  it('per-account credentials win over shared ones', () => {
    const dir = dirWith({
      'brightcove-ops.yml': `credentials: { client_id: shared, client_secret: shared-secret }
accounts:
  - alias: neo
    id: "111"
    credentials: { client_id: own, client_secret: own-secret }
  - alias: lab
    id: "222"
`,
    });
    const c = loadConfig({ cwd: dir, env: {} });
    expect(c.accounts.map((a) => a.credentials?.clientId)).toEqual(['own', 'shared']);
  });

  it('env quick start: BRIGHTCOVE_CLIENT_ID/SECRET/ACCOUNT_ID', () => {
    const c = loadConfig({
      cwd: dirWith({}),
      env: { BRIGHTCOVE_CLIENT_ID: 'a', BRIGHTCOVE_CLIENT_SECRET: 'b-secret', BRIGHTCOVE_ACCOUNT_ID: '42' },
    });
    expect(c.accounts[0]).toMatchObject({ alias: 'default', id: '42', credentials: { clientId: 'a' } });
  });

  it('groups from accounts and from the groups key; base URL overrides without trailing slash', () => {
    const dir = dirWith({
      'brightcove-ops.yml': `accounts:
  - { alias: neo, id: "111", groups: [news] }
  - { alias: lab, id: "222" }
groups:
  science: [lab, "111"]
`,
    });
    const c = loadConfig({
      cwd: dir,
      env: { BRIGHTCOVE_CMS_URL: 'http://127.0.0.1:4010/', CLARIFY_API_URL: 'http://127.0.0.1:4020' },
    });
    expect(c.groups).toEqual({ news: ['neo'], science: ['lab', 'neo'] });
    expect(c.endpoints.cms).toBe('http://127.0.0.1:4010');
    expect(c.endpoints.clarify).toBe('http://127.0.0.1:4020');
    expect(c.endpoints.oauth).toBe('https://oauth.brightcove.com');
  });
});

describe('config: every invalid config names the file, the key and the reason', () => {
  const cases: [string, Record<string, string>, Record<string, string>, RegExp][] = [
    [
      'unknown top-level key',
      { 'brightcove-ops.yml': 'acounts: []' },
      {},
      /brightcove-ops\.yml: \(top level\): unknown key "acounts"/,
    ],
    [
      'bad alias',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: Neo!, id: "1" }' },
      {},
      /accounts\.0\.alias: an alias is lower-case/,
    ],
    [
      'bad account id',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: neo, id: abc }' },
      {},
      /accounts\.0\.id: an account id is a number/,
    ],
    [
      'unknown key in an account',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: neo, id: "1", colour: red }' },
      {},
      /accounts\.0: unknown key "colour"/,
    ],
    [
      'duplicate alias',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: neo, id: "1" }\n  - { alias: neo, id: "2" }' },
      {},
      /accounts\.1: "neo" is used by two accounts/,
    ],
    [
      'group names unknown account',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: neo, id: "1" }\ngroups:\n  g: [nope]' },
      {},
      /groups\.g\.0: unknown account "nope"/,
    ],
    [
      'group named like an account',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: neo, id: "1", groups: [neo] }' },
      {},
      /groups\.neo: a group cannot have the name of an account/,
    ],
    [
      'bad role id',
      { 'brightcove-ops.yml': 'roles:\n  approvers: [bob]' },
      {},
      /roles\.approvers\.0: expected a Slack user id/,
    ],
    [
      'bad channel id',
      { 'brightcove-ops.yml': 'channels: [general]' },
      {},
      /channels\.0: expected a Slack channel id/,
    ],
    ['bad url', { 'brightcove-ops.yml': 'urls:\n  cms: not a url' }, {}, /urls\.cms: expected a URL/],
    [
      'bad time zone',
      { 'brightcove-ops.yml': 'timezone: Mars/Olympus' },
      {},
      /timezone: unknown time zone "Mars\/Olympus"/,
    ],
    [
      'empty client secret',
      { 'brightcove-ops.yml': 'credentials: { client_id: a, client_secret: "" }' },
      {},
      /credentials\.client_secret: client_secret is empty/,
    ],
    [
      'invalid YAML',
      { 'brightcove-ops.yml': 'accounts: [' },
      {},
      /brightcove-ops\.yml: \(top level\): not valid YAML/,
    ],
    [
      'missing explicit config file',
      {},
      { BRIGHTCOVE_OPS_CONFIG: 'nope.yml' },
      /nope\.yml: \(top level\): cannot read the file \(ENOENT\)/,
    ],
    [
      'credential file missing',
      {},
      { BRIGHTCOVE_API_CREDENTIALS: 'creds.json' },
      /creds\.json: \(top level\): cannot read the file/,
    ],
    [
      'credential file not JSON',
      { 'creds.json': '{oops' },
      { BRIGHTCOVE_API_CREDENTIALS: 'creds.json' },
      /creds\.json: \(top level\): not valid JSON/,
    ],
    [
      'credential file without client_secret',
      { 'creds.json': '{"client_id":"a"}' },
      { BRIGHTCOVE_API_CREDENTIALS: 'creds.json' },
      /creds\.json: client_secret: /,
    ],
    [
      'client id without secret',
      {},
      { BRIGHTCOVE_CLIENT_ID: 'a' },
      /environment: BRIGHTCOVE_CLIENT_SECRET: .*set both/,
    ],
    [
      'bad account id env',
      {},
      { BRIGHTCOVE_ACCOUNT_ID: 'x1' },
      /environment: BRIGHTCOVE_ACCOUNT_ID: an account id is a number/,
    ],
    ['bad port', {}, { PORT: 'eighty' }, /environment: PORT: "eighty" is not a port number/],
    [
      'slack api url without /api/',
      {},
      { SLACK_API_URL: 'http://127.0.0.1:9' },
      /SLACK_API_URL: must end in \/api\//,
    ],
    [
      'bot token of the wrong kind',
      {},
      { SLACK_BOT_TOKEN: 'xoxp-user' },
      /SLACK_BOT_TOKEN: a bot token starts with xoxb-/,
    ],
    [
      'app token of the wrong kind',
      {},
      { SLACK_APP_TOKEN: 'xoxb-1' },
      /SLACK_APP_TOKEN: an app-level token starts with xapp-/,
    ],
    ['negative plan ttl', { 'brightcove-ops.yml': 'plan_ttl_minutes: -5' }, {}, /plan_ttl_minutes: /],
    [
      'live.account names no account',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: neo, id: "1" }\nlive: { account: nope }' },
      {},
      /live\.account: unknown account "nope"/,
    ],
    [
      'live.account without credentials',
      { 'brightcove-ops.yml': 'accounts:\n  - { alias: neo, id: "1" }\nlive: { account: "1" }' },
      {},
      /live\.account: account "neo" has no API credentials/,
    ],
  ];
  it.each(cases)('%s', (_name, files, env, message) => {
    const err = configError(() => loadConfig({ cwd: dirWith(files), env }));
    expect(err.message).toMatch(message);
  });
});

describe('config check output', () => {
  it('masks every secret', () => {
    const dir = dirWith({
      'brightcove-ops.yml':
        'accounts:\n  - { alias: neo, id: "1", credentials: { client_id: cid, client_secret: per-account-secret-1 } }\nlive: { api_key: live-key-abcdef }\nclarify: { api_key: clarify-key-abcdef }',
    });
    const c = loadConfig({
      cwd: dir,
      env: {
        SLACK_BOT_TOKEN: 'xoxb-secret-bot-token',
        SLACK_APP_TOKEN: 'xapp-secret-app-token',
        SLACK_SIGNING_SECRET: 'signing-secret-xyz',
      },
    });
    const out = JSON.stringify(describeConfig(c));
    expect(secretsOf(c)).toHaveLength(6);
    for (const s of secretsOf(c)) expect(out).not.toContain(s.slice(0, 8));
    expect(out).toContain('"mode":"socket"');
  });
});
