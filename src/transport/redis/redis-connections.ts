import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedRedisOptions } from '../../interfaces/realtime-module-options.interface.js';
import { FANOUT_SCRIPT } from './fanout.script.js';
import { RedisAvailability } from './redis-availability.monitor.js';

/** An ioredis client of either kind, with the fan-out script defined. */
export type RedisClient = (Redis | Cluster) & {
  realtimeFanout(...args: Array<string | Buffer | number>): Promise<number>;
};


/**
 * What both connections do with commands when Redis goes away.
 *
 * NOTE: no offline queue, so a command made while Redis is away fails at once
 * instead of piling up in memory (pushes wait in the outbox, which is
 * bounded). Commands in flight when a connection drops fail at once
 * (`maxRetriesPerRequest: 0`) and are never sent again by ioredis
 * (`autoResendUnfulfilledCommands: false`): a fan-out script that already ran
 * would otherwise run twice. The outbox retries pushes itself, safely.
 */
const NO_RETRIES = { enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false } as const;

/** Reconnect backoff: 50 ms doubling to 2 s, with jitter so instances do not stampede. */
function retryDelay(attempt: number): number {
  const base = Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * The two Redis connections of an instance: one for commands (publishing,
 * the registry, catch-up reads) and one in subscriber mode. It opens them at
 * startup, failing fast if Redis cannot be reached, and quits them last.
 */
export class RedisConnections {
  private readonly logger = new Logger('RealtimeModule');
  private closing = false;
  /** Whether Redis can be used now; every command goes through it. */
  readonly availability: RedisAvailability;

  private constructor(
    readonly commands: RedisClient,
    readonly subscriber: Redis | Cluster,
    readonly sharded: boolean,
    commandTimeout: number,
  ) {
    this.availability = new RedisAvailability(commands, subscriber, commandTimeout);
    for (const [role, client] of [['commands', commands], ['subscriber', subscriber]] as const) {
      (client as NodeJS.EventEmitter).on('error', (error: Error) => {
        if (!this.closing) this.logger.warn(`Redis ${role} connection: ${error.message}`);
      });
    }
  }

  /** Opens both connections and waits until they are ready. */
  static async open(options: ResolvedRedisOptions): Promise<RedisConnections> {
    // ioredis is an optional peer, loaded only when Redis is configured.
    const { Redis, Cluster } = await import('ioredis');
    const common = { ...NO_RETRIES, retryStrategy: retryDelay, lazyConnect: true };
    const connections = options.cluster
      ? RedisConnections.cluster(Cluster, options, common)
      : RedisConnections.standalone(Redis, options, common);
    connections.commands.defineCommand('realtimeFanout', { numberOfKeys: 5, lua: FANOUT_SCRIPT });
    await connections.connect(options.connectTimeout);
    return connections;
  }

  private static standalone(
    RedisClass: typeof Redis,
    options: ResolvedRedisOptions,
    common: Record<string, unknown>,
  ): RedisConnections {
    const make = (extra: Record<string, unknown> = {}) =>
      options.url
        ? new RedisClass(options.url, { ...common, ...options.connection, ...extra })
        : new RedisClass({ ...common, ...options.connection, ...extra });
    // The server re-subscribes itself after a reconnect, so that it knows
    // when to catch up; ioredis's own re-subscribe would race with that.
    return new RedisConnections(
      make({ enableAutoPipelining: true }) as RedisClient,
      make({ autoResubscribe: false }),
      false,
      options.commandTimeout,
    );
  }

  private static cluster(
    ClusterClass: typeof Cluster,
    options: ResolvedRedisOptions,
    common: Record<string, unknown>,
  ): RedisConnections {
    const { nodes, options: clusterOptions } = options.cluster!;
    const make = (extra: Record<string, unknown>) =>
      new ClusterClass(nodes, {
        enableOfflineQueue: false,
        lazyConnect: true,
        clusterRetryStrategy: retryDelay,
        redisOptions: { ...NO_RETRIES, ...options.connection },
        ...clusterOptions,
        ...extra,
      });
    return new RedisConnections(
      make({ enableAutoPipelining: true }) as RedisClient,
      make({ shardedSubscribers: true }),
      true,
      options.commandTimeout,
    );
  }

  /**
   * Where this instance's Redis is, for the startup log: `host:port` (or the
   * socket path), the Sentinel group, or the cluster's nodes. Never the password.
   */
  get address(): string {
    if (this.sharded) {
      const nodes = (this.commands as Cluster).nodes();
      return `cluster of ${nodes.length} node${nodes.length === 1 ? '' : 's'}: ${nodes.map(node => `${node.options.host}:${node.options.port}`).join(', ')}`;
    }
    const { host, port, path, sentinels, name, db } = (this.commands as Redis).options;
    if (sentinels?.length) return `sentinel group "${name}" via ${sentinels.map(s => `${s.host}:${s.port}`).join(', ')}`;
    const where = path ?? `${host}:${port}`;
    return db ? `${where}, db ${db}` : where;
  }

  /** Quits both connections (the backend's last act at application shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    this.availability.close();
    // A Redis that hangs would never answer QUIT: give it commandTimeout.
    await Promise.all(
      [this.commands, this.subscriber].map(client =>
        this.availability.bounded('quit', client.quit()).catch(() => client.disconnect()),
      ),
    );
  }

  private async connect(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.commands.connect(), this.subscriber.connect()]), timeout]);
    } catch (error) {
      this.closing = true;
      this.commands.disconnect();
      this.subscriber.disconnect();
      throw new Error(`RealtimeModule could not connect to Redis: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
