import { ServiceUnavailableException } from '@nestjs/common';
import { ErrorCode } from '../protocol/error-codes.js';
import { TRANSPORT_UNAVAILABLE_REPLY } from '../realtime.messages.js';
import { WIRE_CODE, type WireCoded } from './wire-code.js';

/**
 * Why a call that needed the transport (Redis) failed.
 *
 * - `Unavailable`: Redis cannot be reached, or refused the command; nothing
 *   was done. Safe to retry.
 * - `Timeout`: Redis did not answer within `redis.commandTimeout`. The command
 *   may still take effect; retrying is safe (`subscribe()` and `unsubscribe()`
 *   are idempotent, and a push is never queued on a timeout: see `queued`).
 * - `OutboxFull`: a push made while Redis is unavailable found the outbox full,
 *   or the outage older than `redis.outbox.maxAge`. Nobody got it, not even
 *   this instance's subscribers.
 *
 * @publicApi
 */
export type RealtimeTransportErrorCode = 'Unavailable' | 'Timeout' | 'OutboxFull';

/**
 * A push, send or subscription change that needed Redis and could not be made.
 * `code` says what the caller may assume (see `RealtimeTransportErrorCode`);
 * `message` says what happened, for the logs.
 *
 * It is a `ServiceUnavailableException`: an HTTP route that lets it through
 * answers `503` with a fixed body (`{ statusCode, error, message, code }`, no
 * Redis details), and a realtime handler answers `Error Unavailable`.
 *
 * @publicApi
 */
export class RealtimeTransportError extends ServiceUnavailableException implements WireCoded {
  override readonly name = 'RealtimeTransportError';
  readonly code: RealtimeTransportErrorCode;

  constructor(message: string, options: { code?: RealtimeTransportErrorCode; cause?: unknown } = {}) {
    const code = options.code ?? 'Unavailable';
    super(
      { statusCode: 503, error: 'Service Unavailable', message: TRANSPORT_UNAVAILABLE_REPLY(), code },
      { cause: options.cause },
    );
    // NOTE: the response body stays generic (it may reach HTTP clients); the
    // message, for logs and callers, says what Redis did.
    this.message = message;
    this.code = code;
  }

  /** An outage, not a fault: the client may retry; Redis's own words stay in the server's logs. */
  get [WIRE_CODE]() {
    return { code: ErrorCode.Unavailable, message: TRANSPORT_UNAVAILABLE_REPLY() };
  }
}
