import type { ChannelPosition } from '../protocol/channel-position.js';
import type { SubscriptionRegistry } from './subscription-registry.interface.js';

interface Entry {
  channels: Set<string>;
  /** Positions of channels when they were subscribed, until a socket resumes from them. */
  starts: Map<string, ChannelPosition> | undefined;
  expiresAt: number;
}

/**
 * The in-process `SubscriptionRegistry` (pakyow's SimpleRegistry, with
 * expiry), shared by the instances on one `MemoryHub`, which disposes of it.
 */
export class MemorySubscriptionRegistry implements SubscriptionRegistry {
  private readonly entries = new Map<string, Entry>();
  /** Owner (socket key id) → its digests, each with the time its index entry expires. */
  private readonly owners = new Map<string, Map<string, number>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly subscriptionTtl: number) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(subscriptionTtl, 60_000));
    this.sweeper.unref();
  }

  async channelsFor(digest: string): Promise<string[]> {
    const entry = this.live(digest);
    return entry ? [...entry.channels] : [];
  }

  async add(digest: string, channels: readonly string[], owner?: string, starts?: ReadonlyMap<string, ChannelPosition>): Promise<string[]> {
    let entry = this.live(digest);
    if (!entry) {
      entry = { channels: new Set(), starts: undefined, expiresAt: 0 };
      this.entries.set(digest, entry);
    }
    entry.expiresAt = Date.now() + this.subscriptionTtl;
    if (owner !== undefined) {
      let digests = this.owners.get(owner);
      if (!digests) this.owners.set(owner, (digests = new Map()));
      digests.set(digest, entry.expiresAt);
    }
    const added: string[] = [];
    for (const channel of channels) {
      if (!entry.channels.has(channel)) {
        entry.channels.add(channel);
        added.push(channel);
        const start = starts?.get(channel);
        if (start) (entry.starts ??= new Map()).set(channel, start);
      }
    }
    return added;
  }

  async startsFor(digest: string): Promise<Map<string, ChannelPosition>> {
    return new Map(this.live(digest)?.starts ?? []);
  }

  async dropStarts(digest: string): Promise<void> {
    const entry = this.live(digest);
    if (entry) entry.starts = undefined;
  }

  async remove(digest: string, channels?: readonly string[]): Promise<string[]> {
    const entry = this.live(digest);
    if (!entry) return [];
    if (!channels) {
      this.entries.delete(digest);
      return [...entry.channels];
    }
    const removed = channels.filter(channel => entry.channels.delete(channel));
    for (const channel of removed) entry.starts?.delete(channel);
    if (entry.channels.size === 0) this.entries.delete(digest);
    return removed;
  }

  async keepAlive(digests: Iterable<string>, owner?: string): Promise<void> {
    const expiresAt = Date.now() + this.subscriptionTtl;
    const indexed = owner === undefined ? undefined : this.owners.get(owner);
    for (const digest of digests) {
      const entry = this.entries.get(digest);
      if (entry) entry.expiresAt = expiresAt;
      if (indexed?.has(digest)) indexed.set(digest, expiresAt);
    }
  }

  async removeOwner(owner: string): Promise<string[]> {
    const digests = [...(this.owners.get(owner)?.keys() ?? [])];
    this.owners.delete(owner);
    for (const digest of digests) this.entries.delete(digest);
    return digests;
  }

  /** Stops its sweeper and forgets everything. */
  dispose(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.owners.clear();
  }

  private live(digest: string): Entry | undefined {
    const entry = this.entries.get(digest);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(digest);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [digest, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(digest);
    }
    for (const [owner, digests] of this.owners) {
      for (const [digest, expiresAt] of digests) if (expiresAt <= now) digests.delete(digest);
      if (digests.size === 0) this.owners.delete(owner);
    }
  }
}
