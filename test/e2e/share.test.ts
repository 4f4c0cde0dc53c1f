/**
 * /brightcove share, shares and unshare end to end: signed Slack requests → the app → the real CMS client →
 * the CMS simulator (shares go PROCESSING → COMPLETE/ERROR on the manual clock).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { share } from '../../commands/share.js';
import { unshare } from '../../commands/unshare.js';
import type { CmsVideo } from '../../src/brightcove/schemas.js';
import type { ManualClock } from '../../src/clock.js';
import { ShareService } from '../../src/sharing/service.js';
import { ACCOUNT_IDS } from '../../src/sim/data/index.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { clickAndSend, openForm } from '../support/approve.js';
import {
  APPROVER,
  APPROVER2,
  CHANNEL,
  type Harness,
  MEMBER,
  OPERATOR,
  startHarness,
} from '../support/harness.js';

const NEO = ACCOUNT_IDS.neo;
const NORTH = ACCOUNT_IDS.neoNorth;
const SOUTH = ACCOUNT_IDS.neoSouth;

const hasButton = (m: SimMessage, id: string) => JSON.stringify(m.blocks).includes(`"action_id":"${id}"`);

let h: Harness;
let serial = 0;

beforeAll(async () => {
  h = await startHarness({
    brightcove: { dataset: { videosPerAccount: 3, analyticsDays: 0 }, shareDelayMs: 5_000 },
  });
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  // every test starts from the simulator's default sharing setup
  if (!h.bc!.data.members[NEO]?.includes(NORTH)) h.bc!.data.members[NEO]?.unshift(NORTH);
  for (const a of h.bc!.data.accounts) {
    a.channel.enforce_custom_fields = false;
    a.channel.enforce_geo = false;
    a.sharingEnabled = true;
    a.geoEnabled = false;
  }
  for (const a of h.config.accounts) delete a.geoRestricted;
});

const clock = () => h.clock as ManualClock;
const accountOf = (id: string) => h.bc!.data.accounts.find((a) => a.id === id)!;

function addVideo(fields: Partial<CmsVideo> = {}, account: string = NEO): CmsVideo {
  serial += 1;
  return h.bc!.cms.addVideo(account, {
    name: `Harbour seals ${serial}`,
    reference_id: `seal-e2e-${serial}`,
    custom_fields: {},
    complete: true,
    ...fields,
  });
}

const sharePosts = (videoId: string) =>
  h.bc!.requests.filter((r) => r.method === 'POST' && r.path.includes(`/videos/${videoId}/shares`)).length;

/** Runs a command and returns the channel message it posts (the card), once `ready` holds for it. */
async function post(text: string, ready: (m: SimMessage) => boolean = () => true, user = OPERATOR) {
  const before = h.slack.channelMessages(CHANNEL).length;
  const res = await h.command(text, user);
  expect(res.status).toBe(200);
  const msg = await h.slack.waitFor(
    () =>
      h.slack
        .channelMessages(CHANNEL)
        .slice(before)
        .find((m) => m.text.includes('request ')),
    15_000,
    `card for ${text}`,
  );
  await h.slack.waitFor(() => ready(current(msg)), 15_000, `card state for ${text}`);
  return current(msg);
}

const current = (m: SimMessage) => h.slack.message(m.channel, m.ts) ?? m;

/** Moves the manual clock until the card says what we wait for (real I/O runs between steps). */
async function advanceUntil(
  msg: SimMessage,
  pred: (text: string) => boolean,
  what: string,
): Promise<SimMessage> {
  for (let i = 0; i < 200; i++) {
    if (pred(current(msg).text)) return current(msg);
    await clock().advance(1_000);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`card never showed ${what}: ${current(msg).text}`);
}

const tracked = (t: string) => t.includes('*Shares*') && !t.includes('Following the shares');

