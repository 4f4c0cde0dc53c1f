import { z } from 'zod';
import { helpFor } from '../src/core/dispatch.js';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';

const grammar = defineGrammar({
  usage: ['help [<subcommand>]'],
  positionals: z.array(z.string()).max(1, 'help takes at most one subcommand name'),
});

export const help = defineCommand({
  name: 'help',
  topic: 'Admin',
  summary: 'List the subcommands, or explain one with examples.',
  grammar,
  examples: ['help', 'help clip'],
  mutates: false,
  args: grammar.tokens.transform((t) => ({ topic: t.positionals[0] })),
  async run({ args, surface, services }) {
    await surface.reply(helpFor(services.registry, args.topic, surface.prefix));
  },
});
