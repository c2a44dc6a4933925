import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { connectPage } from '../support/page-socket.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { actAs, post, subscribePage, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** Three app instances as separate processes on one Redis. */
describe('several processes on one Redis', () => {
  let redis: RedisProcess;
  let instances: AppProcess[];

  before(async () => {
    redis = await startRedis();
    instances = await Promise.all(
      [0, 1, 2].map(() => startAppProcess('.build/test/fixtures/redis-main.js', { REDIS_URL: redis.url })),
    );
  });
  after(async () => {
    await Promise.all(instances.map(instance => instance.stop()));
    await redis.stop();
  });

  // The support helpers only read `http` and `ws` from a TestApp.
  const app = (index: number) => instances[index] as unknown as TestApp;

  it('subscribes over HTTP on one, receives on another, pushes from a third, with nothing lost or doubled', async () => {
    const page = await subscribePage(app(0), ['orders']);
    const watcher = await subscribePage(app(2), ['orders']);
    const [client, other] = [await connectPage(app(1), page), await connectPage(app(2), watcher)];
    const total = 60;
    await Promise.all(
      Array.from({ length: total }, (_, i) => post(app(i % 3), '/push/orders', { message: i })),
    );
    for (const receiver of [client, other]) {
      await receiver.barrier();
      await receiver.next(() => receiver.frames.filter(frame => frame.channel === 'orders').length >= total);
      const got = receiver.frames.filter(frame => frame.channel === 'orders').map(frame => frame.payload as number);
      assert.deepEqual([...got].sort((x, y) => x - y), Array.from({ length: total }, (_, i) => i));
    }
    client.close();
    other.close();
  });

  it('sends directly and unsubscribes across processes', async () => {
    const page = await subscribePage(app(0), ['alerts']);
    const client = await connectPage(app(1), page);
    await post(app(2), '/notify', { message: 'only you' }, actAs(page));
    assert.deepEqual(await client.next(frame => frame.event === 'Notice'), { event: 'Notice', payload: 'only you' });
    await fetch(`${instances[2]!.http}/subscribe?channels=alerts`, { method: 'DELETE', headers: actAs(page) });
    await client.next(frame => frame.event === 'Unsubscribed' && frame.payload.channel === 'alerts');
    await post(app(0), '/push/alerts', { message: 'gone' });
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.channel === 'alerts').length, 0);
    client.close();
  });

  it('authorizes families on the socket’s instance and delivers from every instance', async () => {
    const client = await TestClient.connect(instances[1]!.ws);
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 9999 })).payload.error, 'SubscriptionDenied');
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 1 })).event, 'Subscribed');
    for (const index of [0, 1, 2]) {
      await post(app(index), '/push-event/widgets/1', { event: 'Qty', payload: { from: index } });
      await post(app(index), '/push-event/widgets/9999', { event: 'Qty', payload: { denied: index } });
    }
    await client.next(() => client.frames.filter(frame => frame.event === 'Qty').length >= 3);
    await client.barrier();
    const got = client.frames.filter(frame => frame.event === 'Qty').map(frame => frame.payload);
    assert.deepEqual(got.map(payload => payload.from).sort(), [0, 1, 2]);
    assert.ok(got.every(payload => payload.denied === undefined));
    client.close();
  });
});
