import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import type { SimMessage } from '../../src/sim/slack/index.js';
import { mapVideoMetadata, OWNER_KEY, recordName } from '../../src/sync/metadata.js';
import { approveDeletes } from '../support/approve.js';
import {
  APPROVER,
  APPROVER2,
  CHANNEL,
  type Harness,
  MEMBER,
  OPERATOR,
  startHarness,
} from '../support/harness.js';
import { planMessage } from '../support/sync.js';

const hasButton = (m: SimMessage, id: string) => JSON.stringify(m.blocks).includes(`"action_id":"${id}"`);

describe('/brightcove sync end to end', () => {
  let h: Harness;
  let neo: string;
  const orphans = ['9990000000001', '9990000000002', '9990000000003'];

  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
    neo = h.config.accounts.find((a) => a.alias === 'neo')!.id;
    const videos = h.bc!.data.videos[neo]!;
    // Two stale bundles (metadata from another era), orphans, and one bundle that is not ours.
    for (const v of videos.slice(0, 2)) h.clarify!.bundles.add({ name: 'old', external_id: v.id, data: {} });
    for (const id of orphans) h.clarify!.bundles.add({ name: `gone ${id}`, external_id: id });
    h.clarify!.bundles.add({ name: 'hand made' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const deletes = () => h.clarify!.requests.filter((r) => r.method === 'DELETE').length;
  const creates = () => h.clarify!.requests.filter((r) => r.method === 'POST').length;

  it('posts one message that becomes the plan, with the full plan as a file in its thread', async () => {
    const posted = h.slack.callsTo('chat.postMessage').length;
    const msg = await planMessage(h, 'sync neo');
    expect(h.slack.callsTo('chat.postMessage').length - posted).toBe(1);
    expect(hasButton(msg, 'sync.apply')).toBe(true);
    expect(hasButton(msg, 'sync.approve_deletes')).toBe(true);
    expect(hasButton(msg, 'sync.discard')).toBe(true);
    expect(msg.text).toContain(`${orphans.length} deletes`);
    const del = JSON.stringify(msg.blocks);
    expect(del).toContain(`Approve ${orphans.length} deletes`);
    expect(del).toContain('"style":"danger"');
    // No confirm dialog on the button (it would show to anyone): the app's form opens after the role check.
    expect(del).not.toContain('"confirm":');
    expect(del).toContain('*Approve* or *Reject* deletes: approvers only');
    const file = await h.slack.waitFor(() => [...h.slack.files.values()].find((f) => f.threadTs === msg.ts));
    const text = file.content.toString('utf8');
    for (const id of orphans) expect(text).toContain(`- ${id}`);
  });

  it('refuses a non-approver, then deletes exactly the confirmed orphans once despite two concurrent clicks', async () => {
    const msg = await planMessage(h, 'sync neo');
    // The third orphan's video comes back before anyone approves: it must survive.
    h.bc!.cms.addVideo(neo, { id: orphans[2]!, name: 'Back again' });

    await h.slack.click(OPERATOR, 'sync.approve_deletes', msg);
    await h.slack.waitFor(() => h.slack.lastEphemeral(OPERATOR)?.text.includes('Only approvers'));
    await h.slack.click(MEMBER, 'sync.approve_deletes', msg);
    await h.slack.waitFor(() => h.slack.lastEphemeral(MEMBER)?.text.includes('Only approvers'));
    expect(deletes()).toBe(0);

    const lookups = (account = neo) =>
      h.bc!.requests.filter(
        (r) =>
          r.method === 'GET' &&
          r.path.includes(`/accounts/${account}/`) &&
          /\/videos\/999000000000\d$/.test(r.path),
      ).length;
    await Promise.all([approveDeletes(h.slack, APPROVER, msg), approveDeletes(h.slack, APPROVER2, msg)]);
    const summary = await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Deletes done')),
      15_000,
    );
    expect(summary.text).toContain('2 deleted, 1 kept (video exists)');
    expect(deletes()).toBe(2);
    expect(lookups()).toBe(3);
    // The orphans are legacy records (no owner marker): before each delete every other account was
    // asked too, and none had the video.
    for (const other of h.config.accounts.filter((a) => a.id !== neo)) expect(lookups(other.id)).toBe(2);
    expect(h.clarify!.bundles.byExternalId(orphans[0]!)).toHaveLength(0);
    expect(h.clarify!.bundles.byExternalId(orphans[1]!)).toHaveLength(0);
    expect(h.clarify!.bundles.byExternalId(orphans[2]!)).toHaveLength(1);
    // One of the two approvers was told it had already been done.
    await h.slack.waitFor(() =>
      [APPROVER, APPROVER2].some((u) => h.slack.lastEphemeral(u)?.text.includes('Already approved')),
    );
    const stamped = h.slack.message(CHANNEL, msg.ts)!;
    await h.slack.waitFor(() => h.slack.message(CHANNEL, msg.ts)?.text.includes('Deletes approved by'));
    expect(hasButton(h.slack.message(CHANNEL, msg.ts)!, 'sync.approve_deletes')).toBe(false);
    expect(hasButton(stamped, 'sync.apply')).toBe(true);
    const audit = h.app.services.repos.audit.latest(100);
    expect(audit.filter((a) => a.action.startsWith('delete bundle'))).toHaveLength(2);
    expect(audit.some((a) => a.action === 'approve_deletes' && a.outcome === 'refused')).toBe(true);
  });

  it('applies creates and updates once on a double click; the bundles then match the library', async () => {
    const msg = await planMessage(h, 'sync neo');
    const plan = h.app.services.repos.pending.all().at(-1)!.data as {
      plan: { counts: { creates: number; updates: number } };
    };
    const before = creates();
    await Promise.all([
      h.slack.click(OPERATOR, 'sync.apply', msg),
      h.slack.click(OPERATOR, 'sync.apply', msg),
    ]);
    await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Creates and updates done')),
      20_000,
    );
    expect(creates() - before).toBe(plan.plan.counts.creates);
    expect(plan.plan.counts.creates).toBeGreaterThan(3);

    const library = new Set(h.bc!.data.videos[neo]!.map((v) => v.id));
    const ours = h.clarify!.bundles.all().filter((b) => b.external_id);
    expect(ours.every((b) => library.has(b.external_id!))).toBe(true);
    expect(new Set(ours.map((b) => b.external_id)).size).toBe(ours.length);
    // A fresh plan has nothing left to create or delete.
    const again = await planMessage(h, 'sync neo');
    expect(again.text).toMatch(/: 0 creates, \d+ updates, 0 deletes/);
  });

  it('refuses an expired plan and tells the user to re-run', async () => {
    // A record added behind the app's back: only a full listing sees it.
    h.clarify!.bundles.add({ name: 'orphan', external_id: '9990000000008' });
    const msg = await planMessage(h, 'sync neo --full');
    await (h.clock as ManualClock).advance(59 * 60_000);
    expect(h.app.services.repos.pending.all().at(-1)!.state).toBe('open');
    await (h.clock as ManualClock).advance(2 * 60_000);
    await h.slack.click(APPROVER, 'sync.approve_deletes', msg);
    await h.slack.waitFor(() => h.slack.lastEphemeral(APPROVER)?.text.includes('expired'));
    expect(h.slack.lastEphemeral(APPROVER)!.text).toContain('re-run `/brightcove sync`');
    await h.slack.waitFor(() => h.slack.message(CHANNEL, msg.ts)?.text.includes('expired'));
    expect(hasButton(h.slack.message(CHANNEL, msg.ts)!, 'sync.approve_deletes')).toBe(false);
    expect(h.clarify!.bundles.byExternalId('9990000000008')).toHaveLength(1);
  });

  it('discards a plan; a stale click afterwards does nothing', async () => {
    h.clarify!.bundles.add({ name: 'orphan', external_id: '9990000000009' });
    const msg = await planMessage(h, 'sync neo --full');
    const snapshot = structuredClone(msg);
    await h.slack.click(OPERATOR, 'sync.discard', msg);
    await h.slack.waitFor(() => h.slack.message(CHANNEL, msg.ts)?.text.includes('Discarded by'));
    expect(hasButton(h.slack.message(CHANNEL, msg.ts)!, 'sync.discard')).toBe(false);
    const before = deletes();
    await h.slack.click(APPROVER, 'sync.approve_deletes', snapshot);
    await h.slack.waitFor(() => h.slack.lastEphemeral(APPROVER)?.text.includes('discarded'));
    expect(deletes()).toBe(before);
  });

  it('refuses --apply in Slack and points at the buttons', async () => {
    const text = await h.ephemeralAfter('sync neo --apply');
    expect(text).toContain('use the buttons');
  });

  it('a dry run that fails turns its progress message into the failure, with the error id of the reply', async () => {
    const before = h.slack.channelMessages(CHANNEL).length;
    h.bc!.runtime.faults.errorRate = 1;
    try {
      await h.command('sync neo', OPERATOR);
      const failed = await h.slack.waitFor(
        () =>
          h.slack
            .channelMessages(CHANNEL)
            .slice(before)
            .find((m) => m.text.includes('dry run failed')),
        15_000,
      );
      const reply = await h.slack.waitFor(
        () => h.slack.lastEphemeral(OPERATOR)?.text.match(/E-[0-9a-f]{8}/)?.[0],
      );
      expect(failed.text).toContain(reply);
      expect(failed.text).not.toContain('in progress');
    } finally {
      h.bc!.runtime.faults.errorRate = 0;
    }
  });

  it("a click carrying another plan's id on a plan's message does nothing to either", async () => {
    const a = await planMessage(h, 'sync neo');
    const b = await planMessage(h, 'sync research');
    const before = creates();
    // Plan A's message, plan B's buttons (a crafted or replayed payload).
    await h.slack.click(OPERATOR, 'sync.apply', { ...a, blocks: b.blocks });
    await h.slack.waitFor(() =>
      h.slack.lastEphemeral(OPERATOR)?.text.includes('does not belong to this message'),
    );
    expect(creates()).toBe(before);
    const stored = h.app.services.sync.plans.get(
      JSON.stringify(b.blocks).match(/"value":"(plan_[^"]+)"/)![1]!,
    )!;
    expect(stored.data.phases.apply.status).toBe('pending');
    expect(h.slack.message(CHANNEL, a.ts)!.text).toBe(a.text);
  });

  it("a member's dry run never replaces an operator's plan; an operator's does, and points to the new one", async () => {
    const ops = await planMessage(h, 'sync neo --full');
    const opsPlan = () => h.app.services.repos.pending.all().find((r) => r.ts === ops.ts)!;
    await planMessage(h, 'sync neo --full', MEMBER);
    expect(opsPlan().state).toBe('open');
    expect(hasButton(h.slack.message(CHANNEL, ops.ts)!, 'sync.discard')).toBe(true);
    const newer = await planMessage(h, 'sync neo --full');
    expect(opsPlan().state).toBe('superseded');
    const newId = h.app.services.repos.pending.all().find((r) => r.ts === newer.ts)!.id;
    await h.slack.waitFor(() => h.slack.message(CHANNEL, ops.ts)?.text.includes(`A newer plan (${newId}`));
  });
});

