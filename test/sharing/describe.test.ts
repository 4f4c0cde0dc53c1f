import { describe, expect, it } from 'vitest';
import { describeCheck, describeReport } from '../../src/sharing/describe.js';
import { runPreflight } from '../../src/sharing/preflight.js';
import { slackLevelIcon } from '../../src/slack/share-render.js';
import { facts, input, SOUTH } from './helpers.js';

describe('text helpers', () => {
  it('one line per check: icon, reason, then the fix', () => {
    const check = {
      rule: 'geo' as const,
      level: 'warning' as const,
      reason: 'Geo unknown.',
      fix: 'Confirm it.',
    };
    expect(describeCheck(check)).toBe('[warn] Geo unknown. → Confirm it.');
    expect(describeCheck(check, slackLevelIcon)).toBe(':warning: Geo unknown. → Confirm it.');
    expect(describeCheck({ ...check, level: 'pass', fix: null })).toBe('[ok] Geo unknown.');
    expect(slackLevelIcon('blocker')).toBe(':no_entry:');
  });

  it('a report reads as the video, its checks, then each affiliate with its worst level', () => {
    const lines = describeReport(
      runPreflight(
        input({
          affiliates: [
            facts(),
            facts({
              affiliate: SOUTH,
              membership: { status: 'known', value: { member: false, approved: false } },
            }),
          ],
        }),
      ),
    );
    expect(lines[0]).toBe('Pre-flight for “Harbour seals” 6301234567001 (ref seal-0042) from Neo Media:');
    expect(lines).toContain('[ok] Neo North (2222222222001):');
    expect(lines).toContain('[block] Neo South (3333333333001):');
    expect(lines.some((l) => l.startsWith("    [block] Neo South isn't a member"))).toBe(true);
  });
});
