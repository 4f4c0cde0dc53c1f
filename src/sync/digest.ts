import { createHash } from 'node:crypto';

/**
 * Compact stand-ins for values the plan compares, so a 100,000-record index holds a few bytes per
 * value instead of the value (descriptions alone can be 2,000 characters).
 */

/** Characters of one value digest (53 bits in base 36). */
const VALUE_DIGEST_WIDTH = 11;

/** cyrb53: a fast 53-bit string hash with good spread; accidental collisions ~1 in 2^53. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Digest of one metadata value. Equal digests ⇔ equal values as the plan compares them (strict
 * equality of scalars, element-wise for arrays); an absent value has its own digest.
 */
function valueDigest(v: unknown): string {
  const text = v === undefined ? '\u0000absent' : (JSON.stringify(v) ?? '\u0000absent');
  return hash53(text).toString(36).padStart(VALUE_DIGEST_WIDTH, '0');
}

/** The digests of `keys` in `data`, concatenated in key order (fixed width, so they can be compared by slot). */
export function valueDigests(
  data: Readonly<Record<string, unknown>> | null,
  keys: readonly string[],
): string {
  let out = '';
  for (const k of keys) out += valueDigest(data?.[k]);
  return out;
}

/** Of `among`, the keys whose slot in `digests` (made with `keys`) is an absent value's. */
export function absentKeys(keys: readonly string[], digests: string, among: readonly string[]): string[] {
  const w = VALUE_DIGEST_WIDTH;
  const absent = valueDigest(undefined);
  return among.filter((k) => {
    const i = keys.indexOf(k);
    return i >= 0 && digests.slice(i * w, (i + 1) * w) === absent;
  });
}

/** The keys whose slots differ between two `valueDigests` strings made with the same `keys`. */
export function differingKeys(keys: readonly string[], a: string, b: string): string[] {
  if (a === b) return [];
  const w = VALUE_DIGEST_WIDTH;
  return keys.filter((_, i) => a.slice(i * w, (i + 1) * w) !== b.slice(i * w, (i + 1) * w));
}

/**
 * An order-independent hash of a multiset of lines (SHA-256 of each, added lane by lane), so a
 * fingerprint can be built while two listings stream in, without keeping or sorting them.
 */
export class MultisetHash {
  readonly #lanes = new Uint32Array(8);
  #count = 0;

  add(line: string): void {
    const d = createHash('sha256').update(line).digest();
    for (let i = 0; i < 8; i++) this.#lanes[i] = (this.#lanes[i]! + d.readUInt32BE(i * 4)) >>> 0;
    this.#count++;
  }

  /** A copy to go on adding to (so `finish` can be called twice with different media). */
  clone(): MultisetHash {
    const c = new MultisetHash();
    c.#lanes.set(this.#lanes);
    c.#count = this.#count;
    return c;
  }

  /** 32 hex characters. */
  digest(): string {
    return createHash('sha256')
      .update(`${this.#count}\0${Buffer.from(this.#lanes.buffer).toString('hex')}`)
      .digest('hex')
      .slice(0, 32);
  }
}
