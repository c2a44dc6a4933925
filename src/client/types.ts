import type {
  ErrorPayload,
  EventFrame,
  PushFrame,
  RingReplyFrame,
  SubscribedPayload,
  UnsubscribedPayload,
  WelcomePayload,
} from '../protocol/frames.js';
import type { RealtimeError } from './errors.js';

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

/** The global events of a `RealtimeSocket`, by name, with what listeners get. @publicApi */
export interface RealtimeSocketEvents {
  /** The `Welcome` frame of each new connection arrived. */
  welcome: WelcomePayload;
  /**
   * Something was lost on these channels: after a reconnect, the server does
   * not hold these plain channels for this connection any more (its `Welcome`
   * did not list them; a restarted in-memory server, say), or it could not
   * give back what they got meanwhile (no history, or not enough). Reload
   * what they show (and, for the first kind, subscribe the page again).
   */
  stale: { channels: string[] };
  /**
   * After a reconnect (or a page's first connect), the server gave back every
   * push these channels got meanwhile, before any later one. Channels it could
   * not catch up (no history, or not enough) are reported `stale` instead.
   */
  recovered: { channels: string[] };
  /** The `authenticate` hook finished without throwing. */
  authenticated: { connectionId: string; reconnected: boolean };
  /**
   * The connection is ready: `Welcome` arrived, `authenticate` ran, family
   * subscriptions were sent again and the offline queue was flushed.
   * (`socket.transport` tells whether it is the event-stream fallback.)
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

export type { ErrorPayload, EventFrame, PushFrame, RingReplyFrame, SubscribedPayload, UnsubscribedPayload, WelcomePayload };
