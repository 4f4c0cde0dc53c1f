import { describe, expect, it } from 'vitest';
import {
  checkAlreadyShared,
  checkCustomFields,
  checkGeo,
  checkMembership,
  checkNotLive,
  checkNotSharedIn,
  checkReferenceId,
  checkSharingEnabled,
  checkTranscoded,
  runPreflight,
} from '../../src/sharing/preflight.js';
import type { PreflightCheck } from '../../src/sharing/types.js';
import { channel, facts, fixtureVideo, input, MASTER, NORTH, SOUTH, SUBJECT, video } from './helpers.js';

const known = <T>(value: T) => ({ status: 'known' as const, value });
const unknown = (reason = 'the app has no credentials for Neo North.') => ({
  status: 'unknown' as const,
  reason,
});

function expectFinding(c: PreflightCheck, level: PreflightCheck['level'], reason: RegExp) {
  expect(c.level).toBe(level);
  expect(c.reason).toMatch(reason);
  if (level === 'pass') expect(c.fix).toBeNull();
  else expect(c.fix).toBeTruthy();
}

describe('rule: sharing enabled (channel readable)', () => {
  it('passes when the channel is readable', () => {
    expectFinding(checkSharingEnabled(input()), 'pass', /Media sharing is on for Neo Media/);
  });
  it('blocks when the channel cannot be read, and says to contact Support', () => {
    const c = checkSharingEnabled(input({ channel: unknown('SHARING_DISABLED (415)') }));
    expectFinding(c, 'blocker', /Couldn't read Neo Media's sharing channel: SHARING_DISABLED/);
    expect(c.fix).toMatch(/Brightcove Support/);
  });
});

describe('rule: approved channel member', () => {
  it('passes for an approved member, and says whether copies wait for acceptance', () => {
    expectFinding(checkMembership(facts(), MASTER), 'pass', /approved channel member\.$/);
    expect(checkMembership(facts({ autoAccept: false }), MASTER).reason).toMatch(
      /PENDING until Neo North accepts/,
    );
    expect(checkMembership(facts({ autoAccept: true }), MASTER).reason).toMatch(/auto-accept/);
  });
  it('blocks a non-member', () => {
    const c = checkMembership(facts({ membership: known({ member: false, approved: false }) }), MASTER);
    expectFinding(c, 'blocker', /isn't a member of Neo Media's sharing channel/);
    expect(c.fix).toContain(`/channels/default/members/${NORTH.id}`);
  });
  it('blocks a member that has not approved the contract', () => {
    const c = checkMembership(facts({ membership: known({ member: true, approved: false }) }), MASTER);
    expectFinding(c, 'blocker', /hasn't accepted Neo Media's sharing contract/);
    expect(c.fix).toContain(`/contracts/${MASTER.id}`);
  });
  it('warns when membership could not be read', () => {
    expectFinding(checkMembership(facts({ membership: unknown('timeout') }), MASTER), 'warning', /timeout/);
  });
});

describe('rule: transcoded', () => {
  it('passes when complete', () => {
    expectFinding(checkTranscoded(video()), 'pass', /Transcoded/);
  });
  it('blocks while still transcoding (complete: false)', () => {
    expectFinding(checkTranscoded(video({ complete: false })), 'blocker', /still transcoding.*arrive empty/);
  });
  it('blocks a deleted video', () => {
    expectFinding(checkTranscoded(video({ state: 'DELETED' })), 'blocker', /deleted/);
  });
  it('warns when Brightcove did not report `complete`', () => {
    const v = video();
    delete v.complete;
    expectFinding(checkTranscoded(v), 'warning', /didn’t say whether transcoding finished/);
  });
});

describe('rule: not a shared-in copy', () => {
  it('passes for the master fixture (shared out, not in)', () => {
    expectFinding(checkNotSharedIn(fixtureVideo('shared-video.json')), 'pass', /original video/);
  });
  it('blocks the affiliate-copy fixture and points at the original', () => {
    const c = checkNotSharedIn(fixtureVideo('shared-from-video.json'));
    expectFinding(c, 'blocker', /shared in from account 301925175 \(original video 407591857001\)/);
    expect(c.fix).toContain('/brightcove share 407591857001 to … --from 301925175');
  });
});

