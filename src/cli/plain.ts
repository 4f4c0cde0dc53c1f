/**
 * Slack's markup → what a terminal shows (clig.dev: plain words, no markup). The CLI prints the same
 * replies Slack gets; this is the one place their mrkdwn is turned into text: no `:emoji:` codes, no
 * `*bold*`/`_italic_`/`~strike~` markers or backticks, links as "label (url)", mentions as @id, button
 * rows dropped (nothing can be clicked here), entities decoded last so `&lt;id&gt;` prints as `<id>`.
 */
import { type Block, blocksToText, withMarkersHeld } from '../core/blocks.js';

// An emoji code has a letter in it and stands apart from digits: `00:02:00` and `01:10:18:15` are times.
const EMOJI = /(?<![\w:]):(?=[a-z0-9_+-]*[a-z_+])[a-z0-9_+-]+:(?![\w:])\s?/g;

/** Slack's emphasis markers around words, removed (not `* *` in a cron expression, not inside names). */
function stripEmphasis(text: string): string {
  return text
    .replace(/(^|[\s(])\*([^*\s](?:[^*\n]*[^*\s])?)\*(?=[\s).,:;!?]|$)/gm, '$1$2')
    .replace(/(^|[\s(])_([^_\s](?:[^_\n]*[^_\s])?)_(?=[\s).,:;!?]|$)/gm, '$1$2')
    .replace(/(^|[\s(])~([^~\s](?:[^~\n]*[^~\s])?)~(?=[\s).,:;!?]|$)/gm, '$1$2');
}

export function plainText(mrkdwn: string): string {
  return withMarkersHeld(mrkdwn, (held) =>
    stripEmphasis(
      held
        .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
        .replace(/<((?:https?|mailto|s3|ftp):[^|>]+)\|([^>]+)>/g, '$2 ($1)')
        .replace(/<((?:https?|mailto|s3|ftp):[^|>]+)>/g, '$1')
        .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
        .replace(/<#([A-Z0-9]+)\|([^>]*)>/g, '#$2')
        .replace(/<#([A-Z0-9]+)>/g, '#$1')
        .replace(/<!(channel|here|everyone)>/g, '@$1')
        .replace(EMOJI, '')
        .replace(/```\n?/g, '')
        .replace(/`([^`\n]*)`/g, '$1'),
    )
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
}

/** Blocks as terminal lines, for replies that carry no text of their own. */
export function blocksToPlain(blocks: readonly Block[]): string {
  return blocksToText(blocks, plainText);
}
