import { Module, type INestApplicationContext } from '@nestjs/common';
import { DiscoveryService, NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChannelService, RealtimeModule } from 'nestjs-realtime';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { startAppsOnRedis, stopAppsOnRedis } from '../support/redis-apps.js';
import type { RedisProcess } from '../support/redis-server.js';
import { actAs, post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { TestClient } from '../support/ws-client.js';
import { positioned } from '../support/positioned.js';

/** What only the gateway uses; `gateway: false` makes none of them (no call-route HTTP agents either). */
const GATEWAY_PARTS = [
  'RealtimeGateway',
  'RealtimeDispatcher',
  'SubscriptionActions',
  'CallRouteHandler',
  'RealtimeHandlerRegistry',
  'HandlerFiltersFactory',
  'RealtimeExplorer',
  'UpgradeAdmission',
  'EventStreamEndpoint',
];

/** The gateway's parts an app made. */
function gatewayPartsOf(app: INestApplicationContext): string[] {
  const names = new Set(app.get(DiscoveryService, { strict: false }).getProviders().map(wrapper => String(wrapper.name)));
  return GATEWAY_PARTS.filter(name => names.has(name));
}

describe('scale-out on Redis: two instances', () => {
  let redis: RedisProcess;
  let inspect: Redis;
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    ({ redis, a, b } = await startAppsOnRedis());
    inspect = new Redis(redis.url);
  });
  after(async () => {
    inspect.disconnect();
    await stopAppsOnRedis({ redis, a, b });
  });

  const channelsOn = async () => (await inspect.pubsub('CHANNELS', 'rt:*')) as string[];

  it('holds digest subscriptions in Redis with an expiry', async () => {
    await subscribePage(a, ['held-1', 'held-2']);
    const keys = await inspect.keys('rt:subs:*');
    assert.ok(keys.length >= 1);
    const ttl = await inspect.pttl(keys[0]!);
    assert.ok(ttl > 0 && ttl <= 600_000, `expires (${ttl} ms left)`);
  });

  it('lets a route on B subscribe a socket that is open on A, at once; and unsubscribe it', async () => {
    const page = await subscribePage(a, ['first']);
    const client = await connectPage(a, page);
    await fetch(`${b.http}/subscribe?channels=from-b`, { headers: actAs(page) });
    // No waiting: once the route's subscribe() resolved, A catches up from there.
    await post(b, '/push/from-b', { message: 'hello from B' });
    assert.deepEqual(positioned(await client.next(frame => frame.channel === 'from-b')), {
      event: 'Push',
      channel: 'from-b',
      payload: 'hello from B',
      offset: 1,
    });
    await fetch(`${b.http}/subscribe?channels=from-b`, { method: 'DELETE', headers: actAs(page) });
    await client.next(frame => frame.event === 'Unsubscribed' && frame.payload.channel === 'from-b');
    await post(b, '/push/from-b', { message: 'not any more' });
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.channel === 'from-b').length, 1);
    client.close();
  });

  it('picks up on A what a route on B subscribed before the socket connected', async () => {
    const page = await subscribePage(b, ['made-on-b']);
    const client = await connectPage(a, page);
    await post(b, '/push/made-on-b', { message: 1 });
    await client.next(frame => frame.channel === 'made-on-b');
    client.close();
  });

  it('delivers a push to every subscriber on every instance exactly once, with no echo', async () => {
    const pageA = await subscribePage(a, ['room']);
    const pageB = await subscribePage(b, ['room']);
    const [onA, onB] = [await connectPage(a, pageA), await connectPage(b, pageB)];
    const [, listeners] = (await inspect.pubsub('NUMSUB', 'rt:{c:room}')) as [string, number];
    assert.equal(listeners, 2, 'after Welcome, both instances listen');
    for (let i = 0; i < 20; i++) await post(i % 2 ? a : b, '/push/room', { message: i });
    for (const client of [onA, onB]) {
      await client.next(frame => frame.channel === 'room' && frame.payload === 19);
      await client.barrier();
      const got = client.frames.filter(frame => frame.channel === 'room').map(frame => frame.payload);
      assert.deepEqual([...got].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
    }
    onA.close();
    onB.close();
  });

  it('sends to one client across instances', async () => {
    const page = await subscribePage(a, ['x']);
    const client = await connectPage(a, page);
    await post(b, '/notify', { message: { hi: 'there' } }, actAs(page));
    assert.deepEqual(await client.next(frame => frame.event === 'Notice'), { event: 'Notice', payload: { hi: 'there' } });
    client.close();
  });

  it('authorizes family subscriptions where the socket is, and pushes reach them from anywhere', async () => {
    const client = await TestClient.connect(a.ws);
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 9999 })).payload.error, 'SubscriptionDenied');
    await client.call('Subscribe', { exchange: 'widgets', routing_key: 1234 });
    await post(b, '/push-event/widgets/1234', { event: 'WidgetQtyChanged', payload: { quantity: 5 } });
    await post(b, '/push-event/widgets/9999', { event: 'WidgetQtyChanged', payload: { quantity: 6 } });
    const push = await client.next(frame => frame.event === 'WidgetQtyChanged');
    assert.deepEqual(push.mq, { e: 'widgets', rk: '1234' });
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.event === 'WidgetQtyChanged').length, 1);
    client.close();
  });

  it('subscribes in Redis only to channels with local subscribers, batched, and lets go after the last', async () => {
    const before = await channelsOn();
    assert.ok(!before.some(channel => channel.startsWith('rt:{c:batch-')));
    const stats = async () => Number(/cmdstat_subscribe:calls=(\d+)/.exec(await inspect.info('commandstats'))?.[1] ?? 0);
    const subscribesBefore = await stats();
    const channels = Array.from({ length: 40 }, (_, i) => `batch-${i}`);
    const page = await subscribePage(a, channels);
    const client = await connectPage(a, page);
    assert.equal((await channelsOn()).filter(name => name.startsWith('rt:{c:batch-')).length, 40);
    // One SUBSCRIBE for the 40 channels and one for the digest (made on connect, in another tick).
    assert.ok((await stats()) - subscribesBefore <= 2, `${(await stats()) - subscribesBefore} SUBSCRIBE commands`);
    const [, onB] = (await inspect.pubsub('NUMSUB', 'rt:{c:batch-0}')) as [string, number];
    assert.equal(onB, 1, 'B has no subscriber there, so only A listens');
    client.close();
    await until(async () => !(await channelsOn()).some(name => name.startsWith('rt:{c:batch-')), 'A unsubscribes after the last subscriber');
  });

  it('lets abandoned digest subscriptions expire', async () => {
    const short = await startApp(redisFixtureModule({ url: redis.url, prefix: 'ttl:' }, { subscriptionTtl: 1000, heartbeatInterval: 0 }));
    try {
      await subscribePage(short, ['soon-gone']);
      assert.equal((await inspect.keys('ttl:subs:*')).length, 1);
      await until(async () => (await inspect.keys('ttl:subs:*')).length === 0, 'the entry expires');
    } finally {
      await short.close();
    }
  });

  it('pushes from a publish-only process with no gateway, none of its parts and no HTTP server', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ gateway: false, secret: 'fixture-secret-0123456789', redis: { url: redis.url } })] })
    class WorkerModule {}
    const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
    try {
      assert.deepEqual(gatewayPartsOf(a.app), GATEWAY_PARTS);
      assert.deepEqual(gatewayPartsOf(worker), [], 'a worker makes none of the gateway\'s parts');
      const page = await subscribePage(a, ['jobs']);
      const client = await connectPage(a, page);
      const channels = worker.get(ChannelService);
      const receipt = await channels.push({ job: 42, state: 'done' }, 'jobs', { event: 'JobDone' });
      assert.deepEqual(receipt, { channels: ['jobs'], localDeliveries: 0, status: 'published' });
      assert.deepEqual(positioned(await client.next(frame => frame.channel === 'jobs')), {
        event: 'JobDone',
        channel: 'jobs',
        payload: { job: 42, state: 'done' },
        offset: 1,
      });
      const family = await TestClient.connect(b.ws);
      await family.call('Subscribe', { exchange: 'widgets', routing_key: 2 });
      await channels.pushEvent('widgets', 2, 'WidgetQtyChanged', { quantity: 1 });
      assert.deepEqual((await family.next(frame => frame.event === 'WidgetQtyChanged')).mq, { e: 'widgets', rk: '2' });
      await channels.send({ connectionId: page.connectionId, digest: page.digest }, { note: 'direct from a worker' }, { event: 'Notice' });
      await client.next(frame => frame.event === 'Notice');
      client.close();
      family.close();
    } finally {
      await worker.close();
    }
  });
});
