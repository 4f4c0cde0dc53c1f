import type { AccountConfig, AppConfig } from '../config/schema.js';
import { UserError } from './errors.js';

/** Resolves `<account|group|all>` as users type it: an alias, a numeric id, a group name or "all". */
export function resolveScope(
  config: AppConfig,
  name: string | undefined,
): { label: string; accounts: AccountConfig[] } {
  if (config.accounts.length === 0) {
    throw new UserError(
      'No Brightcove accounts are configured. Set BRIGHTCOVE_ACCOUNT_ID (and credentials), or list accounts in brightcove-ops.yml.',
    );
  }
  if (!name) {
    if (config.accounts.length === 1)
      return { label: config.accounts[0]!.alias, accounts: [config.accounts[0]!] };
    throw new UserError(
      `Several accounts are configured: name one (${aliasList(config)}), a group, or \`all\`.`,
    );
  }
  const key = name.toLowerCase();
  if (key === 'all') return { label: 'all', accounts: [...config.accounts] };
  const account = findAccount(config, key);
  if (account) return { label: account.alias, accounts: [account] };
  // Own properties only: `constructor` or `__proto__` typed as a name must not reach Object.prototype.
  const group = Object.hasOwn(config.groups, key) ? config.groups[key] : undefined;
  if (group) {
    return {
      label: key,
      accounts: group.map((alias) => config.accounts.find((a) => a.alias === alias)!).filter(Boolean),
    };
  }
  const groups = Object.keys(config.groups);
  throw new UserError(
    `Unknown account or group \`${name}\`. Accounts: ${aliasList(config)}${groups.length ? `; groups: ${groups.join(', ')}` : ''}.`,
  );
}

export function findAccount(config: AppConfig, name: string): AccountConfig | undefined {
  return config.accounts.find((a) => a.alias === name.toLowerCase() || a.id === name);
}

/** One account by alias or id (for commands that act on exactly one). */
export function resolveAccount(config: AppConfig, name: string | undefined): AccountConfig {
  const scope = resolveScope(config, name);
  if (scope.accounts.length !== 1)
    throw new UserError(`\`${name}\` names several accounts; name one: ${aliasList(config)}.`);
  return scope.accounts[0]!;
}

function aliasList(config: AppConfig): string {
  return config.accounts.map((a) => a.alias).join(', ');
}
