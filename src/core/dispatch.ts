import { escapeEntities, section } from './blocks.js';
import { errorIdOf, RefusalError, UserError, WorkTakenOverError } from './errors.js';
import { commandHelp, overview, usageError } from './help.js';
import { refusalReply, refuseAction } from './refuse.js';
import { type Registry, SLASH } from './registry.js';
import { splitWords, TokenizeError, tokenize } from './tokenize.js';
import type {
  ActionContext,
  Actor,
  AnyCommand,
  Reply,
  Services,
  SuggestContext,
  Suggestion,
  Surface,
  ViewContext,
  ViewResult,
} from './types.js';

interface Invocation {
  actor: Actor;
  surface: Surface;
  services: Services;
  triggerId?: string;
  /** the terminal's --yes: what Slack confirms with a button is confirmed up front */
  yes?: boolean;
}

function errorReply(errorId: string): Reply {
  const text = `Something went wrong (error id ${errorId}). Try again; if it keeps failing, give the error id to whoever runs Brightcove Ops: it is in the logs.`;
  return { text, blocks: [section(`:x: ${text}`)], data: { error: 'internal', errorId }, problem: 'failed' };
}

/**
 * Runs one command line. Never throws: user mistakes get the usage and the precise problem,
 * unexpected failures an error id that is in the logs (never a stack trace in Slack).
 */
