import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sync } from '../../commands/sync.js';
import { runCli } from '../../src/cli/run.js';
import { CliSurface } from '../../src/cli/surface.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import type { Host } from '../../src/core/types.js';
import { createHttpDispatcher } from '../../src/http/dispatcher.js';
import { createServices } from '../../src/services.js';
import { type BrightcoveSim, startBrightcoveSim } from '../../src/sim/brightcove/index.js';
import { type ClarifySim, startClarifySim } from '../../src/sim/clarify/index.js';
import { FileStore } from '../../src/store/store.js';
import { parseSyncConfig } from '../../src/sync/config.js';
import { collectPlan } from '../../src/sync/run.js';
import { SyncPlanStore } from '../../src/sync/store.js';
import { ClarifyTarget } from '../../src/sync/targets/clarify/target.js';
import { configuredTargets, SyncTargets } from '../../src/sync/targets/index.js';
import { postgresTargetSchema } from '../../src/sync/targets/postgres/config.js';
import type { TargetContext } from '../../src/sync/targets/types.js';
import { closeAgents } from './helpers.js';

afterAll(closeAgents);

let bc: BrightcoveSim;
let clarify: ClarifySim;
let dir: string;
let env: Record<string, string>;
const clock = new ManualClock('2026-11-21T12:00:00Z');

