import { IntrinsicException } from '@nestjs/common';

/**
 * Thrown from a handler (or an authorizer) to answer with an `Error` event
 * carrying this code, message and details.
 *
 * It is an answer to the client, not a fault of the server, so Nest does not
 * log it (an `IntrinsicException`, like `HttpException`).
 *
 * @example throw new RealtimeException('InvalidSessionToken', 'That token has expired')
 * @publicApi
 */
export class RealtimeException extends IntrinsicException {
  override readonly name = 'RealtimeException';

  constructor(
    readonly code: string,
    message?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message ?? code);
  }
}
