import { DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_KEYS_PER_FRAME, DEFAULT_WORK_UNITS_PER_MS, SUBSCRIBE_FRAME_ELEMENTS } from './protocol/limits.js';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type {
  RealtimeModuleOptions,
  RealtimeRedisOptions,
  ResolvedRealtimeOptions,
  ResolvedRedisOptions,
} from './interfaces/realtime-module-options.interface.js';
import { resolveHistoryRules } from './history-options.resolver.js';
import { trustedProxies } from './gateway/client-address.resolver.js';
import { INVALID_OPTION, RATE_BELOW_SUBSCRIPTIONS, REDIS_URL_INVALID } from './realtime.messages.js';
import { count, flag, NUMERIC_TEXT, oneOf, whole } from './option-values.util.js';
import { resolveCompression } from './gateway/compression.options.js';

/** The documented defaults, in one place. */
export const REALTIME_DEFAULTS = {
  trustProxy: false,
  maxConnectionsPerAddress: 100,
  maxMessageSize: 64 * 1024,
  heartbeatInterval: 30_000,
  sendBufferLimit: 1024 * 1024,
  messageRate: { burst: 200, perSecond: 100 },
  workUnitsPerMs: DEFAULT_WORK_UNITS_PER_MS,
  addressMessageRate: { burst: 2000, perSecond: 1000 },
  maxKeysPerFrame: DEFAULT_MAX_KEYS_PER_FRAME,
  maxDepth: 16,
  maxElements: DEFAULT_MAX_ELEMENTS,
  /** Four frames of `maxMessageSize`: with another `maxMessageSize`, four of those. */
  receiveQueueLimit: 4 * 64 * 1024,
  totalReceiveQueueLimit: 64 * 1024 * 1024,
  maxSubscriptions: 100,
  socketKeyCookie: 'realtime_sk',
  secureCookie: 'auto',
  sameSite: 'Lax',
  injectConnectionId: false,
  clientPath: '/realtime/client.js',
  eventStream: { retry: 5000, ping: 15_000 },
  callRouteHeaders: ['authorization'],
  reauthorizeInterval: 60_000,
  reauthorizeServerSubscriptions: false,
  subscriptionTtl: 600_000,
  shutdownDrain: 1_000,
  idempotency: { window: 120_000, maxKeys: 50_000 },
  redis: {
    url: 'redis://127.0.0.1:6379',
    prefix: 'rt:',
    backlog: { size: 100, ttl: 60_000 },
    connectTimeout: 10_000,
    commandTimeout: 2_000,
    outbox: { size: 10_000, maxAge: 30_000 },
  },
} as const;

/**
 * Merges the defaults into the user's options and checks them, so a bad value
 * fails at startup with a sentence that says which option is wrong.
 */
