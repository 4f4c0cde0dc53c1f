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

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Escapes user data for mrkdwn so a video called "<!channel>" cannot ping anyone. Entities already
 * escaped are left as they are, so text built from escaped pieces is not escaped twice.
 */
export function escapeMrkdwn(text: string): string {
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

/** Slack's own markup in a notification text: dates, links and mentions as words, entities decoded. */
function notificationText(t: string): string {
  return t
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

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
