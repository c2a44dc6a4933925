import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { startApp, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** How many times Redis ran each command so far (`INFO commandstats`). */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

/** Commands Redis ran while `work` ran, by name (INFO itself left out). */
async function commandsDuring(redis: Redis, work: () => Promise<void>): Promise<Record<string, number>> {
  const before = await commandCounts(redis);
  await work();
  const delta: Record<string, number> = {};
  for (const [name, calls] of await commandCounts(redis)) {
    const ran = calls - (before.get(name) ?? 0);
    if (ran > 0 && name !== 'info') delta[name] = ran;
  }
  return delta;
}

/**
 * The work one frame may cause in Redis is bounded: a frame of 32,730 keys
 * used to issue 130,921 Redis commands. Part of the abuse suite: nothing here
 * may log at error level.
 */
describe('abuse on Redis: the Redis work of one frame is bounded', () => {
  let redis: RedisProcess;
  let inspect: Redis;
  let server: TestApp;
  const logger = new CaptureLogger();

  before(async () => {
    redis = await startRedis();
    inspect = new Redis(redis.url);
    server = await startApp(redisFixtureModule({ url: redis.url }, { heartbeatInterval: 0, reauthorizeInterval: 0 }), '/', 'express', logger);
  });
  after(async () => {
    await server.close();
    inspect.disconnect();
    await redis.stop();
  });
  afterEach(() => assert.deepEqual(logger.errors.map(entry => entry.text), []));

  it('runs no Redis command for a frame over maxKeysPerFrame, or over maxElements', async () => {
    const client = await TestClient.connect(server.ws);
    const keys = (count: number) => Array.from({ length: count }, () => 1);
    const ran = await commandsDuring(inspect, async () => {
      client.send({ action: 'Unsubscribe', tag: 'u', payload: { exchange: 'widgets', routing_keys: keys(500) } });
      assert.equal((await client.next(frame => frame.tag === 'u')).payload.error, 'TooManyKeys');
      // 32,000 keys are more elements than a frame may hold: refused unparsed.
      client.send({ action: 'Unsubscribe', tag: 'w', payload: { exchange: 'widgets', routing_keys: keys(32_000) } });
      assert.equal((await client.next(frame => frame.payload?.error === 'TooManyElements')).tag, undefined);
    });
    assert.deepEqual(ran, {});
    client.close();
  });

  it('removes the keys of one Unsubscribe from the registry in one transaction, however many there are', async () => {
    const client = await TestClient.connect(server.ws);
    const keys = Array.from({ length: 100 }, (_, index) => `k${index}`);
    const ran = await commandsDuring(inspect, async () => {
      client.send({ action: 'Unsubscribe', tag: 'u', payload: { exchange: 'widgets', routing_keys: keys } });
      await client.barrier();
    });
    assert.equal(client.frames.filter(frame => frame.tag === 'u').length, 100);
    assert.deepEqual(ran, { multi: 1, smismember: 1, srem: 1, exec: 1 });
    client.close();
  });
});
