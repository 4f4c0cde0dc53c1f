import { describe, expect, it } from 'vitest';
import { VideoShareSchema } from '../../src/brightcove/schemas.js';
import { describeShareError, parseShareErrors, SHARE_ERROR_CODES } from '../../src/sharing/share-errors.js';
import { shareStatus } from '../../src/sharing/status.js';
import { SOUTH } from './helpers.js';

/** The reference's messages (§7.4) and the words a user must see for each. */
const CASES: Array<[string, string, RegExp]> = [
  [
    'MISSING_CUSTOM_FIELDS',
    'Affiliate account is missing custom fields: [subject, topic]',
    /Neo South lacks custom fields subject, topic, and the channel enforces custom fields/,
  ],
  [
    'ILLEGAL_CUSTOM_FIELD_VALUE',
    'Illegal value for custom fields: [topic]',
    /Neo South doesn't allow the video's value for custom field topic/,
  ],
  [
    'CONFLICT',
    'Affiliate account is not configured for geo restriction.',
    /geo-restricted and Neo South isn't set up for geo restriction/,
  ],
  [
    'SHARING_DISABLED',
    'Affiliate account is not enabled for media sharing.',
    /Neo South isn't enabled for media sharing/,
  ],
  [
    'REFERENCE_ID_IN_USE',
    'reference id in use',
    /Neo South already has another video with this video's reference id/,
  ],
  ['VALIDATION_ERROR', 'economics: ILLEGAL_VALUE', /Neo South can't take ad-supported videos/],
  ['NOT_FOUND', 'Video not found', /couldn't find the video, the channel, or Neo South's channel membership/],
  ['UNKNOWN', 'error id 4f2a', /internal error \(error id 4f2a\)/],
];

describe('late share errors in words', () => {
  it('covers every documented code', () => {
    expect(CASES.map((c) => c[0]).sort()).toEqual([...SHARE_ERROR_CODES].sort());
  });

  it.each(CASES)(
    '%s is surfaced in words, from a JSON-encoded error_message on a COMPLETE share',
    (code, message, words) => {
      const raw = {
        video_id: '6301234567001',
        affiliate_id: SOUTH.id,
        affiliate_video_id: '6400000001001',
        status: 'COMPLETE',
        error_message: JSON.stringify([{ error_code: code, error_message: message }]),
      };
      // both the raw record and the client's parsed record give the same words
      for (const record of [raw, VideoShareSchema.parse(raw)]) {
        const s = shareStatus(record, SOUTH);
        expect(s.state).toBe('complete_with_errors');
        expect(s.errors).toHaveLength(1);
        expect(s.errors[0]?.code).toBe(code);
        expect(s.errors[0]?.words).toMatch(words);
        expect(s.errors[0]?.fix).toMatch(/\S/);
        expect(s.errors[0]?.detail).toBe(message);
      }
    },
  );

  it('a CONFLICT that is not about geo keeps Brightcove’s message', () => {
    expect(
      describeShareError({ error_code: 'CONFLICT', error_message: 'Something else' }, 'X').words,
    ).toMatch(/conflict: Something else/);
  });
  it('a VALIDATION_ERROR that is not economics names the field', () => {
    expect(
      describeShareError({ error_code: 'VALIDATION_ERROR', error_message: 'name: TOO_LONG' }, 'X').words,
    ).toMatch(/X rejected the video's metadata: name: TOO_LONG/);
  });
  it('an undocumented code still reads as a sentence', () => {
    expect(describeShareError({ error_code: 'NEW_THING', error_message: 'odd' }, 'X').words).toBe(
      'Brightcove reported NEW_THING: odd',
    );
  });
});

describe('parseShareErrors is defensive', () => {
  const one = { error_code: 'REFERENCE_ID_IN_USE', error_message: 'taken' };
  it.each<[string, unknown, unknown[]]>([
    ['null', null, []],
    ['undefined', undefined, []],
    ['empty string', '', []],
    ['"null" string', 'null', []],
    ['"[]" string', '[]', []],
    ['real array', [one], [one]],
    ['JSON string', JSON.stringify([one]), [one]],
    ['double-encoded JSON string', JSON.stringify(JSON.stringify([one])), [one]],
    ['single object', one, [one]],
    ['JSON object string', JSON.stringify(one), [one]],
    [
      'message instead of error_message',
      [{ error_code: 'X', message: 'm' }],
      [{ error_code: 'X', error_message: 'm' }],
    ],
    ['no code', [{ error_message: 'm' }], [{ error_code: 'UNKNOWN', error_message: 'm' }]],
    ['bare code string', 'SHARING_DISABLED', [{ error_code: 'SHARING_DISABLED', error_message: null }]],
    ['plain text', 'Something broke', [{ error_code: 'UNKNOWN', error_message: 'Something broke' }]],
    ['broken JSON', '[{"error_code":', [{ error_code: 'UNKNOWN', error_message: '[{"error_code":' }]],
    ['a number', 42, [{ error_code: 'UNKNOWN', error_message: '42' }]],
  ])('%s', (_name, raw, expected) => {
    expect(parseShareErrors(raw)).toEqual(expected);
  });
});
