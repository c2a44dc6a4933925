import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { RealtimeTransport, type RealtimeModuleOptions, type RealtimeRedisOptions } from 'nestjs-realtime';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { startRedis, type RedisProcess } from './redis-server.js';
import { startApp, type TestApp } from './test-app.js';

/** A fresh Redis and two instances of the Redis fixture app on it, A and B. */
export interface AppsOnRedis {
  redis: RedisProcess;
  a: TestApp;
  b: TestApp;
}

/**
 * Starts a Redis of its own and two instances of the fixture app on it, with
 * `redis` (besides its URL) and `options`, logging into `logger` when given.
 */
export async function startAppsOnRedis({
  redis: redisOptions = {},
  options = {},
  logger,
}: { redis?: Omit<RealtimeRedisOptions, 'url'>; options?: RealtimeModuleOptions; logger?: LoggerService } = {}): Promise<AppsOnRedis> {
  const redis = await startRedis();
  const start = () => startApp(redisFixtureModule({ url: redis.url, ...redisOptions }, options), '/', 'express', logger);
  const a = await start();
  const b = await start();
  return { redis, a, b };
}

/**
 * Closes both instances, then Redis. A Redis that a test paused is resumed,
 * and one it killed is started again, first: the instances close on a
 * working Redis.
 */
export async function stopAppsOnRedis({ redis, a, b }: AppsOnRedis): Promise<void> {
  if (redis.running) redis.resume();
  else await redis.start();
  await a.close();
  await b.close();
  await redis.stop();
}

/** Whether the transport of an instance (or of a worker's app context) reports itself up. */
export function transportUp(app: TestApp | INestApplicationContext): boolean {
  const context = 'app' in app ? app.app : app;
  return context.get<RealtimeTransport>(RealtimeTransport).health().up;
}
