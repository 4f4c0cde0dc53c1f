import { section } from './blocks.js';
import type { ActionContext, Reply } from './types.js';

/** What a refused command or click shows: the reason, which says what to do instead. */
export function refusalReply(text: string): Reply {
  return {
    text,
    blocks: [section(`:no_entry: ${text}`)],
    data: { error: 'refused', message: text },
    problem: 'refused',
  };
}

/** Refuses a click: the clicker sees why, and the audit log records who tried what. */
export async function refuseAction(
  ctx: ActionContext,
  entry: { command: string; action: string },
  text: string,
): Promise<void> {
  ctx.services.repos.audit.append({
    actor: ctx.actor.userId,
    command: entry.command,
    action: entry.action,
    target: ctx.value,
    outcome: 'refused',
    details: text,
  });
  await ctx.surface.reply(refusalReply(text));
}

/** Replaces the message a button is on: in place when the app posted it, else through response_url. */
export async function showOnMessage(ctx: ActionContext, reply: Reply): Promise<void> {
  if (ctx.message) {
    ctx.message.update(reply);
    await ctx.message.flush();
  } else await ctx.replaceOriginal(reply);
}