describe('rule: not live', () => {
  it('passes for VOD', () => {
    expectFinding(checkNotLive(video()), 'pass', /Not a live video/);
  });
  it('blocks live_origin videos', () => {
    expectFinding(
      checkNotLive(video({ delivery_type: 'live_origin' })),
      'blocker',
      /Live videos can’t be shared/,
    );
  });
});

describe('rule: reference id free in the affiliate', () => {
  const v = video();
  it('passes when the reference id is free', () => {
    expectFinding(checkReferenceId(v, facts()), 'pass', /“seal-0042” is free in Neo North/);
  });
  it('passes without a reference id', () => {
    expectFinding(checkReferenceId(video({ reference_id: null }), facts()), 'pass', /No reference id/);
  });
  it('blocks when another video in the affiliate uses it', () => {
    const other = video({ id: '999', account_id: NORTH.id, name: 'Old seals' });
    const c = checkReferenceId(v, facts({ referenceLookup: known(other) }));
    expectFinding(c, 'blocker', /already used in Neo North by video 999 \(“Old seals”\)/);
  });
  it('passes when the holder is this video’s own copy (a re-share keeps it)', () => {
    const copy = video({
      id: '777',
      account_id: NORTH.id,
      sharing: {
        by_external_acct: true,
        by_id: MASTER.id,
        source_id: v.id,
        to_external_acct: false,
        by_reference: true,
      },
    });
    expectFinding(checkReferenceId(v, facts({ referenceLookup: known(copy) })), 'pass', /own copy/);
  });
  it('warns (not passes) when the app has no credentials for the affiliate', () => {
    const c = checkReferenceId(v, facts({ referenceLookup: unknown() }));
    expectFinding(
      c,
      'warning',
      /Couldn't check whether reference id “seal-0042” is free in Neo North: .*no credentials/,
    );
    expect(c.fix).toMatch(/Share anyway/);
  });
});

