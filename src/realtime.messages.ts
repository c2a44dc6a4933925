/** Words the module says, as small functions (the schedule/bullmq habit). */

export const INVALID_OPTION = (name: string, expected: string, got: unknown): string =>
  `RealtimeModule option "${name}" must be ${expected}; got ${JSON.stringify(got)}.`;

export const DUPLICATE_HANDLER = (action: string, first: string, second: string): string =>
  `Realtime action "${action}" is handled twice: by ${first} and by ${second}. Give each @RealtimeHandler() its own action name.`;

export const RESERVED_HANDLER = (action: string, where: string): string =>
  `${where} uses the built-in action name "${action}". Choose another name for @RealtimeHandler().`;

export const DUPLICATE_FAMILY = (family: string, first: string, second: string): string =>
  `Channel family "${family}" is declared twice: by ${first} and by ${second}.`;

export const NON_STATIC_HOST = (where: string): string =>
  `Cannot register realtime handler ${where}: it is defined in a request-scoped (non static) provider. Make the provider static.`;

export const NOT_A_WS_SERVER = (): string =>
  'RealtimeModule needs the ws adapter from @nestjs/platform-ws: call app.useWebSocketAdapter(new WsAdapter(app)) before app.listen().';

export const UNSUPPORTED_SUBPROTOCOL = (supported: readonly string[]): string =>
  `None of the offered subprotocols is spoken here: offer ${supported.join(' or ')}, or none.`;

export const MISSING_IDENTITY = (): string =>
  '@RealtimeClient() found no realtime identity on this request: is RealtimeModule imported in the module that serves this route?';

export const RATE_BELOW_SUBSCRIPTIONS = (burst: number, maxSubscriptions: number): string =>
  `RealtimeModule option "messageRate.burst" (${burst}) is below "maxSubscriptions" (${maxSubscriptions}): ` +
  'each key of a Subscribe costs a unit, so a client that subscribes to all it may hold (as the client does after a reconnect) ' +
  'is closed for its rate. Give messageRate.burst at least maxSubscriptions.';

export const TOO_MANY_SUBSCRIPTIONS = (max: number): string =>
  `A client may hold at most ${max} subscriptions (maxSubscriptions).`;

export const INVALID_CHANNEL = (channel: unknown): string =>
  `Invalid channel name ${JSON.stringify(channel)}: use a non-empty string of at most 200 printable characters.`;

export const REDIS_PEERS_MISSING = (missing: readonly string[]): string =>
  `RealtimeModule option "redis" needs ${missing.join(' and ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed: npm install ${missing.join(' ')}`;

export const REDIS_URL_INVALID = (got: unknown): string =>
  `RealtimeModule option "redis.url" must be a redis:// or rediss:// URL; got ${got === undefined ? 'undefined' : JSON.stringify(got)}. ` +
  'If it comes from an environment variable, that variable is not set: set it, or leave out "redis" to run in memory.';

export const FILTER_FAILED = (source: string): string =>
  `An exception filter of realtime handler ${source} threw while handling an error; the client was answered InternalError.`;

export const GATEWAY_PATH_TAKEN = (path: string, other: string): string =>
  `RealtimeModule's gateway and ${other} both listen for WebSocket upgrades on "${path}" of the app's HTTP server, ` +
  'and @nestjs/platform-ws hands every upgrade to only one of them. Give one of them another path, ' +
  "such as RealtimeModule.forRoot({ path: '/realtime' }) or @WebSocketGateway({ path: '/events' }).";

export const HANDLER_FAILED = (source: string): string =>
  `Realtime handler ${source} failed; the client was answered InternalError.`;

export const INVALID_DISCONNECT_TARGET = (got: unknown): string =>
  `ChannelService.disconnect() takes { client }, { connectionId }, { socketKeyOf: client } or { user }; got ${describeValue(got)}.`;

export const CLIENT_WITHOUT_KEY = (method: string): string =>
  `ChannelService.${method} needs a client that knows its socket key: @RealtimeClient() in an HTTP route, or @ConnectedSocket() in a realtime handler. ` +
  'A plain { connectionId, digest } has no key; use disconnect({ client }) to end that one page.';

export const USER_ID_FAILED = (error: unknown): string =>
  `The userId option threw while matching connections for disconnect({ user }); that connection was left alone: ${(error as Error)?.message ?? String(error)}`;

export const ACCESS_NOT_ENDED_EVERYWHERE = (cause: unknown): string =>
  `Realtime access was ended on this instance only: ${(cause as Error)?.message ?? String(cause)}. ` +
  'Other instances, or subscriptions held in Redis, may still serve it; retry once Redis is back.';

export const ACCESS_REVOKED = (): string => 'Realtime access was ended by the server: sign in again';

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  return `an object with ${Object.keys(value).map(key => JSON.stringify(key)).join(', ') || 'no keys'}`;
}

export const TRANSPORT_UNAVAILABLE_REPLY = (): string => 'The realtime service is unavailable for a moment; try again.';

export const REDIS_UNAVAILABLE = (what: string, why: string): string =>
  `Redis is unavailable (${why}): could not ${what}.`;

export const REDIS_TIMEOUT = (what: string, ms: number): string =>
  `Redis did not answer within ${ms} ms (redis.commandTimeout) to ${what}; it may still take effect.`;

export const REDIS_FAILED = (what: string, why: string): string => `Redis could not ${what}: ${why}`;

export const OUTBOX_DISABLED = (): string =>
  'Redis is unavailable and queueing is off (redis.outbox.size is 0): the push was not delivered to anyone.';

export const OUTBOX_FULL = (size: number): string =>
  `Redis is unavailable and ${size} pushes already wait for it (redis.outbox.size): the push was not delivered to anyone.`;

export const OUTBOX_TOO_OLD = (maxAge: number): string =>
  `Redis has been unavailable for more than ${maxAge} ms (redis.outbox.maxAge): the push was not delivered to anyone.`;

export const OUTBOX_CLOSED = (): string => 'The realtime transport is shutting down: the push was not delivered to anyone.';

export const INVALID_PUSH_ID = (got: unknown): string =>
  `A push id must be a non-empty string of at most 1024 characters, or a finite number; got ${typeof got === 'string' ? `a string of ${got.length} characters` : JSON.stringify(got) ?? String(got)}.`;

// Words clients read in `Error` payloads. They name limits, and never echo
// more of what the client sent than a short, bounded excerpt.

/** An action name as a message may quote it: at most 64 characters of it. */
const quoted = (name: string): string => JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);

export const NO_SUCH_ACTION = (action: string): string => `No action named ${quoted(action)}`;

export const NO_SUCH_RING_ACTION = (action: string): string =>
  action ? `No action named ${quoted(action)} for {id, action} requests` : 'Missing action';

export const FRAME_TOO_DEEP = (maxDepth: number): string =>
  `Frames may nest arrays and objects at most ${maxDepth} levels deep`;

export const FRAME_TOO_WIDE = (maxElements: number): string =>
  `Frames may hold at most ${maxElements} elements: arrays, objects and the items in them`;

export const INVALID_TAG = (max: number): string => `tag must be a string of at most ${max} characters, a number or null`;

export const INVALID_ID = (max: number): string => `id must be a string of at most ${max} characters or a number`;

export const TOO_MANY_KEYS = (count: number, max: number): string =>
  `routing_keys holds ${count} keys; a frame may carry at most ${max}`;
