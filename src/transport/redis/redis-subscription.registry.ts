import type { ChannelPosition } from '../../protocol/channel-position.js';
import type { SubscriptionRegistry } from '../../channels/subscription-registry.interface.js';
import type { RedisConnections } from './redis-connections.js';

/**
 * Subscriptions held by digest, in Redis (pakyow's RedisRegistry): one SET per
 * digest, expiring `subscriptionTtl` after the last keep-alive, so a route on
 * any instance can subscribe a client whose socket is on another.
 *
 * Each socket key's digests are indexed in a sorted set (`<prefix>key:<key
 * id>`), scored by when each entry expires: trimmed on every write, and
 * expiring itself with its newest entry, so it holds no more than the digests
 * used within `subscriptionTtl`.
 *
 * Every call is bounded by `redis.commandTimeout` and fails with a
 * `RealtimeTransportError` while Redis is unavailable.
 */
export class RedisSubscriptionRegistry implements SubscriptionRegistry {
  constructor(
    private readonly connections: RedisConnections,
    private readonly prefix: string,
    private readonly ttl: number,
  ) {}

  async channelsFor(digest: string): Promise<string[]> {
    return this.run('read subscriptions', commands => commands.smembers(this.key(digest)));
  }

  async add(digest: string, channels: readonly string[], owner?: string, starts?: ReadonlyMap<string, ChannelPosition>): Promise<string[]> {
    if (channels.length === 0) return [];
    const key = this.key(digest);
    // NOTE: the index is another key (another slot on a cluster), so it is
    // written in its own transaction, alongside.
    const [results] = await this.run('add subscriptions', commands =>
      Promise.all([
        commands.multi().smismember(key, ...channels).sadd(key, ...channels).pexpire(key, this.ttl).exec(),
        owner === undefined ? undefined : this.index(commands, owner, [digest], false),
      ]),
    );
    const present = this.result<number[]>(results, 0);
    const added = channels.filter((_, index) => present[index] === 0);
    const kept = added.flatMap(channel => {
      const start = starts?.get(channel);
      return start ? [channel, `${start.offset}\t${start.epoch}`] : [];
    });
    if (kept.length > 0) {
      const since = this.startsKey(digest);
      // NOTE: HSETNX semantics are not needed: only channels that were not
      // held get a position, and a later add of the same channel is no add.
      await this.run('keep subscription positions', commands =>
        commands.multi().hset(since, ...kept).pexpire(since, this.ttl).exec(),
      );
    }
    return added;
  }

  async startsFor(digest: string): Promise<Map<string, ChannelPosition>> {
    const fields = await this.run('read subscription positions', commands => commands.hgetall(this.startsKey(digest)));
    const starts = new Map<string, ChannelPosition>();
    for (const [channel, value] of Object.entries(fields)) {
      const tab = value.indexOf('\t');
      const offset = Number(value.slice(0, tab));
      if (tab > 0 && Number.isSafeInteger(offset)) starts.set(channel, { offset, epoch: value.slice(tab + 1) });
    }
    return starts;
  }

  async dropStarts(digest: string): Promise<void> {
    await this.run('forget subscription positions', commands => commands.del(this.startsKey(digest)));
  }

  async remove(digest: string, channels?: readonly string[]): Promise<string[]> {
    const key = this.key(digest);
    if (!channels) {
      const results = await this.run('remove subscriptions', commands =>
        Promise.all([commands.multi().smembers(key).del(key).exec(), commands.del(this.startsKey(digest))]),
      );
      return this.result<string[]>(results[0], 0);
    }
    if (channels.length === 0) return [];
    // NOTE: a kept position of a removed channel is left to expire with the
    // rest: positions are only read for channels still held, and adding a
    // channel again writes its position anew.
    const results = await this.run('remove subscriptions', commands =>
      commands.multi().smismember(key, ...channels).srem(key, ...channels).exec(),
    );
    const present = this.result<number[]>(results, 0);
    return channels.filter((_, index) => present[index] === 1);
  }

  async keepAlive(digests: Iterable<string>, owner?: string): Promise<void> {
    const list = [...digests];
    if (list.length === 0) return;
    // Auto-pipelining batches these per node, on a cluster too.
    await this.run('keep subscriptions alive', commands =>
      Promise.all([
        ...list.map(digest => commands.pexpire(this.key(digest), this.ttl)),
        owner === undefined ? undefined : this.index(commands, owner, list, true),
      ]),
    );
  }

  async removeOwner(owner: string): Promise<string[]> {
    return this.run('remove a socket key\'s subscriptions', async commands => {
      const results = await commands.multi().zrange(this.ownerKey(owner), '0', '-1').del(this.ownerKey(owner)).exec();
      const digests = this.result<string[]>(results, 0);
      await Promise.all(digests.flatMap(digest => [commands.del(this.key(digest)), commands.del(this.startsKey(digest))]));
      return digests;
    });
  }

  /** Indexes digests under their owner until `ttl` from now (`existing`: only those already there). */
  private async index(commands: RedisConnections['commands'], owner: string, digests: readonly string[], existing: boolean): Promise<void> {
    const key = this.ownerKey(owner);
    const now = Date.now();
    const members = digests.flatMap(digest => [String(now + this.ttl), digest]);
    const add = commands.multi();
    if (existing) add.zadd(key, 'XX', ...members);
    else add.zadd(key, ...members);
    const results = await add.zremrangebyscore(key, '-inf', now).pexpire(key, this.ttl).exec();
    this.result<number>(results, 0);
  }

  private run<T>(what: string, command: (commands: RedisConnections['commands']) => Promise<T>): Promise<T> {
    const { commands, availability } = this.connections;
    return availability.run(commands, what, () => command(commands));
  }

  private key(digest: string): string {
    return `${this.prefix}subs:${digest}`;
  }

  private startsKey(digest: string): string {
    return `${this.prefix}since:${digest}`;
  }

  private ownerKey(owner: string): string {
    return `${this.prefix}key:${owner}`;
  }

  private result<T>(results: Array<[Error | null, unknown]> | null, index: number): T {
    if (!results) throw new Error('Redis transaction was aborted');
    const [error, value] = results[index]!;
    if (error) throw error;
    return value as T;
  }
}
