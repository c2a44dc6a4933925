import { NestFactory } from '@nestjs/core';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { startApp } from '../support/test-app.js';

describe('startup on Redis', () => {
  let redis: RedisProcess;
  before(async () => (redis = await startRedis()));
  after(() => redis.stop());

  it('logs the address of the Redis it uses', async () => {
    const logger = new CaptureLogger();
    const app = await startApp(redisFixtureModule({ url: redis.url }), '/', 'express', logger);
    try {
      const port = new URL(redis.url).port;
      const line = logger.entries.find(entry => entry.text.startsWith('Realtime fan-out on Redis'));
      assert.equal(line?.text, `Realtime fan-out on Redis (standalone) at 127.0.0.1:${port} RealtimeModule`, 'message, then context');
      assert.equal(line?.level, 'log');
    } finally {
      await app.close();
    }
  });

  it('refuses a Redis url that is missing, naming the option', async () => {
    await assert.rejects(
      NestFactory.create(redisFixtureModule({ url: process.env.REALTIME_TEST_UNSET_VARIABLE }), { logger: false, abortOnError: false }),
      /"redis\.url" must be a redis:\/\/ or rediss:\/\/ URL; got undefined/,
    );
  });
});
