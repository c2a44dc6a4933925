// The public API of `nestjs-realtime`: exactly what README.md and docs/
// document (test/unit/public-api.spec.ts checks both ways).

// The module and its options
export { RealtimeModule } from './realtime.module.js';
export type { RealtimeModuleAsyncOptions, RealtimeModuleRootOptions } from './realtime-module-definition.js';
export type {
  RealtimeModuleExtras,
  RealtimeModuleOptions,
  RealtimeOptionsFactory,
  RealtimeRedisOptions,
} from './interfaces/realtime-module-options.interface.js';
export type { RealtimeCompressionOptions } from './interfaces/realtime-compression-options.interface.js';
export type { ChannelHistoryOptions, ChannelHistoryRule } from './interfaces/channel-history-options.interface.js';

// Channels
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
export type { ChannelAuthorizer } from './channels/channel-authorizer.interface.js';
export { isRealtimeConnection, REALTIME_CONNECTION } from './channels/realtime-connection.interface.js';
export type { RealtimeConnection } from './channels/realtime-connection.interface.js';
export type { RealtimeClientRef } from './identity/realtime-client-ref.interface.js';

// Decorators
export { ChannelFamily } from './decorators/channel-family.decorator.js';
export type { ChannelFamilyOptions } from './decorators/channel-family.decorator.js';
export { RealtimeClient } from './decorators/realtime-client.decorator.js';
export { RealtimeHandler } from './decorators/realtime-handler.decorator.js';
export type { RealtimeHandlerOptions } from './decorators/realtime-handler.decorator.js';
export { OnRealtimeConnect, OnRealtimeDisconnect } from './decorators/realtime-lifecycle.decorator.js';
export { isRealtimeContext } from './handlers/is-realtime-context.util.js';

// Errors
export { InvalidChannelError, RealtimeAccessError, TooManySubscriptionsError } from './errors/channel.errors.js';
export { RealtimeException } from './errors/realtime.exception.js';
export { RealtimeTransportError } from './errors/realtime-transport.error.js';
export type { RealtimeTransportErrorCode } from './errors/realtime-transport.error.js';

// The wire protocol
export { CloseCode } from './protocol/close-codes.js';
export { ErrorCode } from './protocol/error-codes.js';
export { BuiltInAction, EventName } from './protocol/event-names.js';
export type * from './protocol/frames.js';
export type { ChannelPosition } from './protocol/channel-position.js';
export { CALL_ROUTE_HEADER } from './protocol/header-names.js';
export { REALTIME_PROTOCOL } from './protocol/subprotocol.js';

// Transports (docs/transports.md)
export { RealtimeTransport } from './channels/realtime-transport.interface.js';
export type {
  AccessMatch,
  ChannelHistory,
  ControlMessage,
  HistorySettings,
  DirectMessage,
  PublishOptions,
  PublishOutcome,
  TransportHealth,
  TransportReceiver,
} from './channels/realtime-transport.interface.js';
export type { RealtimeBackend, RealtimeTransportFactory, TransportSettings } from './channels/realtime-backend.interface.js';
export type { SubscriptionRegistry } from './channels/subscription-registry.interface.js';
export type { RevocationList } from './channels/revocation-list.interface.js';
export { MemoryHub } from './transport/memory/memory-hub.js';
export { memoryTransport } from './transport/memory/memory-transport.factory.js';
export type { MemoryTransportOptions } from './transport/memory/memory-transport.factory.js';