describe('rule: custom fields when the channel enforces them', () => {
  const enforced = known(channel({ enforce_custom_fields: true }));
  const south = (fields = [SUBJECT]) => facts({ affiliate: SOUTH, customFields: known(fields) });
  it('passes when every value fits', () => {
    expectFinding(checkCustomFields(video(), enforced, south(), [SUBJECT]), 'pass', /fit Neo South's fields/);
  });
  it('blocks a field the affiliate lacks (MISSING_CUSTOM_FIELDS ahead of time)', () => {
    const c = checkCustomFields(video(), enforced, south([]), [SUBJECT]);
    expectFinding(c, 'blocker', /Neo South lacks custom field Subject \(subject\)/);
  });
  it('blocks an enum value the affiliate does not allow (ILLEGAL_CUSTOM_FIELD_VALUE ahead of time)', () => {
    const narrow = { ...SUBJECT, enum_values: ['Birds'] };
    const c = checkCustomFields(video(), enforced, south([narrow]), [SUBJECT]);
    expectFinding(c, 'blocker', /doesn't allow Subject \(subject\) = “Mammals” \(allowed subject: Birds\)/);
  });
  it('passes when the channel does not enforce, naming what the affiliate will drop', () => {
    const c = checkCustomFields(video(), known(channel()), south([]), [SUBJECT]);
    expectFinding(c, 'pass', /Not enforced by the channel; Neo South will drop Subject \(subject\)/);
  });
  it('warns when enforced but the affiliate fields are unreadable', () => {
    const c = checkCustomFields(video(), enforced, facts({ customFields: unknown() }), [SUBJECT]);
    expectFinding(c, 'warning', /enforces custom fields and Neo North's fields couldn't be read/);
  });
  it('passes when enforced and the video has no values', () => {
    const c = checkCustomFields(
      video({ custom_fields: {} }),
      enforced,
      facts({ customFields: unknown() }),
      [],
    );
    expectFinding(c, 'pass', /no custom-field values/);
  });
});

describe('rule: geo restriction against enforce_geo', () => {
  const geoVideo = video({ geo: { countries: ['us', 'ca'], exclude_countries: false, restricted: true } });
  const enforced = known(channel({ enforce_geo: true }));
  it('passes an unrestricted video', () => {
    expectFinding(checkGeo(video(), enforced, facts()), 'pass', /no geo restriction/);
  });
  it('passes a restricted video when the channel does not enforce geo', () => {
    expectFinding(checkGeo(geoVideo, known(channel()), facts()), 'pass', /doesn’t enforce geo/);
  });
  it('blocks when the affiliate is known not to support geo restriction', () => {
    const c = checkGeo(geoVideo, enforced, facts({ geoEnabled: false }));
    expectFinding(c, 'blocker', /geo-restricted \(us, ca\).*Neo North isn't set up for geo restriction/);
  });
  it('warns when the affiliate’s geo support is unknown', () => {
    expectFinding(
      checkGeo(geoVideo, enforced, facts()),
      'warning',
      /the share fails if Neo North isn't set up/,
    );
  });
  it('passes when the affiliate supports geo', () => {
    expectFinding(checkGeo(geoVideo, enforced, facts({ geoEnabled: true })), 'pass', /supports geo/);
  });
});

describe('rule: already shared', () => {
  const share = (status: string, over: Record<string, unknown> = {}) => ({
    video_id: '6301234567001',
    affiliate_id: NORTH.id,
    affiliate_video_id: null,
    status,
    ...over,
  });
  it('passes when never shared', () => {
    expectFinding(checkAlreadyShared(facts()), 'pass', /Not shared to Neo North yet/);
  });
  it('warns that re-sharing overwrites the affiliate’s edits', () => {
    const c = checkAlreadyShared(facts({ existingShare: share('COMPLETE', { affiliate_video_id: '555' }) }));
    expectFinding(
      c,
      'warning',
      /Already shared to Neo North \(their copy: 555\).*overwrites Neo North's edits/,
    );
  });
  it('warns while a share is still processing', () => {
    expectFinding(
      checkAlreadyShared(facts({ existingShare: share('PROCESSING') })),
      'warning',
      /still processing/,
    );
  });
  it('treats a failed earlier share as a retry, naming why it failed', () => {
    const failed = share('ERROR', {
      error_message: '[{"error_code":"REFERENCE_ID_IN_USE","error_message":"x"}]',
    });
    expectFinding(
      checkAlreadyShared(facts({ existingShare: failed })),
      'pass',
      /last share to Neo North failed: Neo North already has another video with this video's reference id\. This is a retry/,
    );
  });
});

describe('runPreflight', () => {
  it('orders checks, keeps video checks once, and rolls levels up per affiliate', () => {
    const report = runPreflight(
      input({
        affiliates: [
          facts(),
          facts({ affiliate: SOUTH, membership: known({ member: true, approved: false }) }),
        ],
      }),
    );
    expect(report.videoChecks.map((c) => c.rule)).toEqual([
      'sharing_enabled',
      'transcoded',
      'not_shared_in',
      'not_live',
      'economics',
      'copies_follow',
    ]);
    expect(report.affiliates[0]?.checks.map((c) => c.rule)).toEqual([
      'channel_member',
      'reference_id',
      'custom_fields',
      'geo',
      'already_shared',
    ]);
    expect(report.affiliates.map((a) => a.level)).toEqual(['pass', 'blocker']);
    expect(report.level).toBe('blocker');
    expect(report.video).toEqual({
      id: '6301234567001',
      name: 'Harbour seals',
      referenceId: 'seal-0042',
      accountId: MASTER.id,
    });
  });
  it('a video-level blocker makes every affiliate blocked', () => {
    const report = runPreflight(input({ video: video({ complete: false }) }));
    expect(report.affiliates[0]?.level).toBe('blocker');
    expect(report.affiliates[0]?.checks.every((c) => c.level === 'pass')).toBe(true);
  });
});
