import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { banner, consolePort, type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { demoDataset, SANDBOX_USERS, sandboxUser } from '../../src/sandbox/world.js';

describe('the sandbox world', () => {
  it('is a master account with two affiliates, ~500 videos, 90 days of analytics and two live jobs', () => {
    const now = new Date('2026-11-21T12:00:00Z');
    const data = demoDataset(now);
    expect(data.accounts.map((a) => a.alias)).toEqual(['neo', 'neo-north', 'neo-south']);
    const neo = data.accounts[0]!.id;
    expect(data.members[neo]).toEqual(data.accounts.slice(1).map((a) => a.id));
    const videos = Object.values(data.videos).reduce((n, list) => n + list.length, 0);
    expect(videos).toBe(500);
    const dates = new Set(data.analytics.map((r) => r.date));
    expect(dates.size).toBe(90);
    expect([...dates].sort().at(-1)).toBe('2026-11-20');
    expect(data.liveJobs).toHaveLength(2);
    expect(data.liveJobs.filter((j) => j.state === 'processing' || !j.stream?.finished_at).length).toBe(1);
  });

  it('reads PORT for the console, defaulting to 3000', () => {
    expect(consolePort({})).toBe(3000);
    expect(consolePort({ PORT: '' })).toBe(3000);
    expect(consolePort({ PORT: '8080' })).toBe(8080);
    expect(() => consolePort({ PORT: 'http' })).toThrow('PORT "http" is not a port number');
  });

  it('says in its banner that no Slack credentials were found and where the console is', () => {
    const text = banner('http://localhost:3000', { inSync: 1, stale: 2, orphans: 3 });
    expect(text).toContain('no Slack credentials found');
    expect(text).toContain('SANDBOX');
    expect(text).toContain('Open the console:  http://localhost:3000');
    expect(text).toContain('2 stale and 3 orphan bundles');
  });
});

describe('startSandbox', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ logger: silentLogger, port: 0, banner: false });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('configures the picker users as operator, approver and member of the running app', async () => {
    const roles = sb.app.services.roles;
    const as = (role: 'operator' | 'approver' | 'member') =>
      ({ userId: sandboxUser(role).id, source: 'slack' }) as const;
    const [op, ap, member] = [as('operator'), as('approver'), as('member')];
    expect(await roles.isOperator(op)).toBe(true);
    expect(await roles.isApprover(ap)).toBe(true);
    expect(await roles.isOperator(member)).toBe(false);
    expect(await roles.isApprover(member)).toBe(false);
    expect(await roles.isApprover(op)).toBe(false);
    expect(sb.app.services.config.roles.fourEyes).toBe(true);
    expect(Object.keys(sb.slack.users)).toEqual(SANDBOX_USERS.map((u) => u.id));
  });

  it('points every client at the simulators, and Clarify holds stale and orphan bundles', () => {
    const { endpoints, accounts } = sb.app.services.config;
    expect(endpoints.cms).toBe(sb.bc.urls.cms);
    expect(endpoints.clarify).toBe(sb.clarify.url);
    expect(accounts.every((a) => a.credentials)).toBe(true);
    expect(sb.seeded.stale).toBeGreaterThan(0);
    expect(sb.seeded.orphans).toBeGreaterThan(0);
    const library = new Set(Object.values(sb.bc.data.videos).flatMap((list) => list.map((v) => v.id)));
    const orphans = sb.clarify.bundles.all().filter((b) => b.external_id && !library.has(b.external_id));
    expect(orphans).toHaveLength(sb.seeded.orphans);
    expect(sb.clarify.bundles.size).toBe(sb.seeded.inSync + sb.seeded.stale + sb.seeded.orphans);
  });

  it('answers a command typed in the console with the app reply (signed end to end)', async () => {
    const op = sandboxUser('operator').id;
    const res = await fetch(`${sb.url}/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: op, text: '/brightcove accounts' }),
    });
    expect(await res.json()).toEqual({ ok: true, status: 200 });
    const reply = await sb.slack.waitFor(() => sb.slack.lastEphemeral(op));
    expect(reply.text).toContain('neo-north');
    const boot = (await (await fetch(`${sb.url}/api/bootstrap`)).json()) as { usageHint: string };
    expect(boot.usageHint.startsWith('help | accounts')).toBe(true);
  });
});

describe('npm start without Slack credentials', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('prints the console URL and serves the console', async () => {
    // A clean environment: no Slack or Brightcove variables at all.
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no console URL printed; stdout: ${out}`)), 25_000);
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const m = /Open the console: +(http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child!.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    expect(out).toContain('no Slack credentials found');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Brightcove Ops sandbox');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
  }, 30_000);
});
