import { z } from 'zod';
import { describeConfig } from '../src/config/load.js';
import { section } from '../src/core/blocks.js';
import { UserError } from '../src/core/errors.js';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';
import { parseExportsConfig } from '../src/exports/service.js';
import { checkTargetNames, parseSyncConfig } from '../src/sync/config.js';

const grammar = defineGrammar({
  usage: ['config check'],
  positionals: z.tuple([z.literal('check', 'the only form is `config check`')], {
    message: 'the only form is `config check`',
  }),
});

export const config = defineCommand({
  name: 'config',
  topic: 'Admin',
  summary: 'Check the configuration: prints the resolved settings with every secret masked.',
  grammar,
  examples: ['config check'],
  mutates: false,
  args: grammar.tokens,
  async run({ surface, services, actor }) {
    // Endpoints, role ids and account ids are a map of the deployment: not for every channel member.
    if (!(await services.roles.isOperator(actor)))
      throw new UserError(`Only operators can see the configuration. ${services.roles.describe('operator')}`);
    // The feature sections are validated by their owners; the app does it at start, this does it now.
    try {
      checkTargetNames(parseSyncConfig(services.config.sync), services.config.accounts);
      parseExportsConfig(services.config.exports, services.config);
    } catch (err) {
      throw new UserError(`Invalid configuration: ${(err as Error).message}`);
    }
    const described = describeConfig(services.config);
    const json = JSON.stringify(described, null, 2);
    await surface.reply({
      text: json,
      blocks: [section(`Configuration is valid.\n\`\`\`${json.slice(0, 2800)}\`\`\``)],
      data: described,
    });
  },
});
