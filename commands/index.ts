import { Registry } from '../src/core/registry.js';
import type { AnyCommand } from '../src/core/types.js';
import { accounts } from './accounts.js';
import { audit } from './audit.js';
import { clip } from './clip.js';
import { clips } from './clips.js';
import { config } from './config.js';
import { digest } from './digest.js';
import { exportCommand } from './export.js';
import { help } from './help.js';
import { report } from './report.js';
import { share } from './share.js';
import { shares } from './shares.js';
import { sync } from './sync.js';
import { unshare } from './unshare.js';

/** Every /brightcove subcommand, in the order help lists them. */
export const allCommands: AnyCommand[] = [
  help,
  accounts,
  sync,
  audit,
  config,
  report,
  digest,
  clip,
  clips,
  exportCommand,
  share,
  shares,
  unshare,
];

export function createRegistry(commands: AnyCommand[] = allCommands): Registry {
  return new Registry(commands);
}
