import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { RefusalError } from '../core/errors.js';
import { FileStore } from '../store/store.js';
import { type TransferReport, transferState } from '../store/transfer.js';

const USAGE = [
  'Usage:',
  '  brightcove-ops state migrate [--from <state file>]   copy the state file into the database',
  '  brightcove-ops state export --to <new file>          copy the database into a state file (a backup)',
  'The database is BRIGHTCOVE_OPS_DATABASE_URL (or state.url in brightcove-ops.yml); the state file',
  'is BRIGHTCOVE_OPS_STATE (default data/state.json).',
].join('\n');

/** The overview's line for these tools (they have no Slack side, so no command of their own). */
export const STATE_HELP_LINE =
  'Terminal only:\n  brightcove-ops state migrate | state export  —  Copy the state between the state file and PostgreSQL (brightcove-ops state --help).';

interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** `--name value` or `--name=value`; undefined when absent. */
function flag(words: string[], name: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === `--${name}`) return words[i + 1];
    if (w.startsWith(`--${name}=`)) return w.slice(name.length + 3);
  }
  return undefined;
}

/**
 * `brightcove-ops state …`: the operator's tools for moving between the two state stores. Terminal
 * only (it reads and writes files on the host), idempotent, and verified: the target is read back and
 * compared with the source before it says it is done. Exit 0 done, 1 refused or not verified, 2 usage.
 */
export async function runStateCommand(
  words: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  output: Output,
): Promise<number> {
  const [, verb, ...rest] = words;
  if (verb === 'help' || rest.includes('help')) {
    output.out(USAGE);
    return 0;
  }
  const known = new Set(['--from', '--to']);
  const stray = rest.filter((w) => w.startsWith('--') && !known.has(w.split('=')[0] as string));
  if ((verb !== 'migrate' && verb !== 'export') || stray.length > 0) {
    output.err(
      `${verb === undefined ? 'state needs migrate or export' : stray.length > 0 ? `unknown option ${stray[0]}` : `unknown state command "${verb}"`}.\n${USAGE}`,
    );
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env, cwd });
  } catch (err) {
    if (err instanceof ConfigError) {
      output.err(`Invalid configuration: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const database = config.stateDatabase;
  if (!database) {
    output.err(
      `state ${verb} needs the database: set BRIGHTCOVE_OPS_DATABASE_URL (or state.url in brightcove-ops.yml).\n${USAGE}`,
    );
    return 2;
  }
  const { PgStore } = await import('../store/postgres.js');
  const openDatabase = () => PgStore.open(database);
  try {
    if (verb === 'migrate') {
      const from = resolve(cwd, flag(rest, 'from') ?? config.statePath);
      if (!existsSync(from)) {
        output.err(`There is no state file at ${from}: nothing to migrate.`);
        return 1;
      }
      const report = await transferState(await FileStore.open(from), await openDatabase(), openDatabase);
      return print(output, `Migrated ${from} to the state database.`, report);
    }
    const to = flag(rest, 'to');
    if (!to) {
      output.err(`state export needs --to <new file>.\n${USAGE}`);
      return 2;
    }
    const target = resolve(cwd, to);
    if (existsSync(target)) {
      output.err(`${target} already exists: export to a new file (nothing was written).`);
      return 1;
    }
    const report = await transferState(await openDatabase(), await FileStore.open(target), () =>
      FileStore.open(target),
    );
    return print(output, `Exported the state database to ${target}.`, report);
  } catch (err) {
    if (err instanceof RefusalError) {
      output.err(err.message);
      return 1;
    }
    throw err;
  }
}

function print(output: Output, done: string, report: TransferReport): number {
  const width = Math.max(...report.counts.map((c) => c.what.length));
  output.out(done);
  for (const c of report.counts) output.out(`  ${c.what.padEnd(width)}  ${c.source} → ${c.target}`);
  if (report.verified) {
    output.out('Verified: every record and journal entry is in the target, unchanged.');
    return 0;
  }
  for (const p of report.problems) output.err(`not verified: ${p}`);
  output.err('Run the same command again (it is idempotent); if it still differs, keep the source as it is.');
  return 1;
}
