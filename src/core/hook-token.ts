import { createHmac, timingSafeEqual } from 'node:crypto';
import { registerSecret } from '../log.js';

/**
 * The secret part of a webhook URL, derived from a configured secret and what the hook is for: stable
 * across restarts, never written to the state file, and masked in every log line.
 */
export function deriveHookToken(key: string, purpose: string): string {
  const token = createHmac('sha256', key).update(purpose).digest('hex').slice(0, 48);
  registerSecret(token);
  return token;
}

/** Whether a token from a request is the expected one, in constant time. */
export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
