import { type IncomingMessage, ServerResponse } from 'node:http';
import { defaultBodyLimit, HTTPModuleFunctions, isValidSlackRequest } from '@slack/bolt';

/** What a well-formed Slack body is: the kinds whose ack this app always sends empty, or another. */
type SlackBody = { refused: string } | { acksEmpty: boolean };

/**
 * Why a Slack request body cannot be a Slack payload, or null when it has the right shape. Bolt
 * parses `payload=null` (or `[]`, `7`) from a correctly signed request and then reads `.type` of it
 * in a promise nobody awaits, which kills the process (issue 14); Slack never sends such bodies.
 */
function classifySlackBody(contentType: string | undefined, body: string): SlackBody {
  if (!body) return { refused: 'empty body' };
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (contentType?.startsWith('application/json')) {
    try {
      return isObject(JSON.parse(body))
        ? { acksEmpty: false }
        : { refused: 'the JSON body is not an object' };
    } catch {
      return { refused: 'the body is not JSON' };
    }
  }
  const form = new URLSearchParams(body);
  const payload = form.get('payload');
  if (payload === null) {
    // A slash command is acked empty (its answer goes to response_url); ssl_check is Bolt's to answer.
    if (form.has('command')) return { acksEmpty: true };
    return form.has('ssl_check') ? { acksEmpty: false } : { refused: 'no payload or command' };
  }
  try {
    const parsed: unknown = JSON.parse(payload);
    if (!isObject(parsed)) return { refused: 'payload is not an object' };
    const type = (parsed as { type?: unknown }).type;
    if (typeof type !== 'string') return { refused: 'payload has no type' };
    // Button clicks are acked empty too; a form submission (errors) and an options request (the
    // options) answer in their ack, so Bolt's listener must write it.
    return { acksEmpty: type === 'block_actions' };
  } catch {
    return { refused: 'payload is not JSON' };
  }
}

/**
 * Wraps Bolt's request listener: the body is read once here (Bolt reuses a buffered `rawBody`), and
 * a body that cannot be a Slack payload gets a 400 instead of reaching Bolt.
 *
 * With `signingSecret`, a correctly signed slash command or button click — whose ack is always an
 * empty 200 in this app — is acked here at once, and Bolt runs it a turn later (from the event loop's
 * check phase) against a response nobody reads. In a burst every request read in one turn is acked
 * before any of them is processed, so the acks no longer queue behind Bolt's middleware and the
 * handlers (bench/ack.ts). A request whose signature does not check goes to Bolt as before (401).
 */
export function guardSlackRequests(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  onRefused: (reason: string) => void,
  /** the app's signing secret: checked here before an early ack (Bolt checks it again, on the same clock) */
  signingSecret?: string,
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
      const body = buffered.rawBody.toString('utf8');
      const kind = classifySlackBody(req.headers['content-type'], body);
      if ('refused' in kind) {
        onRefused(kind.refused);
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request: not a Slack payload.\n');
        return;
      }
      if (kind.acksEmpty && signingSecret && signed(buffered, body, signingSecret)) {
        res.writeHead(200).end();
        setImmediate(() => listener(buffered, new ServerResponse(buffered)));
        return;
      }
      listener(buffered, res);
    })();
  };
}

function signed(req: IncomingMessage, body: string, signingSecret: string): boolean {
  const signature = req.headers['x-slack-signature'];
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  if (typeof signature !== 'string' || !Number.isFinite(timestamp)) return false;
  return isValidSlackRequest({
    signingSecret,
    body,
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
  });
}
