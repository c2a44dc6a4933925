import type { SubscriptionRegistry } from '../../channels/subscription-registry.interface.js';
import type { RedisConnections } from './redis-connections.js';

/**
 * Subscriptions held by digest, in Redis (pakyow's RedisRegistry): one SET per
 * digest, expiring `subscriptionTtl` after the last keep-alive, so a route on
 * any instance can subscribe a client whose socket is on another.
 */
export class RedisSubscriptionRegistry implements SubscriptionRegistry {
  constructor(
    private readonly connections: RedisConnections,
    private readonly prefix: string,
    private readonly ttl: number,
  ) {}

  async channelsFor(digest: string): Promise<string[]> {
    return this.connections.commands.smembers(this.key(digest));
  }

  async add(digest: string, channels: readonly string[]): Promise<string[]> {
    if (channels.length === 0) return [];
    const key = this.key(digest);
    const results = await this.connections.commands
      .multi()
      .smismember(key, ...channels)
      .sadd(key, ...channels)
      .pexpire(key, this.ttl)
      .exec();
    const present = this.result<number[]>(results, 0);
    return channels.filter((_, index) => present[index] === 0);
  }

  async remove(digest: string, channels?: readonly string[]): Promise<string[]> {
    const key = this.key(digest);
    if (!channels) {
      const results = await this.connections.commands.multi().smembers(key).del(key).exec();
      return this.result<string[]>(results, 0);
    }
    if (channels.length === 0) return [];
    const results = await this.connections.commands.multi().smismember(key, ...channels).srem(key, ...channels).exec();
    const present = this.result<number[]>(results, 0);
    return channels.filter((_, index) => present[index] === 1);
  }

  async keepAlive(digests: Iterable<string>): Promise<void> {
    // Auto-pipelining batches these per node, on a cluster too.
    await Promise.all([...digests].map(digest => this.connections.commands.pexpire(this.key(digest), this.ttl)));
  }

  private key(digest: string): string {
    return `${this.prefix}subs:${digest}`;
  }

  private result<T>(results: Array<[Error | null, unknown]> | null, index: number): T {
    if (!results) throw new Error('Redis transaction was aborted');
    const [error, value] = results[index]!;
    if (error) throw error;
    return value as T;
  }
}
