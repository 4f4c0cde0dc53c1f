import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createRepositories, type PendingRecord } from '../../src/store/repositories.js';
import { migrate } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';

const tmpFile = (sub = 'sub') => {
  const dir = join(mkdtempSync(join(tmpdir(), 'bcops-store-')), sub);
  mkdirSync(dir, { recursive: true });
  return join(dir, 'state.json');
};

describe('store', () => {
  it('writes atomically to a 0600 file and reads it back', async () => {
    const path = tmpFile();
    const store = await Store.open(path);
    store.collection<{ id: string; n: number }>('things').insert({ id: 'a', n: 1 });
    await store.flush();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await Store.open(path);
    expect(again.collection('things').get('a')).toEqual({ id: 'a', n: 1 });
  });

  it('coalesces a burst of changes into few writes', async () => {
    const store = await Store.open(tmpFile());
    const c = store.collection<{ id: string }>('many');
    for (let i = 0; i < 500; i++) c.insert({ id: String(i) });
    await store.flush();
    expect(store.writes).toBeLessThanOrEqual(2);
    expect(c.all()).toHaveLength(500);
  });

  it('transition acts once when two clicks race', async () => {
    const store = await Store.open(null);
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
    await expect(Store.open(path)).rejects.toThrow(/newer than this app understands/);
  });

  it('audit log keeps entries newest first', async () => {
    const store = await Store.open(null);
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

  it('never writes the file world-readable even if it was before', async () => {
    const path = tmpFile();
    const s = await Store.open(path);
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
    await expect(Store.open(path)).rejects.toThrow(why);
    await expect(Store.open(path)).rejects.toThrow(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it("two stores on one file: each keeps the other's records, and a transition acts once across them", async () => {
    const path = tmpFile();
    const a = await Store.open(path);
    const b = await Store.open(path);
    a.collection('audit').insert({ id: 'from-a' });
    b.collection('audit').insert({ id: 'from-b' });
    await a.flush();
    await b.flush();
    a.collection<{ id: string; state: string }>('pending').insert({ id: 'p', state: 'open' });
    await a.flush();
    const claim = (s: Store) =>
      s.collection<{ id: string; state: string }>('pending').transition(
        'p',
        (r) => r.state === 'open',
        (r) => ({ ...r, state: 'claimed' }),
      ).ok;
    // b never re-read the file since it opened it: the claim must still see a's record, and a's claim after b's must fail.
    expect(claim(b)).toBe(true);
    expect(claim(a)).toBe(false);
    const fresh = await Store.open(path);
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
