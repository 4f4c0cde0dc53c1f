import type { SimMessage, SimView, SlackSim } from '../../src/sim/slack/index.js';

/**
 * An approver's click on Approve deletes: the app checks the role, then opens its confirmation form,
 * which this sends (with `typed`, the count a mass delete asks for). A click the app refuses (no form,
 * an ephemeral reason instead) is left at that.
 */
export async function approveDeletes(
  slack: SlackSim,
  user: string,
  where: SimMessage | { channel: string; ts: string },
  typed?: string,
): Promise<void> {
  const view = await openForm(slack, user, 'sync.approve_deletes', 'sync.confirm_deletes', where);
  if (view)
    await slack.submitView(
      user,
      view.id,
      typed === undefined ? {} : { count: { count: { type: 'plain_text_input', value: typed } } },
    );
}

/** Clicks `actionId`, then sends the form the app opened (with `values`); a refused click is left at that. */
export async function clickAndSend(
  slack: SlackSim,
  user: string,
  actionId: string,
  where: SimMessage | { channel: string; ts: string },
  values: Record<string, Record<string, { type: string; value: string }>> = {},
): Promise<void> {
  const view = await openForm(slack, user, actionId, actionId, where);
  if (view) await slack.submitView(user, view.id, values);
}

/** Clicks `actionId` and returns the form `callbackId` the app opened for `user`, or undefined when it refused. */
export async function openForm(
  slack: SlackSim,
  user: string,
  actionId: string,
  callbackId: string,
  where: SimMessage | { channel: string; ts: string },
): Promise<SimView | undefined> {
  const views = new Set(slack.views.keys());
  const seen = slack.ephemerals.length;
  await slack.click(user, actionId, where);
  const got = await slack.waitFor(
    () =>
      [...slack.views.values()].find(
        (v) => !views.has(v.id) && v.userId === user && v.view.callback_id === callbackId,
      ) ??
      (slack.ephemerals.slice(seen).some((m) => m.ephemeralTo === user) ? ('refused' as const) : undefined),
    10_000,
    `the ${callbackId} form or a refusal`,
  );
  return got === 'refused' ? undefined : got;
}
