import { Registry } from '../src/core/registry.js';
import type { AnyCommand } from '../src/core/types.js';
import { accounts } from './accounts.js';
import { audit } from './audit.js';
import { config } from './config.js';
import { help } from './help.js';

/** Every /brightcove subcommand, in the order help lists them. */
export const allCommands: AnyCommand[] = [help, accounts, audit, config];

export function createRegistry(commands: AnyCommand[] = allCommands): Registry {
  return new Registry(commands);
}
