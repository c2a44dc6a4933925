/**
 * Where subscriptions made under a digest are held (pakyow's registry), so a
 * route can subscribe a page before its socket connects, and a socket that
 * reconnects with the same id gets them back. Entries expire `subscriptionTtl`
 * after the last keep-alive.
 */
export interface SubscriptionRegistry {
  channelsFor(digest: string): Promise<string[]>;
  /** Adds channels; returns the ones that were not there yet. */
  add(digest: string, channels: readonly string[]): Promise<string[]>;
  /** Removes channels (all when none are given); returns the ones removed. */
  remove(digest: string, channels?: readonly string[]): Promise<string[]>;
  /** Pushes back the expiry of digests that still have a live connection. */
  keepAlive(digests: Iterable<string>): Promise<void>;
}

/** DI token of the `SubscriptionRegistry`. */
export const SubscriptionRegistry = Symbol('SubscriptionRegistry');
