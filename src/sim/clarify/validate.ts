/**
 * Clarify's documented metadata rules (reference/clarify.md §2.6), enforced by the simulator the
 * way the real API did: a violation is a 400 with an Error body naming the field.
 */
import { CLARIFY_LIMITS } from '../../clarify/limits.js';

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_]*$/;
const RESERVED = new Set(['true', 'false', 'null']);

/** Returns the first rule violated by `data`, or undefined when it is acceptable. */
export function metadataViolation(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'must be a JSON object';
  const entries = Object.entries(data);
  if (entries.length > CLARIFY_LIMITS.maxKeys) return `must have at most ${CLARIFY_LIMITS.maxKeys} keys`;
  if (JSON.stringify(data).length > CLARIFY_LIMITS.maxJson)
    return `must be at most ${CLARIFY_LIMITS.maxJson} characters of JSON`;
  for (const [key, value] of entries) {
    if (key.length > CLARIFY_LIMITS.keyMax || !KEY_RE.test(key) || RESERVED.has(key))
      return `key "${key.slice(0, 80)}" is not a valid field name`;
    const bad = valueViolation(value, false);
    if (bad) return `field "${key}" ${bad}`;
  }
  return undefined;
}

function valueViolation(value: unknown, inArray: boolean): string | undefined {
  if (typeof value === 'string') {
    const max = inArray ? CLARIFY_LIMITS.arrayStringMax : CLARIFY_LIMITS.stringMax;
    return value.length > max ? `has a string longer than ${max} characters` : undefined;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'is not a finite number';
  if (typeof value === 'boolean') return undefined;
  if (Array.isArray(value) && !inArray) {
    for (const v of value) {
      const bad = valueViolation(v, true);
      if (bad) return bad;
    }
    return undefined;
  }
  return value === null ? 'is null' : 'is not a string, number, boolean or array of those';
}
