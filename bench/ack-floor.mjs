/**
 * The floor for bench/ack.ts: a bare node:http server that checks the Slack signature, parses the
 * form body and answers 200, nothing else (no Bolt, no app). `ACK_APP=bench/ack-floor.mjs npx tsx
 * bench/ack.ts` runs the same load against it, so the app's figures can be read against what this
 * machine and load generator allow at all.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.SLACK_SIGNING_SECRET ?? '';
createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString();
    const ts = req.headers['x-slack-request-timestamp'];
    const expected = Buffer.from(
      `v0=${createHmac('sha256', secret).update(`v0:${ts}:${raw}`).digest('hex')}`,
    );
    const given = Buffer.from(String(req.headers['x-slack-signature']));
    const signed = expected.length === given.length && timingSafeEqual(expected, given);
    res.writeHead(signed && new URLSearchParams(raw).get('command') ? 200 : 401).end();
  });
}).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