export function resolveRealtimeOptions(options: RealtimeModuleOptions = {}): ResolvedRealtimeOptions {
  const rate = options.messageRate ?? REALTIME_DEFAULTS.messageRate;
  const origins = options.allowedOrigins;
  if (origins !== undefined && origins !== '*' && !Array.isArray(origins)) {
    throw new Error(INVALID_OPTION('allowedOrigins', "an array of origins or '*'", origins));
  }
  const cookie = options.socketKeyCookie ?? REALTIME_DEFAULTS.socketKeyCookie;
  if (!/^[A-Za-z0-9_.-]+$/.test(cookie)) {
    throw new Error(INVALID_OPTION('socketKeyCookie', 'a cookie name', cookie));
  }
  if (options.secret != null && (typeof options.secret !== 'string' || options.secret.length < 16)) {
    throw new Error(INVALID_OPTION('secret', 'a string of at least 16 characters', '(too short)'));
  }
  const ttl = count('subscriptionTtl', options.subscriptionTtl, REALTIME_DEFAULTS.subscriptionTtl, 1000);
  const heartbeat = count('heartbeatInterval', options.heartbeatInterval, REALTIME_DEFAULTS.heartbeatInterval, 0);
  if (heartbeat > 0 && ttl <= heartbeat) {
    throw new Error(INVALID_OPTION('subscriptionTtl', 'longer than heartbeatInterval', ttl));
  }
  const redis = resolveRedisOptions(options.redis);
  if (options.transport != null && typeof options.transport !== 'function') {
    throw new Error(INVALID_OPTION('transport', 'a transport factory such as memoryTransport()', options.transport));
  }
  if (options.transport != null && redis) {
    throw new Error(INVALID_OPTION('transport', 'left out when "redis" is given (redis is the Redis transport)', '(both given)'));
  }
  const idempotency = options.idempotency ?? {};
  if (typeof idempotency !== 'object') {
    throw new Error(INVALID_OPTION('idempotency', 'an object such as { window, maxKeys }', idempotency));
  }
  const clientPath = resolveClientPath(options.serveClient);
  const secureCookie = options.secureCookie == null || options.secureCookie === 'auto' ? 'auto' : flag('secureCookie', options.secureCookie, false);
  if (!options.secret) {
    new Logger('RealtimeModule').warn(
      'No `secret` given: socket-key cookies are signed with a random secret that lasts as long as this process. Give every instance the same secret.',
    );
  }
  const maxMessageSize = count('maxMessageSize', options.maxMessageSize, REALTIME_DEFAULTS.maxMessageSize, 64);
  // NOTE: a queue smaller than one frame would close every client that sends
  // a large frame while its previous one is being answered.
  const receiveQueueLimit = count(
    'receiveQueueLimit',
    options.receiveQueueLimit,
    (REALTIME_DEFAULTS.receiveQueueLimit / REALTIME_DEFAULTS.maxMessageSize) * maxMessageSize,
    maxMessageSize,
    'maxMessageSize',
  );
  const messageRate = {
    burst: count('messageRate.burst', rate.burst, REALTIME_DEFAULTS.messageRate.burst, 1),
    perSecond: count('messageRate.perSecond', rate.perSecond, REALTIME_DEFAULTS.messageRate.perSecond, 0.001),
  };
  const maxSubscriptions = whole('maxSubscriptions', options.maxSubscriptions, REALTIME_DEFAULTS.maxSubscriptions, 1);
  const maxKeysPerFrame = whole('maxKeysPerFrame', options.maxKeysPerFrame, REALTIME_DEFAULTS.maxKeysPerFrame, 1);
  if (messageRate.burst < maxSubscriptions) {
    new Logger('RealtimeModule').warn(RATE_BELOW_SUBSCRIPTIONS(messageRate.burst, maxSubscriptions));
  }
  return {
    allowedOrigins: origins === undefined ? 'same-origin' : origins === '*' ? '*' : [...origins],
    trustProxy: resolveTrustProxy(options.trustProxy),
    maxConnectionsPerAddress: count(
      'maxConnectionsPerAddress',
      options.maxConnectionsPerAddress,
      REALTIME_DEFAULTS.maxConnectionsPerAddress,
      0,
    ),
    maxMessageSize,
    heartbeatInterval: heartbeat,
    sendBufferLimit: count('sendBufferLimit', options.sendBufferLimit, REALTIME_DEFAULTS.sendBufferLimit, 1024),
    messageRate,
    addressMessageRate: resolveAddressRate(options.addressMessageRate),
    compression: resolveCompression(options.compression),
    maxKeysPerFrame,
    // A payload object inside the frame's object is already 2 deep.
    maxDepth: whole('maxDepth', options.maxDepth, REALTIME_DEFAULTS.maxDepth, 2),
    // NOTE: at least a Subscribe of maxKeysPerFrame keys, or the client's own
    // Subscribe frames would be refused.
    maxElements: whole(
      'maxElements',
      options.maxElements,
      Math.max(REALTIME_DEFAULTS.maxElements, maxKeysPerFrame + SUBSCRIBE_FRAME_ELEMENTS),
      maxKeysPerFrame + SUBSCRIBE_FRAME_ELEMENTS,
      `maxKeysPerFrame + ${SUBSCRIBE_FRAME_ELEMENTS}`,
    ),
    workUnitsPerMs: count('workUnitsPerMs', options.workUnitsPerMs, REALTIME_DEFAULTS.workUnitsPerMs, 0),
    receiveQueueLimit,
    totalReceiveQueueLimit: count(
      'totalReceiveQueueLimit',
      options.totalReceiveQueueLimit,
      Math.max(REALTIME_DEFAULTS.totalReceiveQueueLimit, receiveQueueLimit),
      receiveQueueLimit,
      'receiveQueueLimit',
    ),
    maxSubscriptions,
    socketKeyCookie: cookie,
    secret: options.secret ?? randomBytes(32).toString('hex'),
    secretWasGenerated: !options.secret,
    secureCookie,
    sameSite: oneOf('sameSite', options.sameSite, ['Strict', 'Lax'], REALTIME_DEFAULTS.sameSite),
    injectConnectionId: flag('injectConnectionId', options.injectConnectionId, REALTIME_DEFAULTS.injectConnectionId),
    clientPath,
    eventStream: resolveEventStream(options.eventStream),
    callRouteHeaders: resolveCallRouteHeaders(options.callRouteHeaders),
    reauthorizeInterval: count(
      'reauthorizeInterval',
      options.reauthorizeInterval,
      REALTIME_DEFAULTS.reauthorizeInterval,
      0,
    ),
    reauthorizeServerSubscriptions: flag(
      'reauthorizeServerSubscriptions',
      options.reauthorizeServerSubscriptions,
      REALTIME_DEFAULTS.reauthorizeServerSubscriptions,
    ),
    userId: resolveUserId(options.userId),
    subscriptionTtl: ttl,
    shutdownDrain: resolveShutdownDrain(options.shutdownDrain),
    idempotency: {
      window: count('idempotency.window', idempotency.window, REALTIME_DEFAULTS.idempotency.window, 1000),
      maxKeys: count('idempotency.maxKeys', idempotency.maxKeys, REALTIME_DEFAULTS.idempotency.maxKeys, 0),
    },
    history: resolveHistoryRules(options.history),
    redis,
    transport: options.transport ?? undefined,
  };
}

