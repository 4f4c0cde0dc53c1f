import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimView } from '../../src/sim/slack/index.js';
import { CHANNEL, type Harness, MEMBER, OPERATOR, startHarness } from '../support/harness.js';

/**
 * Forms (issue 17 item 5): `digest add`, `share` and `export` without arguments open a form in Slack;
 * what it sends is the command line a user would type, checked by the same grammar (a problem shows
 * on its field and the form stays open) and run as typed (same roles, same audit).
 */
describe('forms for digest add, share and export', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ brightcove: true, clarify: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  const select = (value: string) => ({ value: { type: 'static_select', selected_option: { value } } });
  const typed = (value: string) => ({ value: { type: 'plain_text_input', value } });
  async function openForm(text: string, callbackId: string, user = OPERATOR): Promise<SimView> {
    const before = new Set(h.slack.views.keys());
    expect((await h.command(text, user)).status).toBe(200);
    return h.slack.waitFor(
      () => [...h.slack.views.values()].find((v) => !before.has(v.id) && v.view.callback_id === callbackId),
      5_000,
      `the ${callbackId} form`,
    );
  }
  const errorsOf = (res: { body: string }) =>
    (JSON.parse(res.body) as { errors: Record<string, string> }).errors;

  it('digest add: a wrong time zone is shown on its field; a good form adds the digest in this channel', async () => {
    const form = await openForm('digest add', 'digest.form');
    const values = {
      when: select('monday'),
      time: { value: { type: 'timepicker', selected_time: '08:30' } },
      scope: select('neo'),
      tz: typed('Mars/Olympus'),
      days: typed('7'),
    };
    const bad = await h.slack.submitView(OPERATOR, form.id, values);
    expect(Object.keys(errorsOf(bad))).toEqual(['tz']);
    expect(errorsOf(bad).tz).toMatch(/Mars\/Olympus/);
    expect(h.app.services.repos.schedules.all()).toHaveLength(0);

    const good = await h.slack.submitView(OPERATOR, form.id, { ...values, tz: typed('America/New_York') });
    expect(good.body).toBe('');
    const added = await h.slack.waitFor(() =>
      h.slack.channelMessages(CHANNEL).find((m) => m.text.includes('added')),
    );
    expect(added.text).toMatch(/weekly|Monday/i);
    const digest = h.app.services.repos.schedules.all()[0] as { spec: string; tz: string; channel?: string };
    expect(digest).toMatchObject({ spec: 'weekly mon 08:30', tz: 'America/New_York', channel: CHANNEL });
    expect(
      h.app.services.repos.audit.latest(20).filter((e) => e.command === 'digest' && e.actor === OPERATOR),
    ).toHaveLength(1);
  });

  it('a member never gets the form, only the reason', async () => {
    const forms = h.slack.views.size;
    expect((await h.command('digest add', MEMBER)).status).toBe(200);
    await h.slack.waitFor(() =>
      h.slack.lastEphemeral(MEMBER)?.text.includes('Only operators can add digests'),
    );
    expect(h.slack.views.size).toBe(forms);
  });

  it('share: no affiliate is refused on its field; a video and an affiliate post the pre-flight card', async () => {
    const video = h.bc!.data.videos[h.bc!.data.accounts.find((a) => a.alias === 'neo')!.id]![0]!;
    const form = await openForm('share', 'share.form');
    // The video picker searches the master account as the user types: by words of the name, by id.
    const word = video.name!.split(/\s+/).find((w) => w.length >= 4)!;
    const byName = await h.slack.suggest(OPERATOR, form.id, 'video', word);
    expect(byName.map((o) => o.value)).toContain(video.id);
    expect(JSON.stringify(byName)).toContain(video.name!.slice(0, 20));
    expect((await h.slack.suggest(OPERATOR, form.id, 'video', video.id)).map((o) => o.value)).toEqual([
      video.id,
    ]);
    // a member's typing finds nothing (the searches read the accounts)
    expect(await h.slack.suggest(MEMBER, form.id, 'video', word)).toEqual([]);
    const picked = { value: { type: 'external_select', selected_option: { value: video.id } } };
    const none = await h.slack.submitView(OPERATOR, form.id, { video: picked });
    expect(errorsOf(none)).toEqual({ to: 'Pick at least one affiliate account.' });
    const before = h.slack.channelMessages(CHANNEL).length;
    const sent = await h.slack.submitView(OPERATOR, form.id, {
      video: picked,
      to: { value: { type: 'multi_static_select', selected_options: [{ value: 'neo-north' }] } },
    });
    expect(sent.body).toBe('');
    const card = await h.slack.waitFor(() =>
      h.slack
        .channelMessages(CHANNEL)
        .slice(before)
        .find((m) => m.text.includes(video.id) || JSON.stringify(m.blocks).includes(video.id)),
    );
    expect(JSON.stringify(card.blocks)).toContain('Neo North');
  });

  it('export: analytics without days is refused on the first-day field; with them the files are attached', async () => {
    const form = await openForm('export', 'export.form');
    const values = { kind: select('analytics'), scope: select('neo'), dest: select('here') };
    const bad = await h.slack.submitView(OPERATOR, form.id, values);
    expect(Object.keys(errorsOf(bad))).toEqual(['from']);
    const before = h.slack.channelMessages(CHANNEL).length;
    const ok = await h.slack.submitView(OPERATOR, form.id, {
      ...values,
      from: { value: { type: 'datepicker', selected_date: '2026-11-10' } },
      to: { value: { type: 'datepicker', selected_date: '2026-11-12' } },
    });
    expect(ok.body).toBe('');
    const done = await h.slack.waitFor(
      () =>
        h.slack
          .channelMessages(CHANNEL)
          .slice(before)
          .find(
            (m) =>
              m.text.startsWith('Analytics export neo 2026-11-10..2026-11-12') && / finished: /.test(m.text),
          ),
      15_000,
      'the export',
    );
    expect(done.text).toContain('1 file');
  });
});
