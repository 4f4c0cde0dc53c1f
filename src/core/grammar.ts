import { z } from 'zod';
import type { FlagSpec } from './types.js';

/**
 * A command's grammar, declared once: its usage forms, written as users read them, and what each flag
 * means and accepts. In the spirit of StackStorm's alias `formats`, one form string yields the usage
 * line, the positional names, the literal words (`to`, `from`, `last`) and each flag's arity:
 *
 *   report [<account|group|all>] [--days N | --from YYYY-MM-DD --to YYYY-MM-DD] [--csv]
 *
 * `--days N` takes a value (the word after it, N, is its placeholder); `[--csv]` does not (its group
 * closes right after it, or the next word is `|`, another flag or an opening bracket). A form may name
 * a part defined on a line of its own, `<clip options>: [--name "…"] [--no-wait]`, to keep long forms
 * readable. Help, usage errors, `--help`, the tokenizer's arity, the manifest hint and the clip modal
 * all read the result; zod only checks values. A flag used in a form and not described (or described
 * and in no form), or one flag with two arities, fails when the command module loads.
 */

/** One usage form, read. */
interface UsageForm {
  /** the line as written */
  text: string;
  /** `<name>` when the line defines a part (`<clip options>: …`) instead of being a form */
  defines?: string;
  /** literal words after the command name: subcommands and keywords such as `to`, `from`, `last` */
  literals: string[];
  /** placeholders of positional words, e.g. `account|group|all`, `live-job-id`, `HH:MM` */
  positionals: string[];
  /** the flags in the form with their value placeholder (absent for boolean flags) */
  flags: { name: string; value?: string }[];
}

/** Words of a form: whitespace splits, except inside `<…>` and quotes (`"<CMS search>"` is one word). */
function formWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let angle = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if (/\s/.test(ch) && angle === 0 && !quoted) {
      if (current) words.push(current);
      current = '';
    } else current += ch;
  }
  if (current) words.push(current);
  return words;
}

const OPENERS = /^[[(]+/;
const CLOSERS = /[\])]+$/;

export function readForm(text: string): UsageForm {
  const definition = /^<([^>]+)>:\s*(.*)$/.exec(text);
  const body = definition ? (definition[2] ?? '') : text;
  const words = formWords(body);
  const form: UsageForm = { text, literals: [], positionals: [], flags: [] };
  if (definition?.[1]) form.defines = definition[1];
  // A form starts with the command's name; a definition does not.
  for (let i = definition ? 0 : 1; i < words.length; i++) {
    const raw = words[i] as string;
    const word = raw.replace(OPENERS, '');
    if (word === '|' || word === '') continue;
    const flag = /^--([a-z0-9][a-z0-9-]*)/.exec(word);
    if (flag?.[1]) {
      const next = words[i + 1];
      // `--csv]`: the group closes right after the flag, so it takes no value.
      const closes = word.length > flag[0].length;
      const takesValue = !closes && next !== undefined && next !== '|' && !/^([[(]|--)/.test(next);
      if (takesValue) {
        form.flags.push({ name: flag[1], value: next.replace(CLOSERS, '') });
        i++;
      } else form.flags.push({ name: flag[1] });
      continue;
    }
    const placeholder = /<([^>]+(?:<[^>]*>[^>]*)*)>/.exec(word);
    if (placeholder?.[1]) form.positionals.push(placeholder[1]);
    else if (/^[a-z][a-z-]*$/.test(word.replace(CLOSERS, ''))) form.literals.push(word.replace(CLOSERS, ''));
    else form.positionals.push(word.replace(CLOSERS, '').replace(/^"|"$/g, ''));
  }
  return form;
}

/** What a flag means and which values it takes. */
export interface FlagDecl {
  description: string;
  /** other spellings, e.g. the original tool's `--keep_deleted_bundles` */
  aliases?: readonly string[];
  /** the value check; leave it out for a boolean flag. Make it `.optional()` unless the flag is required. */
  check?: z.ZodType;
}

type FlagShape<F extends Record<string, FlagDecl>> = {
  -readonly [K in keyof F]: F[K] extends { check: infer S extends z.ZodType }
    ? S
    : z.ZodOptional<z.ZodLiteral<true>>;
};

/** What help, the tokenizer and the modal read from a grammar. */
export interface GrammarInfo {
  /** the usage lines as written (forms and definitions) */
  readonly usage: readonly string[];
  readonly forms: readonly UsageForm[];
  /** the flags for help and the tokenizer: arity and placeholder from the forms, words from the declarations */
  readonly flags: readonly FlagSpec[];
}

interface Grammar<F extends Record<string, FlagDecl>, P extends z.ZodType> extends GrammarInfo {
  /** the tokens ({ positionals, flags }) checked: the command's `args` refines and transforms this */
  readonly tokens: z.ZodObject<{ positionals: P; flags: z.ZodObject<FlagShape<F>> }>;
}

export class GrammarError extends Error {
  override name = 'GrammarError';
}

export function defineGrammar<
  const F extends Record<string, FlagDecl> = Record<never, FlagDecl>,
  P extends z.ZodType = z.ZodArray<z.ZodString>,
>(spec: { usage: readonly string[]; flags?: F; positionals?: P }): Grammar<F, P> {
  const declared = (spec.flags ?? {}) as F;
  const forms = spec.usage.map(readForm);
  const seen = new Map<string, string | undefined>();
  for (const form of forms) {
    for (const f of form.flags) {
      if (!Object.hasOwn(declared, f.name))
        throw new GrammarError(`"${form.text}" uses --${f.name}, which has no declaration`);
      if (seen.has(f.name) && (seen.get(f.name) === undefined) !== (f.value === undefined))
        throw new GrammarError(`--${f.name} takes a value in one form and none in another`);
      if (!seen.has(f.name)) seen.set(f.name, f.value);
    }
  }
  const flags: FlagSpec[] = Object.entries(declared).map(([name, decl]) => {
    if (!seen.has(name)) throw new GrammarError(`--${name} is declared but in no usage form`);
    const value = seen.get(name);
    if ((value === undefined) !== (decl.check === undefined))
      throw new GrammarError(
        value === undefined
          ? `--${name} has a value check but its usage shows no value`
          : `--${name} takes ${value} but has no value check`,
      );
    return {
      name,
      ...(value !== undefined ? { value } : {}),
      description: decl.description,
      ...(decl.aliases ? { aliases: [...decl.aliases] } : {}),
    };
  });
  const shape = Object.fromEntries(
    Object.entries(declared).map(([name, decl]) => [
      name,
      decl.check ?? z.literal(true, { message: `--${name} takes no value` }).optional(),
    ]),
  ) as FlagShape<F>;
  const positionals = (spec.positionals ?? z.array(z.string())) as P;
  return { usage: spec.usage, forms, flags, tokens: z.object({ positionals, flags: z.object(shape) }) };
}
