import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MemoryRevocationList } from '../../channels/memory-revocation.list.js';
import type { RedisConnections } from './redis-connections.js';

/**
 * Revoked socket keys in Redis: one sorted set (`<prefix>revoked`) of key
 * ids scored by the time each stops counting, trimmed of expired entries on
 * every write and expiring itself with its newest entry. Each instance keeps
 * a copy in memory (what HTTP requests are checked against, with no round
 * trip): loaded at startup and after every Redis reconnect, and added to by
 * the control messages other instances publish. A socket's upgrade is
 * checked against Redis itself. Every call is bounded by
 * `redis.commandTimeout` and fails with a `RealtimeTransportError` while Redis
 * is unavailable.
 */
export class RedisRevocationList extends MemoryRevocationList implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RealtimeModule');
  private readonly key: string;
  private readonly reload = (): void => {
    this.load().catch(error => this.logger.warn(`Reading revoked socket keys from Redis failed: ${(error as Error).message}`));
  };

  constructor(
    private readonly connections: RedisConnections,
    prefix: string,
    ttlMs: number,
  ) {
    super(ttlMs);
    this.key = `${prefix}revoked`;
  }

  async onApplicationBootstrap(): Promise<void> {
    // NOTE: not fatal: upgrades are checked against Redis itself, and the copy is loaded again on reconnect.
    await this.load().catch(error => this.logger.warn(`Reading revoked socket keys from Redis failed: ${(error as Error).message}`));
    (this.connections.commands as NodeJS.EventEmitter).on('ready', this.reload);
  }

  onModuleDestroy(): void {
    (this.connections.commands as NodeJS.EventEmitter).off('ready', this.reload);
    this.dispose();
  }

  override async add(keyId: string): Promise<void> {
    this.learn(keyId, this.ttlMs);
    const now = Date.now();
    const results = await this.run('revoke a socket key', commands =>
      commands.multi().zadd(this.key, now + this.ttlMs, keyId).zremrangebyscore(this.key, '-inf', now).pexpire(this.key, this.ttlMs).exec(),
    );
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error('Redis transaction was aborted');
  }

  override async check(keyId: string): Promise<boolean> {
    if (this.has(keyId)) return true;
    const score = await this.run('check a socket key', commands => commands.zscore(this.key, keyId));
    const left = score === null ? 0 : Number(score) - Date.now();
    if (!(left > 0)) return false;
    this.learn(keyId, left);
    return true;
  }

  private async load(): Promise<void> {
    const now = Date.now();
    const flat = await this.run('read revoked socket keys', commands => commands.zrangebyscore(this.key, `(${now}`, '+inf', 'WITHSCORES'));
    for (let index = 0; index + 1 < flat.length; index += 2) this.learn(flat[index]!, Number(flat[index + 1]) - now);
  }

  private run<T>(what: string, command: (commands: RedisConnections['commands']) => Promise<T>): Promise<T> {
    const { commands, availability } = this.connections;
    return availability.run(commands, what, () => command(commands));
  }
}
