import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultBodyLimit, HTTPModuleFunctions } from '@slack/bolt';

/**
 * Why a Slack request body cannot be a Slack payload, or null when it has the right shape. Bolt
 * parses `payload=null` (or `[]`, `7`) from a correctly signed request and then reads `.type` of it
 * in a promise nobody awaits, which kills the process (issue 14); Slack never sends such bodies.
 */
function malformedSlackBody(contentType: string | undefined, body: string): string | null {
  if (!body) return 'empty body';
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (contentType?.startsWith('application/json')) {
    try {
      return isObject(JSON.parse(body)) ? null : 'the JSON body is not an object';
    } catch {
      return 'the body is not JSON';
    }
  }
  const form = new URLSearchParams(body);
  const payload = form.get('payload');
  if (payload === null) return form.has('command') || form.has('ssl_check') ? null : 'no payload or command';
  try {
    const parsed: unknown = JSON.parse(payload);
    if (!isObject(parsed)) return 'payload is not an object';
    return typeof (parsed as { type?: unknown }).type === 'string' ? null : 'payload has no type';
  } catch {
    return 'payload is not JSON';
  }
}

/**
 * Wraps Bolt's request listener: the body is read once here (Bolt reuses a buffered `rawBody`), and
 * a body that cannot be a Slack payload gets a 400 instead of reaching Bolt.
 */
export function guardSlackRequests(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  onRefused: (reason: string) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      let buffered: IncomingMessage & { rawBody: Buffer };
      try {
        buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, defaultBodyLimit);
      } catch {
        onRefused('unreadable or too large body');
        res.writeHead(413).end();
        return;
      }
      const why = malformedSlackBody(req.headers['content-type'], buffered.rawBody.toString('utf8'));
      if (why) {
        onRefused(why);
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request: not a Slack payload.\n');
        return;
      }
      listener(buffered, res);
    })();
  };
}
