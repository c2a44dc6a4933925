/** DI token of the resolved options (`ResolvedRealtimeOptions`). */
export const REALTIME_OPTIONS = Symbol('RealtimeOptions');

/** Metadata key of `@RealtimeHandler()`. */
export const REALTIME_HANDLER_METADATA = 'realtime:handler';
/** Metadata key of `@OnRealtimeConnect()` / `@OnRealtimeDisconnect()`. */
export const REALTIME_LIFECYCLE_METADATA = 'realtime:lifecycle';
/** Metadata key of `@ChannelFamily()`. */
export const CHANNEL_FAMILY_METADATA = 'realtime:channel-family';

/** The context type handlers run under, so `switchToWs()` works in guards. */
export const REALTIME_CONTEXT_TYPE = 'ws';

/** How long shutdown waits for clients to answer the 1001 close, in ms. */
export const SHUTDOWN_CLOSE_GRACE_MS = 1000;
