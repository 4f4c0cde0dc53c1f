import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { type SlackSim, startSlackSim } from '../../src/sim/slack/index.js';
import { createRoles } from '../../src/slack/roles.js';

describe('roles', () => {
  let slack: SlackSim;
  const clock = new ManualClock();
  beforeAll(async () => {
    slack = await startSlackSim({ userGroups: { S0APPROVE: ['U0INGROUP'] } });
  });
  afterAll(async () => {
    await slack.close();
  });

  function roles(approvers: string[], operators: string[] = []) {
    const config = loadConfig({ cwd: '/nonexistent', env: {} });
    config.roles = { approvers, operators, fourEyes: false, approvals: 1, notify: 'thread' };
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    return createRoles(config, client, clock, silentLogger);
  }

  it('user ids and user-group members are approvers; others are not', async () => {
    const r = roles(['U0DIRECT', 'S0APPROVE']);
    expect(await r.isApprover({ userId: 'U0DIRECT', source: 'slack' })).toBe(true);
    expect(await r.isApprover({ userId: 'U0INGROUP', source: 'slack' })).toBe(true);
    expect(await r.isApprover({ userId: 'U0STRANGER', source: 'slack' })).toBe(false);
  });

  it('mentions a role as Slack markup and lists its people with groups expanded (for DMs)', async () => {
    const r = roles(['U0DIRECT', 'S0APPROVE']);
    expect(r.mention('approver')).toBe('<@U0DIRECT> <!subteam^S0APPROVE>');
    expect(await r.people('approver')).toEqual(['U0DIRECT', 'U0INGROUP']);
    expect(roles([]).mention('approver')).toBe('');
  });

  it('group members are cached for a few minutes', async () => {
    const r = roles(['S0APPROVE']);
    const before = slack.callsTo('usergroups.users.list').length;
    await r.isApprover({ userId: 'U0INGROUP', source: 'slack' });
    await r.isApprover({ userId: 'U0INGROUP', source: 'slack' });
    expect(slack.callsTo('usergroups.users.list').length - before).toBe(1);
    await clock.advance(6 * 60_000);
    await r.isApprover({ userId: 'U0INGROUP', source: 'slack' });
    expect(slack.callsTo('usergroups.users.list').length - before).toBe(2);
  });

  it('fails closed with nobody configured, and says how to configure', async () => {
    const r = roles([]);
    expect(await r.isApprover({ userId: 'U0DIRECT', source: 'slack' })).toBe(false);
    expect(r.describe('approver')).toContain('roles.approvers');
  });

  it('approvers are also operators', async () => {
    const r = roles(['U0DIRECT']);
    expect(await r.isOperator({ userId: 'U0DIRECT', source: 'slack' })).toBe(true);
  });
});
