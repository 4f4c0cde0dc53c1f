import { userInfo } from 'node:os';
import { createServices } from '../app.js';
import type { Clock } from '../clock.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { runCommandText } from '../core/dispatch.js';
import { createLogger } from '../log.js';
import { type CliOutput, CliSurface, stdio } from './surface.js';

/** Shell words back into one command line, quoting words that hold spaces. */
export function joinArgv(argv: string[]): string {
  return argv.map((a) => (/\s/.test(a) || a === '' ? `"${a.replace(/"/g, '')}"` : a)).join(' ');
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  output?: CliOutput;
  clock?: Clock;
}

/** Runs `brightcove-ops <subcommand> …`; returns the exit code (0 ok, 1 failed or refused, 2 bad config). */
export async function runCli(argv: string[], opts: CliOptions = {}): Promise<number> {
  const output = opts.output ?? stdio;
  const env = opts.env ?? process.env;
  const json = argv.includes('--json');
  const words = argv.filter((a) => a !== '--json').map((a) => (a === '--help' || a === '-h' ? 'help' : a));
  // `brightcove-ops sync --help` means `help sync`.
  if (words.length > 1 && words[words.length - 1] === 'help' && words[0] !== 'help')
    words.unshift(words.pop() as string);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) {
      output.err(`Invalid configuration: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({
    level: (env.LOG_LEVEL as 'info' | undefined) ?? 'warn',
    write: (l) => output.err(l),
  });
  const services = await createServices({ config, logger, ...(opts.clock ? { clock: opts.clock } : {}) });
  const surface = new CliSurface(output, json, env.BRIGHTCOVE_OPS_OUT ?? opts.cwd ?? process.cwd());
  const user = env.USER ?? safeUser();
  await runCommandText(services.registry, joinArgv(words), {
    actor: { userId: `cli:${user}`, userName: user, source: 'cli' },
    surface,
    services,
    prefix: 'brightcove-ops',
  });
  surface.finish();
  await services.store.flush();
  return surface.failed ? 1 : 0;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
