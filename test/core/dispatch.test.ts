import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { runAction, runCommandText } from '../../src/core/dispatch.js';
import { UserError, WorkTakenOverError } from '../../src/core/errors.js';
import { defineGrammar } from '../../src/core/grammar.js';
import { Registry } from '../../src/core/registry.js';
import { defineCommand, type PostedMessage, type Reply, type Surface } from '../../src/core/types.js';
import { createLogger } from '../../src/log.js';
import { createServices } from '../../src/services.js';
import { FileStore } from '../../src/store/store.js';

class RecordingSurface implements Surface {
  readonly buttons = true;
  readonly background = true;
  readonly prefix = '/brightcove';
  readonly attachments = { maxBytes: 10 * 1024 * 1024, maxCount: 20, place: 'in the thread' };
  readonly channelId: string | undefined;
  replies: Reply[] = [];
  /** a terminal has no channel */
  constructor(where: 'slack' | 'cli' = 'slack') {
    this.channelId = where === 'slack' ? 'C1' : undefined;
  }
  async reply(r: Reply) {
    this.replies.push(r);
  }
  async post(r: Reply): Promise<PostedMessage> {
    this.replies.push(r);
    return this.message();
  }
  message(): PostedMessage {
    return {
      update: () => {},
      flush: async () => {},
      reply: async () => this.message(),
      upload: async () => {},
    };
  }
  async upload() {}
  async openModal() {}
}

const bare = (name: string) => defineGrammar({ usage: [name] });

const boom = defineCommand({
  name: 'boom',
  topic: 'Admin',
  summary: 'fails on purpose for the test',
  grammar: bare('boom'),
  examples: ['boom'],
  mutates: false,
  args: bare('boom').tokens,
  async run() {
    throw new Error('secret internal detail at line 42');
  },
});
const oops = defineCommand({
  name: 'oops',
  topic: 'Admin',
  summary: 'a user mistake for the test',
  grammar: bare('oops'),
  examples: ['oops'],
  mutates: false,
  args: bare('oops').tokens,
  async run() {
    throw new UserError('Video 123 does not exist in neo.');
  },
});
const overtaken = defineCommand({
  name: 'overtaken',
  topic: 'Admin',
  summary: 'work another replica took over, for the test',
  grammar: bare('overtaken'),
  examples: ['overtaken'],
  mutates: false,
  args: bare('overtaken').tokens,
  async run() {
    throw new WorkTakenOverError('This Apply');
  },
});
const remove = defineCommand({
  name: 'remove',
  topic: 'Admin',
  summary: 'a mutating command that audits what it does, for the test',
  grammar: bare('remove'),
  examples: ['remove'],
  mutates: true,
  args: bare('remove').tokens,
  async run({ services, actor }) {
    services.repos.audit.append({
      actor: actor.userId,
      command: 'remove',
      action: 'remove x1',
      outcome: 'ok',
    });
  },
});
const change = defineCommand({
  name: 'change',
  topic: 'Admin',
  summary: 'a mutating command for the test',
  grammar: bare('change'),
  examples: ['change'],
  mutates: true,
  args: bare('change').tokens,
  async run({ surface }) {
    await surface.reply({ text: 'changed' });
  },
  actions: {
    go: async ({ surface }) => {
      await surface.reply({ text: 'went' });
    },
  },
});

async function setup(yaml: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const config = loadConfig({ cwd: '/nonexistent', env: {} });
  Object.assign(config, yaml);
  const services = await createServices({
    config,
    clock: new ManualClock(),
    logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    store: await FileStore.open(null),
  });
  const registry = new Registry([boom, oops, change, overtaken, remove]);
  return { services, registry, logs };
}

