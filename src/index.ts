export { ChannelFamily } from './channels/channel-family.decorator.js';
export type { ChannelAuthorizer } from './channels/channel-authorizer.interface.js';
export { InvalidChannelError, RealtimeAccessError, TooManySubscriptionsError } from './channels/channel.errors.js';
export { ChannelService } from './channels/channel.service.js';
export type {
  EventNameOf,
  PushEventName,
  PushOptions,
  PushPayload,
  PushReceipt,
  PushStatus,
  SendOptions,
  UntypedPushEvents,
} from './channels/channel.service.js';
export type { DisconnectReceipt, DisconnectTarget } from './channels/disconnect-target.interface.js';
export { isRealtimeConnection, REALTIME_CONNECTION } from './channels/realtime-connection.interface.js';
export type { RealtimeConnection } from './channels/realtime-connection.interface.js';
export { RealtimeTransport } from './channels/realtime-transport.interface.js';
export type {
  AccessMatch,
  ControlMessage,
  DirectMessage,
  PublishOptions,
  PublishOutcome,
  TransportHealth,
  TransportReceiver,
} from './channels/realtime-transport.interface.js';
export { isRealtimeContext } from './handlers/is-realtime-context.util.js';
export { RealtimeClient } from './handlers/realtime-client.decorator.js';
export { RealtimeHandler } from './handlers/realtime-handler.decorator.js';
export type { RealtimeHandlerOptions } from './handlers/realtime-handler.decorator.js';
export { OnRealtimeConnect, OnRealtimeDisconnect } from './handlers/realtime-lifecycle.decorator.js';
export { RealtimeException } from './handlers/realtime.exception.js';
export type { RealtimeClientRef } from './identity/realtime-client-ref.interface.js';
export type {
  RealtimeModuleExtras,
  RealtimeModuleOptions,
  RealtimeOptionsFactory,
  RealtimeRedisOptions,
  ResolvedRealtimeOptions,
} from './interfaces/realtime-module-options.interface.js';
export * from './protocol/close-codes.js';
export * from './protocol/error-codes.js';
export { BuiltInAction, EventName } from './protocol/event-names.js';
export type * from './protocol/frames.js';
export { REALTIME_MODULE_OPTIONS } from './realtime-module-definition.js';
export type { RealtimeModuleAsyncOptions, RealtimeModuleRootOptions } from './realtime-module-definition.js';
export { REALTIME_DEFAULTS } from './realtime-options.resolver.js';
export { REALTIME_OPTIONS } from './realtime.constants.js';
export { RealtimeModule } from './realtime.module.js';
export { RealtimeTransportError } from './transport/realtime-transport.error.js';
export type { RealtimeTransportErrorCode } from './transport/realtime-transport.error.js';
