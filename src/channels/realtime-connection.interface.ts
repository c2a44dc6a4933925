import type { IncomingHttpHeaders } from 'node:http';
import type { RealtimeClientRef } from '../identity/realtime-client-ref.interface.js';

/** Marks objects that are realtime connections (see `isRealtimeContext`). */
export const REALTIME_CONNECTION = Symbol.for('nestjs-realtime:connection');

/**
 * One open WebSocket connection (or receive-only event stream), as handlers
 * (`@ConnectedSocket()`), connect hooks and family authorizers see it.
 *
 * @publicApi
 */
export interface RealtimeConnection<User = unknown> extends RealtimeClientRef {
  readonly [REALTIME_CONNECTION]: true;
  /**
   * The signed-in user, set by an `Authenticate`-style handler or a
   * connect-time guard. `undefined` until then.
   */
  user: User | undefined;
  /** Free storage for the app, for as long as the connection lives. */
  readonly data: Map<string, unknown>;
  /** Headers of the upgrade request, or of an event stream's `GET` (cookies included). */
  readonly headers: IncomingHttpHeaders;
  /**
   * The client's address: the socket's peer, or, with `trustProxy`, the
   * address the trusted proxies name in `X-Forwarded-For`.
   */
  readonly remoteAddress: string | undefined;
  /** Sends a socket event to this connection only (Myxi's `session.send`). */
  emit(event: string, payload: unknown): void;
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
}

/** Whether a value is a realtime connection. */
export function isRealtimeConnection(value: unknown): value is RealtimeConnection {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REALTIME_CONNECTION] === true;
}
