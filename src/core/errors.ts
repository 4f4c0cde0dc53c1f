import { randomBytes } from 'node:crypto';

/** A problem the user can fix: shown as-is, never logged as a failure. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** show the command's usage under the message */
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** Short id that ties a message in Slack to the full error in the logs. */
export function newErrorId(): string {
  return `E-${randomBytes(4).toString('hex')}`;
}
