/**
 * Splits the text of a slash command (or CLI argv joined) into words and flags.
 * Handles straight and Slack's curly quotes, `--flag value` / `--flag=value`, and Slack's escaped
 * mentions: `<@U123|name>` → `@U123`, `<#C123|name>` → `#C123`, `<!subteam^S123|@team>` → `@S123`.
 */
export interface FlagArity {
  /** flag names (without --) that take a value; all others are booleans */
  valued: ReadonlySet<string>;
  /** alias → canonical name */
  aliases?: ReadonlyMap<string, string>;
}

interface ParsedTokens {
  positionals: string[];
  flags: Record<string, string | true>;
}

export class TokenizeError extends Error {
  override name = 'TokenizeError';
}

const OPEN_QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '„': '“', '«': '»' };

function unescapeSlack(word: string): string {
  return word
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>/g, '#$1')
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<(https?:\/\/[^|>]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Words, with quoted runs kept together (quotes removed). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | null = null;
  let quoteStart = 0;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
      continue;
    }
    const close = OPEN_QUOTES[ch];
    // An apostrophe inside a word (don't) is not a quote.
    if (close && !(ch === "'" && inWord && current.length > 0) && !(ch === '’' && inWord)) {
      quote = close;
      quoteStart = i;
      inWord = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    current += ch;
    inWord = true;
  }
  if (quote) throw new TokenizeError(`unclosed quote starting at character ${quoteStart + 1}`);
  if (inWord) words.push(current);
  return words;
}

export function tokenize(text: string, arity: FlagArity): ParsedTokens {
  const words = splitWords(unescapeSlack(text.trim()));
  const positionals: string[] = [];
  // No prototype: `--__proto__` or `--constructor` must be an ordinary unknown flag, not Object.prototype.
  const flags: Record<string, string | true> = Object.create(null);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    // Slack and phones turn -- into an em or en dash.
    const normalized = word.replace(/^[—–]/, '--');
    if (!normalized.startsWith('--') || normalized === '--') {
      positionals.push(word);
      continue;
    }
    const eq = normalized.indexOf('=');
    const rawName = (eq >= 0 ? normalized.slice(2, eq) : normalized.slice(2)).toLowerCase();
    const name = arity.aliases?.get(rawName) ?? rawName;
    if (arity.valued.has(name)) {
      let value: string | undefined;
      if (eq >= 0) value = normalized.slice(eq + 1);
      else {
        value = words[i + 1];
        if (value === undefined || /^--\S/.test(value)) throw new TokenizeError(`--${rawName} needs a value`);
        i++;
      }
      flags[name] = value;
    } else {
      if (eq >= 0) throw new TokenizeError(`--${rawName} does not take a value`);
      flags[name] = true;
    }
  }
  return { positionals, flags };
}
