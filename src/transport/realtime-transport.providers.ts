import type { OnApplicationShutdown, Provider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { RealtimeBackend, RealtimeTransportFactory } from '../channels/realtime-backend.interface.js';
import { RealtimeTransport } from '../channels/realtime-transport.interface.js';
import { RevocationList } from '../channels/revocation-list.interface.js';
import { SubscriptionRegistry } from '../channels/subscription-registry.interface.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { memoryTransport } from './memory/memory-transport.factory.js';
import { redisBackend } from './redis/redis-backend.factory.js';

/**
 * Holds the app's backend and releases it last, at application shutdown.
 * Its parts are providers of their own, so Nest runs their lifecycle hooks.
 */
class BackendHost implements OnApplicationShutdown {
  constructor(readonly backend: RealtimeBackend) {}

  async onApplicationShutdown(): Promise<void> {
    await this.backend.close?.();
  }
}

const BACKEND_HOST = Symbol('RealtimeBackendHost');

/** The factory the options name: `transport`, else Redis with `redis`, else memory. */
function factoryOf(options: ResolvedRealtimeOptions): RealtimeTransportFactory {
  if (options.transport) return options.transport;
  return options.redis ? redisBackend(options.redis) : memoryTransport();
}

/**
 * The transport, the registry and the revocation list, made by one factory
 * when the app starts, so that `forRootAsync` can choose them from
 * configuration.
 */
export function createTransportProviders(): Provider[] {
  return [
    {
      provide: BACKEND_HOST,
      useFactory: async (options: ResolvedRealtimeOptions) =>
        new BackendHost(
          await factoryOf(options)({
            instanceId: randomBytes(8).toString('hex'),
            subscriptionTtl: options.subscriptionTtl,
            idempotencyWindow: options.idempotency.window,
            idempotencyMaxKeys: options.idempotency.maxKeys,
          }),
        ),
      inject: [REALTIME_OPTIONS],
    },
    { provide: RealtimeTransport, useFactory: (host: BackendHost) => host.backend.transport, inject: [BACKEND_HOST] },
    { provide: SubscriptionRegistry, useFactory: (host: BackendHost) => host.backend.registry, inject: [BACKEND_HOST] },
    { provide: RevocationList, useFactory: (host: BackendHost) => host.backend.revocations, inject: [BACKEND_HOST] },
  ];
}
