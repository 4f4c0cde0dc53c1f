import { describe, expect, it } from 'vitest';
import { splitWords, TokenizeError, tokenize } from '../../src/core/tokenize.js';

const arity = {
  valued: new Set(['name', 'tags', 'limit', 'to']),
  aliases: new Map([['keep_deleted', 'keep-deleted']]),
};

describe('tokenize', () => {
  it.each([
    ['sync neo', ['sync', 'neo']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['clip job1 --name "Goal of the match"', ['clip', 'job1', '--name', 'Goal of the match']],
    ["--name 'single quoted'", ['--name', 'single quoted']],
    ['--name “curly double”', ['--name', 'curly double']],
    ['--name ‘curly single’', ['--name', 'curly single']],
    ["don't split", ["don't", 'split']],
    ['a "" b', ['a', '', 'b']],
  ])('splits %j', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });

  it('rejects an unclosed quote with its position', () => {
    expect(() => splitWords('--name "oops')).toThrow(/unclosed quote starting at character 8/);
  });

  it('reads --flag value and --flag=value', () => {
    expect(tokenize('a --name x --limit=5 b', arity)).toEqual({
      positionals: ['a', 'b'],
      flags: { name: 'x', limit: '5' },
    });
  });

  it('reads boolean flags and their underscore aliases', () => {
    expect(tokenize('neo --keep_deleted --json', arity).flags).toEqual({ 'keep-deleted': true, json: true });
  });

  it('turns an em dash typed by Slack into --', () => {
    expect(tokenize('x —limit 3', arity).flags).toEqual({ limit: '3' });
  });

  it('a valued flag without a value is an error', () => {
    expect(() => tokenize('x --limit', arity)).toThrow(TokenizeError);
    expect(() => tokenize('x --limit --name y', arity)).toThrow('--limit needs a value');
  });

  it('a boolean flag with a value is an error', () => {
    expect(() => tokenize('x --json=yes', arity)).toThrow('--json does not take a value');
  });

  it('unescapes Slack mentions, channels, user groups and links', () => {
    expect(
      tokenize(
        'share 123 to <@U123ABC|bob> <#C99|video-ops> <!subteam^S42|@ops> <https://x.io/a|x.io/a>',
        arity,
      ).positionals,
    ).toEqual(['share', '123', 'to', '@U123ABC', '#C99', '@S42', 'https://x.io/a']);
  });

  it('unescapes HTML entities Slack sends', () => {
    expect(tokenize('q --name "a &amp; b &lt;3"', arity).flags.name).toBe('a & b <3');
  });
});
