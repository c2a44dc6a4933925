/**
 * nestjs-realtime/client: a client for browsers and Node 20+.
 *
 * @packageDocumentation
 */
export { RealtimeSocket } from './realtime-socket.js';
export type { AuthenticateContext, RealtimeSocketState } from './realtime-socket-api.js';
export type { RealtimeSocketOptions } from './realtime-socket-options.js';
export type {
  Subscription,
  SubscriptionEventName,
  SubscriptionFrame,
  SubscriptionListener,
  SubscriptionPayload,
} from './subscription.js';
export { ClientErrorCode, RealtimeError } from './errors.js';
export { REALTIME_PROTOCOL } from '../protocol/subprotocol.js';
export type { EventSourceConstructor, EventSourceLike } from './event-stream-socket.js';
export {
  backoffDelay,
  RECONNECT_DEFAULTS,
  type ReconnectOptions,
  type ResolvedReconnectOptions,
} from './backoff.js';
export type {
  ActionName,
  ActionSpec,
  AllActions,
  BuiltInActions,
  ErrorPayload,
  EventFrame,
  PayloadOf,
  PushFrame,
  RealtimeSocketEvents,
  ReplyOf,
  RequestOptions,
  RingReplyFrame,
  RouteCallOptions,
  RouteResponse,
  ServerFrame,
  SubscribedPayload,
  Timers,
  UnsubscribedPayload,
  UntypedActions,
  UntypedEvents,
  WebSocketConstructor,
  WebSocketLike,
  WelcomePayload,
} from './types.js';
