import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import type { LogLevel } from '../log.js';
import { type CliOutput, CliSurface, stdio } from './surface.js';

/** Shell words back into one command line, quoting words that hold spaces. */
export function joinArgv(argv: string[]): string {
  return argv.map((a) => (/\s/.test(a) || a === '' ? `"${a.replace(/"/g, '')}"` : a)).join(' ');
}

/** The package's version, for `--version`: src/cli/ in the sources, dist/src/cli/ when built. */
function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (pkg.name === 'brightcove-ops') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  output?: CliOutput;
  clock?: Clock;
}

/** The terminal's own options, taken out before the command line reaches the grammar. */
interface GlobalOptions {
  json: boolean;
  yes: boolean;
  version: boolean;
  out?: string;
  words: string[];
}

function globalOptions(argv: string[]): GlobalOptions {
  const opts: GlobalOptions = { json: false, yes: false, version: false, words: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') opts.json = true;
    else if (a === '--yes' || a === '-y') opts.yes = true;
    else if (a === '--version' || a === '-V') opts.version = true;
    else if (a.startsWith('--out=')) opts.out = a.slice('--out='.length);
    else if (a === '--out' && argv[i + 1] !== undefined) opts.out = argv[++i];
    else opts.words.push(a === '--help' || a === '-h' ? 'help' : a);
  }
  // `brightcove-ops sync --help` means `help sync`.
  const w = opts.words;
  if (w.length > 1 && w[w.length - 1] === 'help' && w[0] !== 'help') w.unshift(w.pop() as string);
  return opts;
}

/**
 * A log line as a terminal shows it: "warning: msg (key=value …)". The JSON log is for the app's log
 * collector; a person at a terminal gets one readable line, and a stack only with LOG_LEVEL=debug.
 */
function terminalLogLine(line: string, withStacks: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time: _t, level, msg, err, ...fields } = record;
  const label = level === 'warn' ? 'warning' : String(level);
  const parts = Object.entries(fields).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  const e = err as { message?: string; stack?: string } | undefined;
  if (e?.message) parts.push(`error: ${e.message}`);
  const tail = parts.length ? ` (${parts.join(', ')})` : '';
  return `${label}: ${msg}${tail}${withStacks && e?.stack ? `\n${e.stack}` : ''}`;
}

/**
 * Runs `brightcove-ops <subcommand> …`; returns the exit code: 0 ok, 1 failed or refused, 2 bad input
 * (usage) or bad configuration.
 */
export async function runCli(argv: string[], opts: CliOptions = {}): Promise<number> {
  const output = opts.output ?? stdio;
  const env = opts.env ?? process.env;
  const global = globalOptions(argv);
  if (global.version) {
    output.out(`brightcove-ops ${packageVersion()}`);
    return 0;
  }
  // The operator's store tools: no services, no Slack, no commands.
  const [first, second] = global.words;
  if (first === 'state' || (first === 'help' && second === 'state')) {
    const { runStateCommand } = await import('./state.js');
    const words = first === 'help' ? ['state', 'help'] : global.words;
    return runStateCommand(words, env, opts.cwd ?? process.cwd(), output);
  }
  // Loaded only past --version: the config schema, the services and every command take ~1 s to load.
  const [{ ConfigError, loadConfig }, { runCommandText }, { createLogger }, { createServices }, commands] =
    await Promise.all([
      import('../config/load.js'),
      import('../core/dispatch.js'),
      import('../log.js'),
      import('../services.js'),
      import('../../commands/lazy.js').then((m) => m.commandsFor(global.words[0])),
    ]);
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
  const level = (env.LOG_LEVEL as LogLevel | undefined) ?? 'warn';
  const logger = createLogger({ level, write: (l) => output.err(terminalLogLine(l, level === 'debug')) });
  const services = await createServices({
    config,
    logger,
    commands,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const outDir = global.out ?? env.BRIGHTCOVE_OPS_OUT ?? opts.cwd ?? process.cwd();
  const surface = new CliSurface(output, global.json, resolve(opts.cwd ?? process.cwd(), outDir));
  const user = env.USER ?? safeUser();
  await runCommandText(services.registry, joinArgv(global.words), {
    actor: { userId: `cli:${user}`, userName: user, source: 'cli' },
    surface,
    services,
    yes: global.yes,
  });
  await surface.finish();
  await services.store.close();
  // The overview lists what Slack and the terminal share; the store tools exist only here.
  if (global.words.length <= 1 && (first ?? 'help') === 'help' && !global.json) {
    const { STATE_HELP_LINE } = await import('./state.js');
    output.out(STATE_HELP_LINE);
  }
  return surface.exitCode;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
