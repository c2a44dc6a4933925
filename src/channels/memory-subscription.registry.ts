import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import type { SubscriptionRegistry } from './subscription-registry.interface.js';

interface Entry {
  channels: Set<string>;
  expiresAt: number;
}

/** The in-process `SubscriptionRegistry` (pakyow's SimpleRegistry, with expiry). */
@Injectable()
export class MemorySubscriptionRegistry implements SubscriptionRegistry, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(options.subscriptionTtl, 60_000));
    this.sweeper.unref();
  }

  async channelsFor(digest: string): Promise<string[]> {
    const entry = this.live(digest);
    return entry ? [...entry.channels] : [];
  }

  async add(digest: string, channels: readonly string[]): Promise<string[]> {
    let entry = this.live(digest);
    if (!entry) {
      entry = { channels: new Set(), expiresAt: 0 };
      this.entries.set(digest, entry);
    }
    entry.expiresAt = Date.now() + this.options.subscriptionTtl;
    const added: string[] = [];
    for (const channel of channels) {
      if (!entry.channels.has(channel)) {
        entry.channels.add(channel);
        added.push(channel);
      }
    }
    return added;
  }

  async remove(digest: string, channels?: readonly string[]): Promise<string[]> {
    const entry = this.live(digest);
    if (!entry) return [];
    if (!channels) {
      this.entries.delete(digest);
      return [...entry.channels];
    }
    const removed = channels.filter(channel => entry.channels.delete(channel));
    if (entry.channels.size === 0) this.entries.delete(digest);
    return removed;
  }

  async keepAlive(digests: Iterable<string>): Promise<void> {
    const expiresAt = Date.now() + this.options.subscriptionTtl;
    for (const digest of digests) {
      const entry = this.entries.get(digest);
      if (entry) entry.expiresAt = expiresAt;
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
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
  }
}