/** Longest `shutdownDrain`: an hour, far past any platform's stop timeout, and within what a timer can wait. */
const MAX_SHUTDOWN_DRAIN = 3_600_000;

function resolveShutdownDrain(value: unknown): number {
  const drain = count('shutdownDrain', value, REALTIME_DEFAULTS.shutdownDrain, 0);
  if (drain > MAX_SHUTDOWN_DRAIN) throw new Error(INVALID_OPTION('shutdownDrain', `a number of ms from 0 to ${MAX_SHUTDOWN_DRAIN}`, value));
  return drain;
}

/** A user id as the module compares them: a non-empty string, or `undefined`. */
function asUserId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The default reads `user.id`. */
function defaultUserId(user: unknown): unknown {
  return typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : undefined;
}

function resolveUserId(userId: unknown): (user: unknown) => string | undefined {
  if (userId == null) return user => asUserId(defaultUserId(user));
  if (typeof userId !== 'function') throw new Error(INVALID_OPTION('userId', 'a function of the user, such as user => user.id', typeof userId));
  const read = userId as (user: unknown) => unknown;
  return user => asUserId(read(user));
}

function resolveAddressRate(value: unknown): { burst: number; perSecond: number } | false {
  if (value === false || value === 'false') return false;
  const defaults = REALTIME_DEFAULTS.addressMessageRate;
  if (value == null) return { ...defaults };
  if (typeof value !== 'object') throw new Error(INVALID_OPTION('addressMessageRate', '{ burst, perSecond } or false', value));
  const rate = value as { burst?: unknown; perSecond?: unknown };
  return {
    burst: count('addressMessageRate.burst', rate.burst, defaults.burst, 1),
    perSecond: count('addressMessageRate.perSecond', rate.perSecond, defaults.perSecond, 0.001),
  };
}

function resolveTrustProxy(value: unknown): boolean | number | string[] {
  const expected = "true, false, a number of hops, or a list of proxy addresses and subnets ('10.0.0.0/8', 'loopback')";
  if (value == null) return REALTIME_DEFAULTS.trustProxy;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  if (typeof value === 'number' || (typeof value === 'string' && NUMERIC_TEXT.test(value))) {
    return count('trustProxy', value, 0, 0);
  }
  const list = typeof value === 'string' ? value.split(',').map(entry => entry.trim()) : value;
  if (!Array.isArray(list) || list.some(entry => typeof entry !== 'string')) {
    throw new Error(INVALID_OPTION('trustProxy', expected, value));
  }
  const checked = trustedProxies(list as string[]);
  if (typeof checked === 'string') throw new Error(INVALID_OPTION('trustProxy', `${expected}: ${checked}`, value));
  return [...(list as string[])];
}

function resolveEventStream(value: unknown): { retry: number; ping: number } | false {
  if (value === false || value === 'false') return false;
  const defaults = REALTIME_DEFAULTS.eventStream;
  if (value == null || value === true || value === 'true') return { ...defaults };
  if (typeof value !== 'object') throw new Error(INVALID_OPTION('eventStream', '{ retry, ping }, true or false', value));
  const stream = value as { retry?: unknown; ping?: unknown };
  return {
    retry: whole('eventStream.retry', stream.retry, defaults.retry, 0),
    ping: count('eventStream.ping', stream.ping, defaults.ping, 0),
  };
}

