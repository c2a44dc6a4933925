import type { RealtimeTransport } from './realtime-transport.interface.js';
import type { RevocationList } from './revocation-list.interface.js';
import type { SubscriptionRegistry } from './subscription-registry.interface.js';

/**
 * What the instances of one app share: the transport that carries pushes,
 * direct and control messages between them, and the state every instance must
 * see (subscriptions held by digest, revoked socket keys). Phoenix.PubSub's
 * adapter plays the first part; the other two are what pakyow kept in Redis.
 *
 * Its parts may implement Nest's lifecycle hooks (`onApplicationBootstrap`,
 * `beforeApplicationShutdown`, ...): the module provides each part, so Nest
 * calls them. `close()` runs last, at application shutdown.
 *
 * @publicApi
 */
export interface RealtimeBackend {
  transport: RealtimeTransport;
  registry: SubscriptionRegistry;
  revocations: RevocationList;
  /** Releases what the parts share (connections, timers), once, at application shutdown. */
  close?(): Promise<void> | void;
}

/**
 * What a transport factory is told about the instance it serves.
 * @publicApi
 */
export interface TransportSettings {
  /** This instance's id, random per process: a transport must not hand an instance its own messages. */
  instanceId: string;
  /** How long subscriptions held by digest outlive their last connection, in ms (`subscriptionTtl`). */
  subscriptionTtl: number;
  /** How long a caller's push id is remembered, in ms (`idempotency.window`). */
  idempotencyWindow: number;
  /** Most caller's push ids an in-process sequencer remembers (`idempotency.maxKeys`); absent: its own bound. */
  idempotencyMaxKeys?: number;
}

/**
 * Makes an app's backend: the `transport` option. Called once per app, at
 * startup; it may be async (to connect). `memoryTransport()` is the default;
 * the `redis` option is shorthand for the Redis one.
 *
 * @publicApi
 */
export type RealtimeTransportFactory = (settings: TransportSettings) => RealtimeBackend | Promise<RealtimeBackend>;
