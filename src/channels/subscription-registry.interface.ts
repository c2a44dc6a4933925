import type { ChannelPosition } from '../protocol/channel-position.js';

/**
 * Where subscriptions made under a digest are held (pakyow's registry), so a
 * route can subscribe a page before its socket connects, and a socket that
 * reconnects with the same id gets them back. Entries expire `subscriptionTtl`
 * after the last keep-alive.
 *
 * Digests are also indexed by the id of the socket key they were made with
 * (its *owner*, `socketKeyId()`), so that every page of one browser can be
 * dropped at once (sign-out). Index entries expire like the digests.
 */
export interface SubscriptionRegistry {
  channelsFor(digest: string): Promise<string[]>;
  /**
   * Adds channels, indexing the digest under its owner when given; returns the
   * ones that were not there yet. `starts` gives channels' positions when they
   * were subscribed: kept for those that were not there yet, until the first
   * socket of the digest takes them (`startsFor`, `dropStarts`).
   */
  add(digest: string, channels: readonly string[], owner?: string, starts?: ReadonlyMap<string, ChannelPosition>): Promise<string[]>;
  /** The positions kept with the digest's channels, where its first socket resumes from. */
  startsFor(digest: string): Promise<Map<string, ChannelPosition>>;
  /** Forgets the digest's kept positions (its socket has resumed from them). */
  dropStarts(digest: string): Promise<void>;
  /** Removes channels (all when none are given); returns the ones removed. */
  remove(digest: string, channels?: readonly string[]): Promise<string[]>;
  /**
   * Pushes back the expiry of digests that still have a live connection, and,
   * with an owner, of their entries in its index (when they are there).
   */
  keepAlive(digests: Iterable<string>, owner?: string): Promise<void>;
  /** Removes every digest indexed under an owner, with its subscriptions, and the index; returns those digests. */
  removeOwner(owner: string): Promise<string[]>;
}

/** DI token of the `SubscriptionRegistry`. */
export const SubscriptionRegistry = Symbol('SubscriptionRegistry');
