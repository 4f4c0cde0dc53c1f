import { z } from 'zod';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';
import { renderSearch } from '../src/slack/search-render.js';

const grammar = defineGrammar({
  usage: ['search <words…> [--target <name>]'],
  positionals: z
    .array(z.string())
    .min(1, 'say what to look for, e.g. search election night interview')
    .refine((w) => w.join(' ').length <= 200, 'keep the search under 200 characters'),
  flags: {
    target: {
      description: 'the sync target to search (default: the only PostgreSQL target)',
      check: z.string().min(1).optional(),
    },
  },
});

export const search = defineCommand<{ words: string; target?: string }>({
  name: 'search',
  topic: 'Sync',
  summary:
    "Search the synced library (a PostgreSQL target's full-text index): the top 10 videos, linked to Studio.",
  grammar,
  examples: ['search election night', 'search "town hall" -draft'],
  mutates: false,
  args: grammar.tokens.transform((t) => ({
    words: t.positionals.join(' '),
    ...(t.flags.target ? { target: t.flags.target } : {}),
  })),
  async run({ args, surface, services }) {
    const { target, hits } = await services.sync.search(args.words, args.target);
    const aliasOf = (id: string) => services.config.accounts.find((a) => a.id === id)?.alias ?? id;
    await surface.reply(renderSearch(args.words, target, hits, aliasOf));
  },
});
