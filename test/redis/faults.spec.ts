import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChannelService, RealtimeTransportError } from 'nestjs-realtime';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { connectPage } from '../support/page-socket.js';
import { PushTraffic } from '../support/push-traffic.js';
import { startAppsOnRedis, stopAppsOnRedis, transportUp } from '../support/redis-apps.js';
import type { RedisProcess } from '../support/redis-server.js';
import { startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { TestClient } from '../support/ws-client.js';

/** The `id`s of the pushes on a channel that a client got, in arrival order. */
const got = (client: TestClient, channel: string) =>
  client.frames.filter(frame => frame.channel === channel).map(frame => frame.payload.id as string);

function assertOnceEach(ids: string[], expected: string[], where: string): void {
  assert.equal(new Set(ids).size, ids.length, `no duplicates on ${where}`);
  const missing = expected.filter(id => !ids.includes(id));
  assert.deepEqual(missing, [], `every acknowledged push reached ${where}`);
}

describe('Redis faults: a crash and a restart of Redis', () => {
  const logs = new CaptureLogger();
  let redis: RedisProcess;
  let a: TestApp;
  let b: TestApp;

  before(async () => ({ redis, a, b } = await startAppsOnRedis({ logger: logs })));
  after(() => stopAppsOnRedis({ redis, a, b }));

  it('queues pushes made during the outage, publishes them once Redis is back: each reaches every subscriber once, in order', async () => {
    const [onA, onB] = [await connectPage(a, await subscribePage(a, ['feed'])), await connectPage(b, await subscribePage(b, ['feed']))];
    const fromA = new PushTraffic(a.app.get(ChannelService), 'a', 'feed');
    const fromB = new PushTraffic(b.app.get(ChannelService), 'b', 'feed');
    try {
      await until(() => fromA.count('published') >= 10 && fromB.count('published') >= 10, 'traffic flows');

      await redis.kill();
      await until(() => fromA.count('queued') >= 15 && fromB.count('queued') >= 15, 'pushes are queued during the outage');
      // NOTE: what is queued must fit in a channel's backlog (100), so that an
      // instance that re-subscribes after the flush can still catch up.
      fromA.hold();
      fromB.hold();
      assert.equal(transportUp(a) || transportUp(b), false, 'both instances report the outage');

      await redis.start();
      await until(() => transportUp(a) && transportUp(b), 'both instances recover, with their outboxes flushed');
      fromA.release();
      fromB.release();
      const [publishedA, publishedB] = [fromA.count('published'), fromB.count('published')];
      await until(() => fromA.count('published') >= publishedA + 10 && fromB.count('published') >= publishedB + 10, 'traffic flows again');
    } finally {
      await fromA.stop();
      await fromB.stop();
    }

    for (const traffic of [fromA, fromB]) {
      assert.deepEqual(traffic.ids('rejected'), [], 'nothing was rejected: the outbox had room');
    }
    // The last push of each is published after the outage: once it is in, so
    // is everything queued before it.
    for (const client of [onA, onB]) {
      await client.next(frame => frame.payload?.id === fromA.ids().at(-1));
      await client.next(frame => frame.payload?.id === fromB.ids().at(-1));
      await client.barrier();
    }
    for (const [client, name] of [[onA, 'A'], [onB, 'B']] as const) {
      const ids = got(client, 'feed');
      assertOnceEach(ids, [...fromA.ids(), ...fromB.ids()], `the subscriber on ${name}`);
      for (const origin of ['a', 'b']) {
        const sequence = ids.filter(id => id.startsWith(`${origin}-`)).map(id => Number(id.slice(2)));
        assert.deepEqual(sequence, [...sequence].sort((x, y) => x - y), `${origin}'s pushes arrive on ${name} in the order they were made`);
      }
    }
    assert.deepEqual(logs.errors, [], 'an outage is not an error of the module');
    onA.close();
    onB.close();
  });

  it('rejects a push it cannot queue before anyone gets it, and a retry with the same id reaches everyone once', async () => {
    const small = await startApp(redisFixtureModule({ url: redis.url, outbox: { size: 3 } }), '/', 'express', logs);
    try {
      const [onSmall, onB] = [await connectPage(small, await subscribePage(small, ['orders'])), await connectPage(b, await subscribePage(b, ['orders']))];
      const channels = small.app.get(ChannelService);
      const results: Array<string> = [];
      await redis.kill();
      await until(() => !transportUp(small), 'the instance notices the outage');
      for (let n = 1; n <= 5; n++) {
        try {
          results.push((await channels.push({ id: `o-${n}` }, 'orders', { id: `o-${n}` })).status);
        } catch (error) {
          assert.ok(error instanceof RealtimeTransportError);
          assert.equal(error.code, 'OutboxFull');
          assert.equal(error.getStatus(), 503, 'an HTTP route that lets it through answers 503');
          results.push(error.code);
        }
      }
      assert.deepEqual(results, ['queued', 'queued', 'queued', 'OutboxFull', 'OutboxFull']);
      await onSmall.barrier();
      // A queued push waits for its position like everyone's: nobody gets it
      // before Redis is back, not even this instance; a rejected one, never.
      assert.deepEqual(got(onSmall, 'orders'), []);

      await redis.start();
      await until(() => transportUp(small) && transportUp(b), 'Redis is back and the outbox flushed');
      // The caller retries what was rejected, and, to be sure, what was queued.
      for (let n = 1; n <= 5; n++) {
        const { status } = await channels.push({ id: `o-${n}` }, 'orders', { id: `o-${n}` });
        assert.equal(status, n <= 3 ? 'duplicate' : 'published', `retry of o-${n}`);
      }
      for (const client of [onSmall, onB]) {
        await client.next(frame => frame.payload?.id === 'o-5');
        await client.barrier();
        assert.deepEqual(got(client, 'orders'), ['o-1', 'o-2', 'o-3', 'o-4', 'o-5']);
      }
      onSmall.close();
      onB.close();
    } finally {
      await small.close();
    }
  });

  it('with the outbox off, or past its maxAge, rejects every push during an outage', async () => {
    const off = await startApp(redisFixtureModule({ url: redis.url, outbox: { size: 0 } }), '/', 'express', logs);
    const brief = await startApp(redisFixtureModule({ url: redis.url, outbox: { maxAge: 0 } }), '/', 'express', logs);
    try {
      const client = await connectPage(off, await subscribePage(off, ['news']));
      await redis.kill();
      await until(() => !transportUp(off) && !transportUp(brief), 'the instances notice the outage');
      await new Promise(resolve => setTimeout(resolve, 5)); // so that the outage is older than 0 ms
      await assert.rejects(off.app.get(ChannelService).push('x', 'news'), { name: 'RealtimeTransportError', code: 'Unavailable' });
      await assert.rejects(brief.app.get(ChannelService).push('x', 'news'), { name: 'RealtimeTransportError', code: 'OutboxFull' });
      await client.barrier();
      assert.deepEqual(got(client, 'news'), []);
      client.close();
      await redis.start();
      await until(() => transportUp(off) && transportUp(brief), 'Redis is back');
      assert.equal((await off.app.get(ChannelService).push('y', 'news')).status, 'published');
    } finally {
      if (!redis.running) await redis.start();
      await off.close();
      await brief.close();
    }
    assert.deepEqual(logs.errors, []);
  });
});
