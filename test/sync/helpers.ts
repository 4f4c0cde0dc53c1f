import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { ClarifyClient, type ClarifyClientOptions } from '../../src/clarify/client.js';
import type { Clock } from '../../src/clock.js';
import type { ClarifySim } from '../../src/sim/clarify/index.js';
import type { SyncVideo, VideoSource } from '../../src/sync/types.js';

/** Backoff sleeps resolve at once: retries are exercised without waiting. */
export const instantClock: Clock = { now: () => new Date('2026-11-21T12:00:00Z'), sleep: async () => {} };

export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
}

export const agents: Agent[] = [];
export function clientFor(sim: ClarifySim, opts: Partial<ClarifyClientOptions> = {}): ClarifyClient {
  const dispatcher = new Agent({ connections: 8 });
  agents.push(dispatcher);
  return new ClarifyClient({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    dispatcher,
    clock: instantClock,
    backoffMs: 0,
    ...opts,
  });
}

export async function closeAgents(): Promise<void> {
  await Promise.all(agents.splice(0).map((a) => a.close()));
}

export function video(id: string, over: Partial<SyncVideo> = {}): SyncVideo {
  return {
    id,
    name: `Video ${id}`,
    description: `About ${id}`,
    long_description: null,
    tags: ['sample'],
    created_at: '2021-03-02T10:11:12.345Z',
    updated_at: '2021-03-04T08:00:00.000Z',
    state: 'ACTIVE',
    reference_id: `ref-${id}`,
    duration: 31487,
    custom_fields: {},
    delivery_type: 'static_origin',
    ...over,
  };
}

export function mp4(height: number | null, scheme = 'https', over: Partial<VideoSource> = {}): VideoSource {
  return {
    src: `${scheme}://cdn.example/${height}.mp4?token=abc`,
    codec: 'H264',
    container: 'MP4',
    height,
    width: height === null ? null : Math.round((height * 16) / 9),
    ...over,
  };
}
