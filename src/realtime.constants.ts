import { withReconnectHint } from './protocol/reconnect-hint.util.js';

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

/** How long shutdown waits, after the drain's last close went out, for clients to answer it, in ms. */
export const SHUTDOWN_CLOSE_GRACE_MS = 1000;

/**
 * The reconnect hint of the 1001 close at shutdown: clients spread their
 * reconnects over this many ms. NOTE: short, because a client waiting to
 * reconnect misses pushes; the server's own spread (`shutdownDrain`) is what
 * keeps a big instance's clients from arriving together.
 */
export const SHUTDOWN_RECONNECT_WITHIN_MS = 1000;

/** The text of the 1001 close at shutdown, before its reconnect hint. */
export const SHUTDOWN_CLOSE_TEXT = 'Server shutting down';

/** The reason of the 1001 close at shutdown: `Server shutting down; reconnect_within_ms=1000`. */
export const SHUTDOWN_CLOSE_REASON = withReconnectHint(SHUTDOWN_CLOSE_TEXT, SHUTDOWN_RECONNECT_WITHIN_MS);
