import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { allCommands } from '../../commands/index.js';

/**
 * Issue 15 (grammar): a command's flags are written in its FlagSpec list, its usage lines and its zod
 * schema. Until they derive from one declaration, this test holds them together: a flag in one place
 * and not in the others fails here.
 */
function zodFlagNames(schema: ZodType): string[] | undefined {
  // object({ positionals, flags: object({...}) }).transform(...): a pipe whose input is the object
  const input = (schema as unknown as { in?: { shape?: Record<string, unknown> } }).in ?? schema;
  const flags = (input as { shape?: Record<string, { shape?: Record<string, unknown> }> }).shape?.flags;
  return flags?.shape ? Object.keys(flags.shape) : undefined;
}

describe('grammar: flags agree across usage, flag list and schema', () => {
  it.each(allCommands.map((c) => [c.name, c] as const))('%s', (_name, command) => {
    const specs = new Set((command.flags ?? []).map((f) => f.name));
    const inUsage = new Set(
      command.usage.flatMap((u) => [...u.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!)),
    );
    for (const flag of inUsage) expect(specs, `--${flag} is in the usage but not in flags`).toContain(flag);
    const zod = zodFlagNames(command.args as ZodType);
    if (zod) {
      for (const flag of zod) expect(specs, `--${flag} is parsed but not declared in flags`).toContain(flag);
      for (const flag of specs) expect(zod, `--${flag} is declared but never parsed`).toContain(flag);
    }
  });
});
