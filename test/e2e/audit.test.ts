import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { parseCsv } from '../support/csv.js';
import { CHANNEL, cliWorkspace, type Harness, MEMBER, OPERATOR, startHarness } from '../support/harness.js';
import { runCliWith } from '../support/processes.js';
import { planMessage } from '../support/sync.js';

/** Issue 18 item 20: the audit log filtered by person, command, account and time, and as CSV. */
describe('audit filters and CSV', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
    await planMessage(h, 'sync neo');
    await (h.clock as ManualClock).advance(60_000);
    await planMessage(h, 'sync research', 'U0GROUPOP');
  });
  afterAll(async () => {
    await h?.close();
  });

  const lines = (text: string) => text.split('\n').filter((l) => / → /.test(l));

  it('filters by user (an id or a mention), command, account and time', async () => {
    const mine = await h.ephemeralAfter(`audit --user <@${OPERATOR}|ops> --command sync`);
    expect(lines(mine).length).toBeGreaterThan(0);
    expect(lines(mine).every((l) => l.includes(`  ${OPERATOR}  sync `))).toBe(true);
    expect(mine).not.toContain('U0GROUPOP');
    const research = await h.ephemeralAfter('audit --account research');
    expect(lines(research).length).toBeGreaterThan(0);
    expect(lines(research).every((l) => l.includes('research'))).toBe(true);
    expect(research).not.toMatch(/\bneo \(/);
    expect(await h.ephemeralAfter('audit --since 2030-01-01')).toContain('No audit entries match.');
    const before = await h.ephemeralAfter(`audit --until ${h.clock.now().toISOString().slice(0, 10)}`);
    expect(lines(before).length).toBeGreaterThanOrEqual(2);
  });

  it('names what the entries hold as ids: a configured account as alias (id), a channel as Slack shows it', async () => {
    const neo = h.app.services.config.accounts.find((a) => a.alias === 'neo')!;
    h.app.services.repos.audit.append({
      actor: OPERATOR,
      command: 'digest',
      action: 'add',
      target: 'dg_names',
      outcome: 'ok',
      details: `daily 09:00 UTC ${neo.id} → ${CHANNEL}`,
    });
    await h.ephemeralAfter('audit --command digest');
    const reply = h.slack.ephemerals.filter((m) => m.ephemeralTo === OPERATOR).at(-1)!;
    const shown = JSON.stringify(reply.blocks);
    expect(shown).toContain(`neo (${neo.id}) → <#${CHANNEL}>`);
  });

  it('says what was wrong with a filter, with the usage', async () => {
    const unknown = await h.ephemeralAfter('audit --command nope');
    expect(unknown).toContain('--command nope: no such command (help, accounts, sync');
    expect(unknown).toContain('Usage:');
    expect(await h.ephemeralAfter('audit --since 2026-12-02 --until 2026-12-01')).toContain(
      '--since is after --until',
    );
    expect(await h.ephemeralAfter('audit --since yesterday')).toContain(
      '--since is a date such as 2026-12-01',
    );
    expect(await h.ephemeralAfter('audit --account nowhere')).toMatch(/nowhere/);
  });

  it('exports every match as CSV, for operators only', async () => {
    expect(await h.ephemeralAfter('audit --csv', MEMBER)).toContain(
      'Only operators can export the audit log',
    );
    const files = h.slack.files.size;
    const text = await h.ephemeralAfter('audit --command sync --csv');
    expect(text).toMatch(/Audit log: \d+ entries in audit-\d{4}-\d{2}-\d{2}\.csv/);
    const file = await h.slack.waitFor(() =>
      [...h.slack.files.values()].slice(files).find((f) => f.filename.startsWith('audit-')),
    );
    expect(file.channel).toBe(CHANNEL);
    const rows = parseCsv(file.content.toString('utf8'));
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((r) => r.command === 'sync')).toBe(true);
    expect(Object.keys(rows[0]!)).toEqual([
      'at',
      'actor',
      'command',
      'action',
      'target',
      'outcome',
      'details',
      'errorId',
    ]);
  });

  it('in a terminal: plain lines, and the CSV in the output folder', async () => {
    const { dir, env } = cliWorkspace(h.bc!, 'audit', h.clarify!);
    const out = mkdtempSync(join(tmpdir(), 'bcops-audit-out-'));
    const cliEnv = { ...env, BRIGHTCOVE_OPS_CONFIG: join(dir, 'brightcove-ops.yml') };
    expect((await runCliWith(['sync', 'neo'], cliEnv)).code).toBe(0);
    const r = await runCliWith(['audit', '--command', 'sync', '--user', 'cli:ana'], cliEnv);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).length).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(/<@|\*/);
    const csv = await runCliWith(['audit', '--csv', '--out', out], cliEnv);
    expect(csv.code).toBe(0);
    const [name] = readdirSync(out);
    expect(name).toMatch(/^audit-.*\.csv$/);
    expect(parseCsv(readFileSync(join(out, name!), 'utf8')).some((r) => r.actor === 'cli:ana')).toBe(true);
  }, 60_000);
});
