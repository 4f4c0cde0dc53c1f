import { z } from 'zod';
import { helpFor } from '../src/core/dispatch.js';
import { defineCommand } from '../src/core/types.js';

export const help = defineCommand({
  name: 'help',
  summary: 'List the subcommands, or explain one with examples.',
  usage: ['help [subcommand]'],
  examples: ['help', 'help clip'],
  mutates: false,
  args: z
    .object({
      positionals: z.array(z.string()).max(1, 'help takes at most one subcommand name'),
      flags: z.object({}),
    })
    .transform((t) => ({ topic: t.positionals[0] })),
  async run({ args, surface, services }) {
    await surface.reply(helpFor(services.registry, args.topic, surface.prefix));
  },
});
