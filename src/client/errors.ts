import type { ErrorPayload } from '../protocol/frames.js';

/**
 * Codes the client itself gives to a rejected promise. Codes from the server
 * (`Forbidden`, `SubscriptionDenied`, `AuthRequired`...) come as the server
 * sent them, in `payload.error` of an `Error` event.
 *
 * @publicApi
 */
export const ClientErrorCode = {
  /** No reply came within the request's timeout. */
  Timeout: 'Timeout',
  /** The client is not connected and `offline` is `'fail'`. */
  Offline: 'Offline',
  /** The client is not connected and the offline queue holds `maxQueue` requests already. */
  QueueFull: 'QueueFull',
  /** The socket closed after the request was sent and before its reply came. */
  Disconnected: 'Disconnected',
  /** `close()` was called, or the client gave up reconnecting. */
  Closed: 'Closed',
  /** The WebSocket reported an error (a refused or broken connection). */
  SocketError: 'SocketError',
  /** The subscription ended (locally, or the server dropped it) before the server confirmed it. */
  Unsubscribed: 'Unsubscribed',
  /** The `authenticate` hook threw something that was not a `RealtimeError`. */
  AuthenticationFailed: 'AuthenticationFailed',
  /**
   * The client is on the event-stream fallback (`fallback: 'eventsource'`),
   * which only receives: requests, route calls and family subscriptions
   * cannot be sent. Call the app's HTTP routes instead.
   */
  ReceiveOnly: 'ReceiveOnly',
} as const;

/** @publicApi */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/**
 * Why a request, a subscription or the connection failed: a server `Error`
 * event (`code` is its `error`, `details` the rest of its payload) or one of
 * the client's own {@link ClientErrorCode}s.
 *
 * @publicApi
 */
export class RealtimeError extends Error {
  override readonly name = 'RealtimeError';

  constructor(
    /** `payload.error` of the server's `Error` event, or a {@link ClientErrorCode}. */
    readonly code: string,
    message?: string,
    /** Everything else the server sent with the error (for instance `exchange`, `routing_key`, `errors`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message ?? code);
  }

  /** The error an `Error` event's payload describes. */
  static fromPayload(payload: unknown): RealtimeError {
    const record = isRecord(payload) ? (payload as Partial<ErrorPayload>) : {};
    const { error, message, ...details } = record;
    const code = typeof error === 'string' && error.length > 0 ? error : 'Error';
    return new RealtimeError(code, typeof message === 'string' ? message : code, details);
  }
}

/** Whether a value is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message of a thrown value, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
