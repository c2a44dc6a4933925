import type { Provider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { MemorySubscriptionRegistry } from '../channels/memory-subscription.registry.js';
import { RealtimeTransport } from '../channels/realtime-transport.interface.js';
import { SubscriptionRegistry } from '../channels/subscription-registry.interface.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { InMemoryTransport } from './in-memory.transport.js';
import { RedisConnections } from './redis/redis-connections.js';
import { RedisSubscriptionRegistry } from './redis/redis-subscription.registry.js';
import { RedisTransport } from './redis/redis.transport.js';

/** DI token of this instance's Redis connections (`null` on the embedded default). */
export const REDIS_CONNECTIONS = Symbol('RealtimeRedisConnections');

/**
 * The registry and the transport: in memory by default, on Redis when the
 * resolved options carry `redis`. Chosen at runtime, so `forRootAsync` can
 * supply the Redis settings from configuration.
 */
export function createTransportProviders(): Provider[] {
  return [
    {
      provide: REDIS_CONNECTIONS,
      useFactory: (options: ResolvedRealtimeOptions) => (options.redis ? RedisConnections.open(options.redis) : null),
      inject: [REALTIME_OPTIONS],
    },
    {
      provide: RealtimeTransport,
      useFactory: (options: ResolvedRealtimeOptions, connections: RedisConnections | null) =>
        connections && options.redis
          ? new RedisTransport(connections, options.redis, randomBytes(8).toString('hex'))
          : new InMemoryTransport(),
      inject: [REALTIME_OPTIONS, REDIS_CONNECTIONS],
    },
    {
      provide: SubscriptionRegistry,
      useFactory: (options: ResolvedRealtimeOptions, connections: RedisConnections | null) =>
        connections && options.redis
          ? new RedisSubscriptionRegistry(connections, options.redis.prefix, options.subscriptionTtl)
          : new MemorySubscriptionRegistry(options),
      inject: [REALTIME_OPTIONS, REDIS_CONNECTIONS],
    },
  ];
}
