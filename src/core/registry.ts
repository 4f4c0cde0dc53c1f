import type { FlagArity } from './tokenize.js';
import type { AnyCommand, FlagSpec } from './types.js';

export const SLASH = '/brightcove';

/** Every flag any command accepts by default. */
const GLOBAL_FLAGS: FlagSpec[] = [{ name: 'json', description: 'CLI only: print machine-readable JSON' }];

export class Registry {
  readonly #byName = new Map<string, AnyCommand>();

  constructor(readonly commands: readonly AnyCommand[]) {
    for (const c of commands) {
      if (this.#byName.has(c.name)) throw new Error(`two commands named ${c.name}`);
      this.#byName.set(c.name, c);
    }
  }

  find(name: string): AnyCommand | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  /** The command a button's action_id or a modal's callback_id (`<command>.<verb>`) belongs to. */
  resolveId(id: string): { command: AnyCommand; verb: string } | undefined {
    const dot = id.indexOf('.');
    if (dot < 0) return undefined;
    const command = this.find(id.slice(0, dot));
    return command ? { command, verb: id.slice(dot + 1) } : undefined;
  }

  arity(command: Pick<AnyCommand, 'grammar'>): FlagArity {
    const all = [...command.grammar.flags, ...GLOBAL_FLAGS];
    const aliases = new Map<string, string>();
    for (const f of all) {
      aliases.set(f.name.replace(/-/g, '_'), f.name);
      for (const a of f.aliases ?? []) aliases.set(a, f.name);
    }
    return { valued: new Set(all.filter((f) => f.value).map((f) => f.name)), aliases };
  }

  knownFlags(command: AnyCommand): Set<string> {
    return new Set([...command.grammar.flags, ...GLOBAL_FLAGS].map((f) => f.name));
  }

  /** Closest command names, for "did you mean …?". */
  suggest(name: string): string[] {
    const scored = this.commands
      .map((c) => ({ name: c.name, d: distance(name.toLowerCase(), c.name) }))
      .filter(
        (s) => s.d <= Math.max(2, Math.floor(s.name.length / 3)) || s.name.startsWith(name.toLowerCase()),
      )
      .sort((a, b) => a.d - b.d);
    return scored.slice(0, 3).map((s) => s.name);
  }
}

/** Levenshtein distance: small inputs, so the simple table is fine. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = i - 1;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}
