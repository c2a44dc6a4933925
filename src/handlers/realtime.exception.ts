/**
 * Thrown from a handler (or an authorizer) to answer with an `Error` event
 * carrying this code, message and details.
 *
 * @example throw new RealtimeException('InvalidSessionToken', 'That token has expired')
 * @publicApi
 */
export class RealtimeException extends Error {
  override readonly name = 'RealtimeException';

  constructor(
    readonly code: string,
    message?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message ?? code);
  }
}
