import type { AnyCommand } from '../src/core/types.js';

/**
 * Every command by name, in the order help lists them, each loaded on demand: the one-shot CLI loads
 * only the command it runs (a sync neither parses the chart renderer nor the export pipeline; about
 * 10 MB less at start). commands/index.ts loads them all from this list.
 */
const LOADERS = new Map<string, () => Promise<AnyCommand>>(
  Object.entries({
    help: async () => (await import('./help.js')).help,
    accounts: async () => (await import('./accounts.js')).accounts,
    sync: async () => (await import('./sync.js')).sync,
    search: async () => (await import('./search.js')).search,
    audit: async () => (await import('./audit.js')).audit,
    config: async () => (await import('./config.js')).config,
    report: async () => (await import('./report.js')).report,
    digest: async () => (await import('./digest.js')).digest,
    clip: async () => (await import('./clip.js')).clip,
    clips: async () => (await import('./clips.js')).clips,
    export: async () => (await import('./export.js')).exportCommand,
    share: async () => (await import('./share.js')).share,
    shares: async () => (await import('./shares.js')).shares,
    unshare: async () => (await import('./unshare.js')).unshare,
  }),
);

export const COMMAND_NAMES: readonly string[] = [...LOADERS.keys()];

/**
 * What a command line needs: just its command when the first word names one, else every command
 * (help lists them all; an unknown word gets suggestions from all of them).
 */
export async function commandsFor(firstWord: string | undefined): Promise<AnyCommand[]> {
  const name = firstWord?.toLowerCase();
  // A Map, not an object: `constructor` or `__proto__` typed as a subcommand must not find Object's own.
  const load = name !== undefined && name !== 'help' ? LOADERS.get(name) : undefined;
  return load ? [await load()] : loadAllCommands();
}

export function loadAllCommands(): Promise<AnyCommand[]> {
  return Promise.all([...LOADERS.values()].map((load) => load()));
}
