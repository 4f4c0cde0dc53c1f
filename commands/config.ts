import { z } from 'zod';
import { describeConfig } from '../src/config/load.js';
import { defineCommand } from '../src/core/types.js';
import { section } from '../src/slack/blocks.js';

export const config = defineCommand({
  name: 'config',
  summary: 'Check the configuration: prints the resolved settings with every secret masked.',
  usage: ['config check'],
  examples: ['config check'],
  mutates: false,
  args: z.object({
    positionals: z.tuple([z.literal('check', 'the only form is `config check`')], {
      message: 'the only form is `config check`',
    }),
    flags: z.object({}),
  }),
  async run({ surface, services }) {
    const described = describeConfig(services.config);
    const json = JSON.stringify(described, null, 2);
    await surface.reply({
      text: json,
      blocks: [section(`Configuration is valid.\n\`\`\`${json.slice(0, 2800)}\`\`\``)],
      data: described,
    });
  },
});
