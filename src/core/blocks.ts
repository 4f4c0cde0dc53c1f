import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  ImageBlock,
  InputBlock,
  ModalView,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';

/**
 * Block Kit builders. Text is cut to Slack's limits here, once, so no renderer can produce a
 * message Slack rejects for a long video name.
 */
/** Slack's own Block Kit types (@slack/types), narrowed to the kinds this app renders. */
export type Block =
  | SectionBlock
  | HeaderBlock
  | ContextBlock
  | DividerBlock
  | ActionsBlock
  | ImageBlock
  | InputBlock;
type ButtonElement = Button;
export type OptionObject = PlainTextOption;
export type InputElement = InputBlock['element'];
export type { ModalView };

/** Cuts text to `max` characters; never inside Slack's `<…>` markup (a half mention or link shows raw). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut}…`;
}

/**
 * A formatting marker shown as itself. Slack has no escape for `*`, `_` or `~` in mrkdwn; what it does
 * show literally is the fallback of a date it cannot format, so each marker becomes a date token with
 * an invalid format and the marker as its fallback: `<!date^00000000^{_}|*>`, the technique of
 * jsx-slack's `<Escape>` (github.com/yhatt/jsx-slack, docs/about-escape-and-exact-mode.md).
 */
const markerToken = (marker: string) => `<!date^00000000^{_}|${marker}>`;
/** an escaped marker, as markerToken writes it (kept as is when escaped text is escaped again) */
const ESCAPED_MARKER = /<!date\^00000000\^\{_\}\|([*_~])>/g;
/** splits around escaped markers and `code` spans, keeping them (odd indexes) */
const KEPT_SPANS = /(<!date\^00000000\^\{_\}\|[*_~]>|`[^`\n]*`)/;
const inWord = /[\p{L}\p{N}]/u;

/**
 * Escapes user and API data for mrkdwn: `&`, `<` and `>` as entities (a video called "<!channel>"
 * pings nobody), and the formatting markers `*`, `_` and `~` where they could open or close formatting
 * (a reason typed as `*urgent*` stays as typed; `snake_case` and `a*b` are left alone: Slack does not
 * format inside a word). Inside a `code` span, where Slack formats nothing, entities only: messages
 * put names in code. Entities and markers already escaped are left as they are, so text built from
 * escaped pieces is not escaped twice.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .split(KEPT_SPANS)
    .map((part, i) => (i % 2 === 0 ? escapePart(part) : part.startsWith('`') ? escapeEntities(part) : part))
    .join('');
}

function escapePart(text: string): string {
  return escapeEntities(text).replace(/[*_~]/g, (marker, at: number, all: string) => {
    const before = all[at - 1];
    const after = all[at + 1];
    return before && after && inWord.test(before) && inWord.test(after) ? marker : markerToken(marker);
  });
}

/**
 * `&`, `<` and `>` as entities only: for text inside `code` or ```pre```, where Slack applies no
 * formatting (so the markers stay as they are) but still reads links and mentions.
 */
export function escapeEntities(text: string): string {
  return text
    .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export const plain = (text: string, max = 3000): PlainTextElement => ({
  type: 'plain_text',
  text: truncate(text, max),
  emoji: true,
});
export const mrkdwn = (text: string, max = 3000): MrkdwnElement => ({
  type: 'mrkdwn',
  text: truncate(text, max),
});

export const header = (text: string): Block => ({ type: 'header', text: plain(text, 150) });
export const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text, 3000) });
export const fields = (items: string[]): Block => ({
  type: 'section',
  fields: items.slice(0, 10).map((t) => mrkdwn(t, 2000)),
});
export const context = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.slice(0, 10).map((t) => mrkdwn(t, 2000)),
});
export const divider = (): Block => ({ type: 'divider' });
export const actions = (blockId: string, ...elements: ButtonElement[]): Block => ({
  type: 'actions',
  block_id: blockId,
  elements: elements.slice(0, 25),
});

export function button(
  actionId: string,
  text: string,
  value: string,
  opts: {
    style?: 'primary' | 'danger';
    confirm?: { title: string; text: string; confirm: string; deny?: string };
  } = {},
): ButtonElement {
  return {
    type: 'button',
    action_id: actionId,
    text: plain(text, 75),
    value,
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.confirm
      ? {
          confirm: {
            title: plain(opts.confirm.title, 100),
            text: mrkdwn(opts.confirm.text, 300),
            confirm: plain(opts.confirm.confirm, 30),
            deny: plain(opts.confirm.deny ?? 'Cancel', 30),
            ...(opts.style === 'danger' ? { style: 'danger' as const } : {}),
          },
        }
      : {}),
  };
}

/** Slack's date formatting: every reader sees the time in their own zone. */
export function slackDate(date: Date, fallback?: string): string {
  const sec = Math.floor(date.getTime() / 1000);
  return `<!date^${sec}^{date_short_pretty} {time}|${fallback ?? date.toISOString()}>`;
}

/**
 * Slack's own markup in a notification text: dates, links and mentions as words, escaped markers and
 * entities decoded (the message's `text` is plain; the surface escapes its entities).
 */
function notificationText(t: string): string {
  // an escaped marker is a date token too: its fallback is the marker itself
  return t
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Runs `convert` with every escaped marker held out of the way (in Unicode's private use area), then
 * puts the markers back as the characters they stand for: a converter that strips emphasis must not
 * take a user's literal `*` for the app's bold.
 */
export function withMarkersHeld(text: string, convert: (held: string) => string): string {
  const held = text.replace(ESCAPED_MARKER, (_, marker: string) => HOLD[marker as keyof typeof HOLD]);
  return convert(held).replace(/[\uE101-\uE103]/g, (c) => RELEASE[c] ?? c);
}
const HOLD = { '*': '\uE101', _: '\uE102', '~': '\uE103' } as const;
const RELEASE: Record<string, string> = Object.fromEntries(Object.entries(HOLD).map(([k, v]) => [v, k]));

/**
 * Blocks as lines of text: for message `text` fallbacks by default (buttons are left out: a
 * notification cannot be clicked), or with another mrkdwn converter (the terminal's plain text).
 */
export function blocksToText(
  blocks: readonly Block[],
  fromMrkdwn: (t: string) => string = notificationText,
): string {
  const lines: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'header':
        lines.push(b.text.text.toUpperCase());
        break;
      case 'section':
        if (b.text) lines.push(fromMrkdwn(b.text.text));
        if (b.fields) lines.push(...b.fields.map((f) => `  ${fromMrkdwn(f.text).replace(/\n/g, ': ')}`));
        break;
      case 'context':
        lines.push(b.elements.map((e) => ('text' in e ? fromMrkdwn(e.text) : '')).join('  '));
        break;
      case 'divider':
        lines.push('—'.repeat(20));
        break;
      case 'image':
        lines.push(`(image: ${b.alt_text})`);
        break;
      default:
        break;
    }
  }
  return lines.join('\n');
}
