import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allCommands } from '../../commands/index.js';
import { defineGrammar, GrammarError, readForm } from '../../src/core/grammar.js';
import { Registry } from '../../src/core/registry.js';
import { tokenize } from '../../src/core/tokenize.js';

describe('readForm: one usage string yields literals, positionals and flag arity', () => {
  it('reads a form with alternatives and nested groups', () => {
    const form = readForm(
      'report [<account|group|all>] [--days N | --from YYYY-MM-DD [--to YYYY-MM-DD]] [--csv] [--not-viewed N]',
    );
    expect(form.positionals).toEqual(['account|group|all']);
    expect(form.literals).toEqual([]);
    expect(form.flags).toEqual([
      { name: 'days', value: 'N' },
      { name: 'from', value: 'YYYY-MM-DD' },
      { name: 'to', value: 'YYYY-MM-DD' },
      { name: 'csv' },
      { name: 'not-viewed', value: 'N' },
    ]);
  });

  it('keeps literal words (to, from, last) apart from placeholders', () => {
    expect(readForm('clip <live-job-id> from <time> for <duration> [<clip options>]')).toMatchObject({
      literals: ['from', 'for'],
      positionals: ['live-job-id', 'time', 'duration', 'clip options'],
    });
    expect(
      readForm('share <video-id|ref:REF> to <affiliate>[,<affiliate>…] [--from <account>]'),
    ).toMatchObject({
      literals: ['to'],
      positionals: ['video-id|ref:REF', 'affiliate'],
      flags: [{ name: 'from', value: '<account>' }],
    });
  });

  it('a quoted placeholder is one value; a flag before `|`, a bracket or another flag takes none', () => {
    expect(readForm('share --query "<CMS search>" to <affiliate>').flags).toEqual([
      { name: 'query', value: '"<CMS search>"' },
    ]);
    expect(readForm('sync [--dry-run | --apply] [--approve-deletes [--force]]').flags).toEqual([
      { name: 'dry-run' },
      { name: 'apply' },
      { name: 'approve-deletes' },
      { name: 'force' },
    ]);
  });

  it('reads a definition line', () => {
    const def = readForm('<clip options>: [--name "…"] [--no-wait]');
    expect(def.defines).toBe('clip options');
    expect(def.flags).toEqual([{ name: 'name', value: '"…"' }, { name: 'no-wait' }]);
  });
});

describe('defineGrammar: a flag in one place and not the other fails when the command loads', () => {
  it('a flag used in a form but not declared', () => {
    expect(() => defineGrammar({ usage: ['x [--limit N]'] })).toThrow(GrammarError);
  });
  it('a flag declared but in no form', () => {
    expect(() => defineGrammar({ usage: ['x'], flags: { csv: { description: 'attach a CSV' } } })).toThrow(
      /--csv is declared but in no usage form/,
    );
  });
  it('a value in the form but no value check, or the other way round', () => {
    expect(() => defineGrammar({ usage: ['x [--limit N]'], flags: { limit: { description: 'n' } } })).toThrow(
      /takes N but has no value check/,
    );
    expect(() =>
      defineGrammar({ usage: ['x [--csv]'], flags: { csv: { description: 'c', check: z.string() } } }),
    ).toThrow(/usage shows no value/);
  });
  it('one flag with two arities', () => {
    expect(() =>
      defineGrammar({
        usage: ['x [--to N]', 'y [--to]'],
        flags: { to: { description: 't', check: z.string() } },
      }),
    ).toThrow(/takes a value in one form and none in another/);
  });
  it('derives the flag list, the tokenizer arity and the zod object from the one declaration', () => {
    const g = defineGrammar({
      usage: ['x [--limit N] [--csv]'],
      flags: {
        limit: { description: 'how many', check: z.coerce.number().optional() },
        csv: { description: 'attach a CSV', aliases: ['as_csv'] },
      },
    });
    expect(g.flags).toEqual([
      { name: 'limit', value: 'N', description: 'how many' },
      { name: 'csv', description: 'attach a CSV', aliases: ['as_csv'] },
    ]);
    const tokens = tokenize('--limit 3 --as_csv', new Registry([]).arity({ grammar: g }));
    expect(g.tokens.parse(tokens)).toEqual({ positionals: [], flags: { limit: 3, csv: true } });
    expect(g.tokens.safeParse({ positionals: [], flags: { csv: 'yes' } }).success).toBe(false);
  });
});

describe('every command: help lists exactly the flags its forms use, and the tokens check exactly those', () => {
  it.each(allCommands.map((c) => [c.name, c] as const))('%s', (_name, command) => {
    const inForms = new Set(command.grammar.forms.flatMap((f) => f.flags.map((x) => x.name)));
    expect(new Set(command.grammar.flags.map((f) => f.name))).toEqual(inForms);
  });
});