describe('pre-flight card: one rule at a time, driven by simulator states', () => {
  it('transcoded: a video still transcoding is blocked and nothing is shared', async () => {
    const v = addVideo({ complete: false });
    const card = await post(`share ${v.id} to neo-north`);
    expect(card.text).toMatch(/Not shared/);
    expect(card.text).toMatch(/still transcoding/);
    expect(card.text).toMatch(/Wait until transcoding finishes/);
    expect(hasButton(card, 'share.confirm')).toBe(false);
    expect(sharePosts(v.id)).toBe(0);
  });

  it('not_live: a live video is blocked', async () => {
    const v = addVideo({ delivery_type: 'live_origin' });
    const card = await post(`share ${v.id} to neo-north`);
    expect(card.text).toMatch(/Live videos can’t be shared/);
    expect(sharePosts(v.id)).toBe(0);
  });

  it('not_shared_in: a copy shared in from another account cannot be passed on', async () => {
    const original = addVideo();
    const copy = addVideo(
      {
        sharing: {
          by_external_acct: true,
          by_id: NEO,
          source_id: original.id,
          to_external_acct: false,
          by_reference: true,
        },
      },
      NORTH,
    );
    const card = await post(`share ${copy.id} to neo-south --from neo-north`);
    expect(card.text).toMatch(/shared in from account 1111111111001/);
    expect(card.text).toContain(`/brightcove share ${original.id} to … --from ${NEO}`);
    expect(sharePosts(copy.id)).toBe(0);
  });

  it('channel_member: an account outside the channel is blocked with the fix', async () => {
    const v = addVideo();
    const card = await post(`share ${v.id} to research`);
    expect(card.text).toMatch(/isn't a member of neo's sharing channel/);
    expect(card.text).toMatch(/PUT \/channels\/default\/members/);
    expect(sharePosts(v.id)).toBe(0);
  });

  it('reference_id: a reference id already used in the affiliate is blocked', async () => {
    const clash = addVideo({ reference_id: 'seal-clash-e2e', name: 'Their seals' }, NORTH);
    const v = addVideo({ reference_id: 'seal-clash-e2e' });
    const card = await post(`share ${v.id} to neo-north`);
    expect(card.text).toMatch(/Reference id “seal-clash-e2e” is already used in Neo North by video/);
    expect(card.text).toContain(clash.id);
    expect(sharePosts(v.id)).toBe(0);
  });

  it('custom_fields: an enforcing channel blocks an affiliate that lacks a field, and names the clear one', async () => {
    accountOf(NEO).channel.enforce_custom_fields = true;
    const v = addVideo({ custom_fields: { subject: 'Birds' } });
    const card = await post(`share ${v.id} to neo-north,neo-south`);
    expect(card.text).toMatch(/Neo South lacks custom field Subject \(subject\)/);
    expect(card.text).toMatch(/Neo North could be shared to on its own/);
    expect(sharePosts(v.id)).toBe(0);
  });

  it('geo: unknown geo support is a warning with Share anyway; geo_restricted: false in the config blocks', async () => {
    accountOf(NEO).channel.enforce_geo = true;
    const v = addVideo({ geo: { countries: ['gb'], exclude_countries: false, restricted: true } });
    const warned = await post(`share ${v.id} to neo-north`);
    expect(warned.text).toMatch(/the share fails if Neo North isn't set up for geo restriction/);
    expect(hasButton(warned, 'share.confirm')).toBe(true);
    expect(sharePosts(v.id)).toBe(0);

    h.config.accounts.find((a) => a.id === NORTH)!.geoRestricted = false;
    const blocked = await post(`share ${v.id} to neo-north`);
    expect(blocked.text).toMatch(/Neo North isn't set up for geo restriction/);
    expect(blocked.text).toMatch(/Not shared/);
    expect(hasButton(blocked, 'share.confirm')).toBe(false);
  });

  it('sharing_enabled: a master not enabled for sharing is refused by Brightcove, and the card says so in words', async () => {
    // The simulator still answers GET /channels/default for such an account, so the refusal is the 415.
    accountOf(NEO).sharingEnabled = false;
    const v = addVideo();
    const card = await post(`share ${v.id} to neo-north`, (m) => tracked(m.text));
    expect(card.text).toMatch(/isn't enabled for media sharing/);
    expect(card.text).toMatch(/Ask Brightcove Support/);
  });
});

describe('share → tracking on the card', () => {
  it('clean video: shares at once, one card follows PROCESSING → COMPLETE with copy ids and acceptance', async () => {
    const v = addVideo();
    const posts = h.slack.callsTo('chat.postMessage').length;
    const card = await post(`share ${v.id} to neo-north,neo-south`, (m) => m.text.includes('processing'));
    expect(h.slack.callsTo('chat.postMessage').length - posts).toBe(1);
    expect(card.text).toMatch(/All checks passed: shared/);
    // the pre-flight as a checklist: one check a line, each with its icon (issue 17)
    const sections = (card.blocks as { type: string; text?: { text: string } }[])
      .filter((b) => b.type === 'section')
      .map((b) => b.text?.text ?? '');
    for (const heading of ['*The video*', ':white_check_mark: *Neo North*']) {
      const checks = sections
        .find((t) => t.startsWith(heading))!
        .split('\n')
        .slice(1);
      expect(checks.length).toBeGreaterThan(2);
      for (const line of checks) expect(line).toMatch(/^:white_check_mark: \S/);
    }
    expect(hasButton(card, 'share.confirm')).toBe(false);
    expect(sharePosts(v.id)).toBe(1);

    const done = await advanceUntil(card, tracked, 'the end of tracking');
    const copies = h.bc!.data.shares[v.id]!;
    const north = copies.find((s) => s.affiliate_id === NORTH)!.affiliate_video_id!;
    const south = copies.find((s) => s.affiliate_id === SOUTH)!.affiliate_video_id!;
    expect(done.text).toContain(`Neo North: shared as ${north}, live in their account.`);
    expect(done.text).toContain(
      `Neo South: shared as ${south}, waiting for Neo South to accept it (no auto-accept).`,
    );
    const audit = h.app.services.repos.audit
      .latest(10)
      .find((e) => e.command === 'share' && e.action === 'share');
    expect(audit).toMatchObject({ outcome: 'ok', actor: OPERATOR });

    // `shares` lists where it is and in what state
    const text = await h.ephemeralAfter(`shares ${v.id}`);
    expect(text).toContain(`Neo North: shared as ${north}, live in their account.`);
    expect(text).toContain(`Neo South: shared as ${south}, waiting for Neo South to accept it`);
  });

  it('shares of a video never shared says so; a bad video id gets the usage', async () => {
    const v = addVideo();
    expect(await h.ephemeralAfter(`shares ${v.id}`)).toContain('Not shared to any affiliate.');
    expect(await h.ephemeralAfter('shares seals')).toMatch(/isn't a video/);
    expect(await h.ephemeralAfter(`share ${v.id} neo-north`)).toMatch(/write `?to`? and the affiliates/);
  });

  type Late = { code: string; words: RegExp; setup?: (v: CmsVideo) => void; after?: (v: CmsVideo) => void };
  const forced = (status: string, errorMessage: unknown) => (v: CmsVideo) => {
    const s = h.bc!.data.shares[v.id]!.find((x) => x.affiliate_id === NORTH)!;
    s.resolveAt = Number.MAX_SAFE_INTEGER;
    // FAILED is documented but the simulator never produces it on its own
    s.status = status as typeof s.status;
    s.error_message = errorMessage as string;
    if (status === 'COMPLETE') s.affiliate_video_id = '9990001110001';
  };
  const lateErrors: Late[] = [
    {
      code: 'MISSING_CUSTOM_FIELDS',
      words: /Neo North lacks custom field/,
      setup: (v) => Object.assign(v.custom_fields, { mood: 'calm' }),
      after: () => {
        accountOf(NEO).channel.enforce_custom_fields = true;
      },
    },
    {
      code: 'ILLEGAL_CUSTOM_FIELD_VALUE',
      words: /Neo North doesn't allow the video's value for custom field subject/,
      setup: (v) => Object.assign(v.custom_fields, { subject: 'Not a topic' }),
      after: () => {
        accountOf(NEO).channel.enforce_custom_fields = true;
      },
    },
    {
      code: 'CONFLICT',
      words: /geo-restricted and Neo North isn't set up for geo restriction/,
      setup: (v) =>
        Object.assign(v, { geo: { countries: ['gb'], exclude_countries: false, restricted: true } }),
      after: () => {
        accountOf(NEO).channel.enforce_geo = true;
        accountOf(NEO).geoEnabled = true;
      },
    },
    {
      code: 'SHARING_DISABLED',
      words: /Neo North isn't enabled for media sharing/,
      setup: () => {
        accountOf(NORTH).sharingEnabled = false;
      },
    },
    {
      code: 'REFERENCE_ID_IN_USE',
      words: /Neo North already has another video with this video's reference id/,
      after: (v) => {
        addVideo({ reference_id: v.reference_id ?? null, name: 'Uploaded meanwhile' }, NORTH);
      },
    },
    {
      code: 'NOT_FOUND',
      words: /Brightcove couldn't find the video/,
      // North leaves the channel while the share is processing
      after: () => {
        h.bc!.data.members[NEO] = (h.bc!.data.members[NEO] ?? []).filter((id) => id !== NORTH);
      },
    },
    {
      code: 'VALIDATION_ERROR',
      words: /Neo North can't take ad-supported videos/,
      after: forced(
        'ERROR',
        '[{"error_code":"VALIDATION_ERROR","error_message":"economics: ILLEGAL_VALUE"}]',
      ),
    },
    {
      code: 'UNKNOWN',
      words: /Brightcove hit an internal error \(error id 4f2c\)/,
      after: forced('FAILED', JSON.stringify([{ error_code: 'UNKNOWN', error_message: 'error id 4f2c' }])),
    },
  ];

  it.each(lateErrors)(
    'late error $code is surfaced in words on the card',
    async ({ code, words, setup, after }) => {
      const v = addVideo();
      setup?.(v);
      const card = await post(`share ${v.id} to neo-north`, (m) => m.text.includes('processing'));
      expect(card.text).toMatch(/All checks passed/);
      after?.(v);
      const done = await advanceUntil(card, tracked, code);
      expect(done.text).toMatch(/Neo North: failed/);
      expect(done.text).toMatch(words);
      const audit = h.app.services.repos.audit.latest(10).find((e) => e.action === 'share');
      expect(audit?.outcome).toBe('failed');
      expect(audit?.details).toContain(code);
    },
  );

  it('error_message is read even on COMPLETE (a real array here)', async () => {
    const v = addVideo();
    const card = await post(`share ${v.id} to neo-north`, (m) => m.text.includes('processing'));
    forced('COMPLETE', [
      { error_code: 'ILLEGAL_CUSTOM_FIELD_VALUE', error_message: 'Illegal value: [topic]' },
    ])(v);
    const done = await advanceUntil(card, tracked, 'complete with errors');
    expect(done.text).toMatch(/Neo North: shared, with errors as 9990001110001/);
    expect(done.text).toMatch(/doesn't allow the video's value for custom field topic/);
  });
});

describe('restart', () => {
  it('start() resumes a tracker cut short by a restart and finishes the card', async () => {
    const v = addVideo();
    const svc = new ShareService(h.app.services);
    const request = svc.createRequest(await svc.prepare(v.id, 'neo-north'), OPERATOR);
    const posted = await h.app.slack.channelSurface(CHANNEL).post({ text: `request ${request.id}` });
    // the state a crash leaves: the share was posted, the job says tracking, nobody polls
    const at = h.clock.now().toISOString();
    h.bc!.data.shares[v.id] = [
      {
        video_id: v.id,
        affiliate_id: NORTH,
        affiliate_video_id: null,
        status: 'PROCESSING',
        shared_at: at,
        updated_at: at,
        error_message: null,
        resolveAt: h.clock.now().getTime() + 5_000,
      },
    ];
    h.app.services.repos.jobs.insert({
      id: `share:${request.id}`,
      kind: 'share',
      state: 'tracking',
      createdAt: at,
      updatedAt: at,
      channel: posted.channel!,
      ts: posted.ts!,
      data: {
        requestId: request.id,
        master: request.data.master,
        videoId: v.id,
        affiliates: request.data.affiliates,
        statuses: [],
        finished: false,
      },
    });
    await share.start!(h.app.services, { route() {}, channel: (c) => h.app.slack.channelSurface(c) });
    const msg = h.slack.message(CHANNEL, posted.ts!)!;
    const done = await advanceUntil(msg, tracked, 'resumed tracking');
    const copy = h.bc!.data.shares[v.id]![0]!.affiliate_video_id!;
    expect(done.text).toContain(`Neo North: shared as ${copy}, live in their account.`);
    expect(h.app.services.repos.jobs.get(`share:${request.id}`)?.state).toBe('done');
    expect(sharePosts(v.id)).toBe(0);
  });
});

describe('Share anyway (warnings)', () => {
  it('already shared: warns that re-sharing overwrites; a member is refused; two operator clicks share once', async () => {
    const v = addVideo();
    const first = await post(`share ${v.id} to neo-north`, (m) => m.text.includes('processing'));
    await advanceUntil(first, tracked, 'first share');

    const card = await post(`share ${v.id} to neo-north`);
    expect(card.text).toMatch(/Already shared to Neo North \(their copy: \d+\)\. Sharing again overwrites/);
    expect(card.text).toMatch(/nothing is shared until an operator presses \*Share anyway\*/);
    // what the sharer should know whatever the checks (issue 18 item 10): ads, and copies follow the original
    expect(card.text).toMatch(/Ad-supported: an affiliate that takes no ads refuses it|Free \(no ads\)/);
    expect(card.text).toContain("deleting it in neo deletes every affiliate's copy too");
    expect(hasButton(card, 'share.confirm')).toBe(true);
    expect(sharePosts(v.id)).toBe(1);

    await h.slack.click(MEMBER, 'share.confirm', card);
    await h.slack.waitFor(() => h.slack.lastEphemeral(MEMBER)?.text.includes('Only operators can share'));
    expect(sharePosts(v.id)).toBe(1);

    await Promise.all([
      h.slack.click(OPERATOR, 'share.confirm', card),
      h.slack.click(OPERATOR, 'share.confirm', card),
    ]);
    await h.slack.waitFor(() => h.slack.lastEphemeral(OPERATOR)?.text.includes('Already handled'));
    const stamped = await h.slack.waitFor(() =>
      current(card).text.includes('Shared anyway by @U0OPERATOR') ? current(card) : undefined,
    );
    expect(hasButton(stamped, 'share.confirm')).toBe(false);
    await advanceUntil(card, tracked, 're-share');
    expect(sharePosts(v.id)).toBe(2);
    const audit = h.app.services.repos.audit.latest(30).filter((e) => e.command === 'share');
    expect(audit.filter((e) => e.action === 'confirm' && e.outcome === 'refused')).toHaveLength(2);
    expect(audit.filter((e) => e.action === 'confirm' && e.outcome === 'started')).toHaveLength(1);
  });
});

describe('required custom fields (metadata assurance)', () => {
  it("warns that the copy stays inactive when the video leaves an affiliate's required field empty; after Share anyway it is", async () => {
    const north = accountOf(NORTH);
    north.customFields.push({
      id: 'rights_owner',
      display_name: 'Rights owner',
      description: null,
      type: 'string',
      required: true,
    });
    try {
      const v = addVideo();
      const card = await post(`share ${v.id} to neo-north`);
      expect(card.text).toMatch(
        /Neo North requires rights_owner, which the video leaves empty: its copy will stay inactive until it is filled in Neo North\./,
      );
      expect(hasButton(card, 'share.confirm')).toBe(true);
      expect(sharePosts(v.id)).toBe(0);
      await h.slack.click(OPERATOR, 'share.confirm', card);
      await advanceUntil(card, tracked, 'share with an empty required field');
      const copy = h.bc!.data.videos[NORTH]!.find((x) => x.sharing?.source_id === v.id);
      expect(copy?.state).toBe('INACTIVE');

      const filled = addVideo({ custom_fields: { rights_owner: 'Neo Ltd' } });
      const clean = await post(`share ${filled.id} to neo-north`, (m) => m.text.includes('processing'));
      expect(clean.text).toContain('The video fills every field Neo North requires.');
    } finally {
      north.customFields.pop();
    }
  });
});

describe('Share anyway re-runs the pre-flight', () => {
  it('a blocker that appeared after the card was posted stops the share', async () => {
    accountOf(NEO).channel.enforce_geo = true;
    const v = addVideo({ geo: { countries: ['gb'], exclude_countries: false, restricted: true } });
    const card = await post(`share ${v.id} to neo-north`);
    expect(hasButton(card, 'share.confirm')).toBe(true);

    h.config.accounts.find((a) => a.id === NORTH)!.geoRestricted = false;
    await h.slack.click(OPERATOR, 'share.confirm', card);
    await h.slack.waitFor(() => h.slack.lastEphemeral(OPERATOR)?.text.includes('now finds a blocker'));
    const after = await h.slack.waitFor(() =>
      current(card).text.includes('now blocked') ? current(card) : undefined,
    );
    expect(after.text).toMatch(/Not shared/);
    expect(after.text).toMatch(/Neo North isn't set up for geo restriction/);
    expect(after.text).not.toMatch(/Shared anyway by/);
    expect(hasButton(after, 'share.confirm')).toBe(false);
    expect(sharePosts(v.id)).toBe(0);
    const audit = h.app.services.repos.audit.latest(10).filter((e) => e.command === 'share');
    expect(audit.find((e) => e.action === 'confirm')).toMatchObject({ outcome: 'refused' });
  });

  it('a new warning puts the card back for a second look; the next click shares', async () => {
    const v = addVideo();
    const first = await post(`share ${v.id} to neo-north`, (m) => m.text.includes('processing'));
    await advanceUntil(first, tracked, 'first share');
    const card = await post(`share ${v.id} to neo-north`);
    expect(card.text).toMatch(/Already shared to Neo North/);
    expect(card.text).not.toMatch(/the share fails if Neo North isn't set up for geo restriction/);

    // Since the card was posted, someone geo-restricted the video.
    accountOf(NEO).channel.enforce_geo = true;
    h.bc!.cms.videosOf(NEO).find((x) => x.id === v.id)!.geo = {
      countries: ['gb'],
      exclude_countries: false,
      restricted: true,
    };
    await h.slack.click(OPERATOR, 'share.confirm', card);
    await h.slack.waitFor(() => h.slack.lastEphemeral(OPERATOR)?.text.includes('new warnings'));
    const again = await h.slack.waitFor(() =>
      current(card).text.includes('press Share anyway again') ? current(card) : undefined,
    );
    expect(again.text).toMatch(/the share fails if Neo North isn't set up for geo restriction/);
    expect(hasButton(again, 'share.confirm')).toBe(true);
    expect(sharePosts(v.id)).toBe(1);

    await h.slack.click(OPERATOR, 'share.confirm', again);
    await h.slack.waitFor(() =>
      current(card).text.includes('Shared anyway by @U0OPERATOR') ? current(card) : undefined,
    );
    await advanceUntil(card, tracked, 're-share');
    expect(sharePosts(v.id)).toBe(2);
  });
});

describe('unshare needs an approver', () => {
  it('refuses non-approvers, executes once for two concurrent approver clicks, stamps and audits', async () => {
    const v = addVideo();
    const shared = await post(`share ${v.id} to neo-north`, (m) => m.text.includes('processing'));
    await advanceUntil(shared, tracked, 'share');
    const copy = h.bc!.data.shares[v.id]![0]!.affiliate_video_id!;

    const req = await post(`unshare ${v.id} from neo-north`);
    expect(req.text).toContain(`deletes Neo North's copy ${copy}`);
    const raw = JSON.stringify(req.blocks);
    expect(raw).toContain('"action_id":"unshare.approve"');
    expect(raw).toContain('"style":"danger"');
    // No confirm on the button (anyone would see it): the app's form opens after the approver check.
    expect(raw).not.toContain('"confirm":');
    expect(hasButton(req, 'unshare.reject')).toBe(true);
    const ask = await h.slack.waitFor(() =>
      h.slack.thread(CHANNEL, req.ts).find((m) => JSON.stringify(m.blocks).includes('waits for an approver')),
    );
    expect(JSON.stringify(ask.blocks)).toContain(`<@${APPROVER}> <@${APPROVER2}>`);
    expect(hasButton(req, 'unshare.cancel')).toBe(true);

    const deletes = () =>
      h.bc!.requests.filter((r) => r.method === 'DELETE' && r.path.includes(`/videos/${v.id}/shares`)).length;
    for (const user of [OPERATOR, MEMBER]) {
      await h.slack.click(user, 'unshare.approve', req);
      await h.slack.waitFor(() => h.slack.lastEphemeral(user)?.text.includes('Only approvers'));
    }
    expect(deletes()).toBe(0);
    expect(hasButton(current(req), 'unshare.approve')).toBe(true);

    await Promise.all([
      clickAndSend(h.slack, APPROVER, 'unshare.approve', req),
      clickAndSend(h.slack, APPROVER2, 'unshare.approve', req),
    ]);
    const done = await h.slack.waitFor(() =>
      /Unshared: Neo North's copy/.test(current(req).text) ? current(req) : undefined,
    );
    expect(deletes()).toBe(1);
    expect(done.text).toMatch(/Approved by @U0APPROVER2? at/);
    expect(hasButton(done, 'unshare.approve')).toBe(false);
    expect(h.bc!.data.videos[NORTH]!.some((x) => x.id === copy)).toBe(false);
    const audit = h.app.services.repos.audit.latest(30).filter((e) => e.command === 'unshare');
    expect(audit.filter((e) => e.action === 'approve' && e.outcome === 'refused')).toHaveLength(3);
    expect(audit.filter((e) => e.action.startsWith('unshare ') && e.outcome === 'ok')).toHaveLength(1);

    // nothing left to unshare
    expect(await h.ephemeralAfter(`unshare ${v.id} from neo-north`)).toMatch(/isn't shared to Neo North/);
  });

  it('Reject asks a non-approver nothing, needs a reason, keeps the copy, stamps, audits and tells the requester', async () => {
    const v = addVideo();
    const shared = await post(`share ${v.id} to neo-north`, (m) => m.text.includes('processing'));
    await advanceUntil(shared, tracked, 'share');
    const copy = h.bc!.data.shares[v.id]![0]!.affiliate_video_id!;
    const req = await post(`unshare ${v.id} from neo-north`);
    const stale = structuredClone(req);

    expect(await openForm(h.slack, MEMBER, 'unshare.reject', 'unshare.reject', req)).toBeUndefined();
    expect(h.slack.lastEphemeral(MEMBER)?.text).toContain('Only approvers can reject');
    const form = await openForm(h.slack, APPROVER, 'unshare.reject', 'unshare.reject', req);
    const reason = (value: string) => ({ reason: { reason: { type: 'plain_text_input', value } } });
    const empty = await h.slack.submitView(APPROVER, form!.id, reason(''));
    expect(JSON.parse(empty.body).errors.reason).toContain('Say why');
    await h.slack.submitView(APPROVER, form!.id, reason('Still licensed <there> & live'));
    const card = await h.slack.waitFor(() =>
      JSON.stringify(current(req).blocks).includes('Rejected by') ? current(req) : undefined,
    );
    expect(JSON.stringify(card.blocks)).toContain('Still licensed &lt;there&gt; &amp; live');
    expect(hasButton(card, 'unshare.approve')).toBe(false);
    const told = await h.slack.waitFor(() =>
      h.slack.thread(CHANNEL, req.ts).find((m) => JSON.stringify(m.blocks).includes('was rejected by')),
    );
    expect(JSON.stringify(told.blocks)).toContain(`<@${OPERATOR}> your unshare`);
    expect(h.bc!.data.videos[NORTH]!.some((x) => x.id === copy)).toBe(true);
    const audit = h.app.services.repos.audit
      .latest(30)
      .filter((e) => e.command === 'unshare' && e.action === 'reject');
    expect(audit.filter((e) => e.outcome === 'ok')).toHaveLength(1);
    // A later Approve is refused: the request was decided.
    await h.slack.click(APPROVER2, 'unshare.approve', stale);
    await h.slack.waitFor(() => h.slack.lastEphemeral(APPROVER2)?.text.includes('Already handled'));
    expect(h.bc!.data.videos[NORTH]!.some((x) => x.id === copy)).toBe(true);
  });

  it('an approved unshare cut short by a crash is finished at start, once, and audited once', async () => {
    const v = addVideo();
    const shared = await post(`share ${v.id} to neo-north`, (m) => m.text.includes('processing'));
    await advanceUntil(shared, tracked, 'share');
    const copy = h.bc!.data.shares[v.id]![0]!.affiliate_video_id!;
    const req = await post(`unshare ${v.id} from neo-north`);
    // The process that crashed: another replica, whose lease ran out the moment it died.
    const svc = new ShareService({ ...h.app.services, replica: { id: 'crashed/0:1:dead', leaseMs: 0 } });
    const id = /"action_id":"unshare\.approve".*?"value":"([^"]+)"/.exec(JSON.stringify(req.blocks))![1]!;
    // The app notes where its card is once Slack has answered the post.
    await expect.poll(() => h.app.services.repos.pending.get(id)?.ts).toBe(req.ts);
    // The crash: the approval was claimed (on disk) and the process died before the delete call.
    expect((await svc.claim(id, 'unshare', 'executing', APPROVER, 'approve')).ok).toBe(true);
    await unshare.start!(h.app.services, {
      route() {},
      channel: (c) => h.app.slack.channelSurface(c),
    });
    await h.slack.waitFor(() =>
      /Unshared: Neo North's copy/.test(current(req).text) ? current(req) : undefined,
    );
    expect(h.bc!.data.videos[NORTH]!.some((x) => x.id === copy)).toBe(false);
    const entries = h.app.services.repos.audit.latest(50).filter((e) => e.target === id);
    expect(entries.filter((e) => e.action.startsWith('unshare ') && e.outcome === 'ok')).toHaveLength(1);
    expect(entries.find((e) => e.action.startsWith('unshare '))?.details).toContain(
      'finished after a restart',
    );
  });
});

describe('bulk share by CMS search', () => {
  it('previews the matches with their pre-flight results, then shares the clear ones on confirm', async () => {
    const ok1 = addVideo({ tags: ['bulkseal'] });
    const ok2 = addVideo({ tags: ['bulkseal'] });
    const raw = addVideo({ tags: ['bulkseal'], complete: false });
    const card = await post('share --query "tags:bulkseal" to neo-north');
    expect(card.text).toMatch(/3 videos match `tags:bulkseal`/);
    expect(card.text).toMatch(/2 ready, 0 with warnings, 1 blocked/);
    expect(card.text).toContain(`${raw.id} “${raw.name}” — `);
    expect(card.text).toMatch(/still transcoding/);
    expect(hasButton(card, 'share.confirm_bulk')).toBe(true);
    expect(sharePosts(ok1.id) + sharePosts(ok2.id) + sharePosts(raw.id)).toBe(0);

    await h.slack.click(MEMBER, 'share.confirm_bulk', card);
    await h.slack.waitFor(() => h.slack.lastEphemeral(MEMBER)?.text.includes('Only operators'));
    await Promise.all([
      h.slack.click(OPERATOR, 'share.confirm_bulk', card),
      h.slack.click(OPERATOR, 'share.confirm_bulk', card),
    ]);
    const done = await h.slack.waitFor(() =>
      current(card).text.includes('Share requested for 2 of 2') ? current(card) : undefined,
    );
    expect(done.text).toMatch(/Confirmed by @U0OPERATOR/);
    expect([sharePosts(ok1.id), sharePosts(ok2.id), sharePosts(raw.id)]).toEqual([1, 1, 0]);
  });

  it('a search with too-short terms warns; bulk without affiliates gets the usage', async () => {
    addVideo({ tags: ['bulkotter'] });
    const card = await post('share --query "tags:bulkotter ab" to neo-north');
    expect(card.text).toMatch(/Search terms under 3 characters \(ab\) match every video/);
    expect(await h.ephemeralAfter('share --query "tags:bulkotter"')).toMatch(/name the affiliates/);
  });
});