describe('dispatch', () => {
  it('an unexpected failure shows an error id (also in the logs), never the stack or message', async () => {
    const { services, registry, logs } = await setup();
    const surface = new RecordingSurface();
    await runCommandText(registry, 'boom', { actor: { userId: 'U1', source: 'slack' }, surface, services });
    const text = surface.replies[0]?.text ?? '';
    const id = /error id (E-[0-9a-f]{8})/.exec(text)?.[1];
    expect(id).toBeDefined();
    expect(text).not.toContain('secret internal detail');
    expect(text).not.toContain('at ');
    expect(logs.some((l) => l.includes(id as string) && l.includes('secret internal detail'))).toBe(true);
    expect(services.repos.audit.latest(1)[0]).toMatchObject({ outcome: 'failed', errorId: id });
  });

  it('work another replica took over is no failure here: nothing is shown or audited (that replica reports it)', async () => {
    const { services, registry, logs } = await setup();
    const surface = new RecordingSurface();
    const before = services.repos.audit.latest(10).length;
    await runCommandText(registry, 'overtaken', {
      actor: { userId: 'U1', source: 'slack' },
      surface,
      services,
    });
    expect(surface.replies).toEqual([]);
    expect(services.repos.audit.latest(10)).toHaveLength(before);
    expect(logs.some((l) => l.includes('taken over by another replica'))).toBe(true);
  });

  it('an App Home button acts on a request that lives in a channel, never on one made in the terminal', async () => {
    const { services, registry } = await setup();
    const record = (id: string, where: { channel?: string; ts?: string }) =>
      services.repos.pending.insert({
        id,
        kind: 'test',
        state: 'awaiting',
        requestedBy: 'U1',
        createdAt: '2026-12-01T00:00:00Z',
        decisions: [],
        data: {},
        ...where,
      });
    record('in-channel', { channel: 'C1', ts: '1.2' });
    record('from-cli', {});
    const click = async (value: string) => {
      const surface = new RecordingSurface();
      await runAction(registry, 'change.go', {
        value,
        actor: { userId: 'U1', source: 'slack' },
        surface,
        services,
        clicked: { ephemeral: false, home: true },
        replaceOriginal: async () => {},
      });
      return surface.replies[0]?.text;
    };
    expect(await click('in-channel')).toBe('went');
    expect(await click('from-cli')).toContain('does not belong to this message');
  });

  it('a user error is shown as it is, with the usage under it', async () => {
    const { services, registry } = await setup();
    const surface = new RecordingSurface();
    await runCommandText(registry, 'oops', { actor: { userId: 'U1', source: 'slack' }, surface, services });
    expect(surface.replies[0]?.text).toMatch(/^Video 123 does not exist in neo\.\nUsage:\n/);
    expect(surface.replies[0]?.text).toContain('help oops');
  });

  it('mutating commands fail closed when no operators are configured, and say how to configure them', async () => {
    const { services, registry } = await setup();
    const surface = new RecordingSurface();
    await runCommandText(registry, 'change', { actor: { userId: 'U1', source: 'slack' }, surface, services });
    expect(surface.replies[0]?.text).toContain('Only operators can run `change`');
    expect(surface.replies[0]?.text).toContain('roles.operators');
    expect(services.repos.audit.latest(1)[0]).toMatchObject({ outcome: 'refused', command: 'change' });
  });

  it('the channel allow-list refuses other channels', async () => {
    const { services, registry } = await setup({ channels: ['C9'] });
    const surface = new RecordingSurface();
    await runCommandText(registry, 'oops', { actor: { userId: 'U1', source: 'slack' }, surface, services });
    expect(surface.replies[0]?.text).toContain('not enabled in this channel');
  });

  it('the CLI user may run mutating commands', async () => {
    const { services, registry } = await setup();
    const surface = new RecordingSurface('cli');
    await runCommandText(registry, 'change', {
      actor: { userId: 'cli:me', source: 'cli' },
      surface,
      services,
    });
    expect(surface.replies[0]?.text).toBe('changed');
    expect(services.repos.audit.latest(1)[0]).toMatchObject({
      actor: 'cli:me',
      command: 'change',
      action: 'run',
      outcome: 'ok',
    });
  });

  it('a command that audits what it did gets no second, generic entry', async () => {
    const { services, registry } = await setup();
    const surface = new RecordingSurface('cli');
    await runCommandText(registry, 'remove', {
      actor: { userId: 'cli:me', source: 'cli' },
      surface,
      services,
    });
    const mine = services.repos.audit.latest(10).filter((e) => e.command === 'remove');
    expect(mine.map((e) => e.action)).toEqual(['remove x1']);
  });
});
