import {
  type Block,
  context,
  divider,
  escapeMrkdwn as esc,
  escapeEntities,
  header,
  section,
} from './blocks.js';
import { type Registry, SLASH } from './registry.js';
import { type AnyCommand, type Reply, TOPICS, type Topic } from './types.js';

/** Help, usage errors, the CLI's --help and the manifest's usage hint all come from the declarations. */

/** The forms as typed here (with the prefix), then the definitions of the parts they name (without). */
function usageLines(command: AnyCommand, prefix = SLASH): string[] {
  const { forms } = command.grammar;
  return [
    ...forms.filter((f) => !f.defines).map((f) => `${prefix} ${f.text}`),
    ...forms.filter((f) => f.defines).map((f) => f.text),
  ];
}

/** Each flag as typed (`--days N`) with its description. */
function flagPairs(command: AnyCommand): [string, string][] {
  return command.grammar.flags.map((f) => [`--${f.name}${f.value ? ` ${f.value}` : ''}`, f.description]);
}

/** The commands by topic (TOPICS order), topics without commands left out. */
function byTopic(registry: Registry): [Topic, AnyCommand[]][] {
  return TOPICS.map((t): [Topic, AnyCommand[]] => [t, registry.commands.filter((c) => c.topic === t)]).filter(
    ([, cs]) => cs.length > 0,
  );
}

export function overview(registry: Registry, prefix = SLASH): Reply {
  // Usage is full of `<account>` placeholders: unescaped, Slack turns them into (broken) links.
  const first = (c: AnyCommand) => `${prefix} ${c.grammar.usage[0] ?? c.name}`;
  // one example each, the first that says more than the bare command or its usage line
  const example = (c: AnyCommand) => {
    const e = c.examples.find((x) => x !== c.name && x !== c.grammar.usage[0]);
    return e ? `${prefix} ${e}` : undefined;
  };
  const groups = byTopic(registry);
  const blocks: Block[] = [
    header('Brightcove Ops'),
    ...groups.map(([topic, cs]) =>
      section(
        `*${topic}*\n${cs
          .map((c) => {
            const e = example(c);
            return `\`${escapeEntities(first(c))}\`\n      ${esc(c.summary)}${e ? `  e.g. \`${escapeEntities(e)}\`` : ''}`;
          })
          .join('\n')}`,
      ),
    ),
    context(`Details and more examples: \`${escapeEntities(`${prefix} help <subcommand>`)}\``),
  ];
  const text = [
    'Brightcove Ops commands:',
    ...groups.flatMap(([topic, cs]) => [
      `${topic}:`,
      ...cs.flatMap((c) => {
        const e = example(c);
        return [`  ${first(c)}  —  ${c.summary}`, ...(e ? [`      e.g. ${e}`] : [])];
      }),
    ]),
    `Details and more examples: ${prefix} help <subcommand>`,
  ].join('\n');
  return {
    text,
    blocks,
    data: registry.commands.map((c) => ({
      name: c.name,
      topic: c.topic,
      summary: c.summary,
      usage: c.grammar.usage,
    })),
  };
}

export function commandHelp(command: AnyCommand, prefix = SLASH): Reply {
  const usage = usageLines(command, prefix);
  const flags = flagPairs(command);
  // The terminal lines up the descriptions in one column.
  const width = Math.min(32, Math.max(0, ...flags.map(([f]) => f.length)));
  const examples = command.examples.map((e) => `${prefix} ${e}`);
  const blocks: Block[] = [
    header(`${prefix} ${command.name}`),
    section(esc(command.summary)),
    section(`*Usage*\n\`\`\`${escapeEntities(usage.join('\n'))}\`\`\``),
  ];
  if (flags.length)
    blocks.push(
      section(`*Options*\n${flags.map(([f, what]) => `• \`${escapeEntities(f)}\` ${esc(what)}`).join('\n')}`),
    );
  if (examples.length)
    blocks.push(
      divider(),
      section(`*Examples*\n${examples.map((e) => `\`${escapeEntities(e)}\``).join('\n')}`),
    );
  if (command.mutates === true) blocks.push(context('Changes things in Brightcove: operators only.'));
  const text = [
    `${prefix} ${command.name} — ${command.summary}`,
    'Usage:',
    ...usage.map((u) => `  ${u}`),
    ...(flags.length ? ['Options:', ...flags.map(([f, what]) => `  ${f.padEnd(width)}  ${what}`)] : []),
    ...(examples.length ? ['Examples:', ...examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
  return {
    text,
    blocks,
    data: {
      name: command.name,
      summary: command.summary,
      usage: command.grammar.usage,
      // each form read: literals, positional placeholders and flags with their arity
      forms: command.grammar.forms,
      flags: command.grammar.flags,
      examples: command.examples,
    },
  };
}

/** Echoed input is cut: a 4,000-character argument must not come back whole. */
function truncateEcho(s: string): string {
  return s.length > 400 ? `${s.slice(0, 399)}…` : s;
}

export function usageError(command: AnyCommand, problem: string, prefix = SLASH): Reply {
  const usage = usageLines(command, prefix);
  const text = `${truncateEcho(problem)}\nUsage:\n${usage.map((u) => `  ${u}`).join('\n')}\nMore: ${prefix} help ${command.name}`;
  return {
    text,
    blocks: [
      section(`:warning: ${esc(truncateEcho(problem))}`),
      section(`*Usage*\n\`\`\`${escapeEntities(usage.join('\n'))}\`\`\``),
      context(`More: \`${prefix} help ${command.name}\``),
    ],
    data: { error: problem, usage: command.grammar.usage },
    problem: 'usage',
  };
}

/** The manifest's usage_hint (≤ 1000 characters): every command's first usage form. */
export function usageHint(registry: Registry): string {
  const hint = registry.commands.map((c) => c.name).join(' | ');
  return hint.length <= 1000 ? hint : `${hint.slice(0, 999)}…`;
}
