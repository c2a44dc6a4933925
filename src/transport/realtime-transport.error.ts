/**
 * A push or direct send that the transport could not hand on (Redis is
 * unavailable). Local subscribers were served; those on other instances were
 * not. The caller decides whether to retry.
 *
 * @publicApi
 */
export class RealtimeTransportError extends Error {
  override readonly name = 'RealtimeTransportError';
}
