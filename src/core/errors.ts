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

/** Not allowed or not confirmed (not bad input): shown as a refusal, without the usage (CLI exit 1). */
export class RefusalError extends UserError {
  override name = 'RefusalError';
}

/**
 * Running work this replica lost to another (it was presumed dead: a stall longer than its lease).
 * It stops where it is; the replica that took it over finishes it and tells the user.
 */
export class WorkTakenOverError extends Error {
  override name = 'WorkTakenOverError';
  constructor(what: string) {
    super(`${what} was taken over by another replica; it finishes it`);
  }
}

/** Short id that ties a message in Slack to the full error in the logs. */
export function newErrorId(): string {
  return `E-${randomBytes(4).toString('hex')}`;
}

/**
 * The error id of a failure, assigned once: a background step that shows the failure on its own
 * message (a progress message) and the reply that follows must name the same id.
 */
export function errorIdOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { errorId?: unknown };
    if (typeof e.errorId === 'string') return e.errorId;
    const id = newErrorId();
    Object.defineProperty(e, 'errorId', { value: id, enumerable: false });
    return id;
  }
  return newErrorId();
}
