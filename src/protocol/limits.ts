/**
 * Sizes the protocol fixes, shared by the server (which refuses more) and the
 * client (which splits or checks before sending). Limits an application can
 * change are options of the module; only their defaults are here.
 */

/** Longest channel name, in characters. */
export const MAX_CHANNEL_LENGTH = 200;

/** Longest family (Myxi's exchange) name: a family name can be no longer than a channel name. */
export const MAX_EXCHANGE_LENGTH = MAX_CHANNEL_LENGTH;

/** Longest routing key sent as a string, in characters. */
export const MAX_ROUTING_KEY_LENGTH = 180;

/**
 * Most `routing_keys` one `Subscribe` or `Unsubscribe` may carry by default
 * (the `maxKeysPerFrame` option); past it the server refuses the whole frame
 * with `Error TooManyKeys`.
 */
export const DEFAULT_MAX_KEYS_PER_FRAME = 100;

/**
 * Work units a `call-route` costs beyond its size (one per started KiB): a
 * route call is a whole HTTP request through the app, some 20 times the
 * server's work for a `Ping`.
 */
export const CALL_ROUTE_EXTRA_UNITS = 9;

/**
 * Most pushes replayed to one connection for one request (its `Welcome`, or
 * one `Subscribe`): a channel whose gap needs more than what is left of it is
 * answered `recovered: false` instead.
 */
export const MAX_REPLAY_PER_REQUEST = 2000;

/**
 * Pushes a connection may have replayed per second over time, past the
 * `MAX_REPLAY_PER_REQUEST` it may catch up on at once.
 */
export const REPLAYED_PUSHES_PER_SECOND = 200;

/** Most positions a client may send back in one request (`since`). */
export const MAX_SINCE_ENTRIES = 200;

/**
 * Work units a millisecond of the server's measured work on a frame costs by
 * default (the `workUnitsPerMs` option): decoding it, running its handler,
 * encoding its answers. A frame costs whichever is more: the units it was
 * charged for its size and the work it asks for, or its measured work, so a
 * connection at `messageRate.perSecond` units a second keeps the server busy
 * at most `perSecond / workUnitsPerMs` ms a second.
 */
export const DEFAULT_WORK_UNITS_PER_MS = 2;

/**
 * Most elements one client frame may hold by default (the `maxElements`
 * option): each array and object, and each item in them (an object's key with
 * its value, an array's value). Past it the frame is refused unparsed with
 * `Error TooManyElements`.
 */
export const DEFAULT_MAX_ELEMENTS = 1000;

/**
 * Elements of a `Subscribe` frame besides its routing keys (the frame, its
 * payload and the keys' array; `action`, `tag`, `payload`, `exchange` and
 * `routing_keys`): `maxElements` must leave room for `maxKeysPerFrame` keys.
 */
export const SUBSCRIBE_FRAME_ELEMENTS = 8;
