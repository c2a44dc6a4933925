import type { FamilyKey } from '../channels/channel-family.registry.js';

/**
 * The family subscriptions one connection made itself (Myxi's `Subscribe`),
 * each with the family and key its authorizer granted, and the channels whose
 * authorization is under way. `SubscriptionActions` is the only one that
 * changes them; the gateway only asks whether there are any.
 */
export class SubscriptionGrants {
  private readonly granted = new Map<string, FamilyKey>();
  private readonly authorizing = new Set<string>();

  /** How many subscriptions the client made itself. */
  get size(): number {
    return this.granted.size;
  }

  /** How many authorizations are under way. */
  get pending(): number {
    return this.authorizing.size;
  }

  has(channel: string): boolean {
    return this.granted.has(channel);
  }

  isAuthorizing(channel: string): boolean {
    return this.authorizing.has(channel);
  }

  /** A copy of the grants, safe to walk while they change. */
  list(): Array<[channel: string, grant: FamilyKey]> {
    return [...this.granted];
  }

  /**
   * Runs an authorization of the channel, counted as under way (so that the
   * same channel is not asked for twice, and counts towards
   * `maxSubscriptions`) until it settles.
   */
  async whileAuthorizing<T>(channel: string, work: () => Promise<T>): Promise<T> {
    this.authorizing.add(channel);
    try {
      return await work();
    } finally {
      this.authorizing.delete(channel);
    }
  }

  grant(channel: string, grant: FamilyKey): void {
    this.granted.set(channel, grant);
  }

  /** Forgets the grant: the channel was left, or refused on a later check. */
  revoke(channel: string): void {
    this.granted.delete(channel);
  }
}
