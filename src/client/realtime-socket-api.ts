import type { WelcomePayload } from '../protocol/frames.js';
import type { Subscription } from './subscription.js';
import type {
  ActionName,
  PayloadOf,
  RealtimeSocketEvents,
  ReplyOf,
  RequestOptions,
  RouteCallOptions,
  RouteResponse,
} from './types.js';

/** @publicApi */
export type RealtimeSocketState = 'connecting' | 'open' | 'closed';

/**
 * What a `RealtimeSocket` offers: its public members, documented here.
 *
 * NOTE: an interface of its own so that the types the socket is built from
 * (its options, the `authenticate` hook's context) can name the socket
 * without importing its class, which imports them.
 *
 * @publicApi
 */
export interface RealtimeSocketApi<A extends object, E extends object> {
  /** `'connecting'` until the connection is ready, `'open'` while it is, `'closed'` before connect() and after close(). */
  readonly state: RealtimeSocketState;

  /** The connection id of the last `Welcome`; reconnects reuse it. */
  readonly connectionId: string | undefined;

  /**
   * What the ready connection runs on: `'websocket'`, or `'eventsource'` on
   * the receive-only fallback (`fallback: 'eventsource'`), where requests,
   * route calls and family subscriptions fail with `ReceiveOnly`;
   * `undefined` while not connected.
   */
  readonly transport: 'websocket' | 'eventsource' | undefined;

  /**
   * Opens the connection. Resolves with the `Welcome` payload once the
   * connection is ready: `Welcome` arrived and `authenticate` (if any) ran.
   * While reconnecting is allowed, failed attempts are retried with backoff
   * (watch `disconnected` and `reconnecting`); it rejects when the client
   * gives up (with the server's refusal if one came, else `Disconnected`) or
   * when `close()` is called first. Called while waiting to reconnect, it
   * tries at once.
   */
  connect(): Promise<WelcomePayload>;

  /**
   * Closes the connection for good (no reconnect). Pending and queued
   * requests reject with `Closed`. Resolves once the socket is closed.
   * Subscriptions stay: a later `connect()` subscribes them again.
   */
  close(): Promise<void>;

  /** Adds a global listener; returns a function that removes it. */
  on<K extends keyof RealtimeSocketEvents>(event: K, listener: (value: RealtimeSocketEvents[K]) => void): () => void;

  /** Removes a global listener, or every listener of `event` when none is given. */
  off<K extends keyof RealtimeSocketEvents>(event: K, listener?: (value: RealtimeSocketEvents[K]) => void): void;

  /**
   * Sends `{action, tag, payload}` and resolves with the payload of the first
   * frame that carries the tag (the handler's reply); rejects with a
   * `RealtimeError` when that frame is an `Error` event, after the timeout
   * (`Timeout`), or when the socket closes first (`Disconnected`). For actions
   * that answer with one frame.
   *
   * While offline it waits in the queue (sent after the next connect and
   * `authenticate`) or fails with `Offline`, as `offline` says. A request
   * already sent is never sent twice.
   */
  request<K extends ActionName<A>>(action: K, payload?: PayloadOf<A, K>, options?: RequestOptions): Promise<ReplyOf<A, K>>;

  /**
   * Calls an HTTP route over the socket, pakyow's Ring style:
   * `{id, action: 'call-route', uri, method, input}`, `input` carrying
   * `socket_connection_id`. Resolves with the reply's `{status, headers, body}`
   * whatever the status; rejects as `request()` does. `options.headers` are
   * request headers for the route (the server's `callRouteHeaders` allows
   * `Authorization` by default).
   */
  callRoute<B = unknown>(
    method: string,
    uri: string,
    input?: Record<string, unknown>,
    options?: RouteCallOptions,
  ): Promise<RouteResponse<B>>;

  /**
   * Listens on a plain channel. Plain channels are subscribed by the server
   * (a route or `ChannelService`, under this page's connection id), so this
   * sends nothing; `ready` is already resolved.
   */
  subscribe<CE extends object = E>(channel: string): Subscription<CE>;
  /**
   * Subscribes to one key of a channel family with the built-in `Subscribe`
   * action; `ready` resolves on `Subscribed` and rejects on `Error`. While
   * offline, it is sent after the next connect. After every reconnect it is
   * sent again.
   */
  subscribe<CE extends object = E>(family: string, key: string | number): Subscription<CE>;
}

/**
 * What the `authenticate` hook gets: a way to make requests before the
 * connection counts as ready. Its `request()` and `callRoute()` send at once
 * on this connection, past the offline queue.
 *
 * @publicApi
 */
export interface AuthenticateContext<A extends object, E extends object>
  extends Pick<RealtimeSocketApi<A, E>, 'request' | 'callRoute'> {
  /** The connection id the server's `Welcome` gave. */
  readonly connectionId: string;
  /** False on the first connection, true on every reconnect. */
  readonly reconnected: boolean;
  /** The client itself, for listeners and anything else. */
  readonly socket: RealtimeSocketApi<A, E>;
}
