import { describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/store.js';
import { type SyncCursor, SyncCursorStore, scanMode, type VideoNotice } from '../../src/sync/cursor.js';

const cursor = (over: Partial<SyncCursor> = {}): SyncCursor => ({
  id: 'A:clarify',
  account: 'A',
  target: 'clarify',
  since: '2026-12-02T10:00:00.000Z',
  before: 100,
  fullAt: '2026-12-02T06:00:00.000Z',
  options: '{"owner":"A"}',
  ...over,
});

const policy = {
  enabled: true,
  full: false,
  fullEveryMs: 24 * 3_600_000,
  now: Date.parse('2026-12-02T12:00:00Z'),
  options: '{"owner":"A"}',
  target: 'clarify',
};

describe('scanMode', () => {
  it('lists only changes after an applied sync, and says when the last full one was', () => {
    expect(scanMode(cursor(), policy)).toEqual({
      mode: 'incremental',
      reason:
        'changes since the last applied sync; the last full one started 2026-12-02 06:00 UTC (one every 24 h)',
    });
  });

  it('lists everything, with the reason: no cursor, --full, off, other options, reconciliation due', () => {
    expect(scanMode(undefined, policy).reason).toBe(
      'no earlier sync of this account is applied to clarify yet',
    );
    expect(scanMode(cursor(), { ...policy, full: true })).toEqual({
      mode: 'full',
      reason: 'asked for with --full',
    });
    expect(scanMode(cursor(), { ...policy, enabled: false }).mode).toBe('full');
    expect(scanMode(cursor({ options: '{"maxHeight":720,"owner":"A"}' }), policy).reason).toBe(
      'the sync options changed since the last applied sync',
    );
    const due = scanMode(cursor(), { ...policy, now: Date.parse('2026-12-03T06:00:00Z') });
    expect(due).toEqual({
      mode: 'full',
      reason: 'reconciliation: the last full sync started 2026-12-02 06:00 UTC (one every 24 h)',
    });
  });
});

describe('SyncCursorStore', () => {
  async function open() {
    const store = await FileStore.open(null);
    return new SyncCursorStore(
      store.collection<SyncCursor>('sync_cursors'),
      store.collection<VideoNotice>('sync_notices'),
      store,
    );
  }

  it('moves forward only: a plan applied late never takes the cursor back', async () => {
    const cursors = await open();
    expect(await cursors.advance(cursor())).toBe(true);
    expect(await cursors.advance(cursor({ since: '2026-12-02T09:00:00.000Z', before: 1 }))).toBe(false);
    expect(cursors.get('A', 'clarify')?.before).toBe(100);
    expect(await cursors.advance(cursor({ since: '2026-12-02T11:00:00.000Z', before: 101 }))).toBe(true);
    expect(cursors.get('A', 'clarify')?.before).toBe(101);
  });

  it('keeps one notice per video, and drops only those received up to the run that covered them', async () => {
    const cursors = await open();
    cursors.notice('A', 'v1', '2026-12-02T10:00:00.000Z');
    cursors.notice('A', 'v1', '2026-12-02T10:01:00.000Z');
    cursors.notice('A', 'v2', '2026-12-02T10:05:00.000Z');
    cursors.notice('B', 'v1', '2026-12-02T10:00:00.000Z');
    expect(cursors.pendingNotices('A').map((n) => n.videoId)).toEqual(['v1', 'v2']);
    await cursors.dropNotices('A', ['v1', 'v2'], '2026-12-02T10:02:00.000Z');
    // v2 arrived after that run started: news it did not see
    expect(cursors.pendingNotices('A').map((n) => n.videoId)).toEqual(['v2']);
    expect(cursors.pendingNotices('B')).toHaveLength(1);
  });
});
