import { type Block, blocksToText, type ModalView, plain, section, truncate } from './blocks.js';
import type { PostedMessage, Reply, Services, Surface, ViewContext } from './types.js';

/*
 * Approvals where people are (config `roles.notify`): when something destructive waits, the approvers
 * are mentioned in the request's thread (`thread`, the default) or sent a direct message each (`dm`,
 * user groups expanded); when it ends, the requester is told the same way. `none` leaves both to the
 * channel. Telling people never stops the request: a failed message is logged.
 */

/** A notice with mentions: they live in the blocks (a message's `text` is escaped, so it names them as words). */
function notice(mrkdwnText: string): Reply {
  const blocks: Block[] = [section(mrkdwnText)];
  return { text: blocksToText(blocks), blocks };
}

/** A Slack user who can be told something (not the scheduler, not a terminal user). */
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

interface Waiting {
  /** what waits, for a sentence: "3 deletes of neo's Clarify records (plan pl_1)"; escaped mrkdwn */
  what: string;
  requestedBy: string;
  /** the request's message: its thread gets the mentions, and DMs point to its channel */
  message: PostedMessage;
}

/** Asks the approvers to look at a waiting request (or says, in its thread, that nobody can approve it). */
export async function askApprovers(services: Services, surface: Surface, w: Waiting): Promise<void> {
  const { roles, logger } = services;
  if (roles.notify === 'none' || !surface.buttons) return;
  const where = w.message.channel ? ` in <#${w.message.channel}>` : '';
  try {
    const mentions = roles.mention('approver');
    if (!mentions) {
      await w.message.reply(
        notice(
          `${w.what} waits for an approver, but nobody can approve it yet. ${roles.describe('approver')}`,
        ),
      );
      return;
    }
    if (roles.notify === 'thread' || !surface.direct) {
      await w.message.reply(
        notice(
          `${mentions}: ${w.what} waits for an approver. *Approve* or *Reject* it on the message above.`,
        ),
      );
      return;
    }
    const people = (await roles.people('approver')).filter((id) => id !== w.requestedBy);
    for (const id of people)
      await surface.direct(
        id,
        notice(
          `${w.what}${where}, asked by <@${w.requestedBy}>, waits for your approval: *Approve* or *Reject* it on the message there.`,
        ),
      );
  } catch (err) {
    logger.warn('could not tell the approvers', { err });
  }
}

/** Tells the requester how their request ended, unless they decided it themselves. */
export async function tellRequester(
  services: Services,
  surface: Surface,
  o: { requestedBy: string; decidedBy: string; message?: PostedMessage; text: string },
): Promise<void> {
  const { roles, logger } = services;
  if (roles.notify === 'none' || !SLACK_USER.test(o.requestedBy) || o.requestedBy === o.decidedBy) return;
  try {
    if (roles.notify === 'dm' && surface.direct) {
      const where = o.message?.channel ? ` (in <#${o.message.channel}>)` : '';
      await surface.direct(o.requestedBy, notice(`${o.text}${where}`));
    } else await o.message?.reply(notice(`<@${o.requestedBy}> ${o.text}`));
  } catch (err) {
    logger.warn('could not tell the requester', { err });
  }
}

const REASON_BLOCK = 'reason';

/** The Reject form: the reason is required and shown on the request, so the requester knows why. */
export function renderRejectModal(
  callbackId: string,
  record: { id: string; channel?: string },
  title: string,
  what: string,
): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    // the channel: where a refusal of the sent form is shown to the sender
    private_metadata: JSON.stringify({ id: record.id, channel: record.channel ?? '' }),
    title: plain(truncate(title, 24), 24),
    submit: plain('Reject', 24),
    close: plain('Cancel', 24),
    blocks: [
      section(`${what} Nothing is deleted; the requester sees your reason.`),
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: plain('Why not?', 2000),
        element: {
          type: 'plain_text_input',
          action_id: REASON_BLOCK,
          multiline: true,
          max_length: 500,
          placeholder: plain('e.g. these videos are being re-ingested; keep the records', 150),
        },
      },
    ],
  };
}

/** The record id a form of ours carries, or '' for a form this app did not build. */
export function formRecordId(ctx: ViewContext, key = 'id'): string {
  try {
    return String((JSON.parse(ctx.privateMetadata) as Record<string, unknown>)[key] ?? '');
  } catch {
    return '';
  }
}

/** The reason typed into the Reject form, or a field error. */
export function readReason(ctx: ViewContext): { reason: string } | { errors: Record<string, string> } {
  const reason = ctx.values[REASON_BLOCK]?.[REASON_BLOCK]?.value?.trim() ?? '';
  if (!reason) return { errors: { [REASON_BLOCK]: 'Say why, so the requester knows what to do next.' } };
  return { reason: truncate(reason, 500) };
}
