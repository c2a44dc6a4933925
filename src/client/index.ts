/**
 * nestjs-realtime/client: a client for browsers and Node 20+.
 *
 * @packageDocumentation
 */
export { RealtimeSocket, type RealtimeSocketState } from './realtime-socket.js';
export type {
  Subscription,
  SubscriptionEventName,
  SubscriptionFrame,
  SubscriptionListener,
  SubscriptionPayload,
} from './subscription.js';
export { ClientErrorCode, RealtimeError } from './errors.js';
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
  AuthenticateContext,
  BuiltInActions,
  ErrorPayload,
  EventFrame,
  PayloadOf,
  PushFrame,
  RealtimeSocketEvents,
  RealtimeSocketOptions,
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
