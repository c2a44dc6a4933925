import type { ReconnectOptions } from './backoff.js';
import type { EventSourceConstructor } from './event-stream-socket.js';
import type { AuthenticateContext } from './realtime-socket-api.js';
import type { Timers, UntypedActions, UntypedEvents, WebSocketConstructor } from './types.js';

/** Options of a `RealtimeSocket`. @publicApi */
export interface RealtimeSocketOptions<A extends object = UntypedActions, E extends object = UntypedEvents> {
  /**
   * The endpoint's full URL (`ws:`, `wss:`, `http:` or `https:`). Default: the
   * page's own origin with `ws:`/`wss:` and `path`.
   */
  url?: string;
  /** Path of the endpoint when `url` is not given. @default '/' */
  path?: string;
  /**
   * The connection id to connect with, so that what routes subscribed for the
   * page reaches this socket. `'auto'` reads `data-socket-connection-id` off
   * `<body>` in a browser. After the first `Welcome`, reconnects reuse the id
   * the server gave.
   */
  connectionId?: string | 'auto';
  /** A non-browser client's socket key (sent as `socket_key`); browsers use the cookie. */
  socketKey?: string;
  /** The WebSocket constructor. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /**
   * Subprotocols to offer, the constructor's second argument, as given on
   * every attempt (`[]` offers none). By default the client offers
   * `REALTIME_PROTOCOL` (`nestjs-realtime.v1`), and after a failed attempt
   * alternates with offering none, so that it also connects to a server
   * that selects no subprotocol (browsers fail such a handshake when one
   * was offered).
   * @default [REALTIME_PROTOCOL], then alternating with [] after failures
   */
  protocols?: string | string[];
  /**
   * A third constructor argument, for Node's `ws` package: for instance
   * `{ headers: { cookie } }`. Browsers ignore it.
   */
  webSocketOptions?: unknown;
  /**
   * `'eventsource'`: when the WebSocket cannot connect (`fallbackAfter`
   * attempts in a row closed `1006` before anything arrived, as behind a
   * proxy that refuses upgrades), receive over the server's event stream
   * (`EventSource`, same URL) instead. It receives pushes, direct sends and
   * server events as the socket would; requests, route calls and family
   * subscriptions fail with `ReceiveOnly` while on it (call the app's HTTP
   * routes). It stays on the stream while the stream connects, and tries the
   * WebSocket again when it does not. Needs `reconnect`.
   * @default false
   */
  fallback?: 'eventsource' | false;
  /** WebSocket attempts in a row that could not connect before the fallback is used. @default 2 */
  fallbackAfter?: number;
  /** The EventSource constructor, for the fallback. @default globalThis.EventSource */
  EventSource?: EventSourceConstructor;
  /**
   * The constructor's second argument: `{ fetch }` for the `eventsource`
   * package (to send a cookie), `{ withCredentials }` in browsers.
   * @default { withCredentials: true }
   */
  eventSourceOptions?: unknown;
  /** Reconnect with exponential backoff and jitter, or not at all (`false`). */
  reconnect?: ReconnectOptions | false;
  /** Default timeout of `request()` and `callRoute()`, in ms. @default 10000 */
  requestTimeoutMs?: number;
  /** While not connected, requests wait in a queue (`'queue'`) or fail with `Offline` (`'fail'`). @default 'queue' */
  offline?: 'queue' | 'fail';
  /** Most requests the offline queue holds; past it they fail with `QueueFull`. @default 100 */
  maxQueue?: number;
  /**
   * Runs after every `Welcome` (first connection and reconnects), before
   * family subscriptions are sent again and before queued requests go out.
   *
   * It may return a promise, which is awaited. When it throws, the client
   * emits `error` and goes on without `authenticated`.
   *
   * @example authenticate: socket => socket.request('Authenticate', { token })
   */
  authenticate?: (context: AuthenticateContext<A, E>) => unknown;
  /** Random numbers in [0, 1) for the jitter. @default Math.random */
  random?: () => number;
  /** Timer functions. @default globalThis's */
  timers?: Timers;
}
