import { vi } from 'vitest';
import type { ClipApi } from '../../src/clips/submit.js';
import type { LiveCredentialInfo, LiveJobInfo } from '../../src/clips/validate.js';
import type { VodCreateBody } from '../../src/clips/vod-body.js';

/** "now" in every clip test: two hours into LIVE_JOB. */
export const NOW = new Date('2026-11-21T12:00:00Z');

export const LIVE_ID = '3ae7fa89943f4a96aa273fbbf175d527';
export const FINISHED_ID = '88ba5d87b61a4ef3a6dddabd0c38d319';
export const OLD_ID = '0123456789abcdef0123456789abcdef';
export const WAITING_ID = 'ffffffffffffffffffffffffffffffff';
export const CHANNEL_ID = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const UNKNOWN_ID = 'deadbeefdeadbeefdeadbeefdeadbeef';

export const jobs: Record<string, LiveJobInfo> = {
  // Live: created 10:00, encoder connected 10:00:30 (state_history is newest first, epoch ms).
  [LIVE_ID]: {
    id: LIVE_ID,
    state: 'processing',
    created_at: '2026-11-21T10:00:00.000Z',
    finished_at: null,
    state_history: [
      { state: 'processing', transition_timestamp: Date.parse('2026-11-21T10:00:30Z') },
      { state: 'waiting', transition_timestamp: Date.parse('2026-11-21T10:00:00Z') },
    ],
  },
  // Finished yesterday after one hour of streaming.
  [FINISHED_ID]: {
    id: FINISHED_ID,
    state: 'finished',
    created_at: '2026-11-20T08:00:00.000Z',
    finished_at: '2026-11-20T09:00:00.000Z',
    stream: { created_at: '2026-11-20T08:00:00.000Z', finished_at: '2026-11-20T09:00:00.000Z' },
  },
  [OLD_ID]: {
    id: OLD_ID,
    state: 'finished',
    created_at: '2026-11-10T08:00:00.000Z',
    finished_at: '2026-11-10T09:00:00.000Z',
  },
  [WAITING_ID]: {
    id: WAITING_ID,
    state: 'waiting',
    created_at: '2026-11-21T11:55:00.000Z',
    finished_at: null,
  },
  // A 24x7 channel running for a month.
  [CHANNEL_ID]: {
    id: CHANNEL_ID,
    state: 'processing',
    created_at: '2026-10-21T00:00:00.000Z',
    finished_at: null,
  },
};

export const credentials: LiveCredentialInfo[] = [
  { label: 's3-clips', type: 's3' },
  { label: 'ftp-archive', type: 'ftp' },
];

export interface FakeApi extends ClipApi {
  getLiveJob: ReturnType<typeof vi.fn<(id: string) => Promise<LiveJobInfo | undefined>>>;
  listCredentials: ReturnType<typeof vi.fn<() => Promise<LiveCredentialInfo[]>>>;
  createVods: ReturnType<typeof vi.fn<(body: VodCreateBody) => Promise<{ vod_jobs: { jvod_id: string }[] }>>>;
}

export function fakeApi(): FakeApi {
  return {
    getLiveJob: vi.fn(async (id: string) => jobs[id]),
    listCredentials: vi.fn(async () => credentials),
    createVods: vi.fn(async () => ({ vod_jobs: [{ jvod_id: '9582606c50d84be5ad4bc104f2aa3360' }] })),
  };
}

export const epoch = (iso: string): number => Date.parse(iso) / 1000;
