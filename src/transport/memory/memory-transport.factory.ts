import type { RealtimeTransportFactory } from '../../channels/realtime-backend.interface.js';
import { MemoryHub } from './memory-hub.js';
import { MemoryTransport } from './memory.transport.js';

/** Options of `memoryTransport()`. @publicApi */
export interface MemoryTransportOptions {
  /**
   * The hub to join. Apps given the same hub are instances of one fleet, in
   * one process: they share subscriptions and revocations and carry pushes to
   * each other (for tests). Without one, the app has a hub of its own.
   */
  hub?: MemoryHub;
}

/**
 * The embedded default: one process, everything in memory.
 *
 * @example
 * ```ts
 * const hub = new MemoryHub(); // two apps in one test process, as two instances
 * RealtimeModule.forRoot({ transport: memoryTransport({ hub }) })
 * ```
 * @publicApi
 */
export function memoryTransport(options: MemoryTransportOptions = {}): RealtimeTransportFactory {
  return settings => {
    const hub = options.hub ?? new MemoryHub();
    const transport = new MemoryTransport(hub, settings.instanceId);
    const { registry, revocations } = hub.join(transport.hubMember, settings);
    return { transport, registry, revocations, close: () => hub.leave(transport.hubMember) };
  };
}
