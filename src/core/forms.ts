import type { AppConfig } from '../config/schema.js';
import { type Block, type InputElement, type OptionObject, plain } from './blocks.js';
import { checkCommandText, reportFailure, runCommandText } from './dispatch.js';
import type { ViewContext, ViewResult } from './types.js';

/*
 * Forms that stand for a typed command (issue 17: share, digest add, export): the form's values are
 * written as the command line a user would type, checked by the command's own grammar before the
 * form closes (a problem shows on the field it concerns), then run exactly as typed. One grammar,
 * one workflow, whichever way the command was given.
 */

/** Every form input uses this action id: a block is one field. */
const FORM_ACTION = 'value';

export function option(text: string, value: string): OptionObject {
  return { text: plain(text, 75), value };
}

export function formInput(
  blockId: string,
  label: string,
  element: InputElement,
  opts: { optional?: boolean; hint?: string } = {},
): Block {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label, 2000),
    element: { ...element, action_id: FORM_ACTION } as InputElement,
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
  };
}

export const textInput = (placeholder: string, initial?: string): InputElement => ({
  type: 'plain_text_input',
  action_id: FORM_ACTION,
  placeholder: plain(placeholder, 150),
  ...(initial ? { initial_value: initial } : {}),
});

export function staticSelect(options: OptionObject[], initial?: string): InputElement {
  const first = options.find((o) => o.value === initial);
  return {
    type: 'static_select',
    action_id: FORM_ACTION,
    options: options.slice(0, 100),
    ...(first ? { initial_option: first } : {}),
  };
}

/** What a user can name as a scope: `all`, the groups, the accounts (by alias). */
export function scopeOptions(config: AppConfig): OptionObject[] {
  const groups = new Set([...Object.keys(config.groups), ...config.accounts.flatMap((a) => a.groups)]);
  return [
    option('All accounts', 'all'),
    ...[...groups].sort().map((g) => option(`Group ${g}`, g)),
    ...config.accounts.map((a) => option(`${a.alias} (${a.id})`, a.alias)),
  ];
}

type Values = ViewContext['values'];

/** One field's value: typed text, the chosen option, a date or a time; undefined when empty. */
export function formValue(values: Values, blockId: string): string | undefined {
  const v = values[blockId]?.[FORM_ACTION];
  const raw = v?.selected_option?.value ?? v?.selected_date ?? v?.selected_time ?? v?.value ?? undefined;
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

/** A multi-select's chosen values. */
export function formValues(values: Values, blockId: string): string[] {
  return (values[blockId]?.[FORM_ACTION]?.selected_options ?? []).map((o) => o.value);
}

/** A word of a command line: quoted when it has spaces (the tokenizer's rules). */
export const word = (w: string) => (/[\s"]/.test(w) ? `"${w.replace(/"/g, '')}"` : w);

/**
 * Checks the command line a form stands for with the command's grammar: a problem is shown on
 * `field` (the form stays open); otherwise the form closes and the command runs as if typed, in
 * the channel the form was opened from.
 */
export function submitAsCommand(
  ctx: ViewContext,
  text: string,
  /** the field a problem is shown on: one, or chosen from the problem's words */
  field: string | ((problem: string) => string),
): ViewResult {
  const problem = checkCommandText(ctx.services.registry, text);
  if (problem)
    return { errors: { [typeof field === 'string' ? field : field(problem)]: problem.slice(0, 150) } };
  void runCommandText(ctx.services.registry, text, {
    actor: ctx.actor,
    surface: ctx.surface,
    services: ctx.services,
  }).catch((err: unknown) => reportFailure(err, ctx, 'form', text));
  return undefined;
}
