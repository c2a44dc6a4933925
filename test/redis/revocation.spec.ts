import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../fixtures/fixture.handlers.js';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { startAppsOnRedis, stopAppsOnRedis } from '../support/redis-apps.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { post, socketKeyCookie, startApp, subscribePage, subscriptionsOf, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { assertRevoked, TestClient } from '../support/ws-client.js';

describe('ending realtime access across instances on Redis', () => {
  let redis: RedisProcess;
  let inspect: Redis;
  let a: TestApp;
  let b: TestApp;
  const options = { userId: (user: User) => user.name };

  before(async () => {
    ({ redis, a, b } = await startAppsOnRedis({ options }));
    inspect = new Redis(redis.url);
  });
  after(async () => {
    inspect.disconnect();
    await stopAppsOnRedis({ redis, a, b });
  });

  const pushesReach = async (client: TestClient, channels: string[]) => {
    for (const app of [a, b]) await post(app, `/push/${channels.join(',')}`, { message: 'after sign-out' });
    await client.barrier();
    return client.frames.filter(frame => frame.channel).length;
  };

  it('revoke() on A closes the pages of the key on both instances, drops them from Redis, and revokes the key everywhere', async () => {
    const onA = await subscribePage(a, ['rr-news']);
    const onB = await subscribePage(b, ['rr-sports'], onA.cookie);
    const unopened = await subscribePage(b, ['rr-weather'], onA.cookie);
    const stranger = await subscribePage(a, ['rr-news']);
    const [socketA, socketB, other] = [await connectPage(a, onA), await connectPage(b, onB), await connectPage(b, stranger)];
    assert.equal((await inspect.keys('rt:key:*')).length >= 1, true, 'the key indexes its digests in Redis');

    const signOut = await fetch(`${a.http}/signout`, { method: 'POST', headers: { cookie: onA.cookie } });
    assert.deepEqual(await signOut.json(), { localConnections: 1 });
    assert.ok(socketKeyCookie(signOut));
    await assertRevoked(socketA);
    await assertRevoked(socketB);

    // Nothing of the key is left in Redis but its entry in the revocation list.
    for (const page of [onA, onB, unopened]) assert.equal(await inspect.exists(`rt:subs:${page.digest}`), 0);
    const revoked = await inspect.zrange('rt:revoked', '0', '-1', 'WITHSCORES');
    assert.equal(revoked.length, 2, 'one revoked key id, with the time it stops counting');
    assert.match(revoked[0]!, /^[0-9a-f]{64}$/);
    const ttl = await inspect.pttl('rt:revoked');
    assert.ok(ttl > 0 && ttl <= 600_000, `the list expires with its newest entry (${ttl} ms left)`);

    // B closed its socket on A's message, so it knows: its HTTP requests treat the old key as none.
    assert.deepEqual((await subscriptionsOf(b, unopened)).channels, []);
    assert.ok((await subscriptionsOf(b, unopened)).cookie, 'B gives the old cookie a new key');
    for (const app of [a, b]) {
      const again = await connectPage(app, onB);
      assert.deepEqual(again.welcome.payload.channels, [], 'reconnecting with the old page id and cookie gets nothing');
      assert.equal(await pushesReach(again, ['rr-news', 'rr-sports', 'rr-weather']), 0);
      again.close();
    }
    await other.barrier();
    other.close();
  });

  it('an instance that starts after the sign-out knows the key is revoked', async () => {
    const page = await subscribePage(a, ['rr-late']);
    await fetch(`${a.http}/signout`, { method: 'POST', headers: { cookie: page.cookie } });
    const late = await startApp(redisFixtureModule({ url: redis.url }, options));
    try {
      const seen = await subscriptionsOf(late, page);
      assert.deepEqual(seen.channels, []);
      assert.ok(seen.cookie, 'a new key for the old cookie');
      const socket = await connectPage(late, page);
      assert.deepEqual(socket.welcome.payload.channels, []);
      socket.close();
    } finally {
      await late.close();
    }
  });

  it('a socket that reaches another instance with the revoked key gets nothing, even if a racing route re-subscribed it', async () => {
    const page = await subscribePage(a, ['rr-race']);
    await fetch(`${a.http}/signout`, { method: 'POST', headers: { cookie: page.cookie } });
    // What a route on another instance could have written just before it heard of the sign-out.
    await inspect.sadd(`rt:subs:${page.digest}`, 'rr-race');
    const socket = await connectPage(b, page);
    assert.deepEqual(socket.welcome.payload.channels, []);
    assert.equal(await pushesReach(socket, ['rr-race']), 0);
    socket.close();
  });

  it('disconnect({ user }) on A ends that user’s sockets on both instances, and every page of their keys', async () => {
    const aliceA = await subscribePage(a, ['ru-room']);
    const aliceB = await subscribePage(b, ['ru-room']);
    const aliceUnopened = await subscribePage(a, ['ru-later'], aliceB.cookie);
    const bobPage = await subscribePage(b, ['ru-room']);
    const [onA, onB, bob] = [
      await connectPage(a, aliceA, { headers: { 'x-token': 'alice' } }),
      await connectPage(b, aliceB, { headers: { 'x-token': 'alice' } }),
      await connectPage(b, bobPage, { headers: { 'x-token': 'bob' } }),
    ];
    assert.deepEqual(await post(a, '/disconnect/user/alice', {}), { localConnections: 1 });
    await assertRevoked(onA);
    await assertRevoked(onB);
    for (const page of [aliceA, aliceB, aliceUnopened]) assert.equal(await inspect.exists(`rt:subs:${page.digest}`), 0);
    assert.deepEqual((await subscriptionsOf(a, bobPage)).channels, ['ru-room']);
    assert.equal((await subscriptionsOf(a, aliceB)).cookie, undefined, 'the key itself is not revoked');
    await post(a, '/push/ru-room', { message: 'for bob' });
    await bob.next(frame => frame.channel === 'ru-room');
    bob.close();
  });
});

describe('ending access while Redis is away', () => {
  it('does this instance’s part, rejects with RealtimeAccessError, and this instance still treats the key as revoked', async () => {
    const redis = await startRedis();
    const app = await startApp(redisFixtureModule({ url: redis.url }));
    const health = async () => (await fetch(`${app.http}/health`)).status;
    try {
      const page = await subscribePage(app, ['ro-feed']);
      const socket = await connectPage(app, page);
      await redis.kill();
      await until(async () => (await health()) === 503, 'the instance reports Redis down');

      const { ChannelService, RealtimeAccessError } = await import('nestjs-realtime');
      const signOut = await fetch(`${app.http}/signout`, { method: 'POST', headers: { cookie: page.cookie } });
      assert.equal(signOut.status, 500, 'the route hears that it did not reach everywhere');
      await assertRevoked(socket);
      await assert.rejects(app.app.get(ChannelService).disconnect({ user: 'nobody' }), (error: Error) => {
        assert.ok(error instanceof RealtimeAccessError);
        assert.match(error.message, /ended on this instance only/);
        return true;
      });

      await redis.start();
      await until(async () => (await health()) === 200, 'the instance is back on Redis');
      const again = await fetch(`${app.http}/subscribe?channels=ro-feed`, { headers: { cookie: page.cookie } });
      assert.ok(socketKeyCookie(again), 'its copy of the list still says the old key is revoked: a new key');
    } finally {
      await app.close();
      await redis.stop();
    }
  });
});
