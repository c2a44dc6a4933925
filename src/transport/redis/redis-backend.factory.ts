import type { RealtimeTransportFactory } from '../../channels/realtime-backend.interface.js';
import type { ResolvedRedisOptions } from '../../interfaces/realtime-module-options.interface.js';
import { assertRedisPeers } from './redis-peers.loader.js';

/**
 * The Redis backend, for the `redis` option: the transport, the registry and
 * the revocation list on two connections per instance.
 *
 * NOTE: the Redis modules are loaded with `import()` here and nowhere else:
 * they import ioredis, an optional peer that an app on the embedded default
 * does not install.
 */
export function redisBackend(options: ResolvedRedisOptions): RealtimeTransportFactory {
  return async settings => {
    await assertRedisPeers();
    const [{ RedisConnections }, { RedisTransport }, { RedisSubscriptionRegistry }, { RedisRevocationList }] = await Promise.all([
      import('./redis-connections.js'),
      import('./redis.transport.js'),
      import('./redis-subscription.registry.js'),
      import('./redis-revocation.list.js'),
    ]);
    const connections = await RedisConnections.open(options);
    return {
      transport: new RedisTransport(connections, options, settings.instanceId, settings),
      registry: new RedisSubscriptionRegistry(connections, options.prefix, settings.subscriptionTtl),
      revocations: new RedisRevocationList(connections, options.prefix, settings.subscriptionTtl),
      close: () => connections.close(),
    };
  };
}
