import type { Logger } from '../log.js';

/**
 * The local sandbox (issue 9): simulators for Brightcove, Clarify and Slack, the app in HTTP mode
 * against them, and a browser console. Until the console lands this explains how to configure Slack.
 */
export async function startSandbox({ logger }: { logger: Logger }): Promise<void> {
  const lines = [
    '',
    'Brightcove Ops: no Slack credentials (SLACK_BOT_TOKEN) are configured.',
    'To connect to Slack, create the app from manifest.yml and set SLACK_BOT_TOKEN and SLACK_APP_TOKEN',
    '(Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode). See README.md, "Create the Slack app".',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  logger.info('sandbox not started');
}