export async function runCommandText(registry: Registry, text: string, inv: Invocation): Promise<void> {
  const { surface } = inv;
  const prefix = surface.prefix;
  let words: string[];
  try {
    words = splitWords(text.trim());
  } catch (err) {
    // Bad quoting: say what, and where the grammar is (the subcommand is not known yet).
    const text = `${capitalize((err as Error).message)}. More: ${prefix} help`;
    await surface.reply({ text, data: { error: (err as Error).message }, problem: 'usage' });
    return;
  }
  const name = (words[0] ?? 'help').toLowerCase();
  const command = registry.find(name);
  if (!command) {
    const suggestions = registry.suggest(name);
    const did = suggestions.length ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(' or ')}?` : '';
    const list = registry.commands.map((c) => `\`${c.name}\``).join(', ');
    const msg = `Unknown subcommand \`${name}\`.${did}\nSubcommands: ${list}. See \`${prefix} help\`.`;
    await surface.reply({
      text: msg.replace(/`/g, ''),
      blocks: [section(`:warning: ${msg}`)],
      data: { error: 'unknown_subcommand', suggestions },
      problem: 'usage',
    });
    return;
  }
  const parsed = parseArgs(registry, command, text);
  if ('problem' in parsed) {
    await surface.reply(usageError(command, parsed.problem, prefix));
    return;
  }
  await runParsed(command, parsed.args, text.trim(), inv);
}

/** The command's arguments from its line, or what is wrong with it (as the usage error says it). */
function parseArgs(
  registry: Registry,
  command: AnyCommand,
  text: string,
): { args: unknown } | { problem: string } {
  const name = command.name;
  const rest = text.trim().slice(text.trim().toLowerCase().indexOf(name) + name.length);
  try {
    const tokens = tokenize(rest, registry.arity(command));
    const known = registry.knownFlags(command);
    const unknown = Object.keys(tokens.flags).find((f) => !known.has(f));
    if (unknown) throw new TokenizeError(`Unknown option --${unknown}.`);
    const parsed = command.args.safeParse(tokens);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TokenizeError(issue?.message ?? 'Invalid arguments.');
    }
    return { args: parsed.data };
  } catch (err) {
    if (err instanceof TokenizeError || err instanceof UserError) return { problem: capitalize(err.message) };
    throw err;
  }
}

/** What is wrong with a command line, in the words its usage error would use; null when it parses. */
export function checkCommandText(registry: Registry, text: string): string | null {
  let words: string[];
  try {
    words = splitWords(text.trim());
  } catch (err) {
    return capitalize((err as Error).message);
  }
  const command = registry.find((words[0] ?? '').toLowerCase());
  if (!command) return `Unknown subcommand ${words[0] ?? ''}.`;
  const parsed = parseArgs(registry, command, text);
  return 'problem' in parsed ? parsed.problem : null;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

async function checkAccess(command: AnyCommand, args: unknown, inv: Invocation): Promise<string | null> {
  const { services, surface, actor } = inv;
  const channels = services.config.channels;
  if (channels && surface.channelId && !channels.includes(surface.channelId)) {
    return `Brightcove Ops is not enabled in this channel. Use it in ${channels.map((c) => `<#${c}>`).join(', ')}.`;
  }
  const mutates = typeof command.mutates === 'function' ? command.mutates(args) : command.mutates;
  if (mutates && !(await services.roles.isOperator(actor))) {
    return `Only operators can run \`${command.name}\` this way. ${services.roles.describe('operator')}`;
  }
  return null;
}

async function runParsed(command: AnyCommand, args: unknown, text: string, inv: Invocation): Promise<void> {
  const { services, surface, actor } = inv;
  const before = services.repos.audit.appendedBy(actor.userId, command.name);
  // One entry per thing done: a command that audits its own actions ("digest remove dg_1") gets no
  // second, generic one ("digest run digest remove dg_1").
  const audit = (outcome: 'ok' | 'refused' | 'failed', details?: string) =>
    services.repos.audit.appendedBy(actor.userId, command.name) === before &&
    services.repos.audit.append({
      actor: actor.userId,
      command: command.name,
      action: 'run',
      target: text,
      outcome,
      ...(details ? { details } : {}),
    });
  const refused = await checkAccess(command, args, inv);
  if (refused) {
    audit('refused', refused);
    await surface.reply(refusalReply(refused));
    return;
  }
  const mutates = typeof command.mutates === 'function' ? command.mutates(args) : command.mutates;
  try {
    await command.run({
      args,
      actor,
      surface,
      services,
      text,
      yes: inv.yes === true,
      ...(inv.triggerId ? { triggerId: inv.triggerId } : {}),
    });
    // Every command that changes things is in the audit log; commands add their own detailed entries.
    if (mutates) audit('ok');
  } catch (err) {
    if (err instanceof RefusalError) {
      if (mutates) audit('refused', err.message);
      await surface.reply(refusalReply(err.message)).catch(() => undefined);
      return;
    }
    if (mutates && err instanceof UserError) audit('failed', err.message);
    if (err instanceof UserError) {
      // Bad input found while running (an unknown account, a clip outside its job's window): the
      // user gets what was wrong and the usage, like a grammar error.
      await surface.reply(usageError(command, err.message, surface.prefix)).catch(() => undefined);
      return;
    }
    await reportFailure(err, inv, command.name, text);
  }
}

/** Shared by commands, buttons and modals: user errors as-is, everything else with an error id. */
export async function reportFailure(
  err: unknown,
  inv: Invocation,
  command: string,
  what: string,
): Promise<void> {
  const { services, surface, actor } = inv;
  if (err instanceof WorkTakenOverError) {
    // Not a failure anyone must act on: the replica that took the work over reports its outcome.
    services.logger.warn('work taken over by another replica', { command, what, err: err.message });
    return;
  }
  if (err instanceof UserError) {
    const reply: Reply = {
      text: err.message,
      blocks: [section(`:warning: ${err.message}`)],
      data: { error: err.message },
      problem: 'failed',
    };
    await surface.reply(reply).catch(() => undefined);
    return;
  }
  const errorId = errorIdOf(err);
  services.logger.error('command failed', { errorId, command, actor: actor.userId, what, err });
  services.repos.audit.append({ actor: actor.userId, command, action: what, outcome: 'failed', errorId });
  await surface.reply(errorReply(errorId)).catch(() => undefined);
}

export function helpFor(registry: Registry, topic: string | undefined, prefix = SLASH): Reply {
  if (!topic) return overview(registry, prefix);
  const command = registry.find(topic);
  if (!command) {
    const suggestions = registry.suggest(topic);
    const did = suggestions.length ? ` Did you mean ${suggestions.join(' or ')}?` : '';
    return {
      text: `No subcommand "${topic}".${did} The list: ${prefix} help`,
      blocks: [
        section(`:warning: No subcommand \`${escapeEntities(topic)}\`.${did} The list: \`${prefix} help\``),
      ],
      data: { error: 'unknown_subcommand', suggestions },
      problem: 'usage',
    };
  }
  return commandHelp(command, prefix);
}

/** A button click: finds the command by action_id prefix and runs its handler. */
export async function runAction(
  registry: Registry,
  actionId: string,
  ctx: Omit<ActionContext, 'services'> & { services: Services },
): Promise<void> {
  const resolved = registry.resolveId(actionId);
  const handler = resolved?.command.actions?.[resolved.verb];
  if (!resolved || !handler) {
    ctx.services.logger.warn('unknown action', { actionId });
    return;
  }
  try {
    const foreign = notBoundHere(ctx);
    if (foreign)
      return await refuseAction(ctx, { command: resolved.command.name, action: resolved.verb }, foreign);
    await handler(ctx);
  } catch (err) {
    await reportFailure(err, ctx, resolved.command.name, actionId);
  }
}

/**
 * A button's value names a record; the click counts only on the message that shows that record. A
 * crafted click that carries plan B's id on plan A's message (or on any message, for a plan made in
 * the terminal) must neither run B nor overwrite A (issue 14). Ephemeral messages have no ts: there
 * the record's requester and channel must match.
 */
function notBoundHere(ctx: Pick<ActionContext, 'value' | 'clicked' | 'actor' | 'services'>): string | null {
  const where = ctx.clicked;
  if (!where) return null;
  const record = ctx.services.repos.pending.get(ctx.value);
  if (!record) return null;
  // App Home lists requests that live in a channel (its buttons act on them there, with the same
  // checks); a request made in the terminal has no message, so no button anywhere acts on it.
  const bound = where.home
    ? record.channel !== undefined && record.ts !== undefined
    : where.ephemeral
      ? record.requestedBy === ctx.actor.userId && (!record.channel || record.channel === where.channel)
      : record.ts !== undefined && record.ts === where.ts && record.channel === where.channel;
  return bound
    ? null
    : 'This button does not belong to this message, so it did nothing. Use the buttons on the message that shows the request.';
}

/**
 * Choices for a form field as the user types (operators only: the searches read the accounts). Never
 * throws: a failed search offers nothing and is logged.
 */
export async function runSuggest(
  registry: Registry,
  callbackId: string,
  blockId: string,
  ctx: SuggestContext,
): Promise<Suggestion[]> {
  const resolved = registry.resolveId(callbackId);
  const handler = resolved?.command.suggest?.[`${resolved.verb}.${blockId}`];
  if (!handler) return [];
  try {
    if (!(await ctx.services.roles.isOperator(ctx.actor))) return [];
    return (await handler(ctx)).slice(0, 100);
  } catch (err) {
    ctx.services.logger.warn('suggestions failed', { callbackId, blockId, err });
    return [];
  }
}

export async function runView(registry: Registry, callbackId: string, ctx: ViewContext): Promise<ViewResult> {
  const resolved = registry.resolveId(callbackId);
  const handler = resolved?.command.views?.[resolved.verb];
  if (!resolved || !handler) return undefined;
  try {
    return await handler(ctx);
  } catch (err) {
    await reportFailure(err, ctx, resolved.command.name, callbackId);
    return undefined;
  }
}
