/**
 * WebSocket close codes the server uses. 1000-1011 are RFC 6455's, 1013 is
 * IANA's "Try Again Later"; 4000-4999 are this protocol's own.
 *
 * A peer that stops answering pings is terminated without a close frame, so
 * the client sees 1006 (abnormal closure).
 *
 * @publicApi
 */
export const CloseCode = {
  /** The server is shutting down. */
  GoingAway: 1001,
  /** The connection broke a policy: over its message rate. */
  PolicyViolation: 1008,
  /** A frame was larger than `maxMessageSize`. */
  MessageTooBig: 1009,
  /**
   * Try again later: the server could not set the connection up because its
   * transport (Redis) is unavailable, or it holds more unanswered client
   * frames than `totalReceiveQueueLimit` across all connections and closed
   * the connection holding the most of them. Reconnect with backoff, with the
   * same connection id.
   */
  TryAgainLater: 1013,
  /** The connection read too slowly: its send buffer passed `sendBufferLimit`. */
  SlowConsumer: 4001,
  /**
   * The client sent frames faster than the server could answer them: its
   * unanswered frames passed `receiveQueueLimit` bytes.
   */
  ReceiveQueueFull: 4002,
  /** A connect-time guard or handler refused the connection. */
  ConnectionRejected: 4003,
  /**
   * Server code ended this connection's access (`ChannelService.revoke()` or
   * `disconnect()`), after one `Error AccessRevoked` frame. Its server-made
   * subscriptions are gone: a client should not reconnect with the same
   * identity on its own.
   */
  AccessRevoked: 4004,
} as const;

/** @publicApi */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