describe('the cost of a sync to Clarify', () => {
  let h: Harness;
  let neo: string;
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
    neo = h.config.accounts.find((a) => a.alias === 'neo')!.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the media minutes the creates would send before Apply (Clarify bills by them), in Slack and the plan file', async () => {
    const msg = await planMessage(h, 'sync neo');
    const record = h.app.services.repos.pending.all().find((r) => r.ts === msg.ts)!;
    const plan = (record.data as { plan: { creates: { videoId: string }[] } }).plan;
    const byId = new Map(h.bc!.data.videos[neo]!.map((v) => [v.id, v]));
    const ms = plan.creates.reduce((sum, c) => sum + (byId.get(c.videoId)?.duration ?? 0), 0);
    expect(ms).toBeGreaterThan(0);
    const line = `Media to send: ${Math.ceil(ms / 60_000).toLocaleString('en-US')} min in ${plan.creates.length} creates`;
    expect(JSON.stringify(msg.blocks)).toContain(line);
    const file = await h.slack.waitFor(() =>
      [...h.slack.files.values()].find((f) => f.threadTs === msg.ts && f.filename.startsWith('sync-plan-')),
    );
    expect(file.content.toString('utf8')).toContain(`${line}. Clarify bills by media minutes`);
  });
  it('bundles the original tool wrote gain the new keys as one line, not as edits, and Apply writes them', async () => {
    const v = h.bc!.data.videos[neo]!.find((x) => x.reference_id && x.duration)!;
    const {
      reference_id: _r,
      duration: _d,
      [OWNER_KEY]: _o,
      ...written
    } = mapVideoMetadata(v, {
      owner: neo,
    }).data;
    h.clarify!.bundles.add({ name: recordName(v).name, external_id: v.id, data: written });
    const msg = await planMessage(h, 'sync neo');
    const shown = JSON.stringify(msg.blocks);
    expect(shown).toContain(':sparkles: 1 bundle gains new keys this version writes (');
    expect(shown).toContain('*Updates*\\n0');
    await h.slack.click(OPERATOR, 'sync.apply', msg);
    const done = await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, msg.ts).find((m) => m.text.startsWith('Creates and updates done')),
      20_000,
    );
    expect(done.text).toMatch(/, 1 updated/);
    const data = h.clarify!.bundles.byExternalId(v.id)[0]!.metadata.data;
    expect(data).toMatchObject({ reference_id: v.reference_id, duration: v.duration, [OWNER_KEY]: neo });
  });
});
