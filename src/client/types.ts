import type {
  ErrorPayload,
  EventFrame,
  PushFrame,
  RingReplyFrame,
  SubscribedPayload,
  UnsubscribedPayload,
  WelcomePayload,
} from '../protocol/frames.js';
import type { ReconnectOptions } from './backoff.js';
import type { RealtimeError } from './errors.js';
import type { RealtimeSocket } from './realtime-socket.js';

/**
 * What the client needs of a WebSocket: the browser's `WebSocket` and the `ws`
 * package's both fit. Text frames must arrive as strings (both do that).
 *
 * @publicApi
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/**
 * A WebSocket constructor: `globalThis.WebSocket` in browsers (and Node 22+),
 * or `WebSocket` from the `ws` package in Node 20.
 *
 * @publicApi
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Timer functions, injectable for tests. @publicApi */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Describes one application action: what it takes and what its reply carries.
 *
 * @example
 * interface MyActions {
 *   SayHello: { payload: { name: string; times: number }; reply: { greeting: string } };
 *   WhoAmI: { reply: { name: string } };
 * }
 * @publicApi
 */
export interface ActionSpec {
  payload?: unknown;
  reply?: unknown;
}

/** Any action, any payload, an `unknown` reply: the map of an untyped client. @publicApi */
export type UntypedActions = Record<string, ActionSpec>;

/** Any event with an `unknown` payload: the map of an untyped client. @publicApi */
export type UntypedEvents = Record<string, unknown>;

/** The actions every server answers, usable with `request()`. @publicApi */
export interface BuiltInActions {
  Ping: { payload?: Record<string, never>; reply: { time: number } };
  ListSubscriptions: {
    payload?: Record<string, never>;
    reply: { subscriptions: Record<string, string[]>; channels: string[] };
  };
}

/** The application's actions, plus the built-in ones it does not redefine. @publicApi */
export type AllActions<A> = A & Omit<BuiltInActions, keyof A>;

/** The names `request()` accepts. @publicApi */
export type ActionName<A> = Extract<keyof AllActions<A>, string>;

/** The payload type of an action. @publicApi */
export type PayloadOf<A, K extends PropertyKey> = K extends keyof AllActions<A>
  ? AllActions<A>[K] extends { payload?: infer P }
    ? P
    : unknown
  : unknown;

/** The reply type of an action. @publicApi */
export type ReplyOf<A, K extends PropertyKey> = K extends keyof AllActions<A>
  ? AllActions<A>[K] extends { reply?: infer R }
    ? R
    : unknown
  : unknown;

/** Options of one `request()`. @publicApi */
export interface RequestOptions {
  /** ms to wait for the reply, counted from the call (time in the offline queue included). */
  timeout?: number;
}

/** Options of one `callRoute()`. @publicApi */
export interface RouteCallOptions extends RequestOptions {
  /** Request headers for the route, such as `{ authorization: 'Bearer …' }` (the server allows some: `callRouteHeaders`). */
  headers?: Record<string, string>;
}

/** The answer to a `callRoute()`, as the server's Ring-style reply carries it. @publicApi */
export interface RouteResponse<B = unknown> {
  status: number;
  headers: Record<string, string>;
  body: B;
}

/** Any frame the server sends. @publicApi */
export type ServerFrame = EventFrame | PushFrame | RingReplyFrame;

/** The global events of a {@link RealtimeSocket}, by name, with what listeners get. @publicApi */
export interface RealtimeSocketEvents {
  /** The `Welcome` frame of each new connection arrived. */
  welcome: WelcomePayload;
  /**
   * After a reconnect, the server does not hold these plain channels for this
   * connection any more (its `Welcome` did not list them), although the
   * client listens to them: after a restart of an in-memory server, say. Subscribe the page
   * again (a route or an action that calls `ChannelService.subscribe`) or
   * reload it.
   */
  stale: { channels: string[] };
  /** The `authenticate` hook finished without throwing. */
  authenticated: { connectionId: string; reconnected: boolean };
  /**
   * The connection is ready: `Welcome` arrived, `authenticate` ran, family
   * subscriptions were sent again and the offline queue was flushed.
   */
  connected: { connectionId: string; reconnected: boolean };
  /** The socket closed (or could not open). */
  disconnected: { code: number; reason: string; willReconnect: boolean };
  /** A reconnect attempt is scheduled in `delayMs`. */
  reconnecting: { attempt: number; delayMs: number };
  /**
   * An `Error` event that answers no pending request, a socket error, a
   * failed `authenticate` hook, or a family subscription refused on re-subscribe.
   */
  error: RealtimeError;
  /** Every frame the server sends, parsed, before the client acts on it. */
  message: ServerFrame;
}

/** What the `authenticate` hook gets: a way to make requests before the connection counts as ready. @publicApi */
export interface AuthenticateContext<A extends object, E extends object> {
  /** The connection id the server's `Welcome` gave. */
  readonly connectionId: string;
  /** False on the first connection, true on every reconnect. */
  readonly reconnected: boolean;
  /** Sends at once on this connection (past the offline queue). */
  request<K extends ActionName<A>>(
    action: K,
    payload?: PayloadOf<A, K>,
    options?: RequestOptions,
  ): Promise<ReplyOf<A, K>>;
  /** Sends at once on this connection (past the offline queue). */
  callRoute<B = unknown>(
    method: string,
    uri: string,
    input?: Record<string, unknown>,
    options?: RouteCallOptions,
  ): Promise<RouteResponse<B>>;
  /** The client itself, for listeners and anything else. */
  readonly socket: RealtimeSocket<A, E>;
}

/** Options of a {@link RealtimeSocket}. @publicApi */
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
  /** Sub-protocols, the constructor's second argument. */
  protocols?: string | string[];
  /**
   * A third constructor argument, for Node's `ws` package: for instance
   * `{ headers: { cookie } }`. Browsers ignore it.
   */
  webSocketOptions?: unknown;
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

export type { ErrorPayload, EventFrame, PushFrame, RingReplyFrame, SubscribedPayload, UnsubscribedPayload, WelcomePayload };
