import { Registry } from '../src/core/registry.js';
import type { AnyCommand } from '../src/core/types.js';
import { loadAllCommands } from './lazy.js';

/** Every /brightcove subcommand, in the order help lists them: the order of commands/lazy.ts. */
export const allCommands: AnyCommand[] = await loadAllCommands();

export function createRegistry(commands: AnyCommand[] = allCommands): Registry {
  return new Registry(commands);
}
