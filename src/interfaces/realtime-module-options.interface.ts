import type { ChannelHistoryOptions, ChannelHistoryRule } from './channel-history-options.interface.js';
import type { ResolvedHistoryRule } from '../history-options.resolver.js';
import type { RealtimeTransportFactory } from '../channels/realtime-backend.interface.js';
import type { RealtimeCompressionOptions, ResolvedCompression } from './realtime-compression-options.interface.js';
/**
 * Options of `RealtimeModule.forRoot()` / `forRootAsync()`. Every field is
 * optional; the defaults are listed with each one and merged in one place
 * (`resolveRealtimeOptions`).
 *
 * @publicApi
 */
export interface RealtimeModuleOptions {
  /**
   * Origins allowed to open a socket (the `Origin` header of the upgrade).
   * A disallowed origin gets `403` and no socket. `'*'` allows any origin.
   * Requests without an `Origin` header (non-browser clients) are allowed.
   * @default same-origin only: the Origin's host must equal the Host header
   */
  allowedOrigins?: string[] | '*';
  /**
   * Which proxies' `X-Forwarded-For` to believe when working out a client's
   * address (`connection.remoteAddress`, per-address limits): none (`false`),
   * any (`true`: only when every request comes through your proxy), the
   * nearest N hops, or the proxies at the addresses and subnets listed
   * (`['10.0.0.0/8']`; `'loopback'` and `'private'` name those ranges).
   * @default false: the socket's peer address
   */
  trustProxy?: boolean | number | string[];
  /**
   * Most open connections one client address may hold; more upgrades from it
   * are answered `429 Too Many Requests`. `0` for no cap. Behind a proxy, set
   * `trustProxy`, or every client shares the proxy's address.
   * @default 100
   */
  maxConnectionsPerAddress?: number;
  /**
   * Largest frame a client may send, in bytes. A larger one closes the
   * connection with 1009.
   * @default 65536
   */
  maxMessageSize?: number;
  /**
   * How often the server pings every connection, in ms. A peer that has not
   * answered the previous ping is terminated. `0` disables pings.
   * @default 30000
   */
  heartbeatInterval?: number;
  /**
   * Most bytes that may wait in one connection's send buffer. A client that
   * reads slower than that is closed with 4001, and nobody else waits for it.
   * @default 1048576
   */
  sendBufferLimit?: number;
  /**
   * Per-connection rate, as a token bucket of work units: `burst` units at
   * once, refilled at `perSecond` units a second. A frame costs one unit per
   * started KiB (a small frame costs 1, a 64 KiB frame 64), plus one unit per
   * reply after the first that a built-in action sends (each routing key of
   * `routing_keys` after the first; each channel an `Unsubscribe` of a whole
   * family or of everything drops after the first), plus nine for a
   * `call-route`; or the server's measured work on it (`workUnitsPerMs`),
   * whichever is more. A client over it gets `Error RateLimited`, then close
   * 1008.
   * @default { burst: 200, perSecond: 100 }
   */
  messageRate?: { burst: number; perSecond: number };
  /**
   * What a millisecond of the server's measured work on a frame costs, in
   * units of `messageRate` (and `addressMessageRate`): decoding it, its
   * handler, encoding its answers. A frame costs its measured work or the
   * units it was charged otherwise (its size, its keys, a route call),
   * whichever is more, so a connection keeps the server busy at most
   * `messageRate.perSecond / workUnitsPerMs` ms a second. `0`: work is not
   * charged (it still orders whose frame runs first).
   * @default 2
   */
  workUnitsPerMs?: number;
  /**
   * The rate of one client address, across all its connections and across
   * reconnects, in the same work units as `messageRate`: a client cannot
   * escape its rate by opening more sockets or reconnecting. Over it, the
   * connection gets `Error RateLimited`, then close 1008. `false` turns it
   * off. Behind a proxy, set `trustProxy`, or every client shares one address.
   * @default { burst: 2000, perSecond: 1000 }
   */
  addressMessageRate?: { burst: number; perSecond: number } | false;
  /**
   * permessage-deflate for the frames the server sends: `true`, or settings
   * that bound its cost (`threshold`, `level`, `memLevel`, `windowBits`,
   * `maxSockets`). Only sockets whose client offers it compress; the others
   * are unaffected.
   * @default false
   */
  compression?: boolean | RealtimeCompressionOptions;
  /**
   * Most routing keys one `Subscribe` or `Unsubscribe` frame may carry in
   * `routing_keys`. A frame with more is answered with one
   * `Error TooManyKeys`, and none of its keys is handled.
   * @default 100
   */
  maxKeysPerFrame?: number;
  /**
   * Deepest nesting of arrays and objects in a client frame, the frame's own
   * object being level 1 (so `{"tag":[[1]]}` is 3 deep). A deeper frame is
   * not parsed: it is answered with `Error NestingTooDeep`, without a tag.
   * @default 16
   */
  maxDepth?: number;
  /**
   * Most elements in a client frame: each array and each object counts one,
   * and so does each item in them (an object's key with its value, an
   * array's value); the frame's own object and its keys count too (so
   * `{"action":"Ping","payload":{"a":[1,2]}}` holds 7). A frame with more is
   * not parsed: it is answered with `Error TooManyElements`, without a tag.
   * At least `maxKeysPerFrame + 8`, room for a `Subscribe` of that many keys.
   * @default 1000
   */
  maxElements?: number;
  /**
   * Most bytes of frames one connection may have waiting to be answered
   * (frames are answered one at a time, in order, and only after `Welcome`).
   * A client past it is closed with 4002. At least `maxMessageSize`.
   * @default 4 * maxMessageSize (262144)
   */
  receiveQueueLimit?: number;
  /**
   * Most bytes of frames all connections together may have waiting to be
   * answered. Past it, the connection with the most bytes waiting is closed
   * with 1013, until the new frame fits. At least `receiveQueueLimit`.
   * @default 67108864 (64 MiB)
   */
  totalReceiveQueueLimit?: number;
  /**
   * Most channels one connection (or one digest) may be subscribed to.
   * @default 100
   */
  maxSubscriptions?: number;
  /**
   * Name of the cookie that carries the signed socket key.
   * @default 'realtime_sk'
   */
  socketKeyCookie?: string;
  /**
   * Secret that signs the socket-key cookie. Give every instance of an app the
   * same one. When missing, a random secret is made at startup (and a warning
   * logged): cookies then last only as long as the process.
   */
  secret?: string;
  /**
   * Whether the socket-key cookie is `Secure`. `'auto'` sets it when the
   * request came over TLS (or `X-Forwarded-Proto: https`).
   * @default 'auto'
   */
  secureCookie?: boolean | 'auto';
  /**
   * `SameSite` attribute of the socket-key cookie.
   * @default 'Lax'
   */
  sameSite?: 'Strict' | 'Lax';
  /**
   * Write `data-socket-connection-id="<id>"` onto the `<body>` of every HTML
   * response, as pakyow does.
   * @default false
   */
  injectConnectionId?: boolean;
  /**
   * Serve the browser client (one ES module file) over HTTP: `true` at
   * `/realtime/client.js`, or at the path given. Pages then load it with
   * `<script type="module">import { RealtimeSocket } from '/realtime/client.js'</script>`.
   * @default false
   */
  serveClient?: boolean | string;
  /**
   * Request headers a client may set on a route called over the socket (the
   * `headers` of its `call-route` message), for routes behind a guard that
   * reads them. Lower-case names; the connection's identity, `Cookie`, `Host`,
   * `X-Forwarded-*` and hop-by-hop headers can never be set.
   * @default ['authorization']
   */
  callRouteHeaders?: string[];
  /**
   * The event stream: a `GET` on the gateway's path with
   * `Accept: text/event-stream` streams the client's pushes as server-sent
   * events, for clients whose WebSocket cannot connect (a proxy that refuses
   * upgrades). Receive-only: actions go to HTTP routes. `retry` is the ms a
   * client waits before it reconnects (the stream's `retry:` field), `ping`
   * the ms between comment lines that keep proxies from closing a quiet
   * stream (`0`: none). `false` turns the endpoint off (such requests reach
   * the app's routes).
   * @default { retry: 5000, ping: 15000 }
   */
  eventStream?: { retry?: number; ping?: number } | boolean;
  /**
   * How often the authorizers of channel families are asked again about the
   * subscriptions clients made, in ms (Myxi's touch). A revoked client gets
   * `Unsubscribed` with `auto: true`. `0` disables it.
   * @default 60000
   */
  reauthorizeInterval?: number;
  /**
   * Also ask family authorizers about the family subscriptions server code
   * made (a route's `ChannelService.subscribe`, held under the digest), every
   * `reauthorizeInterval`, from one interval after the connection's
   * `Welcome` (time for an `Authenticate` action to sign it in). A refused one
   * is dropped from the connection (`Unsubscribed`, `auto: true`) and from its
   * digest, so it does not come back on reconnect.
   * @default false: only subscriptions clients made themselves are asked about again
   */
  reauthorizeServerSubscriptions?: boolean;
  /**
   * The id of a connection's signed-in user (`connection.user`), for
   * `ChannelService.disconnect({ user })`: a string or a number, the same on
   * every instance. Called on each open socket when access is ended by user;
   * `undefined` means "no user".
   * @default user => user.id (when it is a string or a number)
   */
  userId?(user: unknown): string | number | undefined | null;
  /**
   * How long subscriptions held under a digest outlive the last connection
   * that used them (or the page that made them, if it never connects), in ms.
   * @default 600000
   */
  subscriptionTtl?: number;
  /**
   * Drained restarts (Myxi's `shutdown_time`), in ms: at shutdown (`app.close()`,
   * or SIGTERM with `app.enableShutdownHooks()`), the instance refuses new
   * sockets (`503` with `Retry-After`), reports itself draining to
   * `RealtimeHealthIndicator`, and closes its open sockets (and event streams)
   * one by one, spread
   * evenly over this many ms, each with `1001` and a reconnect hint
   * (`Server shutting down; reconnect_within_ms=1000`), so that the clients of
   * a restarted instance do not all reconnect to the others in the same
   * moment. Pushes still reach the sockets that are open meanwhile. `0`
   * closes them all at once. Shutdown ends as soon as no socket is left; a
   * socket that has not answered its close 1 s after the last close went out
   * is dropped.
   * Keep it under the time your platform gives a process to stop (Kubernetes:
   * `terminationGracePeriodSeconds`, 30 s by default).
   * @default 1000
   */
  shutdownDrain?: number;
  /**
   * Push ids (`push(message, channels, { id })`): a push whose id was already
   * pushed to the same channel within `window` ms reaches nobody again, on any
   * instance (it resolves with `status: 'duplicate'`), so a caller may retry a
   * push safely. Each instance remembers at most `maxKeys` recent ids; Redis
   * keeps one key per id and channel for `window` ms.
   * @default { window: 120000, maxKeys: 50000 }
   */
  idempotency?: { window?: number; maxKeys?: number };
  /**
   * History for plain channels (families set theirs with
   * `@ChannelFamily(name, { history })`): what a reconnecting client, or a
   * page that connects after its route subscribed it, can be given back. One
   * setting for every plain channel, or rules tried in order
   * (`[{ match: 'chat:*', size: 200, ttl: 600_000 }]`). Without history a
   * client still learns, by position, whether it missed anything.
   * @default false
   */
  history?: ChannelHistoryOptions | ChannelHistoryRule[] | false;
  /**
   * Scale out on Redis: subscriptions held by digest live in Redis, and pushes
   * reach every instance's subscribers. Without it, everything runs in one
   * process in memory. Needs the `ioredis` package.
   */
  redis?: RealtimeRedisOptions;
  /**
   * What carries pushes between the app's instances and holds what they
   * share (Phoenix.PubSub's `adapter`): a factory such as `memoryTransport()`
   * (the default), `memoryTransport({ hub })` for several apps in one process,
   * or your own ([docs/transports.md](../docs/transports.md)). Not with `redis`,
   * which is the Redis one.
   */
  transport?: RealtimeTransportFactory;
}

