import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { allCommands, createRegistry } from '../../commands/index.js';
import { COMMAND_NAMES, commandsFor } from '../../commands/lazy.js';
import { overview, usageHint } from '../../src/core/help.js';
import { distance } from '../../src/core/registry.js';

describe('registry', () => {
  const registry = createRegistry();

  it('the CLI loads each command by the name it has, and knows every command', async () => {
    expect(COMMAND_NAMES).toEqual(allCommands.map((c) => c.name));
    for (const name of COMMAND_NAMES.filter((n) => n !== 'help'))
      expect((await commandsFor(name)).map((c) => c.name)).toEqual([name]);
    expect(await commandsFor('help')).toEqual(allCommands);
    expect(await commandsFor('sycn')).toEqual(allCommands);
    // found by the CLI fuzz test: an object's inherited keys are not commands
    for (const word of ['constructor', '__proto__', 'toString'])
      expect(await commandsFor(word)).toEqual(allCommands);
    expect(await commandsFor(undefined)).toEqual(allCommands);
  });

  it('every command has usage lines, examples and a summary', () => {
    for (const c of allCommands) {
      expect(c.grammar.usage.length, c.name).toBeGreaterThan(0);
      expect(c.examples.length, c.name).toBeGreaterThan(0);
      expect(c.summary.length, c.name).toBeGreaterThan(10);
      // Forms start with the command's name; definition lines (`<clip options>: …`) define a part.
      for (const f of c.grammar.forms)
        expect(f.defines !== undefined || f.text.startsWith(c.name), `${c.name}: ${f.text}`).toBe(true);
    }
  });

  it('suggests close names', () => {
    expect(registry.suggest('acount')).toContain('accounts');
    expect(registry.suggest('hepl')).toContain('help');
    expect(registry.suggest('zzzzzzzz')).toEqual([]);
  });

  it('levenshtein distance', () => {
    expect(distance('kitten', 'sitting')).toBe(3);
    expect(distance('', 'abc')).toBe(3);
  });

  it('manifest.yml usage hint is the one derived from the declarations', () => {
    const manifest = YAML.parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));
    const cmd = manifest.features.slash_commands.find(
      (c: { command: string }) => c.command === '/brightcove',
    );
    expect(cmd.usage_hint).toBe(usageHint(registry));
  });

  it('manifest.yml asks for exactly the scopes the app uses', () => {
    const manifest = YAML.parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'commands',
        'chat:write',
        'chat:write.public',
        'channels:join',
        'files:write',
        'usergroups:read',
      ].sort(),
    );
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    // App Home: the Home tab and the event that publishes it
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});

describe('help overview', () => {
  it('groups the commands by topic (Sync · Live clips · Sharing · Analytics · Admin), each once, with one example', () => {
    const reply = overview(createRegistry(allCommands));
    const text = reply.text ?? '';
    const at = (t: string) => text.indexOf(`\n${t}:\n`);
    const order = ['Sync', 'Live clips', 'Sharing', 'Analytics', 'Admin'].map(at);
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const c of allCommands) {
      const line = `  /brightcove ${c.grammar.usage[0]}  —`;
      expect(text.split(line).length - 1).toBe(1);
      // under its own topic: after the topic's heading, before the next one
      const topicAt = at(c.topic);
      const next = order.filter((i) => i > topicAt).sort((a, b) => a - b)[0] ?? text.length;
      expect(text.indexOf(line)).toBeGreaterThan(topicAt);
      expect(text.indexOf(line)).toBeLessThan(next);
    }
    const sync = text.slice(at('Sync'), at('Live clips'));
    // one example a command at most (sync has five of its own)
    expect(sync.match(/e\.g\./g)?.length ?? 0).toBeLessThanOrEqual(
      allCommands.filter((c) => c.topic === 'Sync').length,
    );
    expect(reply.blocks?.filter((b) => b.type === 'section')).toHaveLength(5);
  });
});