/** Headers that no route call may set: the identity, what the transport owns, and proxies' words. */
const NEVER_CALLER_SET = /^(cookie|host|content-length|content-type|transfer-encoding|connection|upgrade|keep-alive|te|trailer|expect|forwarded|proxy-.*|x-forwarded-.*|x-realtime-.*)$/;

function resolveCallRouteHeaders(value: unknown): string[] {
  if (value == null) return [...REALTIME_DEFAULTS.callRouteHeaders];
  const expected = 'an array of header names (not Cookie, Host, X-Forwarded-* or X-Realtime-*)';
  if (!Array.isArray(value)) throw new Error(INVALID_OPTION('callRouteHeaders', expected, value));
  return value.map(name => {
    if (typeof name !== 'string' || !/^[A-Za-z0-9-]+$/.test(name) || NEVER_CALLER_SET.test(name.toLowerCase())) {
      throw new Error(INVALID_OPTION('callRouteHeaders', expected, name));
    }
    return name.toLowerCase();
  });
}

/** Where `serveClient` serves the browser client, or `undefined` when it is off. */
function resolveClientPath(serveClient: unknown): string | undefined {
  if (serveClient == null || serveClient === false || serveClient === 'false') return undefined;
  if (serveClient === true || serveClient === 'true') return REALTIME_DEFAULTS.clientPath;
  if (typeof serveClient === 'string' && /^\/[A-Za-z0-9_.\/-]*$/.test(serveClient)) return serveClient;
  throw new Error(INVALID_OPTION('serveClient', "true or a path such as '/realtime/client.js'", serveClient));
}

function resolveRedisOptions(redis: RealtimeRedisOptions | undefined): ResolvedRedisOptions | undefined {
  if (redis == null) return undefined;
  if (typeof redis !== 'object') throw new Error(INVALID_OPTION('redis', 'an object such as { url }', redis));
  const defaults = REALTIME_DEFAULTS.redis;
  // NOTE: `redis: { url: config.get('REDIS_URL') }` with the variable unset
  // would otherwise connect to whatever Redis listens on 127.0.0.1:6379.
  if ('url' in redis && !redis.cluster && (typeof redis.url !== 'string' || !/^rediss?:\/\/./.test(redis.url))) {
    throw new Error(REDIS_URL_INVALID(redis.url));
  }
  if (redis.cluster && (!Array.isArray(redis.cluster.nodes) || redis.cluster.nodes.length === 0)) {
    throw new Error(INVALID_OPTION('redis.cluster.nodes', 'a non-empty array of nodes', redis.cluster.nodes));
  }
  if (redis.outbox != null && typeof redis.outbox !== 'object') {
    throw new Error(INVALID_OPTION('redis.outbox', 'an object such as { size, maxAge }', redis.outbox));
  }
  const prefix = redis.prefix ?? defaults.prefix;
  if (!/^[A-Za-z0-9_.:-]*$/.test(prefix)) {
    throw new Error(INVALID_OPTION('redis.prefix', 'letters, digits and _ . : -', prefix));
  }
  return {
    url: redis.cluster ? undefined : (redis.url ?? (redis.connection ? undefined : defaults.url)),
    connection: { ...(redis.connection ?? {}) },
    cluster: redis.cluster ? { nodes: [...redis.cluster.nodes], options: { ...(redis.cluster.options ?? {}) } } : undefined,
    prefix,
    backlogSize: count('redis.backlog.size', redis.backlog?.size, defaults.backlog.size, 1),
    backlogTtl: count('redis.backlog.ttl', redis.backlog?.ttl, defaults.backlog.ttl, 1000),
    connectTimeout: count('redis.connectTimeout', redis.connectTimeout, defaults.connectTimeout, 100),
    commandTimeout: count('redis.commandTimeout', redis.commandTimeout, defaults.commandTimeout, 10),
    outboxSize: Math.floor(count('redis.outbox.size', redis.outbox?.size, defaults.outbox.size, 0)),
    outboxMaxAge: count('redis.outbox.maxAge', redis.outbox?.maxAge, defaults.outbox.maxAge, 0),
  };
}