/**
 * A class that makes the options, for `forRootAsync({ useClass })` or
 * `useExisting`.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class RealtimeConfig implements RealtimeOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createRealtimeOptions(): RealtimeModuleOptions {
 *     return { secret: this.config.getOrThrow('REALTIME_SECRET') };
 *   }
 * }
 * ```
 * @publicApi
 */
export interface RealtimeOptionsFactory {
  createRealtimeOptions(): RealtimeModuleOptions | Promise<RealtimeModuleOptions>;
}

/**
 * How to reach Redis, and how much recent traffic it keeps per channel so that
 * an instance can catch up after a reconnect.
 *
 * @publicApi
 */
export interface RealtimeRedisOptions {
  /**
   * A standalone server: `redis://[:password@]host:port[/db]`.
   * @default 'redis://127.0.0.1:6379' when neither `url` nor `cluster` is set
   */
  url?: string;
  /**
   * ioredis connection options, merged over `url` (for instance `sentinels`
   * and `name` for Sentinel, `tls`, `password`).
   */
  connection?: Record<string, unknown>;
  /**
   * Redis Cluster: its seed nodes. Pub/sub then uses sharded channels
   * (SSUBSCRIBE/SPUBLISH), so each push touches one shard only.
   */
  cluster?: { nodes: Array<{ host: string; port: number } | string>; options?: Record<string, unknown> };
  /**
   * Prefix of every key and channel this module uses in Redis.
   * @default 'rt:'
   */
  prefix?: string;
  /**
   * Recent messages kept per channel for catch-up after a reconnect: at most
   * `size` messages, for `ttl` ms after the channel's last push.
   * @default { size: 100, ttl: 60000 }
   */
  backlog?: { size?: number; ttl?: number };
  /**
   * How long startup waits for Redis before failing, in ms.
   * @default 10000
   */
  connectTimeout?: number;
  /**
   * How long any Redis command may take, in ms. A command that takes longer
   * fails with `RealtimeTransportError` (code `Timeout`), and Redis counts as
   * unavailable until it answers a PING again.
   * @default 2000
   */
  commandTimeout?: number;
  /**
   * Pushes made while Redis is unavailable: delivered to this instance's
   * subscribers and kept, in order, until Redis is back, then published
   * (`status: 'queued'`). At most `size` pushes wait; after `maxAge` ms of
   * outage, or when `size` are waiting, a push is rejected with
   * `RealtimeTransportError` before anyone gets it. `size: 0` turns queueing
   * off (every push during an outage is rejected).
   * @default { size: 10000, maxAge: 30000 }
   */
  outbox?: { size?: number; maxAge?: number };
}

