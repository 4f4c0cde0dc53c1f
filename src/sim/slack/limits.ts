/**
 * Block Kit limits as Slack enforces them (reference/slack-bolt.md §3.4). Returns Slack's error code
 * for the first violation, or null. Slack answers `invalid_blocks` for element limits and
 * `msg_blocks_too_long` when the total text is around 13k characters.
 */
const TOTAL_TEXT_LIMIT = 13_000;

type Json = Record<string, unknown>;

function textOf(v: unknown): string {
  if (v && typeof v === 'object' && typeof (v as Json).text === 'string') return (v as Json).text as string;
  return '';
}

function collectText(v: unknown, acc: { n: number }): void {
  if (Array.isArray(v)) for (const x of v) collectText(x, acc);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'text' && typeof x === 'string') acc.n += x.length;
      else collectText(x, acc);
    }
  }
}

function checkElement(el: Json): string | null {
  if (typeof el.action_id === 'string' && el.action_id.length > 255) return 'action_id longer than 255';
  if (el.type === 'button') {
    if (textOf(el.text).length > 75) return 'button text longer than 75';
    if (typeof el.value === 'string' && el.value.length > 2000) return 'button value longer than 2000';
    if (typeof el.url === 'string' && el.url.length > 3000) return 'button url longer than 3000';
  }
  if (el.confirm) {
    const c = el.confirm as Json;
    if (textOf(c.title).length > 100) return 'confirm title longer than 100';
    if (textOf(c.text).length > 300) return 'confirm text longer than 300';
  }
  return null;
}

export function checkBlocks(blocks: unknown, maxBlocks = 50): { error: string; detail: string } | null {
  if (blocks === undefined) return null;
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format', detail: 'blocks must be an array' };
  if (blocks.length > maxBlocks) return { error: 'invalid_blocks', detail: `more than ${maxBlocks} blocks` };
  for (const [i, raw] of blocks.entries()) {
    const b = raw as Json;
    const fail = (detail: string) => ({ error: 'invalid_blocks', detail: `block ${i}: ${detail}` });
    if (typeof b?.type !== 'string') return fail('missing type');
    if (typeof b.block_id === 'string' && b.block_id.length > 255) return fail('block_id longer than 255');
    switch (b.type) {
      case 'header':
        if (textOf(b.text).length > 150) return fail('header text longer than 150');
        break;
      case 'section': {
        if (textOf(b.text).length > 3000) return fail('section text longer than 3000');
        const fields = (b.fields as unknown[] | undefined) ?? [];
        if (fields.length > 10) return fail('more than 10 fields');
        if (fields.some((f) => textOf(f).length > 2000)) return fail('field text longer than 2000');
        if (!b.text && fields.length === 0) return fail('section needs text or fields');
        if (b.accessory) {
          const e = checkElement(b.accessory as Json);
          if (e) return fail(e);
        }
        break;
      }
      case 'actions': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length > 25) return fail('more than 25 elements');
        for (const el of els) {
          const e = checkElement(el);
          if (e) return fail(e);
        }
        break;
      }
      case 'context':
        if (((b.elements as unknown[] | undefined) ?? []).length > 10)
          return fail('more than 10 context elements');
        break;
      case 'markdown':
        if (typeof b.text === 'string' && b.text.length > 12_000)
          return fail('markdown text longer than 12000');
        break;
      default:
        break;
    }
  }
  const acc = { n: 0 };
  collectText(blocks, acc);
  if (acc.n > TOTAL_TEXT_LIMIT)
    return { error: 'msg_blocks_too_long', detail: `${acc.n} characters of text` };
  return null;
}
