import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createRepositories, type PendingRecord } from '../../src/store/repositories.js';
import { migrate } from '../../src/store/schema.js';
import { FileStore } from '../../src/store/store.js';

const tmpFile = (sub = 'sub') => {
  const dir = join(mkdtempSync(join(tmpdir(), 'bcops-store-')), sub);
  mkdirSync(dir, { recursive: true });
  return join(dir, 'state.json');
};

describe('store', () => {
  it('writes atomically to a 0600 file and reads it back', async () => {
    const path = tmpFile();
    const store = await FileStore.open(path);
    store.collection<{ id: string; n: number }>('things').insert({ id: 'a', n: 1 });
    await store.flush();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await FileStore.open(path);
    expect(again.collection('things').get('a')).toEqual({ id: 'a', n: 1 });
  });

  it('coalesces a burst of changes into few writes', async () => {
    const store = await FileStore.open(tmpFile());
    const c = store.collection<{ id: string }>('many');
    for (let i = 0; i < 500; i++) c.insert({ id: String(i) });
    await store.flush();
    expect(store.writes).toBeLessThanOrEqual(2);
    expect(c.all()).toHaveLength(500);
  });

  it('transition acts once when two clicks race', async () => {
    const store = await FileStore.open(null);
    const repos = createRepositories(store, new ManualClock(), (p) => `${p}_1`);
    repos.pending.insert({
      id: 'p1',
      kind: 'sync',
      state: 'pending',
      requestedBy: 'U1',
      createdAt: '',
      decisions: [],
      data: {},
    });
    const click = () =>
      Promise.resolve().then(() =>
        repos.pending.transition(
          'p1',
          (r) => r.state === 'pending',
          (r: PendingRecord) => ({ ...r, state: 'applying' }),
        ),
      );
    const results = await Promise.all([click(), click(), click()]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('migrates a version-0 file (flat arrays) to collections', () => {
    const v0 = { plans: [{ id: 'x' }], audit: [] } as never;
    expect(migrate(v0)).toEqual({ version: 1, collections: { plans: [{ id: 'x' }], audit: [] } });
  });

  it('refuses a state file from a newer version', async () => {
    const path = tmpFile('');
    writeFileSync(path, JSON.stringify({ version: 99, collections: {} }));
    await expect(FileStore.open(path)).rejects.toThrow(/newer than this app understands/);
  });

  it('audit log keeps entries newest first', async () => {
    const store = await FileStore.open(null);
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    let n = 0;
    const repos = createRepositories(store, clock, (p) => `${p}${++n}`);
    repos.audit.append({ actor: 'U1', command: 'sync', action: 'run', outcome: 'ok' });
    await clock.advance(1000);
    repos.audit.append({ actor: 'U2', command: 'clip', action: 'run', outcome: 'failed', errorId: 'E-1' });
    expect(repos.audit.latest(5).map((e) => [e.actor, e.at])).toEqual([
      ['U2', '2026-01-01T00:00:01.000Z'],
      ['U1', '2026-01-01T00:00:00.000Z'],
    ]);
  });

  it('rotates entries beyond the newest 5,000 to monthly archive files, dropping none; filters find entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bcops-audit-'));
    const store = await FileStore.open(join(dir, 'state.json'));
    const clock = new ManualClock('2026-10-31T23:00:00Z');
    let n = 0;
    const repos = createRepositories(store, clock, (p) => `${p}${++n}`);
    for (let i = 0; i < 5_003; i++) {
      repos.audit.append({
        actor: i % 2 ? 'U1' : 'cli:ana',
        command: i % 3 ? 'sync' : 'export',
        action: 'plan',
        target: i === 0 ? 'neo' : 'plan_x',
        outcome: 'ok',
      });
      await clock.advance(1000);
    }
    expect(repos.audit.latest(10_000)).toHaveLength(5_000);
    const archives = repos.audit.archives();
    expect(archives.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual(['audit-2026-10.jsonl']);
    const archived = readFileSync(archives[0]!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(archived.map((e) => e.id)).toEqual(['a1', 'a2', 'a3']);
    expect(archived[0]).toMatchObject({ target: 'neo', at: '2026-10-31T23:00:00.000Z' });
    expect((statSync(archives[0]!).mode & 0o777).toString(8)).toBe('600');
    expect(repos.audit.oldest()).toBe('2026-10-31T23:00:03.000Z');
    // the newest first, each filter on its own and together
    const found = repos.audit.find({ actor: 'U1', command: 'sync', since: '2026-11-01T00:00:00.000Z' }, 3);
    expect(found).toHaveLength(3);
    expect(found.every((e) => e.actor === 'U1' && e.command === 'sync' && e.at >= '2026-11-01')).toBe(true);
    expect(found[0]!.at > found[1]!.at).toBe(true);
    expect(repos.audit.find({ until: '2026-10-31T23:00:05.000Z' }, 100).map((e) => e.id)).toEqual([
      'a6',
      'a5',
      'a4',
    ]);
    repos.audit.append({
      actor: 'U1',
      command: 'share',
      action: 'share',
      target: '630001',
      details: 'neo → neo-north',
      outcome: 'ok',
    });
    expect(repos.audit.find({ account: { alias: 'neo-north', id: '3' } }, 10)).toHaveLength(1);
    // "neo" as a word: not inside "neo-north"
    expect(repos.audit.find({ account: { alias: 'neo', id: '1' }, command: 'share' }, 10)).toHaveLength(1);
    expect(repos.audit.find({ account: { alias: 'neo', id: '1' }, command: 'export' }, 10)).toHaveLength(0);
  });

  it('never writes the file world-readable even if it was before', async () => {
    const path = tmpFile();
    const s = await FileStore.open(path);
    s.collection('x').insert({ id: 'a' });
    await s.flush();
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text).version).toBe(1);
  });

  it.each([
    ['', /is not valid JSON \(the file is empty\)/],
    ['null', /expected a JSON object .* found null/],
    ['[]', /found an array/],
    ['7', /found number/],
    ['{"version":1,', /is not valid JSON/],
    ['{"version":1,"collections":[]}', /"collections" must map names to lists/],
    ['{"version":1,"collections":{"audit":5}}', /"collections" must map names to lists/],
  ])('refuses a state file holding %j, naming the file; the file is left as it was', async (text, why) => {
    const path = tmpFile();
    writeFileSync(path, text);
    await expect(FileStore.open(path)).rejects.toThrow(why);
    await expect(FileStore.open(path)).rejects.toThrow(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it("two stores on one file: each keeps the other's records, and a transition acts once across them", async () => {
    const path = tmpFile();
    const a = await FileStore.open(path);
    const b = await FileStore.open(path);
    a.collection('audit').insert({ id: 'from-a' });
    b.collection('audit').insert({ id: 'from-b' });
    await a.flush();
    await b.flush();
    a.collection<{ id: string; state: string }>('pending').insert({ id: 'p', state: 'open' });
    await a.flush();
    const claim = async (s: FileStore) =>
      (
        await s.collection<{ id: string; state: string }>('pending').transition(
          'p',
          (r) => r.state === 'open',
          (r) => ({ ...r, state: 'claimed' }),
        )
      ).ok;
    // b never re-read the file since it opened it: the claim must still see a's record, and a's claim after b's must fail.
    expect(await claim(b)).toBe(true);
    expect(await claim(a)).toBe(false);
    const fresh = await FileStore.open(path);
    expect(
      fresh
        .collection('audit')
        .all()
        .map((r) => r.id)
        .sort(),
    ).toEqual(['from-a', 'from-b']);
    expect(fresh.collection<{ id: string; state: string }>('pending').get('p')?.state).toBe('claimed');
  });
});