/**
 * Options that shape the module itself, so they cannot come from an async
 * factory: pass them next to `useFactory` in `forRootAsync`, or with the rest
 * in `forRoot`.
 *
 * @publicApi
 */
export interface RealtimeModuleExtras {
  /**
   * Path of the WebSocket endpoint on the app's HTTP server. `/` lets pakyow's
   * browser snippet work unmodified.
   * @default '/'
   */
  path?: string;
  /**
   * Register the module globally, so `ChannelService` is injectable anywhere.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * Serve WebSocket clients. `false` makes a publish-only process (a queue
   * worker, a cron job) that pushes through Redis to the instances that do.
   * @default true
   */
  gateway?: boolean;
}

/** The options after defaults are merged: what the module's parts inject. */
export interface ResolvedRealtimeOptions {
  allowedOrigins: string[] | '*' | 'same-origin';
  trustProxy: boolean | number | string[];
  maxConnectionsPerAddress: number;
  maxMessageSize: number;
  heartbeatInterval: number;
  sendBufferLimit: number;
  messageRate: { burst: number; perSecond: number };
  addressMessageRate: { burst: number; perSecond: number } | false;
  compression: ResolvedCompression | false;
  maxKeysPerFrame: number;
  maxDepth: number;
  maxElements: number;
  workUnitsPerMs: number;
  receiveQueueLimit: number;
  totalReceiveQueueLimit: number;
  maxSubscriptions: number;
  socketKeyCookie: string;
  secret: string;
  secretWasGenerated: boolean;
  secureCookie: boolean | 'auto';
  sameSite: 'Strict' | 'Lax';
  injectConnectionId: boolean;
  clientPath: string | undefined;
  /** The event stream's settings, or `false` when it is off. */
  eventStream: { retry: number; ping: number } | false;
  callRouteHeaders: string[];
  reauthorizeInterval: number;
  reauthorizeServerSubscriptions: boolean;
  /** The user id of a connection's user, as a non-empty string, or `undefined`. */
  userId: (user: unknown) => string | undefined;
  subscriptionTtl: number;
  shutdownDrain: number;
  idempotency: { window: number; maxKeys: number };
  history: ResolvedHistoryRule[];
  redis: ResolvedRedisOptions | undefined;
  transport: RealtimeTransportFactory | undefined;
}

/** Redis options after defaults are merged. */
export interface ResolvedRedisOptions {
  url: string | undefined;
  connection: Record<string, unknown>;
  cluster: { nodes: Array<{ host: string; port: number } | string>; options: Record<string, unknown> } | undefined;
  prefix: string;
  backlogSize: number;
  backlogTtl: number;
  connectTimeout: number;
  commandTimeout: number;
  outboxSize: number;
  outboxMaxAge: number;
}
