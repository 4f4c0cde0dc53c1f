import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import type { AppConfig } from '../config/schema.js';
import type { Actor, Roles } from '../core/types.js';
import type { Logger } from '../log.js';

const GROUP_TTL_MS = 5 * 60_000;

/**
 * Operators and approvers are Slack user ids or user-group ids from config. Groups are expanded with
 * usergroups.users.list and cached for a few minutes. With nobody configured, nobody passes (fail closed).
 * The CLI runs with the operator's own API credentials, so it is trusted as both roles.
 */
export function createRoles(
  config: AppConfig,
  /** The Slack client for user-group lookups, once there is one (the app builds it after the services). */
  client: WebClient | (() => WebClient | undefined) | undefined,
  clock: Clock,
  logger: Logger,
): Roles {
  const slackClient = () => (typeof client === 'function' ? client() : client);
  const cache = new Map<string, { users: Set<string>; at: number }>();

  async function members(groupId: string): Promise<Set<string>> {
    const hit = cache.get(groupId);
    const now = clock.now().getTime();
    if (hit && now - hit.at < GROUP_TTL_MS) return hit.users;
    const web = slackClient();
    if (!web) return new Set();
    try {
      const res = await web.usergroups.users.list({ usergroup: groupId });
      const users = new Set((res.users as string[] | undefined) ?? []);
      cache.set(groupId, { users, at: now });
      return users;
    } catch (err) {
      logger.warn('usergroups.users.list failed; treating the group as empty', { groupId, err });
      return hit?.users ?? new Set();
    }
  }

  async function inList(actor: Actor, list: string[]): Promise<boolean> {
    if (actor.source === 'cli') return true;
    if (list.includes(actor.userId)) return true;
    for (const id of list) {
      if (id.startsWith('S') && (await members(id)).has(actor.userId)) return true;
    }
    return false;
  }

  const listOf = (role: 'operator' | 'approver') =>
    role === 'operator' ? config.roles.operators : config.roles.approvers;
  const mention = (id: string) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`);

  return {
    fourEyes: config.roles.fourEyes,
    notify: config.roles.notify,
    mention: (role) => listOf(role).map(mention).join(' '),
    async people(role) {
      const ids = new Set<string>();
      for (const id of listOf(role)) {
        if (!id.startsWith('S')) ids.add(id);
        else for (const user of await members(id)) ids.add(user);
      }
      return [...ids];
    },
    isOperator: (actor) => inList(actor, [...config.roles.operators, ...config.roles.approvers]),
    isApprover: (actor) => inList(actor, config.roles.approvers),
    describe(role) {
      const list = role === 'operator' ? config.roles.operators : config.roles.approvers;
      if (list.length === 0 && (role === 'approver' || config.roles.approvers.length === 0)) {
        return `No ${role}s are configured, so nobody can do this yet: add Slack user ids (U…) or user-group ids (S…) under \`roles.${role}s\` in brightcove-ops.yml.`;
      }
      return `Ask someone in \`roles.${role}s\` (${list.map(mention).join(', ')}).`;
    },
  };
}