beforeEach(async () => {
  bc = await startBrightcoveSim({ clock, dataset: { videosPerAccount: 12, analyticsDays: 0 } });
  clarify = await startClarifySim({ clock, seed: 2 });
  dir = mkdtempSync(join(tmpdir(), 'bcops-sync-'));
  const acc = bc.data.accounts[0]!;
  const cred = bc.data.credentials.find((c) => c.accounts.includes(acc.id))!;
  // The original tool's credential file: key "account", as its code reads (bug §3.16: help said account_id).
  writeFileSync(
    join(dir, 'brightcove_oauth.json'),
    JSON.stringify({ account: acc.id, client_id: cred.clientId, client_secret: cred.clientSecret }),
  );
  env = {
    BRIGHTCOVE_API_CREDENTIALS: 'brightcove_oauth.json',
    BRIGHTCOVE_OAUTH_URL: bc.urls.oauth,
    BRIGHTCOVE_CMS_URL: bc.urls.cms,
    CLARIFY_API_URL: clarify.url,
    CLARIFY_API_KEY: clarify.apiKey,
    BRIGHTCOVE_OPS_STATE: join(dir, 'state.json'),
  };
  clarify.bundles.add({ name: 'gone', external_id: '9990000000001' });
  clarify.bundles.add({ name: 'stale', external_id: bc.data.videos[acc.id]![0]!.id, data: {} });
});
afterEach(async () => {
  await bc.close();
  await clarify.close();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** One replica holding leases in these unit tests (no second one to take over). */
const TEST_REPLICA = { id: 'test-host/1:1:0', leaseMs: 30_000 };

describe('CLI parity', () => {
  it('dry run by default with the original flags as aliases; prints the stats block plus skipped', async () => {
    const c = capture();
    const code = await runCli(['sync', '--dry_run', '--keep_deleted_bundles'], {
      env,
      cwd: dir,
      output: c.output,
    });
    expect(c.err.join('\n')).toBe('');
    expect(code).toBe(0);
    const text = c.out.join('\n');
    expect(text).toContain('DRY RUN - not modifying any bundles');
    expect(text).toMatch(
      /Bundle stats:\n {2}created: \d+\n {2}updated: 1\n {2}deleted: 0\n {2}total: {3}\d+\n {2}skipped: \d+/,
    );
    expect(clarify.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('bug §3.13 unattended crash: --apply --approve-deletes runs without a terminal, verifies each delete, never prompts', async () => {
    const c = capture();
    const code = await runCli(['sync', 'default', '--apply', '--approve-deletes'], {
      env,
      cwd: dir,
      output: c.output,
    });
    expect(c.err.join('\n')).toBe('');
    expect(code).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/created: [1-9]/);
    expect(text).toContain('updated: 1');
    expect(text).toContain('deleted: 1');
    expect(clarify.bundles.byExternalId('9990000000001')).toHaveLength(0);
    expect(bc.requests.some((r) => r.path.endsWith('/videos/9990000000001') && r.status === 404)).toBe(true);
    // A second run finds nothing to do.
    const again = capture();
    await runCli(['sync'], { env, cwd: dir, output: again.output });
    expect(again.out.join('\n')).toMatch(/created: 0\n {2}updated: 0\n {2}deleted: 0/);
  });

  it('rejects contradictory flags with a precise message', async () => {
    const c = capture();
    const code = await runCli(['sync', '--dry_run', '--apply'], { env, cwd: dir, output: c.output });
    expect(code).toBe(2);
    expect(c.err.join('\n')).toContain('--dry-run cannot be combined with --apply');
  });
});

describe('plan lifecycle', () => {
  it('resumes an apply interrupted after a create was sent, without a duplicate bundle', async () => {
    const config = loadConfig({ env, cwd: dir });
    const dispatcher = createHttpDispatcher({ retry: { maxRetries: 2, minTimeoutMs: 1, maxTimeoutMs: 5 } });
    const services = await createServices({ config, clock, store: await FileStore.open(null), dispatcher });
    const account = config.accounts[0]!;
    const cms = services.brightcove.cms(services.bcAccount(account));
    const { plan } = await collectPlan({ cms, target: new ClarifyTarget(services.clarify()) });
    const store = new SyncPlanStore(
      services.repos.pending,
      services.store,
      clock,
      60,
      services.newId,
      // The process that crashed: this host, a pid that no longer runs (above Linux's pid_max).
      { ...services.replica, id: services.replica.id.replace(/:\d+:/, ':4194305:') },
    );
    const { record } = await store.create({
      account: { alias: account.alias, id: account.id },
      keepDeleted: false,
      origin: 'slack',
      plan,
      requestedBy: 'U0OPERATOR',
    });
    expect((await store.claim(record.id, 'apply', 'U0OPERATOR')).ok).toBe(true);
    // The crash: the first create's intent was journaled and it reached Clarify; its result did not.
    const first = plan.creates[0]!;
    await (await store.checkpoint(record.id)).markIntent(first.key);
    clarify.bundles.add({ name: first.name, external_id: first.videoId });

    const host: Host = {
      route() {},
      channel: () => new CliSurface({ out() {}, err() {} }, false, dir),
    };
    await sync.start!(services, host);
    await expect.poll(() => store.get(record.id)?.data.phases.apply.status, { timeout: 10_000 }).toBe('done');
    for (const c of plan.creates) expect(clarify.bundles.byExternalId(c.videoId)).toHaveLength(1);
    expect(store.get(record.id)?.data.phases.apply.outcome).toContain(`${plan.creates.length} created`);
    expect(store.get(record.id)?.data.phases.deletes.status).toBe('pending');
    await dispatcher.close();
  });

  it('claims a phase once, expires at the TTL, and refuses a superseded plan', async () => {
    const s = await FileStore.open(null);
    const c = new ManualClock('2026-11-21T12:00:00Z');
    let n = 0;
    const store = new SyncPlanStore(s.collection('pending'), s, c, 60, (p) => `${p}_${++n}`, TEST_REPLICA);
    const plan = {
      target: 'clarify',
      fingerprint: 'f',
      options: {},
      creates: [],
      updates: [],
      deletes: [],
      skipped: [],
      problems: [],
      counts: {
        videos: 1,
        records: 1,
        recordsWithoutVideoId: 0,
        recordsWithVideoId: 1,
        otherAccounts: 0,
        legacyKept: 0,
        unchanged: 0,
        creates: 1,
        updates: 0,
        deletes: 1,
        skipped: 0,
        problems: 0,
      },
    };
    const make = () =>
      store.create({
        account: { alias: 'neo', id: '1' },
        keepDeleted: false,
        origin: 'slack',
        plan,
        requestedBy: 'U1',
      });
    const a = (await make()).record;
    expect((await store.claim(a.id, 'deletes', 'U2')).ok).toBe(true);
    expect(await store.claim(a.id, 'deletes', 'U3')).toMatchObject({ ok: false, reason: 'already' });
    await store.finish(a.id, 'deletes', '1 deleted');
    const b = (await make()).record;
    await c.advance(59 * 60_000 + 59_000);
    expect((await store.claim(b.id, 'apply', 'U2')).ok).toBe(true);
    const d = await make();
    expect(d.superseded).toEqual([]);
    const e = await make();
    expect(e.superseded.map((r) => r.id)).toEqual([d.record.id]);
    expect(await store.claim(d.record.id, 'apply', 'U2')).toMatchObject({ ok: false, reason: 'superseded' });
    await c.advance(60 * 60_000);
    expect(await store.claim(e.record.id, 'apply', 'U2')).toMatchObject({ ok: false, reason: 'expired' });
    expect(store.get(e.record.id)?.state).toBe('expired');
    expect((await store.discard(e.record.id, 'U2')).ok).toBe(false);
  });
});

describe('sync config', () => {
  it('validates schedules with precise messages', () => {
    expect(
      parseSyncConfig({ schedules: [{ account: 'neo', cron: '0 6 * * *', channel: 'C123' }] }),
    ).toMatchObject({
      schedules: [{ account: 'neo', auto_apply: false }],
    });
    expect(() =>
      parseSyncConfig({ schedules: [{ account: 'neo', cron: '0 6 * *', channel: 'C1' }] }),
    ).toThrow(/sync\.schedules\.0\.cron: cron "0 6 \* \*" has 4 field/);
    expect(() =>
      parseSyncConfig({ schedules: [{ account: 'neo', cron: '0 6 * * *', channel: '#ops' }] }),
    ).toThrow(/sync\.schedules\.0\.channel: .*Slack channel id/);
    expect(() => parseSyncConfig({ schedule: [] })).toThrow(/brightcove-ops\.yml sync/);
  });
  it('names a bad target by its key: an unknown type, a URL that is not PostgreSQL, a bad name', () => {
    expect(() => parseSyncConfig({ targets: { warehouse: { type: 'mysql', url: 'mysql://x' } } })).toThrow(
      /sync\.targets\.warehouse.*every target needs a type: one of clarify, postgres/,
    );
    expect(() => parseSyncConfig({ targets: { warehouse: { type: 'postgres', url: 'http://db' } } })).toThrow(
      /sync\.targets\.warehouse\.url: url must start with postgres:\/\//,
    );
    expect(() =>
      parseSyncConfig({ targets: { Ware: { type: 'postgres', url: 'postgres://db/x' } } }),
    ).toThrow(/sync\.targets\.Ware: a target name is lower-case/);
    expect(
      parseSyncConfig({ targets: { w: { type: 'postgres', url: 'postgres://db/x' } } }).targets?.w,
    ).toMatchObject({
      hard_delete: false,
    });
  });
});

describe('choosing a sync target', () => {
  const ctx = {} as TargetContext;
  const neo = { alias: 'neo', id: '1', groups: [] };
  it("uses the one asked for, else the account's, else the only one; never guesses among several", () => {
    const two = new SyncTargets(
      {
        clarify: { type: 'clarify' },
        warehouse: postgresTargetSchema.parse({ type: 'postgres', url: 'postgres://db/v' }),
      },
      ctx,
    );
    expect(two.nameFor({ ...neo, target: 'warehouse' })).toBe('warehouse');
    expect(two.nameFor({ ...neo, target: 'warehouse' }, 'clarify')).toBe('clarify');
    expect(() => two.nameFor(neo)).toThrow(
      'Several sync targets are configured (clarify, warehouse) and account neo names none: add `target: <name>` to it in brightcove-ops.yml, or pass --target.',
    );
    expect(() => two.nameFor(neo, 'nope')).toThrow(
      'Unknown sync target "nope": the configured targets are clarify, warehouse.',
    );
    expect(two.searchable()).toEqual(['warehouse']);
    expect(new SyncTargets(configuredTargets(undefined), ctx).nameFor(neo)).toBe('clarify');
  });
});

describe('checkpoints written before the journal existed', () => {
  it('an Apply interrupted before the upgrade resumes from its state-file checkpoints', async () => {
    const s = await FileStore.open(null);
    const c = new ManualClock('2026-11-21T12:00:00Z');
    const store = new SyncPlanStore(s.collection('pending'), s, c, 60, (p) => `${p}_1`, TEST_REPLICA);
    s.collection<{ id: string; done: Record<string, unknown> }>('sync_checkpoints').insert({
      id: 'plan_old',
      done: {
        'create:1': { outcome: 'created', recordId: 'b1' },
        'create:2#attempt': { outcome: 'attempted' },
      },
    });
    const cp = await store.checkpoint('plan_old');
    expect(cp.isDone('create:1')).toBe(true);
    expect(cp.hasIntent('create:2')).toBe(true);
    expect(cp.isDone('create:2')).toBe(false);
    expect(s.collection('sync_checkpoints').all()).toEqual([]);
  });
});
