/**
 * The sync targets: the types there are, and the ones configured. Adding a target type is one folder
 * `src/sync/targets/<type>/` (its config schema, its `SyncTarget`) and one line in `TARGET_TYPES`.
 *
 * ```yaml
 * sync:
 *   targets:
 *     clarify: { type: clarify }
 *     warehouse: { type: postgres, url: "postgres://sync@db:5432/video" }
 * accounts:
 *   - { alias: neo, id: "1234567890001", target: warehouse }   # default: the only target configured
 * ```
 */
import { z } from 'zod';
import type { AccountConfig } from '../../config/schema.js';
import { UserError } from '../../core/errors.js';
import type { SyncTarget } from '../target.js';
import { type ClarifyTargetConfig, clarifyTargetSchema } from './clarify/config.js';
import { clarifyTargetType } from './clarify/index.js';
import { type PostgresTargetConfig, postgresTargetSchema } from './postgres/config.js';
import { postgresTargetType } from './postgres/index.js';
import type { TargetContext, TargetType } from './types.js';

type TargetConfig = ClarifyTargetConfig | PostgresTargetConfig;

const TARGET_TYPES = [clarifyTargetType, postgresTargetType] as const;

const typeNames = TARGET_TYPES.map((t) => t.type).join(', ');

/** `sync.targets`: name → one of the target types, chosen by `type:`. */
export const targetsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a target name is lower-case letters, digits, - and _'),
  z.discriminatedUnion('type', [clarifyTargetSchema, postgresTargetSchema], {
    message: `every target needs a type: one of ${typeNames}`,
  }),
);

/** Without `sync.targets`, the original tool's one target: Clarify, with the app's Clarify settings. */
const IMPLICIT: Record<string, TargetConfig> = { clarify: { type: 'clarify' } };

export function configuredTargets(
  targets: Record<string, TargetConfig> | undefined,
): Record<string, TargetConfig> {
  return targets && Object.keys(targets).length > 0 ? targets : IMPLICIT;
}

/** The configured targets, each built once when a sync first uses it. */
export class SyncTargets {
  readonly #built = new Map<string, Promise<SyncTarget>>();

  constructor(
    private readonly targets: Record<string, TargetConfig>,
    private readonly ctx: TargetContext,
  ) {}

  names(): string[] {
    return Object.keys(this.targets);
  }

  /** The targets with a full-text index (`search`). */
  searchable(): string[] {
    return this.names().filter((n) => typeOf(this.targets[n]!)?.searchable === true);
  }

  /** Which target a sync of `account` uses: the one asked for, the account's, or the only one. */
  nameFor(account: AccountConfig, asked?: string): string {
    const names = this.names();
    const name = asked ?? account.target ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined) {
      throw new UserError(
        `Several sync targets are configured (${names.join(', ')}) and account ${account.alias} names none: add \`target: <name>\` to it in brightcove-ops.yml, or pass --target.`,
        true,
      );
    }
    if (!Object.hasOwn(this.targets, name)) {
      throw new UserError(
        `Unknown sync target "${name}": the configured targets are ${names.join(', ')}.`,
        true,
      );
    }
    return name;
  }

  get(name: string): Promise<SyncTarget> {
    const cfg = Object.hasOwn(this.targets, name) ? this.targets[name] : undefined;
    if (!cfg) {
      return Promise.reject(
        new UserError(`Sync target "${name}" is no longer configured (targets: ${this.names().join(', ')}).`),
      );
    }
    let built = this.#built.get(name);
    if (!built) {
      built = buildTarget(name, cfg, this.ctx);
      built.catch(() => this.#built.delete(name));
      this.#built.set(name, built);
    }
    return built;
  }

  /** Closes every target that was built (connection pools). */
  async close(): Promise<void> {
    const built = await Promise.allSettled(this.#built.values());
    this.#built.clear();
    await Promise.all(built.map((b) => (b.status === 'fulfilled' ? b.value.close?.() : undefined)));
  }
}

function typeOf(cfg: TargetConfig): TargetType<TargetConfig> | undefined {
  // The union's members pair a config with its type; TypeScript can't see through the lookup.
  return TARGET_TYPES.find((t) => t.type === cfg.type) as TargetType<TargetConfig> | undefined;
}

function buildTarget(name: string, cfg: TargetConfig, ctx: TargetContext): Promise<SyncTarget> {
  const type = typeOf(cfg);
  if (!type)
    return Promise.reject(
      new UserError(`Sync target ${name} has an unknown type "${cfg.type}" (${typeNames}).`),
    );
  return type.create(name, cfg, ctx);
}
