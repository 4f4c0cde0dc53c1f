/**
 * The errors that arrive late in `VideoShare.error_message` (reference §7.4), in plain words.
 * `error_message` has been seen as a JSON-encoded string, a real array and null, with any status, even
 * COMPLETE; it is parsed here without trusting its shape.
 */
import type { ShareError } from '../brightcove/schemas.js';

/** Every late error code the reference documents; each has its own words below. */
export const SHARE_ERROR_CODES = [
  'MISSING_CUSTOM_FIELDS',
  'ILLEGAL_CUSTOM_FIELD_VALUE',
  'CONFLICT',
  'SHARING_DISABLED',
  'REFERENCE_ID_IN_USE',
  'VALIDATION_ERROR',
  'NOT_FOUND',
  'UNKNOWN',
] as const;

export interface ShareErrorWords {
  code: string;
  /** what went wrong, in words */
  words: string;
  /** what to do next */
  fix: string;
  /** Brightcove's own message, for the curious and for support tickets */
  detail: string | null;
}

const MAX_DEPTH = 3;

function fromItem(item: unknown, depth: number): ShareError[] {
  if (item == null) return [];
  if (typeof item === 'string') return parseShareErrors(item, depth + 1);
  if (typeof item === 'object' && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    const text = [o.error_message, o.message, o.errorMessage].find((v) => typeof v === 'string') as
      | string
      | undefined;
    const code = typeof o.error_code === 'string' && o.error_code !== '' ? o.error_code : 'UNKNOWN';
    return [{ error_code: code, error_message: text ?? null }];
  }
  return [{ error_code: 'UNKNOWN', error_message: String(item) }];
}

/** Normalises `error_message` (string, JSON string, array, object, null) to a list of errors. */
export function parseShareErrors(raw: unknown, depth = 0): ShareError[] {
  if (raw == null) return [];
  if (Array.isArray(raw)) return raw.flatMap((item) => fromItem(item, depth));
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text === '' || text === 'null' || text === '[]') return [];
    if (depth < MAX_DEPTH && /^[[{"]/.test(text)) {
      try {
        return parseShareErrors(JSON.parse(text), depth + 1);
      } catch {
        // not JSON after all: fall through and keep the text
      }
    }
    if (/^[A-Z][A-Z_]+$/.test(text)) return [{ error_code: text, error_message: null }];
    return [{ error_code: 'UNKNOWN', error_message: text.slice(0, 500) }];
  }
  return fromItem(raw, depth);
}

/** "Affiliate account is missing custom fields: [subject, topic]" → ["subject", "topic"] */
function bracketList(message: string | null | undefined): string[] {
  const m = /\[([^\]]*)\]/.exec(message ?? '');
  return m?.[1]
    ? m[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function fieldsText(message: string | null | undefined): string {
  const fields = bracketList(message);
  if (fields.length === 0) return 'some custom fields';
  return `custom field${fields.length > 1 ? 's' : ''} ${fields.join(', ')}`;
}

/** One error in words. `affiliate` is the affiliate's display name. */
export function describeShareError(error: ShareError, affiliate: string): ShareErrorWords {
  const detail = error.error_message ?? null;
  const msg = detail ?? '';
  const w = (words: string, fix: string): ShareErrorWords => ({ code: error.error_code, words, fix, detail });
  switch (error.error_code) {
    case 'MISSING_CUSTOM_FIELDS':
      return w(
        `${affiliate} lacks ${fieldsText(detail)}, and the channel enforces custom fields.`,
        `Create the fields in ${affiliate} with the same id (or clear the values on the video), then share again.`,
      );
    case 'ILLEGAL_CUSTOM_FIELD_VALUE':
      return w(
        `${affiliate} doesn't allow the video's value for ${fieldsText(detail)}: it isn't one of ${affiliate}'s choices.`,
        `Add the value to ${affiliate}'s list (or change it on the video), then share again.`,
      );
    case 'CONFLICT':
      if (/geo/i.test(msg)) {
        return w(
          `The video is geo-restricted and ${affiliate} isn't set up for geo restriction (the channel enforces geo).`,
          `Have Brightcove enable geo restriction on ${affiliate}, or remove the video's restriction, then share again.`,
        );
      }
      return w(
        `Brightcove refused the share because of a conflict${msg ? `: ${msg}` : '.'}`,
        'Check the video and the affiliate in Studio, then share again.',
      );
    case 'SHARING_DISABLED':
      return w(
        `${affiliate} isn't enabled for media sharing.`,
        'Ask Brightcove Support to enable media sharing on that account, then share again.',
      );
    case 'REFERENCE_ID_IN_USE':
      return w(
        `${affiliate} already has another video with this video's reference id.`,
        'Change the reference id in one of the two accounts, then share again.',
      );
    case 'VALIDATION_ERROR':
      if (/economics/i.test(msg)) {
        return w(
          `${affiliate} can't take ad-supported videos (economics rejected).`,
          `Set the video's economics to FREE, or have ads enabled on ${affiliate}, then share again.`,
        );
      }
      return w(
        `${affiliate} rejected the video's metadata${msg ? `: ${msg}` : '.'}`,
        'Fix the field Brightcove names on the master video, then share again.',
      );
    case 'NOT_FOUND':
      return w(
        `Brightcove couldn't find the video, the channel, or ${affiliate}'s channel membership when it processed the share.`,
        `Check that the video still exists and ${affiliate} is still an approved member, then share again.`,
      );
    case 'UNKNOWN':
      return w(
        `Brightcove hit an internal error${msg ? ` (${msg})` : ''}.`,
        'Retrying usually works: share again.',
      );
    case 'LIVE_VIDEOS_NOT_SHAREABLE':
      return w('Live videos can’t be shared.', 'Cut a VOD clip of the stream and share the clip.');
    case 'CONCURRENT_UPDATE':
      return w(`${affiliate}'s copy was being edited at the same moment.`, 'Share again in a minute.');
    default:
      return w(
        `Brightcove reported ${error.error_code}${msg ? `: ${msg}` : '.'}`,
        'Fix what Brightcove names, then share again.',
      );
  }
}

export function describeShareErrors(errors: ShareError[], affiliate: string): ShareErrorWords[] {
  return errors.map((e) => describeShareError(e, affiliate));
}
