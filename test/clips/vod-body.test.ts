import { describe, expect, it } from 'vitest';
import { clipExamples } from '../../src/clips/help.js';
import { parseClipArgs } from '../../src/clips/request.js';
import { validateClip } from '../../src/clips/validate.js';
import { buildVodBody, clipReferenceId } from '../../src/clips/vod-body.js';
import { jobs, LIVE_ID, NOW } from './fixtures.js';

describe('clipReferenceId', () => {
  it('is deterministic for an injected id source and keeps only characters Video Cloud accepts', () => {
    expect(clipReferenceId(() => '1f0e-4c2a')).toBe('bcops-clip-1f0e-4c2a');
    expect(clipReferenceId(() => 'a b,c/d')).toBe('bcops-clip-abcd');
    expect(clipReferenceId(() => 'x'.repeat(500)).length).toBeLessThanOrEqual(150);
    expect(() => clipReferenceId(() => ' ,')).toThrow('no usable characters');
  });

  it('each clip gets the id source’s next id', () => {
    let n = 0;
    const newId = () => `id${++n}`;
    const req = parseClipArgs([LIVE_ID, 'last', '90s'], {});
    const v = validateClip(req, { job: jobs[LIVE_ID], now: NOW });
    if (!v.ok) throw new Error('expected a valid clip');
    expect(buildVodBody(v.clip, { newId }).referenceId).toBe('bcops-clip-id1');
    expect(buildVodBody(v.clip, { newId }).referenceId).toBe('bcops-clip-id2');
  });
});

describe('help examples', () => {
  it.each(clipExamples)('%s parses and validates', (example) => {
    // A minimal quote-aware tokenizer; the real one belongs to the command framework.
    const words = [...example.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').slice(1);
    const positionals: string[] = [];
    const flags: Record<string, string> = {};
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      if (w.startsWith('--')) {
        flags[w.slice(2)] = words[i + 1] as string;
        i += 1;
      } else positionals.push(w);
    }
    const req = parseClipArgs(positionals, flags);
    const v = validateClip(req, {
      job: jobs[LIVE_ID],
      now: NOW,
      credentials: [{ label: 's3-clips', type: 's3' }],
    });
    expect(v.ok, JSON.stringify(v)).toBe(true);
  });
});
