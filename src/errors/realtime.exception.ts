import { IntrinsicException } from '@nestjs/common';
import { WIRE_CODE, type WireCoded } from './wire-code.js';

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
export class RealtimeException extends IntrinsicException implements WireCoded {
  override readonly name = 'RealtimeException';

  get [WIRE_CODE]() {
    return { code: this.code, message: this.message, details: this.details };
  }

  constructor(
    readonly code: string,
    message?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message ?? code);
  }
}
