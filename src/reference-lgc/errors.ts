/**
 * The errors the reference LGC's actions throw. The test-driver API (routes/) answers each with
 * one HTTP status and an `Error` body whose `message` is what the user is shown; the web UI (ui/)
 * shows the same message on screen.
 *
 *   400 BadRequest      the request is malformed (contract misuse, never shown to a user)
 *   404 NotFound        the request names a patient or document the tenant does not have
 *   409 Conflict        the object is not in a state for this action (e.g. already validated)
 *   422 Unprocessable   a business refusal the user sees (e.g. no MSSanté address)
 *   502 MssUnavailable  the MSSanté operator could not be reached or refused the message
 */

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly code = 'invalid-request',
  ) {
    super(message);
  }
}

export class NotFound extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Conflict extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The editor (or another screen) refuses the action: answered 422. */
export class Unprocessable extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The MSSanté operator could not be reached or refused the message (answered 502). */
export class MssUnavailable extends Error {
  readonly code = 'mss-unavailable';
}

/** An error that already knows its HTTP status (routing, body size, tenant header…). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The HTTP status and body of any error an action threw (500 for an unexpected one). */
export function errorReply(err: unknown): { status: number; body: Record<string, unknown> } {
  if (err instanceof HttpError) return { status: err.status, body: { error: err.code, message: err.message, ...err.extra } };
  if (err instanceof BadRequest) return { status: 400, body: { error: err.code, message: err.message } };
  if (err instanceof NotFound) return { status: 404, body: { error: err.code, message: err.message } };
  if (err instanceof Conflict) return { status: 409, body: { error: err.code, message: err.message } };
  if (err instanceof Unprocessable) return { status: 422, body: { error: err.code, message: err.message } };
  if (err instanceof MssUnavailable) return { status: 502, body: { error: err.code, message: err.message } };
  return { status: 500, body: { error: 'internal', message: err instanceof Error ? err.message : String(err) } };
}

/** The message a business error shows to the user, or undefined for an unexpected one. */
export function userMessage(err: unknown): string | undefined {
  if (
    err instanceof BadRequest ||
    err instanceof Conflict ||
    err instanceof Unprocessable ||
    err instanceof MssUnavailable ||
    err instanceof NotFound
  ) {
    return err.message;
  }
  return undefined;
}
