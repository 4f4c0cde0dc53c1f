import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { PgStore } from '../../src/store/postgres.js';
import { createRepositories, type JobRecord, type PendingRecord } from '../../src/store/repositories.js';
import { FileStore } from '../../src/store/store.js';
import { createTestDatabase, pgUrl } from '../support/postgres.js';
import { runCliWith } from '../support/processes.js';

/**
 * `brightcove-ops state migrate` and `state export` as a child process against a real server: a state
 * with plans, clips, shares, schedules, checkpoints, journals and an archived audit goes file →
 * PostgreSQL → file with every count verified.
 */
describe.skipIf(!pgUrl)('state migrate and state export', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let env: Record<string, string>;
  const statePath = () => join(dir, 'state.json');

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'bcops-transfer-'));
    writeFileSync(join(dir, 'brightcove-ops.yml'), 'accounts: []\n');
    env = {
      BRIGHTCOVE_OPS_CONFIG: join(dir, 'brightcove-ops.yml'),
      BRIGHTCOVE_OPS_STATE: statePath(),
      BRIGHTCOVE_OPS_DATABASE_URL: db.url.replace('postgres@', 'postgres:hunter2@'),
    };
    // A state as a busy app leaves it.
    const s = await FileStore.open(statePath());
    let n = 0;
    const repos = createRepositories(s, new ManualClock('2026-10-01T00:00:00Z'), (p) => `${p}${++n}`);
    const record = (id: string, kind: string, state: string): PendingRecord => ({
      id,
      kind,
      state,
      requestedBy: 'U1',
      createdAt: '2026-12-01T00:00:00Z',
      decisions: [{ by: 'U2', action: 'apply', at: '2026-12-01T00:01:00Z', outcome: 'started' }],
      data: { account: { alias: 'neo', id: '1' }, nested: { a: [1, 2, { b: null }] } },
    });
    repos.pending.insert(record('plan_1', 'sync-plan', 'open'));
    repos.pending.insert(record('share_1', 'share', 'awaiting'));
    const job = (id: string, kind: string): JobRecord => ({
      id,
      kind,
      state: 'waiting',
      createdAt: '2026-12-01T00:00:00Z',
      updatedAt: '2026-12-01T00:00:00Z',
      data: { master: '1' },
    });
    repos.jobs.insert(job('clip_1', 'clip'));
    repos.jobs.insert(job('sharejob_1', 'share'));
    repos.schedules.insert({
      id: 'dg_1',
      kind: 'digest',
      spec: 'daily 09:00',
      tz: 'UTC',
      createdBy: 'U1',
      createdAt: '2026-12-01T00:00:00Z',
      data: {},
    });
    s.collection('schedule_runs').insert({ id: 'dg_1', lastRunAt: '2026-12-02T09:00:00Z' } as never);
    s.collection('export_checkpoints').insert({ id: '1:2026-11-01:2026-11-30', rows: 30 } as never);
    s.collection('sync_cursors').insert({ id: '1:clarify', since: '2026-12-01T00:00:00Z' } as never);
    // More audit entries than a file keeps: the oldest go to its archive.
    for (let i = 0; i < 5_012; i++)
      repos.audit.append({ actor: 'U1', command: 'sync', action: `run ${i}`, outcome: 'ok' });
    const j = await s.journal('sync-plan_1');
    await j.markIntent('create:1');
    j.markDone('create:0', { outcome: 'created', recordId: 'r0' });
    j.markDone('delete:9', null);
    await s.close();
    expect(readdirSync(join(dir, 'audit-archive'))).toHaveLength(1);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates the state file into the database, verified, and again without change', async () => {
    const first = await runCliWith(['state', 'migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Migrated ${statePath()} to the state database.`);
    expect(first.stdout).toMatch(/audit\s+5012 → 5012/);
    expect(first.stdout).toMatch(/pending\s+2 → 2/);
    expect(first.stdout).toMatch(/journal entries \(1 journals\)\s+3 → 3/);
    expect(first.stdout).toContain('Verified: every record and journal entry is in the target, unchanged.');
    expect(first.stdout + first.stderr).not.toContain('hunter2');
    const again = await runCliWith(['state', 'migrate'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/audit\s+5012 → 5012/);

    const store = await PgStore.open({
      url: db.url,
      pool_size: 2,
      connect_timeout_ms: 5_000,
      statement_timeout_ms: 10_000,
    });
    try {
      expect(store.collection('pending').get('plan_1')).toMatchObject({ kind: 'sync-plan', state: 'open' });
      expect(
        store
          .collection('jobs')
          .all()
          .map((j) => j.id),
      ).toEqual(['clip_1', 'sharejob_1']);
      expect((await store.allRecords('audit')).length).toBe(5_012);
      expect((await store.journal('sync-plan_1')).hasIntent('create:1')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('exports the database to a new state file (the audit beyond a file split into its archive), verified', async () => {
    const to = join(dir, 'backup', 'state.json');
    const res = await runCliWith(['state', 'export', '--to', to], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/audit\s+5012 → 5012/);
    expect(res.stdout).toContain('Verified');
    const back = await FileStore.open(to);
    try {
      expect(back.collection('audit').all()).toHaveLength(5_000);
      expect(readdirSync(join(dir, 'backup', 'audit-archive'))).toHaveLength(1);
      expect(back.collection('pending').get('share_1')).toEqual(
        (await FileStore.open(statePath())).collection('pending').get('share_1'),
      );
      expect(back.collection('schedule_runs').get('dg_1')).toEqual({
        id: 'dg_1',
        lastRunAt: '2026-12-02T09:00:00Z',
      });
      const j = await back.journal('sync-plan_1');
      expect(j.result('delete:9')).toBeNull();
      expect(j.isDone('delete:9')).toBe(true);
    } finally {
      await back.close();
    }
    const twice = await runCliWith(['state', 'export', '--to', to], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already exists: export to a new file (nothing was written)');
  });

  it('bad input: a missing database URL, an unknown verb, an export without --to', async () => {
    const { BRIGHTCOVE_OPS_DATABASE_URL: _url, ...noDb } = env;
    const none = await runCliWith(['state', 'migrate'], noDb);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('state migrate needs the database: set BRIGHTCOVE_OPS_DATABASE_URL');
    const verb = await runCliWith(['state', 'import'], env);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('unknown state command "import"');
    expect(verb.stderr).toContain('brightcove-ops state export --to <new file>');
    const noTo = await runCliWith(['state', 'export'], env);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain('state export needs --to <new file>');
    const gone = await runCliWith(['state', 'migrate', '--from', join(dir, 'nope.json')], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('There is no state file at');
  });

  it('help: `state --help`, `help state` and `state migrate --help` print the usage (exit 0); the overview names the tools', async () => {
    for (const argv of [
      ['state', '--help'],
      ['help', 'state'],
      ['state', 'migrate', '--help'],
    ]) {
      const res = await runCliWith(argv, env);
      expect(res.code, argv.join(' ')).toBe(0);
      expect(res.stdout, argv.join(' ')).toContain('brightcove-ops state migrate [--from <state file>]');
    }
    const overview = await runCliWith(['help'], env);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toContain('brightcove-ops state migrate | state export');
  });

  it('an unreachable database stops the app at start with where and why, never the password', async () => {
    const res = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          BRIGHTCOVE_OPS_DATABASE_URL: 'postgres://ops:hunter2@127.0.0.1:1/bcops',
          SLACK_BOT_TOKEN: 'xoxb-test',
          SLACK_SIGNING_SECRET: 'secret',
          PORT: '0',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
      });
      child.once('exit', (code) => done({ code, stderr }));
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      'brightcove-ops failed to start: The state store (PostgreSQL at 127.0.0.1:1/bcops) is unavailable',
    );
    expect(res.stderr).toContain('ECONNREFUSED');
    expect(res.stderr).not.toContain('hunter2');
    expect(existsSync(join(dir, 'state.json.lock'))).toBe(false);
  });
});
