import type { Provider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { MemoryRevocationList } from '../channels/memory-revocation.list.js';
import { MemorySubscriptionRegistry } from '../channels/memory-subscription.registry.js';
import { RealtimeTransport } from '../channels/realtime-transport.interface.js';
import { RevocationList } from '../channels/revocation-list.interface.js';
import { SubscriptionRegistry } from '../channels/subscription-registry.interface.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { InMemoryTransport } from './in-memory.transport.js';
import type { RedisConnections } from './redis/redis-connections.js';
import { assertRedisPeers } from './redis/redis-peers.loader.js';

/** DI token of this instance's Redis connections (`null` on the embedded default). */
export const REDIS_CONNECTIONS = Symbol('RealtimeRedisConnections');

/**
 * The registry, the revocation list and the transport: in memory by default, on Redis when the
 * resolved options carry `redis`. Chosen at runtime, so `forRootAsync` can
 * supply the Redis settings from configuration.
 *
 * NOTE: the Redis modules are loaded with `import()` here and nowhere else:
 * they import ioredis, an optional peer that an app on
 * the embedded default does not install.
 */
export function createTransportProviders(): Provider[] {
  return [
    {
      provide: REDIS_CONNECTIONS,
      useFactory: async (options: ResolvedRealtimeOptions) => {
        if (!options.redis) return null;
        await assertRedisPeers();
        const { RedisConnections } = await import('./redis/redis-connections.js');
        return RedisConnections.open(options.redis);
      },
      inject: [REALTIME_OPTIONS],
    },
    {
      provide: RealtimeTransport,
      useFactory: async (options: ResolvedRealtimeOptions, connections: RedisConnections | null) => {
        if (!connections || !options.redis) return new InMemoryTransport();
        const { RedisTransport } = await import('./redis/redis.transport.js');
        return new RedisTransport(connections, options.redis, randomBytes(8).toString('hex'), options.idempotency.window);
      },
      inject: [REALTIME_OPTIONS, REDIS_CONNECTIONS],
    },
    {
      provide: SubscriptionRegistry,
      useFactory: async (options: ResolvedRealtimeOptions, connections: RedisConnections | null) => {
        if (!connections || !options.redis) return new MemorySubscriptionRegistry(options);
        const { RedisSubscriptionRegistry } = await import('./redis/redis-subscription.registry.js');
        return new RedisSubscriptionRegistry(connections, options.redis.prefix, options.subscriptionTtl);
      },
      inject: [REALTIME_OPTIONS, REDIS_CONNECTIONS],
    },
    {
      provide: RevocationList,
      useFactory: async (options: ResolvedRealtimeOptions, connections: RedisConnections | null) => {
        if (!connections || !options.redis) return new MemoryRevocationList(options.subscriptionTtl);
        const { RedisRevocationList } = await import('./redis/redis-revocation.list.js');
        return new RedisRevocationList(connections, options.redis.prefix, options.subscriptionTtl);
      },
      inject: [REALTIME_OPTIONS, REDIS_CONNECTIONS],
    },
  ];
}
